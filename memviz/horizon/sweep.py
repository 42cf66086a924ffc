"""Memory horizon: how many steps back can each kind of memory reach?

One small seeded model per (architecture, lag) learns the same task at that lag; the score
against the lag shows each memory's horizon. A 1-D causal CNN sees only its receptive field
(document 000's "short-term memory"); a vanilla RNN must hold the value in its hidden state;
LSTM and GRU gates can keep it for hundreds of steps.

    python -m memviz.horizon --task recall --lags 5,10,20,50,100 --out DIR

No streamlit here: the page calls `sweep` and draws each Result as it arrives.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import torch
from torch import nn

from memviz.config import (
    HIDDEN_RANGE,
    LR_RANGE,
    SEED_RANGE,
    SEQ_LEN_RANGE,
    STEPS_RANGE,
    ConfigError,
    ModelConfig,
    TaskConfig,
    TrainConfig,
)
from memviz.recurrent import models, tasks, train

ARCHS = ("rnn", "lstm", "gru", "cnn")
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

def dilations(depth: int, dilation: int = 1) -> tuple[int, ...]:
    """Dilation of each layer: 1, d, d^2, ... (d = 1: a plain stack)."""
    return tuple(dilation ** layer for layer in range(depth))


def receptive_field(kernel: int, depth: int, dilation: int = 1) -> int:
    """How many input steps (the current one included) one output step can see."""
    return 1 + (kernel - 1) * sum(dilations(depth, dilation))


class CausalConv(nn.Module):
    """One causal dilated 1-D convolution, (B, T, C_in) -> (B, T, C_out).

    Written as a linear map over the k tapped steps t, t-d, ..., t-(k-1)d: the same function as
    a left-padded nn.Conv1d, but its backward pass is several times faster on the CPU for dilated
    kernels (measured: 12.5 vs 3 ms per training step).
    """

    def __init__(self, c_in: int, c_out: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.kernel, self.dilation = kernel, dilation
        self.taps = nn.Linear(kernel * c_in, c_out)  # tap j (j steps of d back) = block j

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        """a (B, T, C_in) -> (B, T, C_out); zeros stand in for steps before the start."""
        T, reach = a.shape[1], (self.kernel - 1) * self.dilation
        padded = nn.functional.pad(a, (0, 0, reach, 0))  # (B, reach + T, C_in)
        taps = [padded[:, reach - j * self.dilation: reach - j * self.dilation + T]
                for j in range(self.kernel)]
        return self.taps(torch.cat(taps, dim=-1))


class CausalCNN(nn.Module):
    """Causal convolutions + ReLU, a linear readout at every step: (B, T, I) -> (B, T, O)."""

    def __init__(self, input_size: int, output_size: int, channels: int, kernel: int,
                 depth: int, dilation: int = 1, last_only: bool = False) -> None:
        super().__init__()
        self.field = receptive_field(kernel, depth, dilation)
        self.last_only = last_only  # the loss reads only the last step: see forward
        sizes = [input_size] + [channels] * depth
        self.convs = nn.ModuleList(CausalConv(sizes[n], sizes[n + 1], kernel, d)
                                   for n, d in enumerate(dilations(depth, dilation)))
        self.readout = nn.Linear(channels, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, I) -> outputs (B, T, O); output t depends on inputs t-RF+1 .. t only.

        With last_only, only the last min(T, RF) steps are computed, (B, min(T, RF), O): the
        last output is exactly the same (nothing older reaches it), at a fraction of the cost.
        """
        a = x[:, -self.field:] if self.last_only else x
        for conv in self.convs:
            a = torch.relu(conv(a))
        return self.readout(a)


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------

def _check(name: str, value: float, bounds: tuple[float, float]) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise ConfigError(f"{name} must be between {bounds[0]:g} and {bounds[1]:g}, "
                          f"got {value!r}")


