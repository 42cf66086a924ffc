"""A small decoder-only character Transformer (GPT-style, pre-norm, causal) on the Text lesson's
text, and the settings of a run that trains it beside the Text lesson's LSTM.

Each block: x <- x + Attention(LayerNorm(x)); x <- x + MLP(LayerNorm(x)). Positions are learned
(one vector per place in the context window), so the model cannot see past `window` characters:
everything it remembers of the text is the keys and values of the last `window` positions.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import torch
from torch import nn

from memviz.config import ConfigError, Training, check_range
from memviz.i18n import t
from memviz.specs import Float, Int
from memviz.text.model import LR_RANGE, STEPS_RANGE, TextConfig

D_MODEL_RANGE = (16, 256)
LAYERS_RANGE = (1, 4)
HEADS = (1, 2, 4, 8)
WINDOW_RANGE = (8, 256)
BATCH_RANGE = (1, 256)
PROBE_STEPS_RANGE = (1, 5_000)
# memviz.estimate's terms for this lesson, from training-thread CPU seconds measured on the
# 2-core reference machine under a class's load (d=64, 2 layers, W=64, B=32: ~0.065 s a step),
# rounded up so that a run said to fit the budget does
TF_STEP_S, TF_WORK_S = 0.03, 1.5e-10
PROBE_STEP_S = 0.03  # both probe models, one step each
SCORING_S = 15.0  # the held-out scores, the curves' points and the 3- and 5-gram


@dataclass(frozen=True)
class TransformerConfig(Training):
    """A Transformer run (its optimiser settings are memviz.config.Training's), and the LSTM
    it is compared with: `lstm_base` (by default the Text lesson's default LSTM, recorded whole
    so that a run's key names it) on the same text and seed, trained for `lstm_steps`."""

    STEPS = Int("training steps", *STEPS_RANGE)
    LR = Float("learning rate", *LR_RANGE)
    BATCH = Int("batch size", *BATCH_RANGE)

    # memviz.config.Training's fields (first in every config's field order), this lesson's defaults
    steps: int = 600
    lr: float = 0.003
    batch: int = 32
    source: str = "stdlib"
    d_model: int = 64
    layers: int = 2
    heads: int = 4
    window: int = 64
    lstm_steps: int = 600
    lstm_base: TextConfig = field(default=TextConfig(), repr=False)
    probe_steps: int = 600  # the recall probe's training steps (memviz.transformer.recall)
    text: str | None = field(default=None, repr=False)
    text_name: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.lstm()  # the source, the text and the LSTM's settings: checked by TextConfig
        check_range("model width d", self.d_model, D_MODEL_RANGE)
        check_range("layers", self.layers, LAYERS_RANGE)
        check_range("context window", self.window, WINDOW_RANGE)
        check_range("LSTM training steps", self.lstm_steps, STEPS_RANGE)
        check_range("recall probe steps", self.probe_steps, PROBE_STEPS_RANGE)
        if self.heads not in HEADS or self.d_model % self.heads:
            raise ConfigError(t("transformer.error.heads", heads=self.heads, d=self.d_model))

    @property
    def d_head(self) -> int:
        return self.d_model // self.heads

    def lstm(self) -> TextConfig:
        """The LSTM it is compared with (by default the Text lesson's) on the same text."""
        return self.lstm_base.replace(source=self.source, steps=self.lstm_steps, seed=self.seed,
                                      text=self.text, text_name=self.text_name)

    def kv_numbers(self, seen: int) -> int:
        """Numbers the KV cache keeps after `seen` characters: a key and a value (d each) per
        layer for every position still inside the window."""
        return 2 * self.layers * self.d_model * min(seen, self.window)

    def estimate(self):
        """Seconds and peak memory of the whole run (memviz.estimate): the Transformer's steps
        (a per-step overhead plus the arithmetic of B*W positions through L blocks), the LSTM's
        from the recurrent constants, the recall probe, and the scoring and n-grams."""
        from memviz import estimate as E

        B, W, d, L = self.batch, self.window, self.d_model, self.layers
        work = B * W * L * d * (12 * d + 2 * W)  # projections and MLP, then q.k and a.v
        tf = self.steps * (TF_STEP_S + TF_WORK_S * work)
        lstm = E.recurrent_step_seconds("lstm", *self._lstm_shape()) * self.lstm_steps
        seconds = tf + lstm + PROBE_STEP_S * self.probe_steps + SCORING_S
        activations = 4 * 3 * B * W * L * (16 * d + self.heads * W) / 1e6  # bytes -> MB
        lstm_mb = E.MB_PER_BTH["lstm"] * self._lstm_shape()[2] * self._lstm_shape()[1] * \
            self._lstm_shape()[0]
        return E.Estimate(seconds, E.BASE_MB + max(activations, lstm_mb))

    def _lstm_shape(self) -> tuple[int, int, int]:
        """(T, H, B) of the LSTM it is compared with."""
        c = self.lstm()
        return c.seq_len, c.hidden, c.batch

    def to_dict(self) -> dict:
        """JSON-ready settings; a pasted text is recorded as TextConfig records it."""
        d = {k: v for k, v in dataclasses.asdict(self).items() if k not in ("text", "lstm_base")}
        return d | {k: v for k, v in self.lstm().to_dict().items() if k.startswith("text_")}

    def replace(self, **changes) -> TransformerConfig:
        return dataclasses.replace(self, **changes)


class Block(nn.Module):
    """One pre-norm block: causal multi-head self-attention, then a 4d MLP, each added back."""

    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def qkv_heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """LayerNorm then the query, key and value of every head: each (B, heads, T, d_head)."""
        B, T, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        return tuple(a.view(B, T, self.heads, d // self.heads).transpose(1, 2) for a in (q, k, v))

    def attend(self, x: torch.Tensor) -> torch.Tensor:
        """Each head's softmax(q k^T / sqrt(d_head), causal) v, heads side by side (B, T, d)."""
        q, k, v = self.qkv_heads(x)
        o = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        return o.transpose(1, 2).reshape(x.shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.proj(self.attend(x))
        return x + self.mlp(self.ln2(x))


class CharTransformer(nn.Module):
    """Characters (B, T <= window) int -> next-character logits (B, T, V)."""

    def __init__(self, cfg: TransformerConfig, vocab_size: int) -> None:
        super().__init__()
        self.window = cfg.window
        self.embed = nn.Embedding(vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.window, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg.d_model, cfg.heads) for _ in range(cfg.layers))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, vocab_size)
        for name, p in self.named_parameters():  # GPT-2's small init; residual outputs smaller
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * cfg.layers) if name.endswith(("proj.weight",
                                                                         "mlp.2.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def stream(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """The residual stream (B, T, d): after the embeddings, then after each block."""
        if ids.shape[1] > self.window:
            raise ValueError(f"{ids.shape[1]} characters do not fit a window of {self.window}")
        x = self.embed(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))
        out = [x]
        for block in self.blocks:
            out.append(block(out[-1]))
        return out

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.ln(self.stream(ids)[-1]))


def build(cfg: TransformerConfig, vocab_size: int) -> CharTransformer:
    """A freshly initialised model; the seed fixes its weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        return CharTransformer(cfg, vocab_size)


def params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
