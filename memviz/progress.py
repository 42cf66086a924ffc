"""What every trainer reports, whatever it trains: a per-step callback, the history, divergence.

Trainers (recurrent cells, the CNN, the text, series and attention lessons) take an `on_step`
callback and return a History; the UI and the command line only ever see these.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from memviz.i18n import Message

OnStep = Callable[[int, int, float], "bool | None"]
class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; `history` holds the steps before it."""

    def __init__(self, step: int, loss: float, history: History) -> None:
        # a Message: said in the language of whoever reads it, not of the worker that trained
        super().__init__(Message("progress.diverged", step=step, loss=str(loss)))
        self.step, self.loss, self.history = step, loss, history


@dataclass
class History:
    """Per-step training loss and the final held-out evaluation."""

    losses: list[float] = field(default_factory=list)
    eval_loss: float = math.nan
    eval_accuracy: float | None = None
    seconds: float = 0.0
    device: str = "cpu"
    stopped_early: bool = False
