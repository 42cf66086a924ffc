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
What is read back is checked (the arrays' shapes and dtypes as written, finite floats, the
codec's own rebuild) and a damaged entry is deleted with a note in the log: a miss, retrained.
The folder is bounded: the least recently used entries go first, and temporary files left by
a killed writer are removed once old.

Replicas (several servers over one folder) train a key once: the one that trains it holds a
lock file `<hash>.lock` (fcntl.flock: the kernel releases it when its holder dies, even by
SIGKILL) and refreshes its time while alive; the others poll the folder until the entry
appears, or the lock is free again (the holder stopped, failed or died: one of them trains it)
or stale (a holder that stopped beating is taken over). A lock file nobody holds, with no entry
beside it, is a run interrupted by its server's death: the page says so.
A kind made with kind_of carries the version its train function declares (`trains`) and a hash
of that function's source: a changed training is a new kind, so it never meets an old result.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import inspect
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock across replicas (one server still works)
    fcntl = None

R = TypeVar("R")
F = TypeVar("F", bound=Callable)
log = logging.getLogger(__name__)
STORE_ENV = "MEMVIZ_STORE"
DEFAULT_FOLDER = Path.home() / ".cache" / "memviz" / "runs"
DEFAULT_MAX_BYTES = 512 * 2**20
# The in-memory store is bounded by an estimate of bytes as well as by entries: results differ
# by 100x (a Text run held ~13 MB), and 64 big ones kept a server at 1.6 GB (issue 31 §2).
DEFAULT_MEMORY_BYTES = 256 * 2**20
_META = "__meta__"
TMP_MAX_AGE_S = 600.0  # a temporary file this old was left by a killed writer (writes take ~1 s)
STALE_S = 120.0  # a lock whose holder has not refreshed it for this long is taken over
BEAT_S = 10.0  # how often a holder refreshes the time of the lock files it holds
POLL_S = 0.5  # how often a replica waiting for another's run looks for its entry
DEAD_LOCK_KEEP_S = 86_400.0  # an interrupted run's lock file is told for a day, then evicted


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


class DamagedEntry(ValueError):
    """A store entry that cannot be what its key says: unreadable, for another key, or failing
    the checks on what was loaded."""


class Claim:
    """This process holds the lock file of one key: it trains that key for every replica.

    `fd` is None where no lock could be taken (no fcntl, or an unwritable folder): the run
    goes on here, only unguarded against a replica training it at the same time."""

    def __init__(self, path: Path | None, fd: int | None) -> None:
        self.path, self.fd = path, fd

    def beat(self) -> None:
        """Refresh the lock file's time: its holder is alive (others take over stale locks)."""
        if self.fd is not None:
            try:
                os.utime(self.fd)
            except OSError:
                pass

    def release(self) -> None:
        """Delete the lock file (if it is still ours), then unlock: a clean end leaves no file,
        and the path never shows an unheld lock that was not a dead holder's."""
        if self.fd is None:
            return
        try:
            if _same_file(self.path, self.fd):
                self.path.unlink()
        except OSError:  # the folder was removed meanwhile: nothing to delete
            pass
        finally:
            os.close(self.fd)
            self.fd = None


def _same_file(path: Path, fd: int) -> bool:
    """Whether `path` still names the file open as `fd` (not deleted or replaced since)."""
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


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
            disk = cls(Path(where).expanduser())
            disk.evict()  # a server starting: what a killed writer left goes now, not at a save
            return disk
        except OSError as e:  # an unwritable folder: keep runs in memory, say why in the log
            log.warning("run store folder %s unusable (%s); runs stay in memory", where, e)
            return None

    def path(self, kind: str, cfg: Hashable) -> Path:
        return self.folder / f"{key_hash(kind, cfg)}.npz"

    def lock_path(self, kind: str, cfg: Hashable) -> Path:
        return self.folder / f"{key_hash(kind, cfg)}.lock"

    def load(self, kind: str, cfg: Hashable) -> Any | None:
        """The stored result of (kind, cfg), or None: missing, or damaged (then deleted, with a
        note in the log, so the run is trained again)."""
        cod, path = codec(kind), self.path(kind, cfg)
        if cod is None:
            return None
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed below; its inode guards the delete
        except FileNotFoundError:
            return None
        except OSError as e:  # a folder or an unreadable file where an entry should be
            self._drop(path, None, e)
            return None
        with f:
            inode = os.fstat(f.fileno()).st_ino
            try:
                result = self._read(kind, cfg, cod, f)
            except Exception as e:  # noqa: BLE001 - a damaged entry is a miss, never a crash
                self._drop(path, inode, e)
                return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        return result

    def _read(self, kind: str, cfg: Hashable, codec: Codec, f: Any) -> Any:
        """Read and check one entry; DamagedEntry (or the reader's own error) if it is not
        whole, not this key's, or not what was written."""
        with np.load(f, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        if _META not in arrays:
            raise DamagedEntry("no metadata")
        meta = json.loads(arrays.pop(_META).tobytes().decode())
        if not isinstance(meta, dict) or meta.get("kind") != kind \
                or meta.get("config") != config_json(cfg):
            raise DamagedEntry("written for another kind or config")
        _check_arrays(kind, meta.get("arrays"), arrays)
        return codec.load(meta["data"], arrays)

    def _drop(self, path: Path, inode: int | None, why: Exception) -> None:
        """Delete a damaged entry (unless a replica replaced it meanwhile) and say so."""
        log.warning("dropped damaged run file %s (%s: %s); it will be trained again",
                    path, type(why).__name__, why)
        try:
            st = os.stat(path)
            if inode is None and path.is_dir():
                shutil.rmtree(path)
            elif inode is None or st.st_ino == inode:
                path.unlink()
        except OSError:
            pass

    def save(self, kind: str, cfg: Hashable, result: Any) -> Path | None:
        """Write (kind, cfg) -> result atomically if the kind has a codec; then evict. A result
        whose arrays the load would refuse (NaN weights) is not written."""
        cod = codec(kind)
        if cod is None:
            return None
        data, arrays = cod.save(result)
        arrays = {k: np.asarray(v) for k, v in arrays.items()}
        try:
            _check_arrays(kind, None, arrays)
        except DamagedEntry as e:
            log.warning("not keeping %s on disk: %s", kind, e)
            return None
        meta = {"kind": kind, "config": config_json(cfg), "data": data,
                "arrays": {k: [a.dtype.str, list(a.shape)] for k, a in arrays.items()}}
        blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        path = self.path(kind, cfg)
        self.folder.mkdir(parents=True, exist_ok=True)  # removed while the server ran: again
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

    def claim(self, kind: str, cfg: Hashable) -> Claim | None:
        """Lock (kind, cfg) for this process to train, or None while a live replica holds it.
        A lock nobody holds (its holder died) or one not refreshed for STALE_S is taken over."""
        if fcntl is None:
            return Claim(None, None)
        path = self.lock_path(kind, cfg)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for _ in range(8):  # each retry follows another process's release or takeover
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    stale = time.time() - os.fstat(fd).st_mtime > STALE_S
                    if stale and _same_file(path, fd):
                        log.warning("taking over %s: its holder stopped refreshing it", path)
                        path.unlink(missing_ok=True)
                    os.close(fd)
                    if stale:
                        continue
                    return None
                if not _same_file(path, fd):  # released (deleted) between our open and lock
                    os.close(fd)
                    continue
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                         "since": time.time()}).encode())
                return Claim(path, fd)
        except OSError as e:  # a read-only or vanished folder: train here, unguarded
            log.warning("no lock for %s (%s); training without one", path, e)
            return Claim(None, None)
        return None  # raced the whole time: the caller waits and asks again

    def holder(self, kind: str, cfg: Hashable) -> str | None:
        """Who holds (kind, cfg)'s lock file: 'alive' (training now, here or on a replica),
        'dead' (its holder died: the run was interrupted), or None (no lock file)."""
        return _holder(self.lock_path(kind, cfg))

    def entries(self) -> list[Path]:
        return [p for p in self.folder.glob("*.npz") if not p.name.startswith(".")]

    def evict(self) -> list[Path]:
        """Remove least recently used entries until the folder fits in max_bytes; temporary
        files a killed writer left (older than TMP_MAX_AGE_S) go first, younger ones count."""
        now, stats, gone, total = time.time(), [], [], 0
        for p in [*self.entries(), *self.folder.glob(".tmp-*")]:
            try:
                st = p.stat()
            except FileNotFoundError:  # another replica evicted it meanwhile
                continue
            if p.name.startswith(".tmp-"):
                if now - st.st_mtime > TMP_MAX_AGE_S:
                    p.unlink(missing_ok=True)
                    gone.append(p)
                else:
                    total += st.st_size  # being written now: counts, never removed
                continue
            stats.append((st.st_mtime, st.st_size, p))
        for p in self.folder.glob("*.lock"):  # an interrupted run is told for a day
            try:
                if now - p.stat().st_mtime > DEAD_LOCK_KEEP_S and _holder(p) == "dead":
                    p.unlink()
            except OSError:
                pass
        stats.sort()
        total += sum(s for _, s, _ in stats)
        for _, size, p in stats:
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size
            gone.append(p)
        return gone

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.entries())


