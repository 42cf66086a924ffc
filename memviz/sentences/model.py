"""Embedding -> LSTM or GRU -> classifier at the last word; accuracy by distance; reading a
sentence word by word (the classifier applied to h_t at every word)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from memviz import devices, i18n, runs
from memviz.config import ConfigError, Training, check_range
from memviz.engine import trace as rtrace
from memviz.engine.models import MODULES, weights_of
from memviz.lessons import Run
from memviz.progress import History, OnStep
from memviz.sentences import grammar, text
from memviz.trainer import Settings, fit

DISTANCE_BINS = ((0, 3), (4, 7), (8, 11), (12, 15), (16, 40))


@dataclass(frozen=True)
class SentimentConfig(Training):
    """Data (the grammar or an upload), model and training (lr 0.01, batch 64, seed 0:
    memviz.config.Training's defaults); same config + seed = same model."""

    # memviz.config.Training's fields (first in every config's field order), this lesson's defaults
    steps: int = 250
    data: str = "grammar"
    max_gap: int = 12  # filler words at most: sets how far apart the deciding words can be
    n_train: int = 3000
    n_test: int = 1000
    arch: str = "lstm"
    embed: int = 16
    hidden: int = 32

    def __post_init__(self) -> None:
        super().__post_init__()
        check_range("largest gap", self.max_gap, (0, grammar.MAX_GAP))
        check_range("training sentences", self.n_train, (50, 50_000))
        check_range("test sentences", self.n_test, (50, 20_000))
        check_range("embedding size", self.embed, (1, 128))
        check_range("hidden size", self.hidden, (1, 256))
        if self.arch not in ("lstm", "gru"):
            raise ConfigError(i18n.t("sentences.err.arch", arch=repr(self.arch)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Dataset:
    """Token ids right-padded (N, T), lengths (N,), labels (N,), distances (N,) or -1."""

    ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor
    distances: np.ndarray


def _dataset(tokens, labels, distances, vocab: text.Vocab) -> Dataset:
    T = max(len(t) for t in tokens)
    ids = torch.zeros(len(tokens), T, dtype=torch.long)
    for n, t in enumerate(tokens):
        ids[n, :len(t)] = torch.tensor(vocab.encode(t)[0])
    return Dataset(ids, torch.tensor([len(t) for t in tokens]), torch.tensor(labels),
                   np.asarray(distances))


def datasets(cfg: SentimentConfig) -> tuple[text.Vocab, Dataset, Dataset]:
    """Vocabulary, training and test sets (grammar: independent seeds; upload: 80/20 split)."""
    if cfg.data == "grammar":
        vocab = text.Vocab.of(grammar.vocabulary())
        tr = grammar.generate(cfg.n_train, cfg.max_gap, cfg.seed)
        te = grammar.generate(cfg.n_test, cfg.max_gap, cfg.seed + 1_000_003)
        return vocab, *(_dataset([s.tokens for s in d], [s.label for s in d],
                                 [s.distance for s in d], vocab) for d in (tr, te))
    up = text.uploaded(cfg.data)
    order = np.random.default_rng(cfg.seed).permutation(len(up.labels))
    cut = int(0.8 * len(order))
    tr, te = order[:cut], order[cut:]
    vocab = text.Vocab.of(w for i in tr for w in up.tokens[i])
    return vocab, *(_dataset([up.tokens[i] for i in part], [up.labels[i] for i in part],
                             [-1] * len(part), vocab) for part in (tr, te))


class Classifier(nn.Module):
    """ids (B, T) -> logits (B, T, 2) at every word; `rnn`, `readout`, `layer0` as
    memviz.engine.trace.record expects."""

    def __init__(self, arch: str, vocab_size: int, embed: int, hidden: int) -> None:
        super().__init__()
        self.arch = arch
        self.embedding = nn.Embedding(vocab_size, embed, padding_idx=0)
        self.rnn = MODULES[arch](embed, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, 2)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(self.embedding(ids))  # (B, T, H); right padding never reaches back
        return self.readout(h)

    def last(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits at each sentence's last real word: (B, 2)."""
        out = self(ids)
        return out[torch.arange(len(ids)), lengths - 1]

    def layer0(self) -> dict[str, torch.Tensor]:
        return weights_of(self.rnn)


@dataclass(frozen=True)
class SentimentRun:
    """A trained classifier and its scores. Shared between sessions: do not mutate."""

    config: SentimentConfig
    model: Classifier
    vocab: text.Vocab
    history: History
    accuracy: float
    by_distance: dict[str, float]  # "0-3" -> accuracy (empty for uploads)

    @property
    def run(self) -> SentimentRun:
        """Itself: the step-through panel reads `les.run.config`."""
        return self

    def read(self, ids: list[int]) -> rtrace.Trace:
        """A sentence through the hand-written cell; output (T, 2) = classifier on each h_t."""
        with torch.no_grad():
            x = self.model.embedding(torch.tensor(ids))  # (T, E)
        return rtrace.record(self.model, x)


def accuracy_by_distance(correct: np.ndarray, distances: np.ndarray) -> dict[str, float]:
    """Accuracy in each distance bin that has sentences."""
    out = {}
    for lo, hi in DISTANCE_BINS:
        sel = (distances >= lo) & (distances <= hi)
        if sel.any():
            out[f"{lo}-{hi}"] = float(correct[sel].mean())
    return out


def _fit(model: Classifier, d: Dataset, cfg: SentimentConfig, on_step: OnStep | None,
         gen: torch.Generator) -> History:
    def batches() -> Iterator[torch.Tensor]:
        while True:
            yield torch.randint(len(d.labels), (cfg.batch,), generator=gen)

    def loss(m: Classifier, sel: torch.Tensor) -> torch.Tensor:
        T = int(d.lengths[sel].max())  # trim the batch's padding: shorter batches run faster
        return nn.functional.cross_entropy(m.last(d.ids[sel, :T], d.lengths[sel]), d.labels[sel])

    return fit(model, batches(), loss, Settings(cfg.steps, cfg.lr), on_step=on_step)


def train(cfg: SentimentConfig, on_step: OnStep | None = None) -> SentimentRun:
    """Generate or load the data, train on the CPU, score on the held-out sentences."""
    devices.use_cpu_threads()
    vocab, tr, te = datasets(cfg)
    gen = torch.Generator().manual_seed(cfg.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        model = Classifier(cfg.arch, len(vocab.words), cfg.embed, cfg.hidden)
        history = _fit(model, tr, cfg, on_step, gen)
    model.eval()
    with torch.no_grad():
        correct = (model.last(te.ids, te.lengths).argmax(-1) == te.labels).numpy()
    history.eval_accuracy = float(correct.mean())
    by_d = accuracy_by_distance(correct, te.distances) if cfg.data == "grammar" else {}
    return SentimentRun(cfg, model, vocab, history, float(correct.mean()), by_d)


@runs.trains(1)
def train_both(cfg: SentimentConfig, on_step: OnStep | None = None) -> dict[str, SentimentRun]:
    """LSTM and GRU on the same data and settings, one progress count over both."""
    runs, total = {}, 2 * cfg.steps
    for n, arch in enumerate(("lstm", "gru")):
        report = None if on_step is None else (
            lambda s, _t, loss, n=n: on_step(n * cfg.steps + s, total, loss))
        runs[arch] = train(SentimentConfig(**{**cfg.to_dict(), "arch": arch}), report)
    return runs


def prepare_runs() -> list[Run]:
    """`prepare --page sentences`: the page's default run (LSTM and GRU)."""
    return [Run("default", train_both, SentimentConfig())]
