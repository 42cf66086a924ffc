"""Re-run a passage through the trained Transformer by hand (numpy, float64) and keep what each
head computed: queries, keys, values, the scaled scores q.k/sqrt(d), the softmax weights and the
weighted sum, and the residual stream's norm after each layer.

The hand-written attention starts from the model's own residual stream at each block's input and
redoes LayerNorm, the q/k/v projections and the attention; `max_abs_diff` is how far its output
is from what the model's fused scaled_dot_product_attention gave (float32 rounding, ~1e-7).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from memviz.text.corpus import Vocab
from memviz.transformer.model import Block, CharTransformer


@dataclass(frozen=True)
class AttnTrace:
    """One passage through one model. Arrays are read-only; L layers, Hh heads, T positions.

    q, k, v, o: (L, Hh, T, d_head); scores: (L, Hh, T, T), q_t.k_j/sqrt(d_head) with -inf where
    j > t (the causal mask); weights: (L, Hh, T, T), softmax over j; norms: (T, L + 1), the
    residual stream's length after the embeddings and after each block; logits: (T, V)."""

    text: str
    ids: np.ndarray
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    o: np.ndarray
    scores: np.ndarray
    weights: np.ndarray
    norms: np.ndarray
    logits: np.ndarray
    max_abs_diff: float

    @property
    def T(self) -> int:
        return len(self.ids)

    @property
    def layers(self) -> int:
        return self.q.shape[0]

    @property
    def heads(self) -> int:
        return self.q.shape[1]


def _np(a: torch.Tensor) -> np.ndarray:
    return a.detach().cpu().double().numpy()


def layer_norm(x: np.ndarray, ln: torch.nn.LayerNorm) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) * gamma + beta over the last axis."""
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + ln.eps) * _np(ln.weight) + _np(ln.bias)


def attention(x: np.ndarray, block: Block) -> dict[str, np.ndarray]:
    """One block's attention by hand on its input x (T, d): each head's q, k, v (Hh, T, dh),
    scores, weights (Hh, T, T) and output o (Hh, T, dh)."""
    T, d = x.shape
    Hh = block.heads
    dh = d // Hh
    qkv = layer_norm(x, block.ln1) @ _np(block.qkv.weight).T + _np(block.qkv.bias)  # (T, 3d)
    q, k, v = (qkv[:, i * d:(i + 1) * d].reshape(T, Hh, dh).transpose(1, 0, 2) for i in range(3))
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(dh)  # (Hh, T, T)
    scores = np.where(np.tril(np.ones((T, T), bool)), scores, -np.inf)  # no peeking ahead
    e = np.exp(scores - scores.max(-1, keepdims=True))
    weights = e / e.sum(-1, keepdims=True)
    return dict(q=q, k=k, v=v, scores=scores, weights=weights, o=weights @ v)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def record(model: CharTransformer, vocab: Vocab, passage: str) -> AttnTrace:
    """The passage (1..window characters) through the model, by hand and by torch."""
    if not passage:
        raise ValueError("an empty passage has no positions")
    ids = torch.as_tensor(vocab.encode(passage))[None]
    with torch.no_grad():
        stream = model.stream(ids)  # the model's own residual stream, block by block
        logits = model.head(model.ln(stream[-1]))
        parts, diff = [], 0.0
        for block, x in zip(model.blocks, stream[:-1], strict=True):
            mine = attention(_np(x[0]), block)
            fused = _np(block.attend(x)[0])  # (T, d): heads side by side
            T, d = fused.shape
            ours = mine["o"].transpose(1, 0, 2).reshape(T, d)
            diff = max(diff, float(np.abs(ours - fused).max()))
            parts.append(mine)
    norms = np.stack([np.linalg.norm(_np(x[0]), axis=-1) for x in stream], axis=1)  # (T, L+1)
    stacked = {k: np.stack([p[k] for p in parts]) for k in ("q", "k", "v", "o", "scores",
                                                             "weights")}
    return AttnTrace(passage, _frozen(ids[0].numpy()), **{k: _frozen(v) for k, v in
                                                           stacked.items()},
                     norms=_frozen(norms), logits=_frozen(_np(logits[0])), max_abs_diff=diff)
