"""The text a character model learns from: Python's own standard library, pasted text, or an
uploaded UTF-8 file, validated with messages a student can act on.

A Corpus records where its text came from (file list, sha256) so a run can be reproduced;
`split` gives the training text and the held-out text every score on the page is measured on.
"""

from __future__ import annotations

import hashlib
import sysconfig
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from memviz.config import ConfigError
from memviz.i18n import t

STDLIB_BYTES = 1_500_000  # ~1.5 MB of source: enough to beat an n-gram in a minute
MAX_UPLOAD_BYTES = 2_000_000
MIN_CHARS = 1_000  # below this there is too little to train on and to score on
MAX_VOCAB = 2_000  # rarer characters (e.g. in a long Chinese text) share one symbol
UNKNOWN = "\ufffd"
STDLIB_NAME = "Python standard library"  # names kept in configs and files (the UI translates)
PASTED_NAME = "pasted text"
HELD_OUT_FRACTION = 0.1
HELD_OUT_MAX = 50_000  # characters scored at the end of training (kept small: it is live)
# Top-level modules that are data tables or generated, not code a person wrote.
_SKIP_PREFIXES = ("_sysconfigdata", "this.py", "antigravity.py", "__hello__")


@dataclass(frozen=True)
class Corpus:
    """A text and where it came from. `files` is empty for pasted or uploaded text."""

    name: str
    text: str = field(repr=False)
    sha256: str
    files: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "stdlib" if self.files else "text"

    def describe(self) -> dict:
        """JSON-ready provenance (no text): name, characters, sha256, files."""
        return {"name": self.name, "chars": len(self.text), "sha256": self.sha256,
                "files": list(self.files)}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stdlib_files(max_bytes: int = STDLIB_BYTES) -> list[Path]:
    """The running interpreter's top-level stdlib .py files, sorted by name, whole files
    while the total stays within max_bytes."""
    root = Path(sysconfig.get_paths()["stdlib"])
    chosen, total = [], 0
    for path in sorted(root.glob("*.py"), key=lambda p: p.name):
        if path.name.startswith(_SKIP_PREFIXES):
            continue
        size = path.stat().st_size
        if total + size > max_bytes:
            continue  # a smaller file further on may still fit
        chosen.append(path)
        total += size
    return chosen


def stdlib(max_bytes: int = STDLIB_BYTES) -> Corpus:
    """Python's standard library source, read from this interpreter (same Python, same text)."""
    files = stdlib_files(max_bytes)
    parts = []
    for path in files:
        parts.append(path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n"))
    text = "".join(parts)
    if len(text) < MIN_CHARS:
        raise ConfigError(t("text.error.stdlib"))
    return Corpus(STDLIB_NAME, text, _sha(text), tuple(p.name for p in files))


def from_text(text: str, name: str = PASTED_NAME) -> Corpus:
    """Validate a pasted or decoded text: not empty, long enough, not too long."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.strip():
        raise ConfigError(t("text.error.empty_text", name=name))
    if len(text.encode("utf-8")) > MAX_UPLOAD_BYTES:
        raise ConfigError(t("text.error.too_large_text", name=name,
                            mb=f"{MAX_UPLOAD_BYTES / 1e6:g}"))
    if len(text) < MIN_CHARS:
        raise ConfigError(t("text.error.too_short", name=name, n=f"{len(text):,}",
                            least=f"{MIN_CHARS:,}"))
    return Corpus(name, text, _sha(text))


def from_bytes(data: bytes, name: str = "the file") -> Corpus:
    """Validate an uploaded file: size first, then UTF-8, then from_text's checks."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ConfigError(t("text.error.too_large_file", name=name, size=f"{len(data) / 1e6:.1f}",
                            mb=f"{MAX_UPLOAD_BYTES / 1e6:g}"))
    if not data:
        raise ConfigError(t("text.error.empty_file", name=name))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(t("text.error.not_utf8", name=name, byte=e.start)) from None
    if "\x00" in text:
        raise ConfigError(t("text.error.binary", name=name))
    return from_text(text, name)


def load(source: str) -> Corpus:
    """'stdlib' or a path to a UTF-8 text file (for the command line)."""
    if source == "stdlib":
        return stdlib()
    path = Path(source)
    if not path.is_file():
        raise ConfigError(t("text.error.no_file", path=source))
    with path.open("rb") as f:
        data = f.read(MAX_UPLOAD_BYTES + 1)  # never read more than the limit needs
    return from_bytes(data, path.name)


@dataclass(frozen=True)
class Vocab:
    """Characters <-> indices; at most MAX_VOCAB, rarer ones mapped to UNKNOWN."""

    chars: tuple[str, ...]

    @classmethod
    def of(cls, text: str, max_size: int = MAX_VOCAB) -> Vocab:
        counts = Counter(text)
        if len(counts) <= max_size:
            return cls(tuple(sorted(counts)))
        kept = sorted(c for c, _ in counts.most_common(max_size - 1))
        return cls(tuple(sorted({*kept, UNKNOWN})))

    @property
    def size(self) -> int:
        return len(self.chars)

    def index(self) -> dict[str, int]:
        return {c: k for k, c in enumerate(self.chars)}

    def encode(self, text: str) -> np.ndarray:
        """Text -> int64 indices (N,); characters outside the vocabulary become UNKNOWN."""
        idx = self.index()
        unk = idx.get(UNKNOWN, -1)
        out = np.fromiter((idx.get(c, unk) for c in text), dtype=np.int64, count=len(text))
        if (out < 0).any():
            bad = sorted({c for c in text if c not in idx})[:5]
            raise ConfigError(t("text.error.unseen", chars=repr("".join(bad))))
        return out

    def decode(self, ids) -> str:
        return "".join(self.chars[int(k)] for k in ids)


@dataclass(frozen=True)
class Split:
    """Training text and held-out text (the end of the corpus), as strings and indices."""

    vocab: Vocab
    train_text: str = field(repr=False)
    held_text: str = field(repr=False)
    train_ids: np.ndarray = field(repr=False)
    held_ids: np.ndarray = field(repr=False)


def split(corpus: Corpus) -> Split:
    """The last 10% (at most HELD_OUT_MAX characters) is held out; the rest trains."""
    text = corpus.text
    n_held = min(int(len(text) * HELD_OUT_FRACTION), HELD_OUT_MAX)
    train_text, held_text = text[:-n_held], text[-n_held:]
    vocab = Vocab.of(train_text)
    known = set(vocab.chars)
    unk = UNKNOWN if UNKNOWN in known else None
    # held-out characters the training text never had: map to UNKNOWN, else to the commonest
    fallback = unk or Counter(train_text).most_common(1)[0][0]
    held_text = "".join(c if c in known else fallback for c in held_text)
    if unk:
        train_text = "".join(c if c in known else unk for c in train_text)
    return Split(vocab, train_text, held_text, vocab.encode(train_text), vocab.encode(held_text))
