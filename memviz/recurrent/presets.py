"""Named setups for lectures: a page, its settings, the step and unit to show, and what to see.

Each claim in a note was measured on these exact settings (tests/test_sharing.py re-checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from memviz import i18n
from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig
from memviz.lessons import Run

# message keys written out, so that grep and the catalogue test see each one
NAME_KEYS = {"saturates": "recurrent.preset.saturates.name",
    "rnn_forgets": "recurrent.preset.rnn_forgets.name", "counter": "recurrent.preset.counter.name"}
NOTE_KEYS = {"saturates": "recurrent.preset.saturates.note",
    "rnn_forgets": "recurrent.preset.rnn_forgets.note", "counter": "recurrent.preset.counter.note"}


@dataclass(frozen=True)
class Preset:
    """A lecture setup for one recurrent page: its name and note are the catalogue's
    recurrent.preset.<key> (the English name is the preset's identifier: menus, CLI)."""

    key: str
    config: RunConfig
    t: int
    unit: int

    @property
    def name(self) -> str:
        return i18n.t(NAME_KEYS[self.key], "en")

    @property
    def title(self) -> str:
        """The name in the reader's language."""
        return i18n.t(NAME_KEYS[self.key])

    @property
    def note(self) -> str:
        """What to see, in the reader's language."""
        return i18n.t(NOTE_KEYS[self.key])

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


PRESETS = (  # each note's claims: memviz/locales/recurrent.toml [preset.*]
    Preset("saturates", _cfg("lstm", "recall", 50, 16, 0.01, 300), 50, 0),
    Preset("rnn_forgets", _cfg("rnn", "recall", 50, 32, 0.003, 500), 50, 0),
    Preset("counter", _cfg("lstm", "brackets", 60, 8, 0.01, 300), 60, 2),
)


def for_page(page: str) -> dict[str, Preset]:
    """The presets of one page, by name."""
    return {p.name: p for p in PRESETS if p.page == page}


def rnn_forgets() -> Preset:
    """The preset the vanilla RNN's page points to for a delay it cannot bridge."""
    return next(p for p in PRESETS if p.key == "rnn_forgets")


def page_default(arch: str, seq_len: int = 20, hidden: int = 32, lr: float = 0.01,
                 steps: int = 300) -> RunConfig:
    """A recurrent page's run at its defaults (memviz.ui.recurrent DEFAULTS, PAGE_DEFAULTS),
    written out for `prepare`; tests/test_prepare.py checks the page asks for exactly this."""
    return RunConfig(TaskConfig("recall", seq_len), ModelConfig(arch, hidden),
                     TrainConfig(steps=steps, lr=lr, seed=0))


def _runs(page: str, presets: list[Preset] | None) -> list[Run]:
    from memviz.engine import lesson  # imports torch: only when prepare runs

    chosen = list(for_page(page).values()) if presets is None else presets
    return [Run("default", lesson.prepare, page_default(page)),
            *(Run(p.name, lesson.prepare, p.config) for p in chosen)]


def prepare_lstm(presets: list[Preset] | None = None) -> list[Run]:
    """`prepare --page lstm`: the page's default run, then its presets (all, or those given)."""
    return _runs("lstm", presets)


def prepare_gru(presets: list[Preset] | None = None) -> list[Run]:
    """`prepare --page gru`: the page's default run, then its presets (all, or those given)."""
    return _runs("gru", presets)


def prepare_rnn(presets: list[Preset] | None = None) -> list[Run]:
    """`prepare --page rnn`: the page's default run, then its presets (all, or those given)."""
    return _runs("rnn", presets)
