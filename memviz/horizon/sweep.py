"""Memory horizon: how many steps back can each kind of memory reach?

One small seeded model per (architecture, lag) learns the same task at that lag (the lag is the
task's seq_len, the T of the equations); the score
against the lag shows each memory's horizon. A 1-D causal CNN sees only its receptive field
(document 000's "short-term memory"); a vanilla RNN must hold the value in its hidden state;
LSTM and GRU gates can keep it for hundreds of steps.

    python -m memviz horizon --task recall --lags 5,10,20,50,100 --out DIR

No streamlit here: the page calls `sweep` and draws each Result as it arrives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

import torch
from torch import nn

from memviz import runs
from memviz.attention import selfattn
from memviz.config import (
    HIDDEN,
    SEQ_LEN_RANGE,
    ModelConfig,
    RunConfig,
    TaskConfig,
    TrainConfig,
    Training,
)
from memviz.engine import models, tasks, train
from memviz.horizon.model import CausalCNN, receptive_field
from memviz.i18n import t
from memviz.lessons import Run
from memviz.progress import TrainingDiverged
from memviz.specs import Choice, Int, Many
from memviz.trainer import threads

# message keys written out, so that grep and the catalogue test see each one
SPEC_KEYS = {"task": "horizon.spec.task", "archs": "horizon.spec.archs",
    "arch": "horizon.spec.arch", "lags": "horizon.spec.lags", "lag": "horizon.spec.lag",
    "hidden": "horizon.spec.hidden", "hidden_size": "horizon.spec.hidden_size",
    "kernel": "horizon.spec.kernel", "kernel_size": "horizon.spec.kernel_size",
    "depth": "horizon.spec.depth", "cnn_depth": "horizon.spec.cnn_depth",
    "dilation": "horizon.spec.dilation", "cnn_dilation": "horizon.spec.cnn_dilation"}

ARCHS = ("rnn", "lstm", "gru", "cnn", "attention")
TASKS = ("recall", "adding")
DEFAULT_LAGS = (5, 10, 20, 50, 100, 200)
KERNEL_RANGE = (2, 16)
DEPTH_RANGE = (1, 8)
MAX_LAGS = 12
CSV_COLUMNS = ("arch", "task", "lag", "seed", "metric", "value", "train_seconds")
METRIC = {"recall": "accuracy", "adding": "mse"}
# A run stops early once it has solved the task: the training loss stays below this for
# SOLVED_PATIENCE batches in a row (fresh batches each step, so this is not memorising).
SOLVED_LOSS = {"recall": 0.03, "adding": 0.0005}
SOLVED_PATIENCE = 10
SOLVED_ACCURACY = 0.9


# ---------------------------------------------------------------------------------------------
# The convolutional memory
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------

TASK = Choice("task", TASKS)
LAGS = Many("lags", Int("lag", max(2, SEQ_LEN_RANGE[0]), SEQ_LEN_RANGE[1]), 1, MAX_LAGS)
ARCH_LIST = Many("architectures", Choice("architecture", ARCHS), 1, len(ARCHS))
KERNEL = Int("kernel size", *KERNEL_RANGE)
DEPTH = Int("CNN depth", *DEPTH_RANGE)


def named(spec, key: str, item: str | None = None):
    """`spec` with its name (and its items' name) in the current language: a ConfigError's
    sentence may reach a student's page."""
    label = t(SPEC_KEYS[key])
    return replace(spec, label=label) if item is None else replace(
        spec, label=label, item=replace(spec.item, label=t(SPEC_KEYS[item])))


@dataclass(frozen=True)
class HorizonConfig(Training):
    """A sweep: one task, several lags and architectures, the same size, steps and seed
    (batch 64 and seed 0: memviz.config.Training's defaults)."""

    # memviz.config.Training's fields (first in every config's field order), this lesson's defaults
    steps: int = 500  # at most; a run stops early once solved
    lr: float = 0.003  # at 0.01 a vanilla RNN sometimes learns a lucky attractor (see page)
    task: str = "recall"
    lags: tuple[int, ...] = DEFAULT_LAGS
    archs: tuple[str, ...] = ARCHS
    hidden: int = 32  # recurrent units, or CNN channels
    n_symbols: int = 4
    kernel: int = 5
    depth: int = 3
    dilation: int = 2  # layer l dilates by dilation**l

    def __post_init__(self) -> None:
        super().__post_init__()
        named(TASK, "task").check(self.task)
        named(ARCH_LIST, "archs", "arch").check(self.archs)
        named(LAGS, "lags", "lag").check(self.lags)
        for spec, key, value in ((HIDDEN, "hidden_size", self.hidden),
                                 (KERNEL, "kernel_size", self.kernel),
                                 (DEPTH, "cnn_depth", self.depth)):
            named(spec, key).check(value)
        # a dilation above the kernel size leaves holes in the receptive field
        Int(t("horizon.spec.cnn_dilation"), 1, self.kernel).check(self.dilation)
        TaskConfig(self.task, max(self.lags), self.n_symbols)  # validates the task itself

    @property
    def receptive_field(self) -> int:
        """The CNN's receptive field in steps."""
        return receptive_field(self.kernel, self.depth, self.dilation)

    def pairs(self) -> list[Pair]:
        """Every (arch, lag) run, lag by lag so short (fast) lags finish first."""
        return [Pair.of(self, arch, lag) for lag in sorted(set(self.lags)) for arch in self.archs]


@dataclass(frozen=True)
class Pair:
    """One run: the cache key. CNN-only settings are 0 for the recurrent nets."""

    arch: str
    task: str
    lag: int
    hidden: int
    steps: int
    seed: int
    lr: float
    batch: int
    n_symbols: int
    kernel: int = 0
    depth: int = 0
    dilation: int = 0

    @classmethod
    def of(cls, cfg: HorizonConfig, arch: str, lag: int) -> Pair:
        """The run of `arch` at `lag` in sweep `cfg`."""
        cnn = (cfg.kernel, cfg.depth, cfg.dilation) if arch == "cnn" else (0, 0, 0)
        return cls(arch, cfg.task, lag, cfg.hidden, cfg.steps, cfg.seed, cfg.lr, cfg.batch,
                   cfg.n_symbols, *cnn)

    @property
    def task_cfg(self) -> TaskConfig:
        """The task at this lag (the lag is the sequence length)."""
        return TaskConfig(self.task, self.lag, self.n_symbols)


@dataclass(frozen=True)
class Result:
    """One finished run: the score on a held-out batch and what it cost."""

    arch: str
    task: str
    lag: int
    seed: int
    metric: str  # accuracy (recall) or mse (adding)
    value: float
    train_seconds: float
    steps_run: int
    solved_early: bool

    def row(self) -> dict:
        """The results.csv row."""
        return {k: getattr(self, k) for k in CSV_COLUMNS}


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------

class Stopped(Exception):
    """The user asked the sweep to stop; the run in progress is discarded."""


class Cache(Protocol):
    def get_or_compute(self, kind: str, cfg: Pair, compute: Callable[[], Result]) -> Result: ...


PairStep = Callable[[Pair, int, int], "bool | None"]  # (pair, step, steps) -> True to stop


def build(pair: Pair) -> nn.Module:
    """A freshly initialised model for the pair; the seed fixes its weights."""
    s = tasks.spec(pair.task_cfg)
    if pair.arch == "attention":  # one self-attention layer, width = hidden, sinusoidal positions
        return selfattn.build(s.input_size, s.output_size, pair.hidden, pair.seed,
                              last_only=not s.per_step)
    if pair.arch != "cnn":  # LSTM/GRU get chrono gate biases spread up to the lag
        return models.build(ModelConfig(pair.arch, pair.hidden), s.input_size, s.output_size,
                            pair.seed, pair.lag)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(pair.seed)
        return CausalCNN(s.input_size, s.output_size, pair.hidden, pair.kernel, pair.depth,
                         pair.dilation, last_only=not s.per_step)


@runs.trains(1)
def run_pair(pair: Pair, on_step: PairStep | None = None) -> Result:
    """Train one model on the CPU and score it; raises Stopped if on_step returns True."""
    calm = [0, False]  # consecutive solved batches, stopped-by-user flag

    def step(i: int, total: int, loss: float) -> bool:
        calm[0] = calm[0] + 1 if loss < SOLVED_LOSS[pair.task] else 0
        if on_step is not None and on_step(pair, i, total):
            calm[1] = True
            return True
        return calm[0] >= SOLVED_PATIENCE

    tcfg = TrainConfig(steps=pair.steps, lr=pair.lr, batch=pair.batch, seed=pair.seed,
                       device="cpu")
    try:
        h = train.train(build(pair), pair.task_cfg, tcfg, step)
        value = h.eval_accuracy if pair.task == "recall" else h.eval_loss
    except TrainingDiverged as e:  # a diverged run scores as no memory at all
        h, value = e.history, (0.0 if pair.task == "recall" else math.nan)
    if calm[1]:
        raise Stopped(f"stopped during {pair.arch} at lag {pair.lag}")
    return Result(pair.arch, pair.task, pair.lag, pair.seed, METRIC[pair.task], float(value),
                  round(h.seconds, 3), len(h.losses), calm[0] >= SOLVED_PATIENCE)


KIND = runs.kind_of(run_pair)  # the run store's name for one pair's Result


def _one_thread(fn: Callable[..., Result], *args) -> Result:
    """fn(*args) with one torch thread: these tiny models spend their time in op dispatch, and
    on a busy 2-core machine a second thread mostly spins (measured there: the whole default
    sweep 84 s with one thread; the page with two took 127 s for just 14 of its 24 runs).
    The old setting is restored; it only ever affects speed."""
    with threads(1):
        return fn(*args)


def sweep(cfg: HorizonConfig, on_step: PairStep | None = None,
          cache: Cache | None = None) -> Iterator[Result]:
    """Yield one Result per (arch, lag) as each finishes; stops quietly when on_step says so.

    Every architecture at a lag trains on the same batches (the data stream depends only on
    the task, lag and seed), so the lines differ by the model alone.
    """
    for pair in cfg.pairs():
        compute = lambda p=pair: _one_thread(run_pair, p, on_step)  # noqa: E731
        try:
            yield compute() if cache is None else cache.get_or_compute(KIND, pair, compute)
        except Stopped:
            return

def solved(task: str, value: float) -> bool:
    """Whether a score counts as remembering: accuracy >= 90%, or MSE below a tenth of 1/6."""
    return value >= SOLVED_ACCURACY if task == "recall" else value <= 0.1 * tasks.chance(
        TaskConfig("adding", 2))


def _estimate(p: Pair) -> float | None:
    """A recurrent cell's pair trains exactly the model a recurrent page would (its lag as T):
    that run's estimate, an upper bound (a solved pair stops early); None for the others."""
    from memviz import estimate
    from memviz.config import ARCHS as CELLS

    if p.arch not in CELLS:
        return None
    return estimate.recurrent(RunConfig(p.task_cfg, ModelConfig(p.arch, p.hidden), TrainConfig(
        steps=p.steps, lr=p.lr, batch=p.batch, seed=p.seed))).seconds


def prepare_runs() -> list[Run]:
    """`prepare --page horizon`: every pair of the default sweep, one torch thread each, as
    the page runs them."""
    return [Run(f"{p.arch} at lag {p.lag}", run_pair, p,
                train=lambda cfg: _one_thread(run_pair, cfg), estimate=_estimate)
            for p in HorizonConfig().pairs()]
