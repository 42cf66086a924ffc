"""The run store's folder: one `.npz` per (kind, config), and the lock files of replicas.

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
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import numpy as np

from memviz.codecs import NONFINITE, Codec, codec, config_json, key_hash

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock across replicas (one server still works)
    fcntl = None

log = logging.getLogger(__name__)
STORE_ENV = "MEMVIZ_STORE"
DEFAULT_FOLDER = Path.home() / ".cache" / "memviz" / "runs"
DEFAULT_MAX_BYTES = 512 * 2**20
_META = "__meta__"
TMP_MAX_AGE_S = 600.0  # a temporary file this old was left by a killed writer (writes take ~1 s)
STALE_S = 120.0  # a lock whose holder has not refreshed it for this long is taken over
BEAT_S = 10.0  # how often a holder refreshes the time of the lock files it holds
DEAD_LOCK_KEEP_S = 86_400.0  # an interrupted run's lock file is told for a day, then evicted


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
