"""Toy translations with answers a program can check, generated in code from a seed.

- reverse: a string of n digits -> the same digits backwards ("4071" -> "1704"). The length n
           is the number of digits. Output k must look at source n - k + 1: an alignment
           that runs against the reading order, so the last encoder state alone must hold all.
- dates:   n dates written "23 nov 2026" -> "2026-11-23" (several joined by a space). The
           length n is the number of dates; each output field comes from a different place in
           the source (year from the end, day from the front).

Source and target share one character vocabulary with three special tokens: PAD fills short
sequences in a batch, BOS starts decoding, EOS ends it. All sampling uses a torch.Generator.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import torch

TASKS = ("reverse", "dates")
SPECIALS = ("<pad>", "<s>", "</s>")
PAD, BOS, EOS = 0, 1, 2
CHARS = "0123456789 -abcdefghijklmnopqrstuvwxyz"
VOCAB = SPECIALS + tuple(CHARS)
INDEX = {c: i for i, c in enumerate(VOCAB)}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
FIRST_DAY = datetime.date(1950, 1, 1).toordinal()
DAYS = datetime.date(2049, 12, 31).toordinal() - FIRST_DAY + 1


def encode(text: str) -> list[int]:
    """Characters -> token ids (no BOS/EOS)."""
    return [INDEX[c] for c in text]


def decode(ids) -> str:
    """Token ids -> text, stopping at EOS and skipping PAD/BOS."""
    out = []
    for i in (int(v) for v in ids):
        if i == EOS:
            break
        if i > EOS:
            out.append(VOCAB[i])
    return "".join(out)


def spoken_date(d: datetime.date) -> str:
    """'23 nov 2026': day without a leading zero, month name, year."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def answer(task: str, source: str) -> str:
    """The correct translation of `source`, computed independently of any model."""
    if task == "reverse":
        return source[::-1]
    out, words = [], source.split(" ")
    for k in range(0, len(words), 3):
        day, month, year = words[k: k + 3]
        out.append(f"{int(year):04d}-{MONTHS.index(month) + 1:02d}-{int(day):02d}")
    return " ".join(out)


def sample_source(task: str, n: int, gen: torch.Generator) -> str:
    """One random source of length n (digits, or dates)."""
    if task == "reverse":
        return "".join(str(int(d)) for d in torch.randint(0, 10, (n,), generator=gen))
    days = torch.randint(0, DAYS, (n,), generator=gen)
    return " ".join(spoken_date(datetime.date.fromordinal(FIRST_DAY + int(d))) for d in days)


@dataclass(frozen=True)
class Batch:
    """src (B, S) ids padded with PAD; src_len (B,); tgt (B, U) target ids + EOS padded with
    PAD; n (B,) the task length of each example; texts: the source strings."""

    src: torch.Tensor
    src_len: torch.Tensor
    tgt: torch.Tensor
    n: torch.Tensor
    texts: tuple[str, ...]

    @property
    def dec_in(self) -> torch.Tensor:
        """Teacher forcing: BOS then the target shifted right, (B, U)."""
        bos = torch.full_like(self.tgt[:, :1], BOS)
        return torch.cat([bos, self.tgt[:, :-1]], dim=1)


def _pad(rows: list[list[int]]) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [PAD] * (width - len(r)) for r in rows], dtype=torch.long)


def batch_of(task: str, sources: list[str], ns: list[int]) -> Batch:
    """A batch from given source strings (their answers computed by `answer`)."""
    src = [encode(s) for s in sources]
    tgt = [encode(answer(task, s)) + [EOS] for s in sources]
    return Batch(_pad(src), torch.tensor([len(s) for s in src]), _pad(tgt),
                 torch.tensor(ns), tuple(sources))


def make_batch(task: str, lengths: tuple[int, ...], batch: int, gen: torch.Generator) -> Batch:
    """`batch` examples, each with a length drawn uniformly from `lengths`."""
    pick = torch.randint(0, len(lengths), (batch,), generator=gen)
    ns = [lengths[int(i)] for i in pick]
    return batch_of(task, [sample_source(task, n, gen) for n in ns], ns)
