"""Train a recurrent model and record its example sequence: everything a lesson page shows.

Lessons opt in to the on-disk run store (memviz.runs): weights and history are saved, the trace
is re-recorded on load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from memviz import runs
from memviz.config import ARCHS, RunConfig
from memviz.progress import History, OnStep
from memviz.recurrent import models, tasks, trace
from memviz.recurrent.train import TrainedRun, run


@dataclass(frozen=True)
class Lesson:
    """A trained run and the recorded trace of its example sequence. Shared: do not mutate."""

    run: TrainedRun
    trace: trace.Trace

    @property
    def spec(self) -> tasks.TaskSpec:
        return tasks.spec(self.run.config.task)


def prepare(cfg: RunConfig, on_step: OnStep | None = None) -> Lesson:
    """Train cfg's model, then record its example sequence through the hand-written cell."""
    trained = run(cfg, on_step)
    ex = tasks.example(cfg.task, cfg.train.seed)
    return Lesson(trained, trace.record(trained.model, ex.x, ex.y))


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


def _save(les: Lesson) -> tuple[dict, dict[str, np.ndarray]]:
    """A lesson for the run store: the config, the history and the weights (no trace)."""
    h, run_ = les.run.history, les.run
    data = {"config": run_.config.to_dict(), "device_label": run_.device_label,
            "history": {"eval_loss": h.eval_loss, "eval_accuracy": h.eval_accuracy,
                        "seconds": h.seconds, "device": h.device,
                        "stopped_early": h.stopped_early}}
    arrays = {f"w.{k}": v.detach().cpu().numpy() for k, v in run_.model.state_dict().items()}
    arrays["losses"] = np.asarray(h.losses, dtype=np.float64)
    return data, arrays


def _load(data: dict, arrays: dict[str, np.ndarray]) -> Lesson:
    """Rebuild the model from its weights and re-record the example's trace (milliseconds)."""
    cfg = RunConfig.from_dict(data["config"])
    s = tasks.spec(cfg.task)
    model = models.build(cfg.model, s.input_size, s.output_size, cfg.train.seed,
                         cfg.task.seq_len)
    model.load_state_dict({k[2:]: torch.from_numpy(v.copy()) for k, v in arrays.items()
                           if k.startswith("w.")})
    model.eval()
    history = History(losses=arrays["losses"].tolist(), **data["history"])
    ex = tasks.example(cfg.task, cfg.train.seed)
    return Lesson(TrainedRun(cfg, model, history, data["device_label"]),
                  trace.record(model, ex.x, ex.y))


KIND = runs.kind_of(prepare)
runs.register_codec(KIND, _save, _load)