def _holder(path: Path) -> str | None:
    """'alive', 'dead' or None for a lock file (see DiskStore.holder)."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return "alive"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return "dead" if _same_file(path, fd) else None
    finally:
        os.close(fd)


def _check_arrays(kind: str, written: Any, arrays: dict[str, np.ndarray]) -> None:
    """DamagedEntry unless the arrays are the ones written (names, dtypes, shapes, when the
    entry lists them) and every floating one is finite (bar the kind's allowed prefixes)."""
    if written is not None:
        if not isinstance(written, dict) or set(written) != set(arrays):
            raise DamagedEntry("its arrays are not the ones written")
        for k, a in arrays.items():
            if [a.dtype.str, list(a.shape)] != written[k]:
                raise DamagedEntry(f"array {k} is {a.dtype.str} {list(a.shape)}, written as "
                                   f"{written[k]}")
    allowed = NONFINITE.get(kind, ())
    for k, a in arrays.items():
        if a.dtype.kind in "fc" and not k.startswith(allowed) and not np.isfinite(a).all():
            raise DamagedEntry(f"array {k} holds NaN or infinity")


def _succeeded(f: Future) -> bool:
    """Whether a training future ended with a result (('ok', result))."""
    if f.cancelled() or f.exception() is not None:
        return False
    out = f.result()
    return isinstance(out, tuple) and len(out) == 2 and out[0] == "ok"


def _copy(inner: Future, outer: Future) -> None:
    """Finish `outer` as `inner` finished."""
    if inner.cancelled():
        outer.set_exception(CancelledError())
    elif inner.exception() is not None:
        outer.set_exception(inner.exception())
    else:
        outer.set_result(inner.result())


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
    computes each missing entry once (once across replicas sharing the disk folder, too).
    Memory holds at most max_entries results and about max_bytes (approx_bytes) of them; the
    newest is always kept."""

    def __init__(self, max_entries: int = 64, disk: DiskStore | None = None,
                 max_bytes: int = DEFAULT_MEMORY_BYTES) -> None:
        self.max_entries, self.disk, self.max_bytes = max_entries, disk, max_bytes
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}  # approx_bytes of each item, and their sum:
        self.bytes = 0
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, list] = {}  # key -> [lock, callers using it]
        self._claims: dict[Hashable, Claim] = {}  # keys this process trains for every replica
        self._waiting: set[Hashable] = set()  # keys a replica trains while this one waits
        self._read_back: dict[Hashable, Any] = {}  # results a waiter read: put() keeps them
        self._beating = False  # a thread refreshes the claims' lock files while any are held

    def get(self, kind: str, cfg: Hashable) -> Any | None:
        """The stored result (memory, then disk), or None."""
        key = (kind, cfg)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        if self.disk is None or codec(kind) is None:
            return None
        found = self.disk.load(kind, cfg)
        if found is not None:
            self._remember(key, found)
        return found

    def put(self, kind: str, cfg: Hashable, result: Any) -> None:
        """Keep a result in memory and, if its kind has a codec, on disk (then let others
        waiting for it on other replicas read it)."""
        key = (kind, cfg)
        self._remember(key, result)
        with self._lock:
            read_back = self._read_back.pop(key, None) is result
        try:
            if self.disk is not None and not read_back:
                self.disk.save(kind, cfg, result)
        except OSError as e:  # a full disk loses the copy on disk, not the run
            log.warning("could not write run to %s: %s", self.disk.folder, e)
        except Exception:  # noqa: BLE001 - a codec's bug loses the copy on disk, not the run
            log.exception("could not encode %s for the disk; kept in memory only", kind)
        finally:
            self._let_go(key)

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
        """The stored result, or compute() once (other callers for the same key wait, here
        and on replicas sharing the folder)."""
        key = (kind, cfg)
        with self._lock:
            entry = self._key_locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                found = self.get(kind, cfg)
                if found is not None:
                    return found
                if self.disk is not None and codec(kind) is not None:
                    found, claim = self._wait(kind, cfg, lambda: False)
                    if found is not None:
                        self._remember(key, found)
                        return found
                    self._hold(key, claim)
                try:
                    result = compute()  # an exception leaves nothing stored
                except BaseException:
                    self._let_go(key)
                    raise
                self.put(kind, cfg, result)
                return result
        finally:
            with self._lock:  # the last caller for a key drops its lock, failed or not
                entry[1] -= 1
                if entry[1] == 0:
                    self._key_locks.pop(key, None)

    # ---- once across replicas --------------------------------------------------------------
    def once(self, kind: str, cfg: Hashable, start: Callable[[], Future]) -> Future:
        """start() (a training future of ('ok', result) or (status, why)) unless a replica on
        the same folder is training (kind, cfg) now: then a future that waits off this thread
        for that replica's entry (('ok', result)), or, if it ends without one, start()s here."""
        if self.disk is None or codec(kind) is None:
            return start()
        found, claim = self._try(kind, cfg)
        if found is not None or claim is not None:
            return self._run(kind, cfg, found, claim, start)
        outer: Future = Future()
        threading.Thread(target=self._wait_then_run, args=(kind, cfg, start, outer),
                         daemon=True, name="memviz-elsewhere").start()
        return outer

    def training_elsewhere(self, kind: str, cfg: Hashable) -> bool:
        """Whether this store is waiting for a replica to finish (kind, cfg)."""
        with self._lock:
            return (kind, cfg) in self._waiting

    def interrupted(self, kind: str, cfg: Hashable) -> bool:
        """Whether a run of (kind, cfg) was interrupted by its server's death (its lock file
        is left, held by nobody, and no entry was written)."""
        return (self.disk is not None and codec(kind) is not None
                and self.disk.holder(kind, cfg) == "dead"
                and not self.disk.path(kind, cfg).exists())

    def _try(self, kind: str, cfg: Hashable) -> tuple[Any | None, Claim | None]:
        """(the entry, None) when it is on disk, (None, a claim) when it is ours to make, or
        (None, None) while a replica makes it."""
        claim = self.disk.claim(kind, cfg)
        found = self.disk.load(kind, cfg)  # after the claim: one written just before counts
        if found is not None and claim is not None:
            claim.release()
            claim = None
        return found, claim

    def _wait(self, kind: str, cfg: Hashable, cancelled: Callable[[], bool]
              ) -> tuple[Any | None, Claim | None]:
        """_try until it is not a replica's to make (or cancelled: (None, None))."""
        key, waiting = (kind, cfg), False
        try:
            while not cancelled():
                found, claim = self._try(kind, cfg)
                if found is not None or claim is not None:
                    return found, claim
                if not waiting:
                    log.info("%s %s is being trained by another server; waiting for it",
                             kind, key_hash(kind, cfg))
                    with self._lock:
                        self._waiting.add(key)
                    waiting = True
                time.sleep(POLL_S)
            return None, None
        finally:
            if waiting:
                with self._lock:
                    self._waiting.discard(key)

    def _wait_then_run(self, kind: str, cfg: Hashable, start: Callable[[], Future],
                       outer: Future) -> None:
        """The waiting thread of once(): until the replica's entry appears or its lock is
        free; Stop (outer cancelled) ends the wait."""
        try:
            found, claim = self._wait(kind, cfg, outer.cancelled)
            if found is None and claim is None:
                return  # stopped while waiting
            if not outer.set_running_or_notify_cancel():
                if claim is not None:
                    claim.release()
                return
            self._run(kind, cfg, found, claim, start).add_done_callback(
                lambda inner: _copy(inner, outer))
        except BaseException as e:  # noqa: BLE001 - reported through the future, one line
            if not outer.done():
                outer.set_exception(e)

    def _run(self, kind: str, cfg: Hashable, found: Any | None, claim: Claim | None,
             start: Callable[[], Future]) -> Future:
        """A future of the entry read back, or start() under the claim (released by put(), or
        here when the run ends without a result)."""
        key = (kind, cfg)
        if found is not None:
            with self._lock:
                self._read_back[key] = found  # read from the disk: put() does not rewrite it
            done: Future = Future()
            done.set_result(("ok", found))
            return done
        self._hold(key, claim)
        log.info("training %s %s on this server", kind, key_hash(kind, cfg))
        try:
            fut = start()
        except BaseException:
            self._let_go(key)
            raise
        fut.add_done_callback(lambda f: None if _succeeded(f) else self._let_go(key))
        return fut

    def _hold(self, key: Hashable, claim: Claim) -> None:
        with self._lock:
            old = self._claims.pop(key, None)
            self._claims[key] = claim
            beat, self._beating = not self._beating, True
        if old is not None:
            old.release()
        if beat:
            threading.Thread(target=self._beat, daemon=True, name="memviz-lock-beat").start()

    def _let_go(self, key: Hashable) -> None:
        with self._lock:
            claim = self._claims.pop(key, None)
        if claim is not None:
            claim.release()

    def _beat(self) -> None:
        """Refresh the held lock files every BEAT_S while any are held (this server lives)."""
        while True:
            time.sleep(BEAT_S)
            with self._lock:
                claims = list(self._claims.values())
                if not claims:
                    self._beating = False
                    return
            for c in claims:
                c.beat()

    def __len__(self) -> int:
        return len(self._items)
