"""Train a recurrent model and record its example sequence: everything a lesson page shows."""

from __future__ import annotations

import math
from dataclasses import dataclass

from memviz.config import ARCHS, RunConfig
from memviz.progress import OnStep
from memviz.recurrent import tasks, trace
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
