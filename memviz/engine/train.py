"""Training: fresh seeded batches of a task through memviz.trainer.fit; no UI inside.

`train` reports progress through memviz.progress's `on_step(step, total, loss)` callback (return
True to stop early) and raises TrainingDiverged when the loss stops being finite.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

import torch

from memviz import devices
from memviz.config import RunConfig, TaskConfig, TrainConfig
from memviz.engine import models, tasks
from memviz.progress import History, OnStep
from memviz.trainer import OnCheckpoint, Settings, fit

EVAL_BATCH = 512


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

    def batches() -> Iterator[tasks.Batch]:
        while True:
            yield tasks.make_batch(task, cfg.batch, gen)

    def loss(m: torch.nn.Module, b: tasks.Batch) -> torch.Tensor:
        return tasks.loss_fn(s, m(b.x.to(device)), b.y.to(device))

    history = fit(model, batches(), loss, Settings(cfg.steps, cfg.lr, cfg.clip, device),
                  on_step=on_step, on_checkpoint=on_checkpoint, at=at)
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
