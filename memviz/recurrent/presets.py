"""Named setups for lectures: a page, its settings, the step and unit to show, and what to see.

Each claim in a note was measured on these exact settings (tests/test_sharing.py re-checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig


@dataclass(frozen=True)
class Preset:
    """A lecture setup for one recurrent page."""

    name: str
    config: RunConfig
    t: int
    unit: int
    note: str

    @property
    def page(self) -> str:
        return self.config.model.arch

    def widget_values(self) -> dict[str, object]:
        """Values for the page's widgets, keyed as in the URL and the widget keys."""
        c = self.config
        return {"task": c.task.name, "seq_len": c.task.seq_len, "hidden": c.model.hidden,
                "lr": c.train.lr, "steps": c.train.steps, "seed": c.train.seed,
                "t": self.t, "unit": self.unit}


def _cfg(arch: str, task: str, T: int, H: int, lr: float, steps: int) -> RunConfig:
    return RunConfig(TaskConfig(task, T), ModelConfig(arch, H), TrainConfig(steps=steps, lr=lr))


PRESETS = (
    Preset("A forget gate that saturates", _cfg("lstm", "recall", 50, 16, 0.01, 300), 50, 0,
           "On this example unit 0's forget gate stays above 0.95 for all 50 steps, and its "
           "cell state ramps steadily through the delay. Across many sequences (the view 'One "
           "unit across many inputs' below) unit 0's c ends up, down or near 0 depending on "
           "the symbol: the ramp's direction carries the memory. Compare a unit whose f row is "
           "darker."),
    Preset("The RNN forgets after ~20 steps", _cfg("rnn", "recall", 50, 32, 0.003, 500), 50, 0,
           "With a 50-step delay the vanilla RNN ends at chance (25%); set the sequence length "
           "to 20 with the same settings and it recalls every symbol."),
    Preset("A counting cell", _cfg("lstm", "brackets", 60, 8, 0.01, 300), 60, 2,
           "Bracket depth: unit 2's cell state falls with every '(' and rises with every ')', "
           "so it tracks the nesting depth (correlation about −0.98: the deeper, the lower) — "
           "a counter the network built itself. Other units drift much further, so the c "
           "colours are clipped to keep unit 2 visible (the caption under the heatmaps says "
           "where)."),
)


def for_page(page: str) -> dict[str, Preset]:
    """The presets of one page, by name."""
    return {p.name: p for p in PRESETS if p.page == page}
