"""Say plainly when a run failed to learn: loss far above the no-memory baseline, or accuracy at
chance. Pure functions of the config and the history, so the page, the CLI and the tests agree."""

from __future__ import annotations

import math
from dataclasses import dataclass

from memviz.config import RunConfig
from memviz.progress import History
from memviz.recurrent import lesson, tasks

DIVERGED_RATIO = 1.5  # final loss this many times the baseline: worse than ignoring the input
CHANCE_MARGIN = 0.05  # accuracy within this of chance: nothing was learned


@dataclass(frozen=True)
class Verdict:
    """ok, or what went wrong (problem), why it probably did (reason) and a setting to try."""

    ok: bool
    problem: str = ""
    reason: str = ""
    try_: str = ""

    def message(self) -> str:
        return f"{self.problem} {self.reason} Try: {self.try_}" if not self.ok else ""


def _suggestion(cfg: RunConfig, diverged: bool) -> tuple[str, str]:
    lr, arch, T = cfg.train.lr, cfg.model.arch, cfg.task.seq_len
    if diverged and lr >= 0.01:
        return ("A learning rate this large makes the updates overshoot.",
                f"a learning rate of {lr / 10:g} (10 times smaller).")
    if arch == "rnn" and T > 20:
        return (f"A plain RNN's gradient fades over {T} steps, so it cannot link the cue to "
                "the symbol.", "the LSTM or GRU page, or a sequence length of 20 or less.")
    if cfg.train.steps < 300:
        return ("The run may simply be too short.",
                f"{min(cfg.train.steps * 4, 2000)} training steps.")
    if cfg.model.hidden < 16:
        return ("There may be too few hidden units to hold the memory.", "a hidden size of 32.")
    return ("This seed may have started on a plateau.", "another seed or a learning rate of "
            f"{min(lr * 3, 0.03):g}.")


def judge(cfg: RunConfig, history: History) -> Verdict:
    """Whether the run learned; if not, what happened and a setting to try."""
    base = lesson.baseline_loss(cfg)
    loss, acc = history.eval_loss, history.eval_accuracy
    if not math.isfinite(loss):
        return Verdict(False, "The loss stopped being a number.", *_suggestion(cfg, True))
    if math.isfinite(base) and loss > DIVERGED_RATIO * base:
        reason, fix = _suggestion(cfg, True)
        return Verdict(False, f"The final loss {loss:.2f} is far above {base:.2f}, what a model "
                              "with no memory scores: training went wrong.", reason, fix)
    chance = tasks.chance(cfg.task) if cfg.task.name == "recall" else math.nan
    if acc is not None and math.isfinite(chance) and acc <= chance + CHANCE_MARGIN:
        reason, fix = _suggestion(cfg, False)
        return Verdict(False, f"Held-out accuracy {acc:.0%} is at chance ({chance:.0%}): the "
                              "model did not learn to remember.", reason, fix)
    return Verdict(True)
