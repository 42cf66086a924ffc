"""What a run's headline numbers mean, and a plain verdict when it learned nothing: the loss
stopped being a number, ended far above the no-memory baseline, sits at chance, or is no better
than a model with no memory. Pure functions of the config and the history, so the page, the CLI
and the tests agree."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from memviz.config import RunConfig
from memviz.engine import tasks
from memviz.engine.lesson import baseline_loss
from memviz.i18n import t
from memviz.progress import History
from memviz.recurrent import presets

# message keys written out, so that grep and the catalogue test see each one
ACCURACY_KEYS = {"recall": "verdict.accuracy.recall", "adding": "verdict.accuracy.adding",
    "brackets": "verdict.accuracy.brackets"}
BASELINE_WHAT_KEYS = {"recall": "verdict.baseline_what.recall",
    "adding": "verdict.baseline_what.adding"}

DIVERGED_RATIO = 1.5  # final loss this many times the baseline: worse than ignoring the input
CHANCE_MARGIN = 0.05  # accuracy within this of chance: nothing was learned
NO_BETTER = 0.95  # a held-out loss above 95% of the no-memory loss learned (almost) nothing
# recall below this has learned only part of the task (the LSTM at T = 100, H = 64, lr 0.01,
# 300 steps: 75-50% depending on the machine; 1,200 steps or lr 0.003 reach 100%)
PARTIAL = 0.9


class _Meanings(Mapping):
    """task -> what its accuracy counts, read from the catalogue in the current language."""

    TASKS = ("recall", "adding", "brackets")

    def __getitem__(self, task: str) -> str:
        if task not in self.TASKS:
            raise KeyError(task)
        return t(ACCURACY_KEYS[task], tolerance=tasks.ADDING_TOLERANCE)

    def __iter__(self) -> Iterator[str]:
        return iter(self.TASKS)

    def __len__(self) -> int:
        return len(self.TASKS)


ACCURACY_MEANING: Mapping[str, str] = _Meanings()


@dataclass(frozen=True)
class Verdict:
    """ok, or what went wrong (problem), why it probably did (reason) and a setting to try."""

    ok: bool
    problem: str = ""
    reason: str = ""
    try_: str = ""

    def message(self) -> str:
        if self.ok:
            return ""
        return t("verdict.message", problem=self.problem, reason=self.reason, try_=self.try_)


def _suggestion(cfg: RunConfig, diverged: bool, partial: bool = False) -> tuple[str, str]:
    lr, arch, T = cfg.train.lr, cfg.model.arch, cfg.task.seq_len
    if diverged and lr >= 0.01:
        return t("verdict.lr_large.why"), t("verdict.lr_large.try", lr=f"{lr / 10:g}")
    if arch == "rnn" and T > 20:
        return t("verdict.rnn_fades.why", T=T), t("verdict.rnn_fades.try")
    if partial:  # half-learned: more of the same training, or gentler steps
        steps = min(cfg.train.steps * 4, 2000)
        return (t("verdict.partial_why", T=T),
                t("verdict.partial_try", steps=steps, lr=f"{lr / 3:.1g}"))
    if cfg.train.steps < 300 or T > 100:
        return (t("verdict.few_steps.why", steps=cfg.train.steps, T=T),
                t("verdict.few_steps.try", steps=min(cfg.train.steps * 4, 2000)))
    if cfg.model.hidden < 16:
        return t("verdict.few_units.why"), t("verdict.few_units.try")
    return t("verdict.plateau.why"), t("verdict.plateau.try", lr=f"{min(lr * 3, 0.03):g}")


def judge(cfg: RunConfig, history: History) -> Verdict:
    """Whether the run learned; if not, what happened and a setting to try."""
    base = baseline_loss(cfg)
    loss, acc = history.eval_loss, history.eval_accuracy
    if not math.isfinite(loss):
        return Verdict(False, t("verdict.not_a_number"), *_suggestion(cfg, True))
    if not math.isfinite(base):  # sine: no single memoryless answer to compare with
        return Verdict(True)
    if loss > DIVERGED_RATIO * base:
        return Verdict(False, t("verdict.far_above", loss=f"{loss:.2f}", base=f"{base:.2f}"),
                       *_suggestion(cfg, True))
    chance = tasks.chance(cfg.task) if cfg.task.name == "recall" else math.nan
    if acc is not None and math.isfinite(chance) and acc <= chance + CHANCE_MARGIN:
        return Verdict(False, t("verdict.at_chance", acc=f"{acc:.0%}", chance=f"{chance:.0%}"),
                       *_suggestion(cfg, False))
    if loss >= NO_BETTER * base:
        return Verdict(False, t("verdict.no_better", loss=f"{loss:.3f}", base=f"{base:.3f}"),
                       *_suggestion(cfg, False))
    if acc is not None and math.isfinite(chance) and acc < PARTIAL:
        return Verdict(False, t("verdict.partial", acc=f"{acc:.0%}", chance=f"{chance:.0%}"),
                       *_suggestion(cfg, False, partial=True))
    return Verdict(True)


def failed(cfg: RunConfig, history: History) -> str | None:
    """judge()'s warning as one sentence, or None when the run learned."""
    v = judge(cfg, history)
    return None if v.ok else v.message()


def baseline_sentence(cfg: RunConfig, history: History) -> str | None:
    """'Held-out loss 0.170 against 0.167 for a model with no memory: ...' (None: no baseline)."""
    base = baseline_loss(cfg)
    if not math.isfinite(base):
        return None
    what = t(BASELINE_WHAT_KEYS[cfg.task.name], n=cfg.task.n_symbols)
    side = t("verdict.better" if history.eval_loss < NO_BETTER * base else "verdict.no_better_side")
    return t("verdict.baseline", loss=f"{history.eval_loss:.3f}", base=f"{base:.3f}", what=what,
             side=side)


RECALLS = 0.95  # held-out recall at least this: the RNN's memory has not faded over this delay


def rnn_memory(cfg: RunConfig, history: History) -> str | None:
    """That this vanilla RNN's memory held over its own delay, written from its held-out
    accuracy; None when it did not hold (the verdict speaks then: at chance, or only part of the
    symbols) or for another model or task."""
    acc = history.eval_accuracy
    if cfg.model.arch != "rnn" or cfg.task.name != "recall" or acc is None or acc < RECALLS:
        return None
    T, p = cfg.task.seq_len, presets.rnn_forgets()
    return t("rnn.held", T=T, acc=f"{acc:.0%}", preset=p.title, T_long=p.config.task.seq_len)
