"""Write with the Transformer the way memviz.text.generate writes with the LSTM: prime, then
draw each next character from softmax(z / T) with a seeded generator (T = 0: greedy). The
Transformer reads only the last `window` characters of what is written so far."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from memviz.config import check_range
from memviz.text import generate as G
from memviz.text.corpus import Vocab
from memviz.transformer.model import CharTransformer


def generate(model: CharTransformer, vocab: Vocab, prime: str, length: int, temperature: float,
             seed: int) -> str:
    """`length` characters after the prime (same seed, same text)."""
    check_range("length", length, G.LENGTH_RANGE)
    check_range("temperature", temperature, G.TEMPERATURE_RANGE)
    gen = torch.Generator().manual_seed(seed)
    ids = G.prime_ids(vocab, prime)[0].tolist()
    out = []
    model.eval()
    with torch.no_grad():
        for _ in range(length):
            z = model(torch.tensor([ids[-model.window:]]))[0, -1]
            p = torch.softmax(z.double() / (temperature or 1.0), -1)
            k = int(z.argmax()) if temperature == 0 else int(torch.multinomial(p, 1,
                                                                               generator=gen))
            out.append(k)
            ids.append(k)
    return vocab.decode(out)


@dataclass(frozen=True)
class Both:
    """The two models' texts from the same prime, temperature and seed."""

    prime: str
    temperature: float
    transformer: str
    lstm: str


def both(run, prime: str, length: int, temperature: float, seed: int) -> Both:
    """Both models of a TransformerRun writing from the same prime."""
    vocab = run.split.vocab
    return Both(prime, temperature, generate(run.model, vocab, prime, length, temperature, seed),
                G.generate(run.lstm, vocab, prime, length, temperature, seed).text)
