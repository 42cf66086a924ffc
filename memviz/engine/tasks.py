"""Seeded sequence tasks, generated in code: each one asks the network to remember something.

- recall:   a symbol (one of K) at step 0, blanks after it, a cue at the last step: name the symbol.
            The sequence length is the delay to bridge.
- adding:   values in [0, 1] with two of them marked; output their sum at the last step
            (Hochreiter & Schmidhuber 1997).
- sine:     a noisy sine wave of random frequency and phase; forecast the next value at every step.
- brackets: a stream of '(' and ')'; output the current nesting depth at every step, so one unit
            has to become a counter.

All generators take a torch.Generator so a seed fixes the data exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from memviz import i18n
from memviz.config import TaskConfig

MAX_DEPTH = 6  # bracket depth is capped so it is a classification over 0..MAX_DEPTH
SINE_NOISE = 0.05
ADDING_TOLERANCE = 0.04  # the original paper's "solved" criterion per sequence


@dataclass(frozen=True)
class TaskSpec:
    """Shapes and meaning of a task's inputs and outputs."""

    input_size: int
    output_size: int
    classify: bool  # cross-entropy over classes, else mean squared error
    per_step: bool  # a target at every step, else at the last step only
    channels: tuple[str, ...]  # names of the input channels, for plots
    has_accuracy: bool = True


@dataclass(frozen=True)
class Batch:
    """x: (B, T, input_size) float32; y: (B,) or (B, T), long for classes else float32."""

    x: torch.Tensor
    y: torch.Tensor


def spec(cfg: TaskConfig) -> TaskSpec:
    """The input/output contract of the configured task (channel names in the reader's
    language, for plots)."""
    if cfg.name == "recall":
        names = tuple(i18n.t("recurrent.task.symbol", k=k) for k in range(cfg.n_symbols))
        return TaskSpec(cfg.n_symbols + 1, cfg.n_symbols, True, False,
                        names + (i18n.t("recurrent.task.cue"),))
    if cfg.name == "adding":
        names = (i18n.t("recurrent.task.value"), i18n.t("recurrent.task.marker"))
        return TaskSpec(2, 1, False, False, names)
    if cfg.name == "sine":
        return TaskSpec(1, 1, False, True, (i18n.t("recurrent.task.signal"),), has_accuracy=False)
    return TaskSpec(2, MAX_DEPTH + 1, True, True, ("(", ")"))


def _recall(cfg: TaskConfig, b: int, gen: torch.Generator) -> Batch:
    T, K = cfg.seq_len, cfg.n_symbols
    y = torch.randint(0, K, (b,), generator=gen)
    x = torch.zeros(b, T, K + 1)
    x[:, 0, :K] = F.one_hot(y, K).float()
    x[:, T - 1, K] = 1.0  # the cue: "answer now"
    return Batch(x, y)


def _adding(cfg: TaskConfig, b: int, gen: torch.Generator) -> Batch:
    T = cfg.seq_len
    values = torch.rand(b, T, generator=gen)
    half = T // 2
    first = torch.randint(0, half, (b,), generator=gen)  # one mark in each half
    second = torch.randint(half, T, (b,), generator=gen)
    marks = torch.zeros(b, T)
    rows = torch.arange(b)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    y = (values * marks).sum(dim=1)
    return Batch(torch.stack([values, marks], dim=-1), y)


def _sine(cfg: TaskConfig, b: int, gen: torch.Generator) -> Batch:
    T = cfg.seq_len
    omega = 0.1 + 0.4 * torch.rand(b, 1, generator=gen)  # radians per step
    phase = 2 * torch.pi * torch.rand(b, 1, generator=gen)
    t = torch.arange(T + 1, dtype=torch.float32)
    s = torch.sin(omega * t + phase) + SINE_NOISE * torch.randn(b, T + 1, generator=gen)
    return Batch(s[:, :T, None], s[:, 1:])  # target: the next observed value


def _brackets(cfg: TaskConfig, b: int, gen: torch.Generator) -> Batch:
    T = cfg.seq_len
    coin = torch.rand(b, T, generator=gen) < 0.5
    depth = torch.zeros(b, dtype=torch.long)
    opens = torch.zeros(b, T, dtype=torch.bool)
    depths = torch.zeros(b, T, dtype=torch.long)
    for t in range(T):  # a bounded random walk: open at 0, close at the cap
        o = (coin[:, t] | (depth == 0)) & (depth < MAX_DEPTH)
        depth = depth + torch.where(o, 1, -1)
        opens[:, t] = o
        depths[:, t] = depth
    x = torch.stack([opens.float(), (~opens).float()], dim=-1)
    return Batch(x, depths)


_GENERATORS = {"recall": _recall, "adding": _adding, "sine": _sine, "brackets": _brackets}


def make_batch(cfg: TaskConfig, batch: int, gen: torch.Generator) -> Batch:
    """A fresh batch of `batch` sequences drawn with `gen`."""
    return _GENERATORS[cfg.name](cfg, batch, gen)


def example(cfg: TaskConfig, seed: int) -> Batch:
    """The one example sequence a page shows (batch of 1), fixed by the seed."""
    return make_batch(cfg, 1, torch.Generator().manual_seed(seed + 7919))


def readout(s: TaskSpec, out: torch.Tensor) -> torch.Tensor:
    """Select what the loss sees: (B, T, O) -> (B, T, O) per step, else (B, O) at the last step."""
    return out if s.per_step else out[:, -1]


def loss_fn(s: TaskSpec, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy or MSE between the model output (B, T, O) and the target."""
    pred = readout(s, out)
    if s.classify:
        return F.cross_entropy(pred.reshape(-1, s.output_size), y.reshape(-1))
    return F.mse_loss(pred.squeeze(-1), y)


def accuracy(s: TaskSpec, out: torch.Tensor, y: torch.Tensor) -> float | None:
    """Fraction correct: class match, or |error| < 0.04 for the adding problem; None for sine."""
    if not s.has_accuracy:
        return None
    pred = readout(s, out)
    if s.classify:
        return (pred.argmax(-1) == y).float().mean().item()
    return ((pred.squeeze(-1) - y).abs() < ADDING_TOLERANCE).float().mean().item()


def chance(cfg: TaskConfig) -> float:
    """Loss or accuracy of a model that ignores the input (a baseline to draw)."""
    if cfg.name == "recall":
        return 1.0 / cfg.n_symbols
    if cfg.name == "adding":
        return 1.0 / 6.0  # MSE of always answering the mean sum, 1; Var(U1 + U2) = 1/6
    return float("nan")
