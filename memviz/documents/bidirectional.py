"""Our construction for document 004's bidirectional layer: what a bidirectional LSTM sees.

Document 004 wraps its text model's LSTM in a bidirectional layer that returns one output per
window (Keras's Bidirectional(LSTM(...)) without return_sequences). Both directions then read
only the window, characters already written, so that setup neither leaks nor stops generation
from a sliding window: `acc_window` measures it, at chance on random strings. The leak needs a
construction 004 does not use: a tiny bidirectional LSTM trained to predict the next character
at *every* position. Random strings have no pattern, so a left-to-right model can do no better
than chance; any accuracy above chance comes from reading the answer. A perturbation check shows
where from: changing x_{t+1} moves the backward direction's state at t and leaves the forward
one exactly as it was. Only that per-position model cannot generate left to right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from memviz.trainer import Settings, fit


@dataclass(frozen=True)
class Leak:
    """Held-out next-character accuracy both ways, and what changing x_{t+1} does at step t."""

    vocab: int
    acc_bi: float  # bidirectional, trained per position
    acc_uni: float  # left to right, same size and training
    fwd_change: float  # max |Δ forward state at t| when only x_{t+1} changes: exactly 0
    bwd_change: float  # max |Δ backward state at t|: > 0, the future leaks in
    acc_window: float  # bidirectional, one output per window (004's setup): no leak, chance

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


class WindowNext(nn.Module):
    """004's setup: a bidirectional LSTM over a window, one output for the whole window (each
    direction's last state, as Keras's Bidirectional returns without return_sequences)."""

    def __init__(self, vocab: int, hidden: int) -> None:
        super().__init__()
        self.rnn = nn.LSTM(vocab, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h_n = self.rnn(x)[1][0]  # (2, B, H): forward after x_T, backward after x_1
        return self.out(torch.cat([h_n[0], h_n[1]], dim=-1))


def _strings(n: int, T: int, vocab: int, gen: torch.Generator) -> torch.Tensor:
    """n random strings of length T as indices (n, T): no character predicts the next."""
    return torch.randint(0, vocab, (n, T), generator=gen)


def _trained(model: nn.Module, loss: Callable[[nn.Module, torch.Tensor], torch.Tensor],
             vocab: int, T: int, steps: int, seed: int) -> nn.Module:
    """`model` trained through memviz.trainer.fit on `steps` batches of 64 random strings."""
    gen = torch.Generator().manual_seed(seed)
    strings = (_strings(64, T, vocab, gen) for _ in range(steps))
    fit(model, strings, loss, Settings(steps, 0.02, clip=None))
    return model.eval()


def _train(bi: bool, vocab: int, T: int, hidden: int, steps: int, seed: int) -> NextChar:
    """Train to predict character t+1 at every position t (the targets are the input shifted)."""
    torch.manual_seed(seed)

    def loss(m: nn.Module, s: torch.Tensor) -> torch.Tensor:
        z = m(F.one_hot(s, vocab).float())[:, :-1]  # (B, T-1, V): position t predicts t+1
        return F.cross_entropy(z.reshape(-1, vocab), s[:, 1:].reshape(-1))

    return _trained(NextChar(vocab, hidden, bi), loss, vocab, T, steps, seed)


def _train_window(vocab: int, T: int, hidden: int, steps: int, seed: int) -> WindowNext:
    """Train to predict the character after a window of T − 1 characters, from the window only."""
    torch.manual_seed(seed)

    def loss(m: nn.Module, s: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(m(F.one_hot(s[:, :-1], vocab).float()), s[:, -1])

    return _trained(WindowNext(vocab, hidden), loss, vocab, T, steps, seed)


def _window_accuracy(model: WindowNext, s: torch.Tensor, vocab: int) -> float:
    with torch.no_grad():
        z = model(F.one_hot(s[:, :-1], vocab).float())
    return float((z.argmax(-1) == s[:, -1]).float().mean())


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
    """Train the three models on the same random strings and measure them on fresh ones."""
    test = _strings(256, T, vocab, torch.Generator().manual_seed(seed + 1))
    bi = _train(True, vocab, T, hidden, steps, seed)
    uni = _train(False, vocab, T, hidden, steps, seed)
    window = _train_window(vocab, T, hidden, steps, seed)
    fwd, bwd = _perturb(bi, test, vocab, T // 2)
    return Leak(vocab, _accuracy(bi, test, vocab), _accuracy(uni, test, vocab), fwd, bwd,
                _window_accuracy(window, test, vocab))
