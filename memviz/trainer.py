"""The one training loop: a model, a batch source, a loss, settings, and callbacks.

It knows nothing of any lesson (minGPT's `Trainer` is the model). A lesson seeds torch and
its generator, builds its model, and hands over: an iterable of batches (drawn lazily, one per
step, so the order of random draws is the lesson's own), a loss function `loss(model, batch)`,
and the Settings. Each step is: draw a batch, loss, zero_grad, backward, clip, the step's
learning rate (`lr_at`, if any), Adam step; a non-finite loss raises TrainingDiverged with the
history so far; `on_step(step, total, loss)` returning True stops early;
`on_checkpoint(step, model)` sees the model at the steps in `at` (0 = before training). The
model is left on `settings.device`, in eval mode.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import torch

from memviz.progress import History, OnStep, TrainingDiverged

B = TypeVar("B")
Loss = Callable[[torch.nn.Module, Any], torch.Tensor]
OnCheckpoint = Callable[[int, torch.nn.Module], None]  # (step, model); copy what you keep


@dataclass(frozen=True)
class Settings:
    """How to optimise. `clip` None: no gradient clipping. `threads`: torch's intra-op threads
    for the loop's duration (restored after); None leaves them as they are. `lr_at(step)`: the
    factor on `lr` at step 1..steps (a schedule); None keeps `lr` constant."""

    steps: int
    lr: float
    clip: float | None = 1.0
    device: str = "cpu"
    threads: int | None = None
    lr_at: Callable[[int], float] | None = None


@contextlib.contextmanager
def threads(n: int | None) -> Iterator[None]:
    """torch's intra-op threads set to n inside the block (restored after); None: as they are."""
    if n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def fit(model: torch.nn.Module, batches: Iterable[B], loss: Loss, settings: Settings, *,
        on_step: OnStep | None = None, offset: int = 0, total: int | None = None,
        on_checkpoint: OnCheckpoint | None = None, at: Collection[int] = ()) -> History:
    """Train `model` in place for `settings.steps` steps (fewer if `batches` runs out or
    on_step says stop). on_step sees steps offset+1.. out of `total` (default: steps), so
    a lesson that trains two models reports one progress count over both."""
    history = History(device=settings.device)
    model.to(settings.device).train()
    opt = torch.optim.Adam(model.parameters(), lr=settings.lr)
    params = [p for p in model.parameters()]
    total = settings.steps if total is None else total
    start = time.perf_counter()
    with threads(settings.threads):
        if on_checkpoint is not None and 0 in at:
            on_checkpoint(0, model)
        source = iter(batches)
        for step in range(1, settings.steps + 1):
            try:
                batch = next(source)
            except StopIteration:
                break
            value_t = loss(model, batch)
            opt.zero_grad(set_to_none=True)
            value_t.backward()
            if settings.clip is not None:
                torch.nn.utils.clip_grad_norm_(params, settings.clip)
            if settings.lr_at is not None:
                for group in opt.param_groups:
                    group["lr"] = settings.lr * settings.lr_at(step)
            opt.step()
            value = value_t.item()
            if not math.isfinite(value):
                history.seconds = time.perf_counter() - start
                raise TrainingDiverged(step, value, history)
            history.losses.append(value)
            if on_checkpoint is not None and step in at:
                on_checkpoint(step, model)
            if on_step is not None and on_step(offset + step, total, value):
                history.stopped_early = True
                break
    history.seconds = time.perf_counter() - start
    model.eval()
    return history
