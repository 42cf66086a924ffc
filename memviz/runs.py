"""Finished runs, kept by (what trained them, config): in memory, and on disk for kinds that opt in.

Streamlit's own caches replay the elements a cached function draws, and refuse functions that
draw into containers made outside them, which live progress must do. So the app keeps trained
runs here instead: one RunStore shared by every session, keyed by (kind, config). Two callers
asking for the same key at once compute it once, here and on replicas sharing the folder.
Stored results are shared; callers must not mutate them (recorded traces are read-only arrays).
Kinds and codecs: memviz.codecs. The folder, its entries and lock files: memviz.diskstore.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import CancelledError, Future
from typing import Any, TypeVar

from memviz.codecs import (  # noqa: F401 - the run store's one import for lessons and pages
    CODECS,
    NONFINITE,
    Codec,
    allow_nonfinite,
    codec,
    config_json,
    key_hash,
    kind_of,
    register_codec,
    trains,
)
from memviz.diskstore import (  # noqa: F401
    BEAT_S,
    DEFAULT_FOLDER,
    DEFAULT_MAX_BYTES,
    STALE_S,
    STORE_ENV,
    TMP_MAX_AGE_S,
    Claim,
    DamagedEntry,
    DiskStore,
)
from memviz.estimate import approx_bytes  # noqa: F401 - bounds the memory kept

R = TypeVar("R")
log = logging.getLogger(__name__)
# The in-memory store is bounded by an estimate of bytes as well as by entries: results differ
# by 100x (a Text run held ~13 MB), and 64 big ones kept a server at 1.6 GB (issue 31 §2).
DEFAULT_MEMORY_BYTES = 256 * 2**20
POLL_S = 0.5  # how often a replica waiting for another's run looks for its entry


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
