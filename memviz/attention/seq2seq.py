"""A GRU encoder-decoder, with or without Luong ("general") attention.

The encoder reads the source x_1..x_S into states h_1..h_S. The decoder emits one token per
step and, at test time, feeds the most probable one back in as its next input (greedy decoding,
the procedure document 001 describes for seq2seq translation). Both variants share the decoder;
they differ only in the context vector c_k it is given at output step k:

    s_k = GRU(E y_{k-1}, s_{k-1}),  s_0 = h_S              (decoder state)
    plain:      c_k = h_S                                   (everything through one vector)
    attention:  e_{k,j} = s_k^T W_a h_j                     (score: Luong et al. 2015, general)
                alpha_{k,j} = exp(e_{k,j}) / sum_j' exp(e_{k,j'})
                c_k = sum_j alpha_{k,j} h_j
    then        a_k = tanh(W_c [s_k; c_k] + b_c),  p_k = softmax(W_o a_k + b_o),  y_k = argmax p_k

Luong's form scores with the *current* decoder state, so in training (teacher forcing) the
decoder GRU runs over the whole target at once and every step's attention is one batched
product: several times faster on the CPU than Bahdanau's additive score, which needs s_{k-1}
and a Python loop. `step_by_hand` recomputes e, alpha, c and p from the trained weights in
numpy (float64), so the numbers the page shows can be checked against the module's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from memviz.attention.data import BOS, EOS, VOCAB


class Seq2Seq(nn.Module):
    """Encoder GRU, decoder GRU, optional general attention, output layer over VOCAB."""

    def __init__(self, hidden: int = 64, emb: int = 16, attention: bool = True) -> None:
        super().__init__()
        V, H = len(VOCAB), hidden
        self.attention = attention
        self.src_embed = nn.Embedding(V, emb)
        self.tgt_embed = nn.Embedding(V, emb)
        self.encoder = nn.GRU(emb, H, batch_first=True)
        self.decoder = nn.GRU(emb, H, batch_first=True)
        self.W_a = nn.Linear(H, H, bias=False) if attention else None
        self.W_c = nn.Linear(2 * H, H)
        self.out = nn.Linear(H, V)

    def encode(self, src: torch.Tensor, src_len: torch.Tensor):
        """src (B, S) -> encoder states h (B, S, H), the mask of real positions (B, S) and
        h_S (B, H), the last real state (PAD steps come after it and are never used)."""
        h, _ = self.encoder(self.src_embed(src))  # (B, S, H)
        last = h[torch.arange(h.shape[0]), src_len - 1]  # (B, H)
        mask = torch.arange(src.shape[1])[None, :] < src_len[:, None]  # (B, S)
        return h, mask, last

    def attend(self, s: torch.Tensor, h: torch.Tensor, mask: torch.Tensor,
               last: torch.Tensor) -> dict:
        """Decoder states s (B, U, H) -> scores e and weights alpha (B, U, S) (None when
        plain), context c (B, U, H), logits (B, U, V)."""
        e = alpha = None
        if self.attention:
            e = torch.bmm(s, self.W_a(h).transpose(1, 2))  # (B, U, S): s_k . W_a h_j
            alpha = torch.softmax(e.masked_fill(~mask[:, None, :], float("-inf")), dim=-1)
            c = torch.bmm(alpha, h)  # (B, U, H)
        else:
            c = last[:, None, :].expand_as(s)
        a = torch.tanh(self.W_c(torch.cat([s, c], dim=-1)))
        return {"e": e, "alpha": alpha, "c": c, "logits": self.out(a)}

    def forward(self, src: torch.Tensor, src_len: torch.Tensor,
                dec_in: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits (B, U, V): the decoder reads the true previous token."""
        h, mask, last = self.encode(src, src_len)
        s, _ = self.decoder(self.tgt_embed(dec_in), last[None].contiguous())  # (B, U, H)
        return self.attend(s, h, mask, last)["logits"]

    def step(self, y_prev: torch.Tensor, s_prev: torch.Tensor, h: torch.Tensor,
             mask: torch.Tensor, last: torch.Tensor) -> dict:
        """One output step: y_prev (B,), s_prev (B, H) -> s (B, H), e/alpha (B, S) or None,
        c (B, H), logits (B, V)."""
        _, s = self.decoder(self.tgt_embed(y_prev)[:, None, :], s_prev[None].contiguous())
        s = s[0]
        out = self.attend(s[:, None, :], h, mask, last)
        return {"s": s, **{k: (v[:, 0] if v is not None else None) for k, v in out.items()}}


