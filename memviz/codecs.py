"""What a stored run is keyed by, and how each kind goes to disk and back.

A kind is what made a result: a train function's module and name, the version it declares
(`trains`) and a hash of its source, so a changed training is a new kind and never meets an old
result. A kind opts in to the disk with `register_codec(kind, save, load)`: `save(result)`
returns (meta: JSON-ready dict, arrays: name -> numpy array) and `load(meta, arrays)` rebuilds
the result; a lesson keeps its codecs in its package's `store` module (found by `codec`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import inspect
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class Codec:
    """How one kind of result goes to disk and back (no pickle: JSON meta + numpy arrays)."""

    save: Callable[[Any], tuple[dict, dict[str, np.ndarray]]]
    load: Callable[[dict, dict[str, np.ndarray]], Any]


CODECS: dict[str, Codec] = {}


def trains(version: int) -> Callable[[F], F]:
    """Declare, on a train function, the version of what it makes. Bump it whenever training
    changes what the function returns (in it or in anything it calls): the version is part of
    the kind, so the store never serves a result made by the old training."""
    def mark(fn: F) -> F:
        fn.store_version = version
        return fn
    return mark


def kind_of(fn: Callable) -> str:
    """The store's name for what a train function makes: its module and qualified name, its
    declared version (`trains`) and a hash of its own source, so that an edit to the function
    itself misses old results even if nobody bumped the version."""
    kind = f"{fn.__module__}.{fn.__qualname__}"
    version = getattr(fn, "store_version", None)
    return kind if version is None else f"{kind}@v{version}.{_source_hash(fn)}"


@functools.cache
def _source_hash(fn: Callable) -> str:
    try:
        text = inspect.getsource(fn)
    except (OSError, TypeError):  # no source shipped: the bytecode stands in for it
        text = fn.__code__.co_code.hex()
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def register_codec(kind: str, save: Callable, load: Callable) -> None:
    """Let results of `kind` be kept on disk; kinds without a codec stay in memory only."""
    CODECS[kind] = Codec(save, load)


def codec(kind: str) -> Codec | None:
    """The codec of `kind`, or None. A lesson keeps its codecs in its package's `store` module,
    imported here on first need rather than by the train module (which it imports: a cycle)."""
    found = CODECS.get(kind)
    if found is None and kind.startswith("memviz."):
        package = kind.split("@")[0].rsplit(".", 2)[0]  # memviz.series.model.train: memviz.series
        try:
            importlib.import_module(f"{package}.store")
        except ModuleNotFoundError:  # a package without one (its codec, if any, is registered
            return None              # by the train module itself)
        found = CODECS.get(kind)
    return found


NONFINITE: dict[str, tuple[str, ...]] = {}  # kind -> prefixes of arrays that may hold NaN/inf


def allow_nonfinite(kind: str, *prefixes: str) -> None:
    """Let the arrays of `kind` named with these prefixes hold NaN or infinity on disk (e.g. a
    score not measured); every other floating array read back must be finite, or the entry is
    damaged and dropped."""
    NONFINITE[kind] = NONFINITE.get(kind, ()) + prefixes


def config_json(cfg: Hashable) -> str:
    """A canonical text for a config: JSON of a dataclass (or tuple of them), else its repr."""
    def plain(c: Any) -> Any:
        if dataclasses.is_dataclass(c):
            return dataclasses.asdict(c)
        if isinstance(c, tuple):
            return [plain(x) for x in c]
        return c if isinstance(c, int | float | str | bool | None) else repr(c)

    return json.dumps(plain(cfg), sort_keys=True)


def key_hash(kind: str, cfg: Hashable) -> str:
    """The file name of (kind, config): sha256 of both, as hex."""
    return hashlib.sha256(f"{kind}\n{config_json(cfg)}".encode()).hexdigest()[:40]
