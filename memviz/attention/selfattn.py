"""A single layer of self-attention for the delayed-recall task (memviz.engine.tasks).

Each input step x_t (B, T, I) becomes z_t = W_e x_t + b_e + P_t, where P_t is the positional
encoding: attention itself is blind to order (permute the steps and the scores permute with
them), so position must be added to what it compares. Per head m (size d_h = d / heads):

    q_t = W_q^m z_t,  k_j = W_k^m z_j,  v_j = W_v^m z_j
    A_{t,j} = softmax_j( q_t . k_j / sqrt(d_h) ),  j <= t       (causal: no peeking ahead)
    y_t = z_t + W_o [sum_j A_{t,j} v_j]_{heads concatenated},  out_t = W_r y_t + b_r

Positional encodings:
- sinusoidal (Vaswani et al. 2017): P_{t,2i} = sin(t / 10000^{2i/d}), P_{t,2i+1} = cos(...);
  fixed, defined for any t, so any lag fits.
- learned: a trained vector per position, a table of `max_len` rows: a lag beyond it does not
  fit (and positions never seen in training stay at their random start).

Every step can reach every earlier one in one hop, at the price of T x T scores. With
`last_only` the layer computes only the last query (all delayed recall needs): the same last
output, with O(T) instead of O(T^2) scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from memviz import i18n, runs
from memviz.config import ConfigError, TaskConfig, TrainConfig, Training, check_range
from memviz.engine import tasks, train
from memviz.progress import History, OnStep

ENCODINGS = ("sinusoidal", "learned")
MAX_POSITIONS = 512  # rows of the learned table
HEADS_RANGE = (1, 8)
SOLVED_LOSS, SOLVED_PATIENCE = 0.03, 10  # fresh batches each step: this is not memorising


def sinusoidal(T: int, d: int) -> torch.Tensor:
    """Fixed sinusoidal encodings (T, d): sin on even channels, cos on odd ones."""
    t = torch.arange(T, dtype=torch.float32)[:, None]  # (T, 1)
    rate = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float32) / d)
    P = torch.zeros(T, d)
    P[:, 0::2] = torch.sin(t * rate)
    P[:, 1::2] = torch.cos(t * rate[: d // 2])
    return P


class SelfAttention(nn.Module):
    """One causal self-attention layer with a residual and a linear readout:
    (B, T, I) -> (B, T, O), or (B, 1, O) for the last step when last_only."""

    def __init__(self, input_size: int, output_size: int, d: int = 32, heads: int = 1,
                 encoding: str = "sinusoidal", max_len: int = MAX_POSITIONS,
                 last_only: bool = False) -> None:
        super().__init__()
        if encoding not in ENCODINGS:
            raise ConfigError(i18n.t("attention.error.encoding", choices=", ".join(ENCODINGS)))
        check_range("number of heads", heads, HEADS_RANGE)
        if d % heads:
            raise ConfigError(i18n.t("attention.error.width", d=d, heads=heads))
        self.d, self.heads, self.encoding, self.max_len = d, heads, encoding, max_len
        self.last_only = last_only
        self.embed = nn.Linear(input_size, d)
        self.pos = nn.Parameter(0.1 * torch.randn(max_len, d)) if encoding == "learned" else None
        self.W_q, self.W_k, self.W_v = (nn.Linear(d, d) for _ in range(3))
        self.W_o = nn.Linear(d, d)
        self.readout = nn.Linear(d, output_size)

    def positions(self, T: int) -> torch.Tensor:
        """P (T, d) for steps 0..T-1; ConfigError if a learned table is too short."""
        if self.pos is None:
            return sinusoidal(T, self.d)
        if T > self.max_len:
            raise ConfigError(i18n.t("attention.error.table", rows=self.max_len, T=T))
        return self.pos[:T]

    def _split(self, a: torch.Tensor) -> torch.Tensor:
        """(B, T, d) -> (B, heads, T, d_h)."""
        B, T, _ = a.shape
        return a.view(B, T, self.heads, self.d // self.heads).transpose(1, 2)

    def attend(self, x: torch.Tensor, last_only: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, I) -> outputs (B, T', O) and weights A (B, heads, T', T), T' = 1 or T."""
        T = x.shape[1]
        z = self.embed(x) + self.positions(T)  # (B, T, d)
        zq = z[:, -1:] if last_only else z
        q, k, v = self._split(self.W_q(zq)), self._split(self.W_k(z)), self._split(self.W_v(z))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d // self.heads)  # (B, h, T', T)
        if not last_only:  # query t may look at steps j <= t only
            future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
            scores = scores.masked_fill(future, float("-inf"))
        A = torch.softmax(scores, dim=-1)
        mixed = (A @ v).transpose(1, 2).reshape(zq.shape)  # (B, T', d), heads concatenated
        return self.readout(zq + self.W_o(mixed)), A

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, I) -> (B, T, O), or (B, 1, O) when last_only."""
        return self.attend(x, self.last_only)[0]


@torch.no_grad()
def attention_map(model: SelfAttention, x: torch.Tensor) -> torch.Tensor:
    """The full causal attention map of one sequence x (1, T, I): (heads, T, T), row t = query
    step t, column j = the step it reads. Rows sum to 1."""
    return model.attend(x, last_only=False)[1][0]


def build(input_size: int, output_size: int, d: int, seed: int, heads: int = 1,
          encoding: str = "sinusoidal", last_only: bool = True) -> SelfAttention:
    """A freshly initialised model; the seed fixes its weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return SelfAttention(input_size, output_size, d, heads, encoding,
                             last_only=last_only)


