"""The baseline a character model must beat: an add-k smoothed character n-gram.

P(c | previous n-1 characters) = (count(context + c) + k) / (count(context) + k V). k is chosen
from K_GRID on the last 5% of the training text (never on the held-out text), then the counts
are rebuilt on all the training text and the held-out text is scored.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from memviz.text.corpus import Split

K_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


@dataclass(frozen=True)
class NGram:
    """Counts of n-grams and of their (n-1)-character contexts in one text."""

    n: int
    vocab_size: int
    grams: Counter
    contexts: Counter

    @classmethod
    def fit(cls, text: str, n: int, vocab_size: int) -> NGram:
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        grams = Counter(text[i: i + n] for i in range(len(text) - n + 1))
        contexts = Counter()
        for g, count in grams.items():
            contexts[g[:-1]] += count
        return cls(n, vocab_size, grams, contexts)

    def prob(self, context: str, c: str, k: float) -> float:
        """P(c | the last n-1 characters of context), add-k smoothed."""
        ctx = context[len(context) - (self.n - 1):] if self.n > 1 else ""
        return (self.grams[ctx + c] + k) / (self.contexts[ctx] + k * self.vocab_size)

    def bits(self, text: str, k: float, start: int = 0) -> float:
        """Mean -log2 P over text[start:], each character given the n-1 before it (the first
        characters, with a shorter history, use the context they have: n-gram counts of
        shorter contexts are absent, so they fall back to k-smoothed near-uniform)."""
        total, n = 0.0, self.n
        grams, contexts, kv = self.grams, self.contexts, k * self.vocab_size
        for i in range(start, len(text)):
            ctx = text[max(0, i - n + 1): i] if n > 1 else ""
            total -= math.log2((grams[ctx + text[i]] + k) / (contexts[ctx] + kv))
        return total / max(len(text) - start, 1)


@dataclass(frozen=True)
class Score:
    """A baseline's held-out bits per character, its order n and the chosen k."""

    n: int
    k: float
    bits_per_char: float

    @property
    def name(self) -> str:
        return f"add-k character {self.n}-gram (k = {self.k:g})"


def choose_k(train_text: str, n: int, vocab_size: int) -> float:
    """The k in K_GRID with the lowest bits/char on the last 5% of the training text."""
    cut = int(len(train_text) * 0.95)
    model = NGram.fit(train_text[:cut], n, vocab_size)
    tune = train_text[max(0, cut - n + 1):][:20_000 + n]
    return min(K_GRID, key=lambda k: model.bits(tune, k, start=n - 1))


def baseline(split: Split, n: int = 5) -> Score:
    """The n-gram's held-out bits per character on the split the network is scored on; its
    first held-out characters take their context from the end of the training text."""
    k = choose_k(split.train_text, n, split.vocab.size)
    model = NGram.fit(split.train_text, n, split.vocab.size)
    context = split.train_text[-(n - 1):] if n > 1 else ""
    return Score(n, k, model.bits(context + split.held_text, k, start=len(context)))


MIN_PER_CHAR = 50  # training characters per distinct one below this: too few to learn from
NEAR_UNIFORM = 0.9  # an n-gram within 10% of uniform guessing found little to learn either


@dataclass(frozen=True)
class Size:
    """Whether a text is big enough to learn from, before any training: its training and
    held-out characters, distinct characters, uniform guessing (log2 V bits) and the n-gram."""

    train: int
    held: int
    distinct: int
    ngram: Score

    @property
    def uniform(self) -> float:
        """Bits per character of guessing uniformly among the distinct characters."""
        return math.log2(max(self.distinct, 1))

    @property
    def per_char(self) -> float:
        return self.train / max(self.distinct, 1)

    @property
    def small(self) -> bool:
        return (self.per_char < MIN_PER_CHAR
                or self.ngram.bits_per_char >= NEAR_UNIFORM * self.uniform)


def size(split: Split, n: int = 5) -> Size:
    """split's size check, with the same n-gram the trained network is compared with."""
    return Size(len(split.train_text), len(split.held_text), split.vocab.size, baseline(split, n))
