"""Our construction for document 004's bidirectional claim: what a bidirectional LSTM sees.

Document 004 wraps its text model's LSTM in a bidirectional layer that returns one output per
window, so the article itself shows no leak. Here we build the case where it would leak: a tiny
bidirectional LSTM trained to predict the next character at *every* position of random strings.
Random strings have no pattern, so a left-to-right model can do no better than chance; any
accuracy above chance comes from reading the answer. A perturbation check shows where from:
changing x_{t+1} moves the backward direction's state at t and leaves the forward one exactly
as it was. The same fact means it cannot generate left to right: the state at t needs x_{t+1}.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class Leak:
    """Held-out next-character accuracy both ways, and what changing x_{t+1} does at step t."""

    vocab: int
    acc_bi: float  # bidirectional, trained per position
    acc_uni: float  # left to right, same size and training
    fwd_change: float  # max |Δ forward state at t| when only x_{t+1} changes: exactly 0
    bwd_change: float  # max |Δ backward state at t|: > 0, the future leaks in

    @property
    def chance(self) -> float:
        return 1.0 / self.vocab


class NextChar(nn.Module):
    """One-hot characters (B, T, V) -> an LSTM, one or both directions -> scores (B, T, V)."""

    def __init__(self, vocab: int, hidden: int, bidirectional: bool) -> None:
        super().__init__()
        self.rnn = nn.LSTM(vocab, hidden, batch_first=True, bidirectional=bidirectional)
        self.out = nn.Linear(hidden * (2 if bidirectional else 1), vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.rnn(x)[0])


def _strings(n: int, T: int, vocab: int, gen: torch.Generator) -> torch.Tensor:
    """n random strings of length T as indices (n, T): no character predicts the next."""
    return torch.randint(0, vocab, (n, T), generator=gen)


def _train(bi: bool, vocab: int, T: int, hidden: int, steps: int, seed: int) -> NextChar:
    """Train to predict character t+1 at every position t (the targets are the input shifted)."""
    torch.manual_seed(seed)
    model = NextChar(vocab, hidden, bi)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        s = _strings(64, T, vocab, gen)
        z = model(F.one_hot(s, vocab).float())[:, :-1]  # (B, T-1, V): position t predicts t+1
        loss = F.cross_entropy(z.reshape(-1, vocab), s[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def _accuracy(model: NextChar, s: torch.Tensor, vocab: int) -> float:
    with torch.no_grad():
        z = model(F.one_hot(s, vocab).float())[:, :-1]
    return float((z.argmax(-1) == s[:, 1:]).float().mean())


def _perturb(model: NextChar, s: torch.Tensor, vocab: int, t: int) -> tuple[float, float]:
    """Change character t+1 only; max |Δ| of the forward and backward states at step t."""
    s2 = s.clone()
    s2[:, t + 1] = (s2[:, t + 1] + 1) % vocab
    H = model.rnn.hidden_size
    with torch.no_grad():
        a = model.rnn(F.one_hot(s, vocab).float())[0][:, t]  # (B, 2H): [forward, backward]
        b = model.rnn(F.one_hot(s2, vocab).float())[0][:, t]
    d = (a - b).abs()
    return float(d[:, :H].max()), float(d[:, H:].max())


def leak(seed: int = 0, vocab: int = 6, T: int = 10, hidden: int = 12, steps: int = 60) -> Leak:
    """Train both models on the same random strings and measure the leak on fresh ones."""
    test = _strings(256, T, vocab, torch.Generator().manual_seed(seed + 1))
    bi = _train(True, vocab, T, hidden, steps, seed)
    uni = _train(False, vocab, T, hidden, steps, seed)
    fwd, bwd = _perturb(bi, test, vocab, T // 2)
    return Leak(vocab, _accuracy(bi, test, vocab), _accuracy(uni, test, vocab), fwd, bwd)
