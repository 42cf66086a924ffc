"""The character model of document 004: a character in (one-hot), one recurrent layer, a
linear readout to a score (logit) per next character; softmax turns scores into probabilities.

The recurrent layer and readout are memviz.engine.models.SeqModel (torch's nn.LSTM / nn.RNN,
memviz's FastGRU), so the hand-written cells in memviz.engine.cells re-run its weights.
A corpus with more than ONE_HOT_MAX distinct characters (e.g. Chinese) is fed through a learned
embedding instead of one-hot vectors: the cell then sees the embedded vector as x_t.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache

import torch
from torch import nn

from memviz.config import ARCHS, HIDDEN_RANGE, ConfigError, ModelConfig, Training, check_range
from memviz.engine.models import SeqModel
from memviz.i18n import t
from memviz.specs import Float, Int
from memviz.text import corpus as C

ONE_HOT_MAX = 256
EMBED = 64
SEQ_LEN_RANGE = (8, 256)
STEPS_RANGE = (1, 20_000)
LR_RANGE = (1e-4, 0.1)
BATCH_RANGE = (1, 256)
SEED_RANGE = (0, 2**31 - 1)
SOURCES = ("stdlib", "text")


@dataclass(frozen=True)
class TextConfig(Training):
    """Everything that determines a trained text model (same config, same model); lr 0.01,
    batch 64 and seed 0 are memviz.config.Training's defaults."""

    STEPS = Int("training steps", *STEPS_RANGE)
    LR = Float("learning rate", *LR_RANGE)
    BATCH = Int("batch size", *BATCH_RANGE)

    source: str = "stdlib"  # "stdlib" or "text" (pasted / uploaded, in `text`)
    arch: str = "lstm"
    hidden: int = 128
    seq_len: int = 64
    # 1,400 steps of 64 windows (memviz.text.train: streams with the state carried, clip 0.1,
    # the learning rate falling over the last 30%): held-out 2.076 / 2.041 / 2.066 bits/char
    # (seeds 0 / 1 / 2) in ~52 s of the training thread's CPU time (benchmarks/text.py).
    # Before (random windows from a zero state, clip 1, constant lr): 2.112; tried there: lr 0.02
    # 2.142, lr 0.005 2.238, 1,600 steps 2.113, H=192 x1000 2.112 (89 s), H=256 x700 2.111
    # (97 s), T=128 B=32 2.134, B=128 x800 2.172, cosine decay 2.16-2.18. With the state carried
    # (streams restarted at each pass, a variant): lr 0.02, H=96 x2100, T=32 x2800, T=128 x700,
    # an embedding of 32, a forget-gate bias of 1 and Adam's beta2 0.99 all did worse; with
    # the fall too, 1,200 steps gave 2.05-2.08 in ~45 s.
    steps: int = 1400
    text: str | None = field(default=None, repr=False)
    text_name: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.source not in SOURCES:
            raise ConfigError(t("text.error.source", choices=", ".join(SOURCES),
                                got=repr(self.source)))
        if self.arch not in ARCHS:
            raise ConfigError(t("text.error.arch", choices=", ".join(ARCHS),
                                got=repr(self.arch)))
        if (self.source == "text") != (self.text is not None):
            raise ConfigError(t("text.error.text_only"))
        check_range("hidden size", self.hidden, HIDDEN_RANGE)
        check_range("sequence length", self.seq_len, SEQ_LEN_RANGE)

    def to_dict(self) -> dict:
        """JSON-ready settings; a pasted text is recorded by name, length and sha256."""
        d = {k: v for k, v in dataclasses.asdict(self).items() if k != "text"}
        if self.text is not None:
            d["text_chars"] = len(self.text)
            d["text_sha256"] = C._sha(self.text)
        return d

    def replace(self, **changes) -> TextConfig:
        return dataclasses.replace(self, **changes)


@lru_cache(maxsize=2)
def _stdlib() -> C.Corpus:
    return C.stdlib()


def corpus_of(cfg: TextConfig) -> C.Corpus:
    """The config's corpus (the stdlib one is read once per process)."""
    return _stdlib() if cfg.source == "stdlib" else C.from_text(cfg.text, cfg.text_name or
                                                                "the text")


class CharModel(nn.Module):
    """Characters (B, T) int -> next-character logits (B, T, V), carrying the recurrent state."""

    def __init__(self, cfg: TextConfig, vocab_size: int) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.embed = nn.Embedding(vocab_size, EMBED) if vocab_size > ONE_HOT_MAX else None
        size = EMBED if self.embed is not None else vocab_size
        # torch's default init: chrono's long time constants are for long-lag tasks, and on
        # characters they made no difference we could measure in the first minute
        self.seq = SeqModel(ModelConfig(cfg.arch, cfg.hidden, init="torch"), size, vocab_size,
                            cfg.seq_len)

    @property
    def arch(self) -> str:
        return self.seq.arch

    @property
    def rnn(self) -> nn.RNNBase:
        return self.seq.rnn

    @property
    def readout(self) -> nn.Linear:
        return self.seq.readout

    def inputs(self, ids: torch.Tensor) -> torch.Tensor:
        """The x_t the cell sees: one-hot (B, T, V), or the embedding (B, T, EMBED)."""
        if self.embed is not None:
            return self.embed(ids)
        return nn.functional.one_hot(ids, self.vocab_size).float()

    def forward(self, ids: torch.Tensor, state=None):
        """ids (B, T) -> (logits (B, T, V), state after the last step)."""
        h, state = self.seq.rnn(self.inputs(ids), state)
        return self.seq.readout(h), state

    def layer0(self) -> dict[str, torch.Tensor]:
        return self.seq.layer0()


def build(cfg: TextConfig, vocab_size: int) -> CharModel:
    """A freshly initialised model; the seed fixes its weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        return CharModel(cfg, vocab_size)
