"""Finished runs, kept by (what trained them, config): in memory, and on disk for kinds that opt in.

Streamlit's own caches replay the elements a cached function draws, and refuse functions that
draw into containers made outside them, which live progress must do. So the app keeps trained
runs here instead: one RunStore shared by every session, keyed by (kind, config). Two callers
asking for the same key at once compute it once. Stored results are shared; callers must not
mutate them (recorded traces are read-only arrays).

A kind opts in to the disk with `register_codec(kind, save, load)`: `save(result)` returns
(meta: JSON-ready dict, arrays: name -> numpy array) and `load(meta, arrays)` rebuilds the result.
Each entry is ONE `.npz` file (arrays plus the meta as JSON bytes; read with allow_pickle=False,
so nothing on disk can run code), written to a temporary name and moved into place with
os.replace, so sessions, restarts and replicas on shared storage only ever see whole files.
The folder is bounded: the least recently used entries go first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

R = TypeVar("R")
log = logging.getLogger(__name__)
STORE_ENV = "MEMVIZ_STORE"
DEFAULT_FOLDER = Path.home() / ".cache" / "memviz" / "runs"
DEFAULT_MAX_BYTES = 512 * 2**20
# The in-memory store is bounded by an estimate of bytes as well as by entries: results differ
# by 100x (a Text run held ~13 MB), and 64 big ones kept a server at 1.6 GB (issue 31 §2).
DEFAULT_MEMORY_BYTES = 256 * 2**20
_META = "__meta__"


@dataclass(frozen=True)
class Codec:
    """How one kind of result goes to disk and back (no pickle: JSON meta + numpy arrays)."""

    save: Callable[[Any], tuple[dict, dict[str, np.ndarray]]]
    load: Callable[[dict, dict[str, np.ndarray]], Any]


CODECS: dict[str, Codec] = {}


def kind_of(fn: Callable) -> str:
    """The store's name for what a train function makes: its module and qualified name."""
    return f"{fn.__module__}.{fn.__qualname__}"


def register_codec(kind: str, save: Callable, load: Callable) -> None:
    """Let results of `kind` be kept on disk; kinds without a codec stay in memory only."""
    CODECS[kind] = Codec(save, load)


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


class DiskStore:
    """A folder of `<hash>.npz` entries, bounded by total size, least recently used evicted."""

    def __init__(self, folder: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder, self.max_bytes = Path(folder), max_bytes
        self.folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_env(cls) -> DiskStore | None:
        """The folder named by $MEMVIZ_STORE (default ~/.cache/memviz/runs); '' or 'off' = none."""
        where = os.environ.get(STORE_ENV, str(DEFAULT_FOLDER))
        if where.strip().lower() in ("", "off", "none"):
            return None
        try:
            return cls(Path(where).expanduser())
        except OSError as e:  # an unwritable folder: keep runs in memory, say why in the log
            log.warning("run store folder %s unusable (%s); runs stay in memory", where, e)
            return None

    def path(self, kind: str, cfg: Hashable) -> Path:
        return self.folder / f"{key_hash(kind, cfg)}.npz"

    def load(self, kind: str, cfg: Hashable) -> Any | None:
        """The stored result of (kind, cfg), or None (missing, unreadable or another config)."""
        codec, path = CODECS.get(kind), self.path(kind, cfg)
        if codec is None or not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            meta = json.loads(arrays.pop(_META).tobytes().decode())
            if meta.get("kind") != kind or meta.get("config") != config_json(cfg):
                return None  # a hash collision or a hand-placed file: not ours
            result = codec.load(meta["data"], arrays)
        except Exception as e:  # noqa: BLE001 - a damaged entry is a miss, never a crash
            log.warning("ignoring unreadable run file %s: %s", path, e)
            return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        return result

    def save(self, kind: str, cfg: Hashable, result: Any) -> Path | None:
        """Write (kind, cfg) -> result atomically if the kind has a codec; then evict."""
        codec = CODECS.get(kind)
        if codec is None:
            return None
        data, arrays = codec.save(result)
        meta = {"kind": kind, "config": config_json(cfg), "data": data}
        blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        path = self.path(kind, cfg)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **{_META: blob}, **arrays)
            os.replace(tmp, path)  # atomic: readers see the old file, no file, or the whole file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.evict()
        return path

    def entries(self) -> list[Path]:
        return [p for p in self.folder.glob("*.npz") if not p.name.startswith(".")]

    def evict(self) -> list[Path]:
        """Remove least recently used entries until the folder fits in max_bytes."""
        stats = []
        for p in self.entries():
            try:
                st = p.stat()
            except FileNotFoundError:  # another replica evicted it meanwhile
                continue
            stats.append((st.st_mtime, st.st_size, p))
        stats.sort()
        total, gone = sum(s for _, s, _ in stats), []
        for _, size, p in stats:
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size
            gone.append(p)
        return gone

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.entries())