@dataclass(frozen=True)
class HorizonConfig:
    """A sweep: one task, several lags and architectures, the same size, steps and seed."""

    task: str = "recall"
    lags: tuple[int, ...] = DEFAULT_LAGS
    archs: tuple[str, ...] = ARCHS
    hidden: int = 32  # recurrent units, or CNN channels
    steps: int = 500  # at most; a run stops early once solved
    lr: float = 0.003  # at 0.01 a vanilla RNN sometimes learns a lucky attractor (see page)
    batch: int = 64
    seed: int = 0
    n_symbols: int = 4
    kernel: int = 5
    depth: int = 3
    dilation: int = 2  # layer l dilates by dilation**l

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ConfigError(f"task must be one of {', '.join(TASKS)}; got {self.task!r}")
        bad = [a for a in self.archs if a not in ARCHS]
        if bad or not self.archs:
            raise ConfigError(f"architectures must be some of {', '.join(ARCHS)}; got "
                              f"{', '.join(self.archs) or 'none'}")
        if not self.lags or len(self.lags) > MAX_LAGS:
            raise ConfigError(f"give between 1 and {MAX_LAGS} lags, got {len(self.lags)}")
        for lag in self.lags:
            _check("lag", lag, (max(2, SEQ_LEN_RANGE[0]), SEQ_LEN_RANGE[1]))
        _check("hidden size", self.hidden, HIDDEN_RANGE)
        _check("training steps", self.steps, STEPS_RANGE)
        _check("learning rate", self.lr, LR_RANGE)
        _check("seed", self.seed, SEED_RANGE)
        _check("kernel size", self.kernel, KERNEL_RANGE)
        _check("CNN depth", self.depth, DEPTH_RANGE)
        # a dilation above the kernel size leaves holes in the receptive field
        _check("CNN dilation", self.dilation, (1, self.kernel))
        TaskConfig(self.task, max(self.lags), self.n_symbols)  # validates the task itself
        TrainConfig(steps=self.steps, lr=self.lr, batch=self.batch, seed=self.seed)

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
    if pair.arch != "cnn":  # LSTM/GRU get chrono gate biases spread up to the lag
        return models.build(ModelConfig(pair.arch, pair.hidden), s.input_size, s.output_size,
                            pair.seed, pair.lag)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(pair.seed)
        return CausalCNN(s.input_size, s.output_size, pair.hidden, pair.kernel, pair.depth,
                         pair.dilation, last_only=not s.per_step)


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
    except train.TrainingDiverged as e:  # a diverged run scores as no memory at all
        h, value = e.history, (0.0 if pair.task == "recall" else math.nan)
    if calm[1]:
        raise Stopped(f"stopped during {pair.arch} at lag {pair.lag}")
    return Result(pair.arch, pair.task, pair.lag, pair.seed, METRIC[pair.task], float(value),
                  round(h.seconds, 3), len(h.losses), calm[0] >= SOLVED_PATIENCE)