@dataclass(frozen=True)
class Decoded:
    """Greedy decoding of a batch: tokens (B, K) (EOS, then PAD after the end) and, per step
    k, the numbers behind it: s_prev and s (B, K, H), e and alpha (B, K, S) (None without
    attention), c (B, K, H), p (B, K, V) the output distribution; enc (B, S, H)."""

    tokens: torch.Tensor
    s_prev: torch.Tensor
    s: torch.Tensor
    e: torch.Tensor | None
    alpha: torch.Tensor | None
    c: torch.Tensor
    p: torch.Tensor
    enc: torch.Tensor


@torch.no_grad()
def greedy(model: Seq2Seq, src: torch.Tensor, src_len: torch.Tensor, max_steps: int) -> Decoded:
    """Decode by feeding back the most probable token each step, for at most max_steps."""
    h, mask, last = model.encode(src, src_len)
    s = last  # s_0 = h_S
    y = torch.full((src.shape[0],), BOS, dtype=torch.long)
    done = torch.zeros(src.shape[0], dtype=torch.bool)
    rec: dict[str, list] = {k: [] for k in ("tokens", "s_prev", "s", "e", "alpha", "c", "p")}
    for _ in range(max_steps):
        out = model.step(y, s, h, mask, last)
        p = torch.softmax(out["logits"], dim=-1)  # (B, V)
        y = p.argmax(-1)
        rec["tokens"].append(torch.where(done, torch.zeros_like(y), y))
        for name, value in (("s_prev", s), ("s", out["s"]), ("e", out["e"]),
                            ("alpha", out["alpha"]), ("c", out["c"]), ("p", p)):
            rec[name].append(value)
        s, done = out["s"], done | (y == EOS)
        if bool(done.all()):
            break
    stack = {k: (torch.stack(v, dim=1) if v[0] is not None else None) for k, v in rec.items()}
    return Decoded(enc=h, **stack)


def weights(model: Seq2Seq) -> dict[str, np.ndarray]:
    """The trained output-side parameters as float64 arrays: W_a (H, H) (attention only),
    W_c (H, 2H), b_c (H,), W_o (V, H), b_o (V,)."""
    f = lambda t: t.detach().double().numpy().copy()  # noqa: E731
    w = {"W_c": f(model.W_c.weight), "b_c": f(model.W_c.bias), "W_o": f(model.out.weight),
         "b_o": f(model.out.bias)}
    if model.attention:
        w["W_a"] = f(model.W_a.weight)
    return w


def step_by_hand(w: dict[str, np.ndarray], s: np.ndarray, h: np.ndarray) -> dict:
    """One attention step written out: decoder state s (H,), encoder states h (S, H) ->
    e (S,), alpha (S,), c (H,), p (V,). Without W_a in w the context is h_S (plain)."""
    if "W_a" in w:
        e = np.array([s @ (w["W_a"] @ h_j) for h_j in h])  # (S,) e_j = s^T W_a h_j
        z = np.exp(e - e.max())  # minus the max: the same softmax, without overflow
        alpha = z / z.sum()
        c = (alpha[:, None] * h).sum(axis=0)  # (H,)
    else:
        e = alpha = None
        c = h[-1]
    a = np.tanh(w["W_c"] @ np.concatenate([s, c]) + w["b_c"])  # (H,)
    logits = w["W_o"] @ a + w["b_o"]
    p = np.exp(logits - logits.max())
    return {"e": e, "alpha": alpha, "c": c, "p": p / p.sum()}


def build(hidden: int, emb: int, attention: bool, seed: int) -> Seq2Seq:
    """A freshly initialised model; the seed fixes its weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return Seq2Seq(hidden, emb, attention)