def approx_bytes(obj: Any, _seen: set[int] | None = None, _depth: int = 0) -> int:
    """An estimate of the memory a result holds: its arrays and tensors (by their buffers,
    each counted once) plus a little per Python object, through dataclasses, attributes and
    containers. Cheap (no copies); used to bound the in-memory store."""
    seen = set() if _seen is None else _seen
    if id(obj) in seen or _depth > 12:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes if obj.base is None or id(obj.base) not in seen else 0
    if type(obj).__module__.startswith("torch") and hasattr(obj, "untyped_storage"):
        try:
            storage = obj.untyped_storage()
            key = storage.data_ptr()
        except Exception:  # noqa: BLE001 - a tensor kind without storage: count its elements
            return int(obj.numel() * obj.element_size())
        if key in seen:
            return 0
        seen.add(key)
        return int(storage.nbytes())
    if isinstance(obj, str | bytes | bytearray):
        return len(obj) + 49
    if isinstance(obj, int | float | bool | complex) or obj is None:
        return 28
    size, nxt = 64, _depth + 1
    if isinstance(obj, dict):
        return size + sum(approx_bytes(k, seen, nxt) + approx_bytes(v, seen, nxt)
                          for k, v in obj.items())
    if isinstance(obj, list | tuple | set | frozenset):
        return size + 8 * len(obj) + sum(approx_bytes(x, seen, nxt) for x in obj)
    fields = getattr(obj, "__dict__", None)
    if fields is None and hasattr(type(obj), "__slots__"):
        fields = {k: getattr(obj, k) for k in type(obj).__slots__ if hasattr(obj, k)}
    return size + (approx_bytes(fields, seen, nxt) if fields else 0)


class RunStore:
    """LRU map (kind, config) -> result in memory, backed by a DiskStore for kinds with codecs;
    computes each missing entry once. Memory holds at most max_entries results and about
    max_bytes (approx_bytes) of them; the newest is always kept."""

    def __init__(self, max_entries: int = 64, disk: DiskStore | None = None,
                 max_bytes: int = DEFAULT_MEMORY_BYTES) -> None:
        self.max_entries, self.disk, self.max_bytes = max_entries, disk, max_bytes
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}  # approx_bytes of each item, and their sum:
        self.bytes = 0
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, list] = {}  # key -> [lock, callers using it]

    def get(self, kind: str, cfg: Hashable) -> Any | None:
        """The stored result (memory, then disk), or None."""
        key = (kind, cfg)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        if self.disk is None or kind not in CODECS:
            return None
        found = self.disk.load(kind, cfg)
        if found is not None:
            self._remember(key, found)
        return found

    def put(self, kind: str, cfg: Hashable, result: Any) -> None:
        """Keep a result in memory and, if its kind has a codec, on disk."""
        self._remember((kind, cfg), result)
        if self.disk is not None:
            try:
                self.disk.save(kind, cfg, result)
            except OSError as e:  # a full disk loses the copy on disk, not the run
                log.warning("could not write run to %s: %s", self.disk.folder, e)

    def _remember(self, key: Hashable, result: Any) -> None:
        size = approx_bytes(result)  # outside the lock: it walks the result
        with self._lock:
            self.bytes += size - self._sizes.get(key, 0)
            self._items[key], self._sizes[key] = result, size
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries or (
                    self.bytes > self.max_bytes and len(self._items) > 1):
                old, _ = self._items.popitem(last=False)
                self.bytes -= self._sizes.pop(old)

    def get_or_compute(self, kind: str, cfg: Hashable, compute: Callable[[], R]) -> R:
        """The stored result, or compute() once (other callers for the same key wait)."""
        key = (kind, cfg)
        with self._lock:
            entry = self._key_locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                found = self.get(kind, cfg)
                if found is not None:
                    return found
                result = compute()  # an exception leaves nothing stored
                self.put(kind, cfg, result)
                return result
        finally:
            with self._lock:  # the last caller for a key drops its lock, failed or not
                entry[1] -= 1
                if entry[1] == 0:
                    self._key_locks.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)
