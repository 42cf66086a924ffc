"""Train both seq2seq variants on the same batches and measure accuracy by source length.

Training uses lengths min_len..max_len; the test also covers max_len+1..max_len+extra, lengths
never seen in training. One torch thread (these small models spend their time in op dispatch),
seeded: the same config gives the same models and numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from memviz import i18n, runs
from memviz.attention import data, seq2seq
from memviz.config import ConfigError, Training, check_range
from memviz.lessons import Run
from memviz.progress import History, OnStep
from memviz.trainer import Settings, fit, threads

LEN_RANGE = {"reverse": (1, 30), "dates": (1, 5)}
EXTRA_RANGE = (0, 10)
HIDDEN_RANGE = (4, 256)
TASK_LENGTHS = {"reverse": dict(min_len=2, max_len=8, extra=4),
                "dates": dict(min_len=1, max_len=2, extra=1)}
EVAL_PER_LENGTH = 200
CLIP = 1.0


@dataclass(frozen=True)
class Seq2SeqConfig(Training):
    """One toy translation and how to train both variants on it (batch 64, lr 0.01, seed 0:
    memviz.config.Training's defaults)."""

    # memviz.config.Training's fields (first in every config's field order), this lesson's defaults
    steps: int = 600
    task: str = "reverse"
    min_len: int = 2
    max_len: int = 8
    extra: int = 4  # test lengths beyond max_len
    hidden: int = 64
    emb: int = 16

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.task not in data.TASKS:
            raise ConfigError(i18n.t("attention.error.task", choices=", ".join(data.TASKS),
                                     got=repr(self.task)))
        check_range(f"longest training length for {self.task}", self.max_len,
                    LEN_RANGE[self.task])
        check_range("shortest training length", self.min_len, (1, self.max_len))
        check_range("extra test lengths", self.extra, EXTRA_RANGE)
        check_range(f"{self.task} test length (max length + extra)", self.max_len + self.extra,
                    (1, LEN_RANGE[self.task][1] + EXTRA_RANGE[1]))
        check_range("hidden size", self.hidden, HIDDEN_RANGE)
        check_range("embedding size", self.emb, (2, 128))

    @classmethod
    def for_task(cls, task: str, **changes) -> Seq2SeqConfig:
        """The default lengths for a task (dates are ~11 characters each), with changes."""
        lengths = TASK_LENGTHS.get(task, {})
        return cls(**{"task": task, **lengths, **changes})

    def to_dict(self) -> dict:
        """Plain dict, JSON-ready (the lecture pack's config.json)."""
        return dataclasses.asdict(self)

    @property
    def train_lengths(self) -> tuple[int, ...]:
        return tuple(range(self.min_len, self.max_len + 1))

    @property
    def test_lengths(self) -> tuple[int, ...]:
        return tuple(range(self.min_len, self.max_len + self.extra + 1))


@dataclass(frozen=True)
class Trained:
    """One trained variant (CPU, eval mode) with its history and accuracy by length.
    accuracy: {length: (exact-sequence, per-token)}. Shared by sessions: do not mutate."""

    attention: bool
    model: seq2seq.Seq2Seq
    history: History
    accuracy: dict[int, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Both:
    """The plain and the attention variant, trained on identical batches."""

    config: Seq2SeqConfig
    plain: Trained
    attn: Trained


def max_steps(task: str, n: int) -> int:
    """Decoding budget: the longest possible answer of length n, its EOS, and one spare."""
    return (n if task == "reverse" else 11 * n) + 2


def train_one(cfg: Seq2SeqConfig, attention: bool, on_step: OnStep | None = None,
              offset: int = 0, total: int | None = None) -> Trained:
    """Train one variant; on_step sees steps offset+1..offset+steps out of `total`."""
    model = seq2seq.build(cfg.hidden, cfg.emb, attention, cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)  # the same batches for both variants

    def batches() -> Iterator[data.Batch]:
        while True:
            yield data.make_batch(cfg.task, cfg.train_lengths, cfg.batch, gen)

    def loss(m: seq2seq.Seq2Seq, b: data.Batch) -> torch.Tensor:
        logits = m(b.src, b.src_len, b.dec_in)  # (B, U, V)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), b.tgt.reshape(-1),
                               ignore_index=data.PAD)

    with threads(1):  # the accuracy too: its sums are those of one thread
        history = fit(model, batches(), loss, Settings(cfg.steps, cfg.lr, CLIP),
                      on_step=on_step, offset=offset, total=total or cfg.steps)
        return Trained(attention, model, history, accuracy_by_length(model, cfg))


def test_batch(cfg: Seq2SeqConfig, n: int, count: int = EVAL_PER_LENGTH) -> data.Batch:
    """Held-out sources of length n, drawn with a seed training never uses."""
    gen = torch.Generator().manual_seed(cfg.seed + 1_000_003 + 7919 * n)
    return data.make_batch(cfg.task, (n,), count, gen)


def score(task: str, model: seq2seq.Seq2Seq, b: data.Batch, n: int) -> tuple[float, float]:
    """(exact-sequence accuracy, per-token accuracy) of greedy decoding on batch b.
    Per token: position k of the answer is right when the k-th output token equals it."""
    out = seq2seq.greedy(model, b.src, b.src_len, max_steps(task, n)).tokens  # (B, K)
    K, U = out.shape[1], b.tgt.shape[1]
    pred = torch.nn.functional.pad(out, (0, max(0, U - K)), value=data.PAD)[:, :U]
    real = b.tgt != data.PAD  # answer tokens and their EOS
    hit = (pred == b.tgt) & real
    exact = (hit.sum(1) == real.sum(1)).float().mean().item()
    per_token = (hit.sum().item() / real.sum().item())
    return exact, per_token


def accuracy_by_length(model: seq2seq.Seq2Seq, cfg: Seq2SeqConfig) -> dict[int, tuple]:
    """{n: (exact, per-token)} over cfg.test_lengths."""
    with torch.no_grad():
        return {n: score(cfg.task, model, test_batch(cfg, n), n) for n in cfg.test_lengths}


@runs.trains(1)
def train_both(cfg: Seq2SeqConfig, on_step: OnStep | None = None) -> Both:
    """Plain first, then attention, on the same batches; progress runs over both."""
    total = 2 * cfg.steps
    plain = train_one(cfg, False, on_step, 0, total)
    attn = train_one(cfg, True, on_step, cfg.steps, total)
    return Both(cfg, plain, attn)


def prepare_runs() -> list[Run]:
    """`prepare --page attention`: the seq2seq pair and the self-attention run at the page's
    defaults."""
    from memviz.attention import selfattn

    lengths = TASK_LENGTHS["reverse"]
    cfg = Seq2SeqConfig.for_task("reverse", max_len=lengths["max_len"], steps=600, seed=0,
                                 min_len=min(lengths["min_len"], lengths["max_len"]))
    return [Run("seq2seq default", train_both, cfg),
            Run("self-attention default", selfattn.train_recall, selfattn.RecallConfig())]
