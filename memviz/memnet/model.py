"""An end-to-end memory network (Sukhbaatar et al., 2015) that reads a story in hops.

Each sentence x_i becomes two vectors: a key m_i = sum_j l_j * A x_ij (+ T_A(i)) and a value
c_i = sum_j l_j * C x_ij (+ T_C(i)); the question becomes u = sum_j l_j * B q_j. A hop reads the
memory by attention, p = softmax(u^T m), o = sum_i p_i c_i, and moves on with u' = u + o
(layer-wise tying: u' = H u + o). The answer is softmax(W u_K+1). l_j is the position encoding
l_kj = (1 - j/J) - (k/d)(1 - 2j/J) or all ones (bag of words); T(i) is a learned vector per
sentence age (0 = the newest), the paper's temporal encoding.

Tying: "adjacent" A^(k+1) = C^k, B = A^1, W = C^K^T (one embedding per hop plus one);
"layerwise" one A and one C for every hop, a separate B and W, and the linear map H.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from memviz.memnet.stories import MEMORY


def position_weights(lengths: torch.Tensor, J: int, d: int, encoding: str) -> torch.Tensor:
    """l (..., J, d) for sentences of `lengths` (...): the paper's position encoding, or ones
    (bag of words); zero past each sentence's end."""
    j = torch.arange(1, J + 1, dtype=torch.float32)[:, None]  # (J, 1), 1-based word index
    k = torch.arange(1, d + 1, dtype=torch.float32)[None, :]  # (1, d), 1-based dimension
    n = lengths.clamp(min=1).to(torch.float32)[..., None, None]  # (..., 1, 1)
    if encoding == "position":
        w = (1 - j / n) - (k / d) * (1 - 2 * j / n)
    else:
        w = torch.ones(*lengths.shape, J, d)
    return w * (j <= lengths[..., None, None]).to(torch.float32)


@dataclass(frozen=True)
class Reading:
    """What one forward pass read, for a batch: u (B, K+1, d) the controller before each hop
    and after the last, m and c (B, K, N, d) keys and values, s (B, K, N) scores u^T m,
    p (B, K, N) attention, o (B, K, d) the read vectors, logits (B, V)."""

    u: torch.Tensor
    m: torch.Tensor
    c: torch.Tensor
    s: torch.Tensor
    p: torch.Tensor
    o: torch.Tensor
    logits: torch.Tensor


class MemN2N(nn.Module):
    """story (B, N, J) word ids, question (B, Jq) -> answer logits over the vocabulary."""

    def __init__(self, vocab: int, dim: int, hops: int, encoding: str = "position",
                 temporal: bool = True, tying: str = "adjacent", memory: int = MEMORY) -> None:
        super().__init__()
        self.dim, self.hops, self.encoding, self.temporal, self.tying = (
            dim, hops, encoding, temporal, tying)
        n_emb = hops + 1 if tying == "adjacent" else 3  # adjacent: E_0..E_K; else A, C, B
        self.emb = nn.ModuleList(nn.Embedding(vocab, dim, padding_idx=0) for _ in range(n_emb))
        for e in self.emb:  # the paper's N(0, 0.1) start; a unit-variance start saturates p
            nn.init.normal_(e.weight, std=0.1)
            e.weight.data[0] = 0
        n_time = (hops + 1 if tying == "adjacent" else 2) if temporal else 0
        self.time = nn.ParameterList(nn.Parameter(0.1 * torch.randn(memory, dim))
                                     for _ in range(n_time))
        if tying == "layerwise":
            self.H = nn.Linear(dim, dim, bias=False)
            self.W = nn.Linear(dim, vocab, bias=False)

    def embeddings(self, k: int) -> tuple[int, int]:
        """Indices into `emb` (and `time`) of A^k and C^k, k = 1..K."""
        return (k - 1, k) if self.tying == "adjacent" else (0, 1)

    def _encode(self, e: nn.Embedding, ids: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return (e(ids) * w).sum(-2)  # (..., J, d) -> (..., d)

    def read(self, story: torch.Tensor, question: torch.Tensor) -> Reading:
        """The forward pass with everything each hop computed."""
        B, N, J = story.shape
        lens = (story > 0).sum(-1)  # (B, N) words per sentence; 0 = an empty slot
        w_s = position_weights(lens, J, self.dim, self.encoding)  # (B, N, J, d)
        w_q = position_weights((question > 0).sum(-1), question.shape[1], self.dim,
                               self.encoding)
        u = self._encode(self.emb[0] if self.tying == "adjacent" else self.emb[2], question,
                         w_q)  # (B, d): B = A^1 when adjacent
        age = ((lens > 0).sum(-1, keepdim=True) - 1 - torch.arange(N)).clamp(min=0)  # 0: newest
        empty = lens == 0
        table = torch.stack([e.weight for e in self.emb])  # (E, V, d): every embedding at once
        enc = (table[:, story] * w_s).sum(-2)  # (E, B, N, d): each sentence in each embedding
        if self.temporal:
            enc = enc[:len(self.time)] + torch.stack(list(self.time))[:, age]  # (+ T(i))
        us, ms, cs, ss, ps, os_ = [u], [], [], [], [], []
        for k in range(1, self.hops + 1):
            a, c = self.embeddings(k)
            m, cv = enc[a], enc[c]  # (B, N, d) keys and values
            s = torch.einsum("bd,bnd->bn", u, m).masked_fill(empty, float("-inf"))
            p = torch.softmax(s, dim=-1)
            o = torch.einsum("bn,bnd->bd", p, cv)
            u = (self.H(u) if self.tying == "layerwise" else u) + o
            us.append(u), ms.append(m), cs.append(cv), ss.append(s), ps.append(p), os_.append(o)
        W = self.emb[-1].weight if self.tying == "adjacent" else self.W.weight  # (V, d)
        logits = u @ W.T
        st = lambda xs: torch.stack(xs, 1)  # noqa: E731
        return Reading(st(us), st(ms), st(cs), st(ss), st(ps), st(os_), logits)

    def forward(self, story: torch.Tensor, question: torch.Tensor) -> torch.Tensor:
        return self.read(story, question).logits
