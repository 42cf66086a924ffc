"""The recall probe: where each model's memory ends. A sequence of noise symbols holds one
marked symbol d positions before a final query; the answer is which marked symbol it was.
The LSTM reads the whole sequence and must carry the symbol in its state; the Transformer reads
the last `window` positions (its context), so a symbol further back than that is out of its
sight by construction, and only chance (1/K) is left. Both are small, trained through
memviz.trainer.fit on freshly drawn seeded sequences with d drawn uniformly from 1..max_d.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from memviz import trainer
from memviz.progress import OnStep
from memviz.text.model import CharModel, TextConfig
from memviz.text.model import build as build_lstm
from memviz.transformer.model import CharTransformer, TransformerConfig, build

K = 8  # marked symbols to remember (0..K-1); K..2K-1 are noise, 2K the query
VOCAB = 2 * K + 1


@dataclass(frozen=True)
class ProbeConfig:
    """The probe's settings: the Transformer's window, the longest distance, training."""

    window: int = 16
    max_d: int = 32
    steps: int = 600
    batch: int = 64
    hidden: int = 64
    d_model: int = 32
    seed: int = 0
    per_d: int = 64  # test sequences per distance

    @property
    def length(self) -> int:
        return self.max_d + 1  # the query, and the symbol at the longest distance


@dataclass(frozen=True)
class Probe:
    """Accuracy by distance d = 1..max_d for each model, and chance."""

    config: ProbeConfig
    lstm: tuple[float, ...]
    transformer: tuple[float, ...]

    @property
    def chance(self) -> float:
        return 1 / K


def sequences(n: int, d: torch.Tensor, length: int, gen: torch.Generator
              ) -> tuple[torch.Tensor, torch.Tensor]:
    """n sequences (n, length) of noise with a marked symbol d[i] places before the final
    query; and the answers (n,), the marked symbols."""
    x = torch.randint(K, 2 * K, (n, length), generator=gen)
    answer = torch.randint(0, K, (n,), generator=gen)
    x[torch.arange(n), length - 1 - d] = answer
    x[:, -1] = 2 * K
    return x, answer


def _models(cfg: ProbeConfig) -> tuple[CharModel, CharTransformer]:
    lstm = build_lstm(TextConfig(hidden=cfg.hidden, seq_len=cfg.length, seed=cfg.seed), VOCAB)
    tf = build(TransformerConfig(d_model=cfg.d_model, layers=2, heads=2, window=cfg.window,
                                 seed=cfg.seed), VOCAB)
    return lstm, tf


def _last(model: nn.Module, x: torch.Tensor, window: int | None) -> torch.Tensor:
    """The model's logits at the query (n, VOCAB); the Transformer sees the last `window`."""
    if window is None:
        return model(x)[0][:, -1]
    return model(x[:, -window:])[:, -1]


def run(cfg: ProbeConfig = ProbeConfig(), on_step: OnStep | None = None, offset: int = 0,
        total: int | None = None) -> Probe:
    """Train both models on the probe, then score each distance on fresh sequences; on_step
    sees steps offset+1 .. offset+2*steps of `total` (the LSTM's, then the Transformer's)."""
    lstm, tf = _models(cfg)
    result = {}
    for k, (name, model, window, lr) in enumerate((("lstm", lstm, None, 0.01),
                                                    ("tf", tf, cfg.window, 0.003))):
        gen = torch.Generator().manual_seed(cfg.seed)
        torch.manual_seed(cfg.seed)
        batches = (sequences(cfg.batch, torch.randint(1, cfg.max_d + 1, (cfg.batch,),
                                                      generator=gen), cfg.length, gen)
                   for _ in range(cfg.steps))
        trainer.fit(model, batches, lambda m, b, w=window: nn.functional.cross_entropy(
            _last(m, b[0], w), b[1]), trainer.Settings(cfg.steps, lr), on_step=on_step,
            offset=offset + k * cfg.steps, total=total or 2 * cfg.steps)
        test = torch.Generator().manual_seed(cfg.seed + 1)
        d = torch.arange(1, cfg.max_d + 1).repeat_interleave(cfg.per_d)
        x, answer = sequences(len(d), d, cfg.length, test)
        with torch.no_grad():
            right = (_last(model.eval(), x, window).argmax(-1) == answer).double()
        result[name] = tuple(right.view(cfg.max_d, cfg.per_d).mean(1).tolist())
    return Probe(cfg, result["lstm"], result["tf"])


def accuracy_inside(probe: Probe, inside: bool) -> float:
    """Mean Transformer accuracy over distances inside (d < window) or beyond its window."""
    acc = np.asarray(probe.transformer)
    d = np.arange(1, len(acc) + 1)
    sel = d < probe.config.window if inside else d >= probe.config.window
    return float(acc[sel].mean())
