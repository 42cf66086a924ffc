"""What a run's headline numbers mean, and a plain verdict when it learned nothing: the loss
stopped being a number, ended far above the no-memory baseline, sits at chance, or is no better
than a model with no memory. Pure functions of the config and the history, so the page, the CLI
and the tests agree."""

from __future__ import annotations

import math
from dataclasses import dataclass

from memviz.config import RunConfig
from memviz.progress import History
from memviz.recurrent import tasks
from memviz.recurrent.lesson import baseline_loss

DIVERGED_RATIO = 1.5  # final loss this many times the baseline: worse than ignoring the input
CHANCE_MARGIN = 0.05  # accuracy within this of chance: nothing was learned
NO_BETTER = 0.95  # a held-out loss above 95% of the no-memory loss learned (almost) nothing

ACCURACY_MEANING = {
    "recall": "the share of held-out sequences whose answer at the last step is the symbol "
              "shown at step 1",
    "adding": f"the share of held-out sequences whose answer is within {tasks.ADDING_TOLERANCE} "
              "of the true sum of the two marked values",
    "brackets": "the share of held-out steps at which the predicted nesting depth is right",
}


@dataclass(frozen=True)
class Verdict:
    """ok, or what went wrong (problem), why it probably did (reason) and a setting to try."""

    ok: bool
    problem: str = ""
    reason: str = ""
    try_: str = ""

    def message(self) -> str:
        return f"{self.problem} {self.reason} Try {self.try_}" if not self.ok else ""


def _suggestion(cfg: RunConfig, diverged: bool) -> tuple[str, str]:
    lr, arch, T = cfg.train.lr, cfg.model.arch, cfg.task.seq_len
    if diverged and lr >= 0.01:
        return ("A learning rate this large makes the updates overshoot.",
                f"a learning rate of {lr / 10:g} (10 times smaller).")
    if arch == "rnn" and T > 20:
        return (f"A vanilla RNN's error signal fades over the {T} steps back to the start, so it "
                "never learns what to keep.", "a sequence length of 10-20, or the LSTM or GRU "
                "page.")
    if cfg.train.steps < 300 or T > 100:
        return (f"{cfg.train.steps} training steps are few for a gap of {T} steps.",
                f"{min(cfg.train.steps * 4, 2000)} training steps, or a shorter sequence.")
    if cfg.model.hidden < 16:
        return ("There may be too few hidden units to hold the memory.", "a hidden size of 32.")
    return ("This seed may have started on a plateau.",
            f"another seed or a learning rate of {min(lr * 3, 0.03):g}.")


def judge(cfg: RunConfig, history: History) -> Verdict:
    """Whether the run learned; if not, what happened and a setting to try."""
    base = baseline_loss(cfg)
    loss, acc = history.eval_loss, history.eval_accuracy
    if not math.isfinite(loss):
        return Verdict(False, "The loss stopped being a number.", *_suggestion(cfg, True))
    if not math.isfinite(base):  # sine: no single memoryless answer to compare with
        return Verdict(True)
    if loss > DIVERGED_RATIO * base:
        return Verdict(False, f"The final loss {loss:.2f} is far above {base:.2f}, what a model "
                              "with no memory scores: training went wrong.",
                       *_suggestion(cfg, True))
    chance = tasks.chance(cfg.task) if cfg.task.name == "recall" else math.nan
    if acc is not None and math.isfinite(chance) and acc <= chance + CHANCE_MARGIN:
        return Verdict(False, f"Held-out accuracy {acc:.0%} is at chance ({chance:.0%}), no better "
                              "than a model with no memory: it did not learn to remember.",
                       *_suggestion(cfg, False))
    if loss >= NO_BETTER * base:
        return Verdict(False, "This run did no better than a model with no memory (held-out "
                              f"loss {loss:.3f}, no-memory loss {base:.3f}).",
                       *_suggestion(cfg, False))
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
    what = {"recall": f"ln {cfg.task.n_symbols}, guessing among the symbols",
            "adding": "1/6, always answering the average sum 1"}[cfg.task.name]
    side = "better than" if history.eval_loss < NO_BETTER * base else "no better than"
    return (f"Held-out loss {history.eval_loss:.3f} against {base:.3f} for a model with no "
            f"memory ({what}): {side} the baseline.")
