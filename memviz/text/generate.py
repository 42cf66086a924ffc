"""Write text with a trained character model: prime it, then pick each next character greedily
or by sampling from the temperature-reshaped softmax, with a seeded generator.

Document 004 ends its model in a softmax over the next character but never says how the next
character is chosen; the only decoding rule in the documents is 001's greedy choice of the most
likely word. Sampling and temperature are ours: dividing the logits by T before the softmax is
the usual knob (T < 1 sharper, T > 1 flatter, T -> 0 greedy).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import torch

from memviz.config import ConfigError, check_range
from memviz.i18n import t
from memviz.text.corpus import Vocab
from memviz.text.model import CharModel

LENGTH_RANGE = (1, 2_000)
TEMPERATURE_RANGE = (0.0, 3.0)  # 0 means greedy
TOP = 5


@dataclass(frozen=True)
class Generated:
    """The generated characters (without the prime) and, for each, the TOP most likely
    characters with their probabilities in the distribution it was drawn from."""

    prime: str
    text: str
    top: tuple[tuple[tuple[str, float], ...], ...]
    chosen_p: tuple[float, ...]
    temperature: float
    logits: np.ndarray  # (L, V): the scores z each generated character was drawn from


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax(z / T) along the last axis; T = 0 puts all the mass on the largest logit."""
    z = np.asarray(logits, dtype=np.float64)
    if temperature == 0:
        p = np.zeros_like(z)
        np.put_along_axis(p, z.argmax(-1)[..., None], 1.0, -1)
        return p
    z = z / temperature
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def prime_ids(vocab: Vocab, prime: str) -> torch.Tensor:
    """The prime as indices (1, P); ConfigError if it is empty or uses unknown characters."""
    if not prime:
        raise ConfigError(t("text.error.empty_prime"))
    missing = sorted({c for c in prime if c not in set(vocab.chars)})
    if missing and "\ufffd" not in vocab.chars:
        raise ConfigError(t("text.error.prime_unseen", chars=repr("".join(missing))))
    return torch.as_tensor(vocab.encode(prime))[None]


def generate(model: CharModel, vocab: Vocab, prime: str, length: int, temperature: float,
             seed: int) -> Generated:
    """Prime the model, then write `length` characters (same seed, same text)."""
    check_range("length", length, LENGTH_RANGE)
    check_range("temperature", temperature, TEMPERATURE_RANGE)
    gen = torch.Generator().manual_seed(seed)
    ids = prime_ids(vocab, prime)
    out, top, chosen, zs = [], [], [], []
    model.eval()
    with torch.no_grad():
        logits, state = model(ids)
        z = logits[0, -1]
        for _ in range(length):
            # greedy shows the model's own distribution (T = 1) beside its pick
            p = torch.softmax(z.double() / (temperature or 1.0), -1)
            k = int(z.argmax()) if temperature == 0 else int(torch.multinomial(p, 1,
                                                                               generator=gen))
            vals, idx = p.topk(min(TOP, len(p)))
            top.append(tuple((vocab.chars[int(i)], float(v)) for v, i in zip(vals, idx,
                                                                             strict=True)))
            chosen.append(float(p[k]))
            zs.append(z.numpy().copy())
            out.append(k)
            logits, state = model(torch.tensor([[k]]), state)
            z = logits[0, -1]
    logits_all = np.stack(zs)
    logits_all.setflags(write=False)  # shared between sessions through the run store
    return Generated(prime, vocab.decode(out), tuple(top), tuple(chosen), temperature,
                     logits_all)


COPIED_RUN = 50  # this many generated characters in a row found in the training text: recited
LINE_MIN = 10  # lines shorter than this (stripped) are too common to count as copied
REPEATS = 0.3  # one character making up this share of the output, twice its share in training


@dataclass(frozen=True)
class Copying:
    """How much of a generated text is the training text word for word: the longest stretch
    found in it, and how many of the written lines (LINE_MIN+ characters) appear in it."""

    longest: int
    lines: int
    lines_copied: int

    @property
    def recited(self) -> bool:
        return self.longest >= COPIED_RUN or (self.lines >= 2 and
                                              2 * self.lines_copied > self.lines)


def copying(text: str, train_text: str) -> Copying:
    """Copying of `text` against `train_text`. The longest stretch is measured with runs of
    whitespace read as one space (a run of indentation is not a copied passage); it grows one
    character at a time, so it costs about len(text) substring searches."""
    squeeze = re.compile(r"\s+")
    flat, source, best = squeeze.sub(" ", text), squeeze.sub(" ", train_text), 0
    for i in range(len(flat)):
        while i + best < len(flat) and flat[i:i + best + 1] in source:
            best += 1
    lines = [ln.strip() for ln in text.split("\n") if len(ln.strip()) >= LINE_MIN]
    return Copying(best, len(lines), sum(ln in train_text for ln in lines))


def repeated(text: str, train_text: str) -> tuple[str, float, float] | None:
    """(character, its share of text, its share of train_text) when one character fills the
    output far beyond its place in the training text (a low temperature's loop); else None."""
    if not text or not train_text:
        return None
    ch, n = Counter(text).most_common(1)[0]
    share, usual = n / len(text), train_text.count(ch) / len(train_text)
    return (ch, share, usual) if share >= REPEATS and share >= 2 * usual else None
