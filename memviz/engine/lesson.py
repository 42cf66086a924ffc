"""Train a recurrent model and record its example sequence: everything a lesson page shows.

Lessons opt in to the on-disk run store (memviz.runs): weights and history are saved, the trace
is re-recorded on load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from memviz import runs, stored
from memviz.config import ARCHS, RunConfig
from memviz.engine import models, tasks, trace
from memviz.engine.train import TrainedRun, evaluate, run
from memviz.progress import OnStep

CHECKPOINT_STEPS = (0, 10, 30, 100, 300)  # log-spaced; the end of training is added


@dataclass(frozen=True)
class Checkpoint:
    """The example's trace after `step` training steps, with held-out loss and accuracy then."""

    step: int
    trace: trace.Trace
    loss: float
    accuracy: float | None
    # the weights then (None for the end of training, whose weights are the run's model): the
    # run store keeps these and re-records the trace on load
    state: dict[str, torch.Tensor] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Lesson:
    """A trained run and the recorded trace of its example sequence. Shared: do not mutate."""

    run: TrainedRun
    trace: trace.Trace
    checkpoints: tuple[Checkpoint, ...] = ()

    @property
    def spec(self) -> tasks.TaskSpec:
        return tasks.spec(self.run.config.task)


def checkpoint_steps(steps: int) -> tuple[int, ...]:
    """The training steps at which the example is recorded: CHECKPOINT_STEPS up to `steps`,
    and `steps` itself."""
    return tuple(sorted({s for s in CHECKPOINT_STEPS if s < steps} | {steps}))


@runs.trains(1)
def prepare(cfg: RunConfig, on_step: OnStep | None = None) -> Lesson:
    """Train cfg's model, then record its example sequence through the hand-written cell, at
    the end and at the checkpoints along the way (weights copied during the same run)."""
    weights: dict[int, dict[str, torch.Tensor]] = {}

    def keep(step: int, model: torch.nn.Module) -> None:
        weights[step] = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}

    trained = run(cfg, on_step, keep, checkpoint_steps(cfg.train.steps))
    ex = tasks.example(cfg.task, cfg.train.seed)
    final = trace.record(trained.model, ex.x, ex.y)
    h = trained.history
    points = [_checkpoint(cfg, step, w, ex) for step, w in sorted(weights.items())
              if step < len(h.losses)]
    points.append(Checkpoint(len(h.losses), final, h.eval_loss, h.eval_accuracy))
    return Lesson(trained, final, tuple(points))


def _checkpoint(cfg: RunConfig, step: int, state: dict, ex: tasks.Batch) -> Checkpoint:
    """Load saved weights into a fresh model, record the example and score the held-out batch."""
    model = _model(cfg, state)
    loss, acc = evaluate(model, cfg.task, cfg.train.seed)
    return Checkpoint(step, trace.record(model, ex.x, ex.y), loss, acc, state)


def _model(cfg: RunConfig, state: dict[str, torch.Tensor]) -> torch.nn.Module:
    s = tasks.spec(cfg.task)
    model = models.build(cfg.model, s.input_size, s.output_size, cfg.train.seed, cfg.task.seq_len)
    model.load_state_dict(state)
    return model.eval()


def per_arch(cfg: RunConfig) -> tuple[RunConfig, ...]:
    """cfg once for each cell type, in ARCHS order, everything else equal."""
    return tuple(cfg.replace(model={"arch": a}) for a in ARCHS)


def prepare_each(cfgs: tuple[RunConfig, ...], on_step: OnStep | None = None
                 ) -> dict[str, Lesson]:
    """prepare() every config in turn, reporting one progress count over all of them;
    keyed by architecture."""
    total, done, lessons = sum(c.train.steps for c in cfgs), 0, {}
    for cfg in cfgs:
        report = None if on_step is None else (
            lambda s, _t, loss, done=done: on_step(done + s, total, loss))
        lessons[cfg.model.arch] = prepare(cfg, report)
        done += cfg.train.steps
    return lessons


def baseline_loss(cfg: RunConfig) -> float:
    """Loss of a model that ignores the input: ln K for recall, 1/6 for adding, else NaN."""
    if cfg.task.name == "recall":
        return math.log(cfg.task.n_symbols)
    return tasks.chance(cfg.task) if cfg.task.name == "adding" else math.nan


def encode(les: Lesson, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
    """A lesson for the run store: the config, the history and the weights (no trace); array
    names start with `prefix`, so a study can keep several lessons in one entry."""
    h, run_ = les.run.history, les.run
    data = {"config": run_.config.to_dict(), "device_label": run_.device_label,
            "history": stored.history_data(h),
            "checkpoints": [[c.step, c.loss, c.accuracy] for c in les.checkpoints]}
    arrays = stored.weights(run_.model, f"{prefix}w.")
    for c in les.checkpoints:
        if c.state is not None:
            arrays.update(stored.weights(c.state, f"{prefix}c{c.step}."))
    arrays[f"{prefix}losses"] = np.asarray(h.losses, dtype=np.float64)
    return data, arrays


def decode(data: dict, arrays: dict[str, np.ndarray], prefix: str = "") -> Lesson:
    """Rebuild the model (and each checkpoint's) from its weights and re-record the example's
    traces (milliseconds each); checkpoint scores are the ones measured during training."""
    cfg = RunConfig.from_dict(data["config"])
    model = _model(cfg, stored.state(arrays, f"{prefix}w."))
    history = stored.history_of(data["history"], arrays[f"{prefix}losses"])
    ex = tasks.example(cfg.task, cfg.train.seed)
    final = trace.record(model, ex.x, ex.y)
    points = []
    for step, loss, acc in data.get("checkpoints", []):
        w = stored.state(arrays, f"{prefix}c{step}.")
        tr = final if not w else trace.record(_model(cfg, w), ex.x, ex.y)
        points.append(Checkpoint(step, tr, loss, acc, w or None))
    return Lesson(TrainedRun(cfg, model, history, data["device_label"]), final, tuple(points))


KIND = runs.kind_of(prepare)
runs.register_codec(KIND, encode, decode)