def _one_thread(fn: Callable[..., Result], *args) -> Result:
    """fn(*args) with one torch thread: these tiny models spend their time in op dispatch, and
    on a busy 2-core machine a second thread mostly spins (measured there: the whole default
    sweep 84 s with one thread; the page with two took 127 s for just 14 of its 24 runs).
    The old setting is restored; it only ever affects speed."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return fn(*args)
    finally:
        torch.set_num_threads(before)


def sweep(cfg: HorizonConfig, on_step: PairStep | None = None,
          cache: Cache | None = None) -> Iterator[Result]:
    """Yield one Result per (arch, lag) as each finishes; stops quietly when on_step says so.

    Every architecture at a lag trains on the same batches (the data stream depends only on
    the task, lag and seed), so the lines differ by the model alone.
    """
    for pair in cfg.pairs():
        compute = lambda p=pair: _one_thread(run_pair, p, on_step)  # noqa: E731
        try:
            yield compute() if cache is None else cache.get_or_compute(__name__, pair, compute)
        except Stopped:
            return


def baseline(cfg: HorizonConfig) -> float:
    """The no-memory score: chance 1/K for recall, MSE 1/6 of answering the mean for adding."""
    return tasks.chance(TaskConfig(cfg.task, max(cfg.lags), cfg.n_symbols))


def solved(task: str, value: float) -> bool:
    """Whether a score counts as remembering: accuracy >= 90%, or MSE below a tenth of 1/6."""
    return value >= SOLVED_ACCURACY if task == "recall" else value <= 0.1 * tasks.chance(
        TaskConfig("adding", 2))


def forgot(task: str, value: float, base: float) -> bool:
    """Whether a score is no better than no memory: within 10 points of chance, or MSE >= 90%."""
    return value <= base + 0.10 if task == "recall" else not value < 0.9 * base


def known_result(cfg: HorizonConfig, results: list[Result]) -> dict:
    """Lags where LSTM and GRU remember while the RNN forgot; where the CNN remembered."""
    by = {(r.arch, r.lag): r.value for r in results}
    base, lags = baseline(cfg), sorted(set(cfg.lags))
    gated = [lag for lag in lags
             if all((a, lag) in by and solved(cfg.task, by[a, lag]) for a in ("lstm", "gru"))
             and ("rnn", lag) in by and forgot(cfg.task, by["rnn", lag], base)]
    cnn = {lag: solved(cfg.task, by["cnn", lag]) for lag in lags if ("cnn", lag) in by}
    rf = cfg.receptive_field
    return {"gated_beat_rnn": gated, "cnn_solved": [k for k, v in cnn.items() if v],
            "cnn_only_inside_field": bool(cnn) and all(v == (k <= rf) for k, v in cnn.items())}


def _fmt(task: str, v: float) -> str:
    return f"{v:.0%}" if task == "recall" else f"MSE {v:.3f}"


def describe(cfg: HorizonConfig, results: list[Result]) -> str:
    """A sentence or two (markdown) saying what the results so far show."""
    if not results:
        return "Nothing trained yet for these settings: press **Run sweep**."
    k, by = known_result(cfg, results), {(r.arch, r.lag): r.value for r in results}
    out = []
    if k["gated_beat_rnn"]:
        lag = k["gated_beat_rnn"][-1]
        out.append(f"**Long-term memory shown** at lag {', '.join(map(str, k['gated_beat_rnn']))}"
                   f": at lag {lag} LSTM {_fmt(cfg.task, by['lstm', lag])}, GRU "
                   f"{_fmt(cfg.task, by['gru', lag])}, vanilla RNN "
                   f"{_fmt(cfg.task, by['rnn', lag])} (no memory: "
                   f"{_fmt(cfg.task, baseline(cfg))}).")
    cnn = sorted(lag for (a, lag) in by if a == "cnn")
    if cnn:
        rf, ok = cfg.receptive_field, k["cnn_solved"]
        out.append(f"Of the lags {', '.join(map(str, cnn))}, the CNN (receptive field {rf}) "
                   f"solved {', '.join(map(str, ok)) or 'none'}"
                   + (": only lags inside its field." if k["cnn_only_inside_field"] else "."))
    return " ".join(out) or "No lag separates the memories yet."


def results_csv(results: list[Result]) -> str:
    """results.csv as text (columns CSV_COLUMNS)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(r.row() for r in results)
    return buf.getvalue()


def results_table(results: list[Result]):
    """A pandas frame: one row per architecture, one column per lag, the score in each cell."""
    import pandas as pd

    df = pd.DataFrame([r.row() for r in results])
    table = df.pivot(index="arch", columns="lag", values="value")
    table.columns = [f"lag {lag}" for lag in table.columns]  # string names: arrow-friendly
    return table.reset_index()


def chart_for(cfg: HorizonConfig, rows: list[dict]):
    """The altair chart of a sweep's rows."""
    from memviz.horizon.figures import horizon_chart  # altair/pandas only when drawing

    rf = cfg.receptive_field if "cnn" in cfg.archs else None
    return horizon_chart(rows, cfg.task, cfg.lags, baseline(cfg), rf, cfg.archs)
