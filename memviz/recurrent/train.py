"""Training: Adam with gradient clipping on fresh seeded batches; no UI inside.

`train` reports progress through memviz.progress's `on_step(step, total, loss)` callback (return
True to stop early) and raises TrainingDiverged when the loss stops being finite.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

import torch

from memviz import devices
from memviz.config import RunConfig, TaskConfig, TrainConfig
from memviz.progress import History, OnStep, TrainingDiverged
from memviz.recurrent import models, tasks

EVAL_BATCH = 512
OnCheckpoint = Callable[[int, torch.nn.Module], None]  # (step, model) at a chosen step


@dataclass(frozen=True)
class TrainedRun:
    """A trained model (on the CPU, in eval mode) with its config and history. Do not mutate."""

    config: RunConfig
    model: models.SeqModel
    history: History
    device_label: str


def _seed_all(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def evaluate(model: torch.nn.Module, task: TaskConfig, seed: int) -> tuple[float, float | None]:
    """Loss and accuracy on a held-out batch drawn with a seed training never uses."""
    s = tasks.spec(task)
    device = next(model.parameters()).device
    batch = tasks.make_batch(task, EVAL_BATCH, torch.Generator().manual_seed(seed + 1_000_003))
    with torch.no_grad():
        out = model(batch.x.to(device))
        y = batch.y.to(device)
        return tasks.loss_fn(s, out, y).item(), tasks.accuracy(s, out, y)


def train(model: torch.nn.Module, task: TaskConfig, cfg: TrainConfig,
          on_step: OnStep | None = None, device: str = "cpu",
          on_checkpoint: OnCheckpoint | None = None, at: Collection[int] = ()) -> History:
    """Train in place on `device`; returns the History (the model stays on `device`).

    `on_checkpoint(step, model)` is called before training (step 0) and after each step in `at`
    that is reached; it must copy what it keeps, as training goes on in place.
    """
    s = tasks.spec(task)
    gen = _seed_all(cfg.seed)
    if device == "cpu":
        devices.use_cpu_threads()
    model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    history = History(device=device)
    start = time.perf_counter()
    if on_checkpoint is not None and 0 in at:
        on_checkpoint(0, model)
    for step in range(1, cfg.steps + 1):
        batch = tasks.make_batch(task, cfg.batch, gen)
        loss = tasks.loss_fn(s, model(batch.x.to(device)), batch.y.to(device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        opt.step()
        value = loss.item()
        if not math.isfinite(value):
            history.seconds = time.perf_counter() - start
            raise TrainingDiverged(step, value, history)
        history.losses.append(value)
        if on_checkpoint is not None and step in at:
            on_checkpoint(step, model)
        if on_step is not None and on_step(step, cfg.steps, value):
            history.stopped_early = True
            break
    history.seconds = time.perf_counter() - start
    model.eval()
    history.eval_loss, history.eval_accuracy = evaluate(model, task, cfg.seed)
    return history


def run(cfg: RunConfig, on_step: OnStep | None = None, on_checkpoint: OnCheckpoint | None = None,
        at: Collection[int] = ()) -> TrainedRun:
    """Build, train and return the model of `cfg` on the best available device
    (`on_checkpoint` and `at` as in `train`)."""
    s = tasks.spec(cfg.task)
    dev = devices.pick(cfg.train.device)
    model = models.build(cfg.model, s.input_size, s.output_size, cfg.train.seed,
                         cfg.task.seq_len)
    history = train(model, cfg.task, cfg.train, on_step, dev.kind, on_checkpoint, at)
    return TrainedRun(cfg, model.cpu().eval(), history, dev.label)
