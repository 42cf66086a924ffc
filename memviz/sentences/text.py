"""Words to numbers: tokenising, a vocabulary with <pad> and <unk>, and (text, label) CSVs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from memviz import i18n
from memviz.config import ConfigError
from memviz.series.data import read_csv
from memviz.uploads import Upload, carried

PAD, UNK = "<pad>", "<unk>"
MAX_WORDS = 60  # longest sentence read; longer ones are refused, not cut silently
MIN_ROWS = 20
LABELS = {"1": 1, "0": 0, "positive": 1, "negative": 0, "pos": 1, "neg": 0}


def tokenize(text: str) -> list[str]:
    """Lower-case words (apostrophes kept) and commas, in order."""
    return re.findall(r"[a-z0-9']+|,", text.lower())


@dataclass(frozen=True)
class Vocab:
    """Token list; index 0 is <pad>, 1 is <unk>."""

    words: tuple[str, ...]

    @classmethod
    def of(cls, words) -> Vocab:
        return cls((PAD, UNK, *sorted(set(words) - {PAD, UNK})))

    @property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def encode(self, tokens) -> tuple[list[int], list[str]]:
        """Token ids, and the words not in the vocabulary (read as <unk>)."""
        index = self.index
        ids = [index.get(t, 1) for t in tokens]
        return ids, sorted({t for t in tokens if t not in index})


def read_sentence(text: str, vocab: Vocab) -> tuple[list[str], list[int], str | None]:
    """A student's sentence: tokens, ids, and a message about unknown words (or None)."""
    tokens = tokenize(text)
    if not tokens:
        raise ConfigError(i18n.t("sentences.err.no_words"))
    if len(tokens) > MAX_WORDS:
        raise ConfigError(i18n.t("sentences.err.too_long", words=len(tokens), most=MAX_WORDS))
    ids, unknown = vocab.encode(tokens)
    note = None
    if unknown:
        key = "sentences.unknown_one" if len(unknown) == 1 else "sentences.unknown_many"
        note = i18n.t(key, words=", ".join(repr(w) for w in unknown), unk=UNK)
    return tokens, ids, note


@dataclass(frozen=True)
class Labelled:
    """Uploaded sentences: tokens and 0/1 labels."""

    name: str
    tokens: tuple[tuple[str, ...], ...]
    labels: tuple[int, ...]


def load_csv(raw: bytes) -> Labelled:
    """A (text, label) CSV: size- and type-checked, labels 0/1 or positive/negative."""
    df = read_csv(raw)
    cols = {str(c).strip().lower(): c for c in df.columns}
    if "text" not in cols or "label" not in cols:
        raise ConfigError(i18n.t("sentences.err.columns", columns=", ".join(map(str, df.columns))))
    texts, labels = df[cols["text"]], df[cols["label"]].astype(str).str.strip().str.lower()
    labels = labels.str.replace(r"\.0$", "", regex=True)
    bad = sorted(set(labels) - set(LABELS))
    if bad:
        raise ConfigError(i18n.t("sentences.err.labels", found=", ".join(bad[:5])))
    tokens = [tuple(tokenize(str(t))) if isinstance(t, str) else () for t in texts]
    empty = sum(1 for t in tokens if not t)
    if empty:
        raise ConfigError(i18n.t("sentences.err.empty_rows", rows=empty))
    longest = max(len(t) for t in tokens)
    if longest > MAX_WORDS:
        raise ConfigError(i18n.t("sentences.err.text_too_long", words=longest, most=MAX_WORDS))
    y = [LABELS[v] for v in labels]
    if len(y) < MIN_ROWS:
        raise ConfigError(i18n.t("sentences.err.too_few_rows", rows=len(y), least=MIN_ROWS))
    if len(set(y)) < 2:
        raise ConfigError(i18n.t("sentences.err.one_label"))
    # named by an Upload: the config carries the file to the worker that trains it
    return Labelled(Upload(raw), tuple(tokens), tuple(y))


def uploaded(name: str) -> Labelled:
    """The labelled sentences an upload's name carries, read again from its bytes."""
    return load_csv(carried(name, "sentences.err.upload_gone").raw)
