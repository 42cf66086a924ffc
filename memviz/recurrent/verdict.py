"""What a run's headline numbers mean: the accuracy's definition, the no-memory baseline, and a
plain verdict (with a setting to try) when a run learned nothing a memoryless model could not."""

from __future__ import annotations

from memviz.config import RunConfig
from memviz.progress import History
from memviz.recurrent.lesson import baseline_loss
from memviz.recurrent.tasks import ADDING_TOLERANCE

ACCURACY_MEANING = {
    "recall": "the share of held-out sequences whose answer at the last step is the symbol "
              "shown at step 1",
    "adding": f"the share of held-out sequences whose answer is within {ADDING_TOLERANCE} of the "
              "true sum of the two marked values",
    "brackets": "the share of held-out steps at which the predicted nesting depth is right",
}
NO_BETTER = 0.95  # a held-out loss above 95% of the no-memory loss learned (almost) nothing


def baseline_sentence(cfg: RunConfig, history: History) -> str | None:
    """'Held-out loss 0.170 against 0.167 for a model with no memory: ...' (None: no baseline)."""
    base = baseline_loss(cfg)
    if base != base:  # NaN: sine has no single memoryless answer to compare with
        return None
    what = {"recall": f"ln {cfg.task.n_symbols}, guessing among the symbols",
            "adding": "1/6, always answering the average sum 1"}[cfg.task.name]
    side = "better than" if history.eval_loss < NO_BETTER * base else "no better than"
    return (f"Held-out loss {history.eval_loss:.3f} against {base:.3f} for a model with no "
            f"memory ({what}): {side} the baseline.")


def failed(cfg: RunConfig, history: History) -> str | None:
    """A warning for a run no better than chance: the likely reason and a setting to try."""
    base = baseline_loss(cfg)
    if base != base or history.eval_loss < NO_BETTER * base:
        return None
    T, arch, tr = cfg.task.seq_len, cfg.model.arch, cfg.train
    if arch == "rnn" and T > 20:
        why = (f"a vanilla RNN's error signal fades over the {T} steps back to the start, so "
               "it never learns what to keep. Try T = 10-20, or the LSTM or GRU page")
    elif tr.lr >= 0.03:
        why = f"the learning rate {tr.lr:g} is large enough to overshoot. Try 0.01 or 0.003"
    elif tr.steps < 300 or T > 100:
        why = (f"{tr.steps} training steps are few for a gap of {T} steps. Try more steps "
               "(or a shorter sequence)")
    else:
        why = ("this seed may have started badly, or the gap is too long for this budget. Try "
               "another seed, more steps, or a learning rate of 0.01")
    return ("This run did no better than a model with no memory (held-out loss "
            f"{history.eval_loss:.3f}, no-memory loss {base:.3f}). Likely reason: {why}.")