def flops_per_sequence(arch: str, T: int, n_in: int, H: int, n_out: int, kernel: int = 0,
                       depth: int = 0, field: int = 0, last_only: bool = True) -> int:
    """Forward multiply-adds x 2 for one sequence of the horizon sweep's models (biases and
    nonlinearities left out). Attention with last_only scores one query; without, T x T."""
    if arch in ("rnn", "lstm", "gru"):
        gates = {"rnn": 1, "lstm": 4, "gru": 3}[arch]
        return 2 * (T * gates * (n_in * H + H * H) + H * n_out)
    if arch == "cnn":  # the CNN computes only the steps its last output can see
        steps = min(T, field) if last_only else T
        return 2 * steps * kernel * (n_in * H + (depth - 1) * H * H) + 2 * H * n_out
    queries = 1 if last_only else T
    proj = T * n_in * H + 2 * T * H * H + queries * 2 * H * H  # embed, k and v, q and W_o
    return 2 * (proj + 2 * queries * T * H + queries * H * n_out)  # scores and mixing


@dataclass(frozen=True)
class RecallConfig(Training):
    """Self-attention on delayed recall: the lag (= sequence length), heads, encoding; batch
    64 and seed 0 are memviz.config.Training's defaults."""

    # memviz.config.Training's fields (first in every config's field order), this lesson's defaults
    steps: int = 200
    lr: float = 0.003
    lag: int = 20
    heads: int = 1
    encoding: str = "sinusoidal"
    d: int = 32

    def __post_init__(self) -> None:
        super().__post_init__()
        check_range("lag", self.lag, (2, MAX_POSITIONS))
        check_range("number of heads", self.heads, HEADS_RANGE)
        if self.encoding not in ENCODINGS:
            raise ConfigError(i18n.t("attention.error.encoding", choices=", ".join(ENCODINGS)))
        if self.d % self.heads:
            raise ConfigError(i18n.t("attention.error.width", d=self.d, heads=self.heads))

    @property
    def task(self) -> TaskConfig:
        return TaskConfig("recall", self.lag)


@dataclass(frozen=True)
class RecallRun:
    """A trained recall model (CPU, eval mode), its history, and one example's map."""

    config: RecallConfig
    model: SelfAttention
    history: History
    x: torch.Tensor  # (1, T, K + 1) the example sequence
    symbol: int  # its answer
    A: torch.Tensor  # (heads, T, T) its attention map


@runs.trains(1)
def train_recall(cfg: RecallConfig, on_step: OnStep | None = None) -> RecallRun:
    """Train on fresh seeded batches (one thread) until solved or `steps`, then map one
    held-out example."""
    s = tasks.spec(cfg.task)
    model = build(s.input_size, s.output_size, cfg.d, cfg.seed, cfg.heads, cfg.encoding)
    calm = [0]  # consecutive batches with a near-zero loss: solved, stop (as the horizon does)

    def step(i: int, total: int, loss: float) -> bool:
        calm[0] = calm[0] + 1 if loss < SOLVED_LOSS else 0
        stop = on_step(i, total, loss) if on_step is not None else False
        return bool(stop) or calm[0] >= SOLVED_PATIENCE

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        settings = TrainConfig(steps=cfg.steps, lr=cfg.lr, batch=cfg.batch, seed=cfg.seed,
                               device="cpu")
        history = train.train(model, cfg.task, settings, step)
    finally:
        torch.set_num_threads(before)
    ex = tasks.example(cfg.task, cfg.seed)
    return RecallRun(cfg, model, history, ex.x, int(ex.y[0]), attention_map(model, ex.x))
