"""The workers that train runs off the page, and the channel their progress comes back on.

Worker processes by default (each with one torch thread; training then never competes with the
server's own Python for the GIL), or threads (MEMVIZ_POOL=thread; unit tests use them). A worker
reports progress in batches at most ~10 times a second to the board of memviz.jobs.

The process pool is a small one of our own, not concurrent.futures.ProcessPoolExecutor: that
executor marks itself broken when any one worker dies and fails every future with it (a `kill -9`
of one busy worker failed every student's run), and it cannot kill one worker that hangs. Here
each worker is a plain `python -c` child with a socket to one dispatcher thread of the server
(a "slot"), which hands it one job at a time from a shared queue and watches it:

- the worker dies (killed, out of memory): only the job it was running fails, with a line that
  says so; the slot starts a fresh worker and takes the next job;
- the worker reports no progress for a bounded time (stopped with SIGSTOP, hung): the job is
  abandoned with a line that says so, the worker killed and replaced;
- Stop is sent to the worker, and a worker that has not honoured it within STOP_GRACE_S is killed.

Workers die with their server: each sets PR_SET_PDEATHSIG (Linux), and each has a thread that
exits the process when the socket to the server reaches end of file (any system). No forkserver
and no resource tracker are started, so nothing else can be left behind; and a worker never
runs the server's __main__ (it is started with `-c`, importing only this module and torch).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from memviz.i18n import Message
from memviz.worker import Process, recv, work

log = logging.getLogger(__name__)
POOL_ENV, WORKERS_ENV, STALL_ENV = "MEMVIZ_POOL", "MEMVIZ_WORKERS", "MEMVIZ_STALL_S"
SLOTS = 4096  # stop flags of the thread pool, indexed by job id modulo SLOTS
# A run with no progress report for max(STALL_FLOOR_S, STALL_FACTOR x its estimate) is abandoned
# ($MEMVIZ_STALL_S, or Pool(stall_s=...), sets a fixed bound instead: tests, fault scripts).
# Reports come every 0.1 s while steps run, so the gaps that matter are before the first step
# (data, model) and after the last (evaluation, the recorded trace): both are parts of the
# estimate. The floor is far above any such gap seen on a busy 2-core machine (training there
# ran up to 40x slower than idle, issue 16, and a default run's estimate is a few seconds).
STALL_FLOOR_S, STALL_FACTOR = 180.0, 4.0
STOP_GRACE_S = 3.0  # a worker that has not honoured Stop this long after it is killed
START_S = 120.0  # a fresh worker that is not ready (torch imported) by then is killed, retried
POLL_S = 0.25  # how often a slot looks at its clock while its worker is silent


def default_workers() -> int:
    """$MEMVIZ_WORKERS, else one worker per core (at most 4: a class shares one machine)."""
    try:
        return max(1, int(os.environ.get(WORKERS_ENV, "")))
    except ValueError:
        return max(1, min(4, os.cpu_count() or 1))


def fixed_stall_s() -> float | None:
    """$MEMVIZ_STALL_S: a fixed no-progress bound in seconds, or None (the default rule)."""
    try:
        return max(0.1, float(os.environ.get(STALL_ENV, "")))
    except ValueError:
        return None


class ResultCannotTravel(Exception):
    """A worker process trained the run but its result cannot be pickled back (the board then
    runs that kind on an in-process thread)."""


class Job(Protocol):  # what the pool reads of a memviz.jobs.Job (jobs imports this module)
    id: int
    kind: str
    cfg: Any
    estimate_s: float


class Board(Protocol):  # where the pool reports a job's progress: a memviz.jobs.Board
    def progress(self, job: Any, step: int, total: int, losses: tuple[float, ...]) -> None: ...


# ---- the server side ---------------------------------------------------------------------

class _Slot:
    """A dispatcher thread that owns one worker process: takes a job from the pool's queue, sends
    it, relays its progress, and ends it (result, death, no progress, Stop not honoured)."""

    def __init__(self, pool: Pool, index: int) -> None:
        self.pool, self.index = pool, index
        self.worker: Process | None = None
        self.job_id: int | None = None  # the job its worker is running
        self.stop_at: float | None = None  # when Stop was asked for that job
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name=f"memviz-slot-{index}")
        self.thread.start()

    def _start_worker(self) -> Process | None:
        try:
            w = Process()
        except OSError as e:
            log.error("could not start a training worker: %s", e)
            return None
        if w.conn.poll(START_S):
            try:
                if recv(w.conn)[0] == "ready":
                    return w
            except (EOFError, OSError):
                pass
        log.error("training worker %s did not start", w.proc.pid)
        w.kill()
        return None

    def _loop(self) -> None:
        while not self.pool.closed:
            if self.worker is None or self.worker.proc.poll() is not None:
                if self.worker is not None:  # died while idle
                    self.worker.kill()
                self.worker = self._start_worker()
                if self.worker is None:
                    time.sleep(2.0)
                    continue
                self.pool.started_workers += 1
            item = self.pool._tasks.get()
            if item is None:  # closing
                break
            future, board, job, fn = item
            if not future.set_running_or_notify_cancel():  # stopped while queued
                continue
            if self.worker.proc.poll() is not None:  # died while idle: a fresh one takes it
                self.worker.kill()
                self.worker = self._start_worker()
                if self.worker is None:
                    future.set_result(("failed", Message("jobs.worker_died")))
                    continue
                self.pool.started_workers += 1
            try:
                outcome = self._drive(board, job, fn)
            except BaseException as e:  # noqa: BLE001 - never leave a future unfinished
                log.exception("training slot %s failed", self.index)
                outcome = e
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
            del future, board, job, fn, item, outcome  # keep no result alive in this thread
        if self.worker is not None:
            self.worker.kill()

    def _drive(self, board: Board, job: Job, fn: Callable) -> tuple[str, Any]:
        """Run job on this slot's worker until it answers, dies, stalls or ignores Stop."""
        w = self.worker
        assert w is not None
        with self.pool._lock:
            self.job_id, self.stop_at = job.id, None
        try:
            if self.pool._stop_asked.pop(job.id, False):  # Stop came between queue and here
                return "stopped", Message("jobs.stopped_early")
            if not w.send(("run", job.id, fn, job.cfg)):
                return self._lost(Message("jobs.worker_died"))
            bound = self.pool.stall_bound(job)
            last = time.monotonic()
            while True:
                try:
                    ready = w.conn.poll(POLL_S)
                    msg = recv(w.conn) if ready else None
                except (EOFError, OSError):
                    return self._lost(Message("jobs.worker_died"))
                now = time.monotonic()
                if msg is not None and msg[0] == "progress":
                    last = now
                    board.progress(job, *msg[2:])
                    continue
                if msg is not None and msg[0] == "result":
                    return msg[2], msg[3]
                if msg is not None and msg[0] == "cannot travel":
                    return ResultCannotTravel(msg[2])  # type: ignore[return-value]
                stop_at = self.stop_at
                if stop_at is not None and now - stop_at > STOP_GRACE_S:
                    log.warning("worker %s ignored Stop for %s; killed", w.proc.pid, job.kind)
                    return self._lost(Message("jobs.stopped"), "stopped")
                if now - last > bound:
                    log.warning("worker %s: no progress on %s for %.0f s; killed",
                                w.proc.pid, job.kind, now - last)
                    return self._lost(Message("jobs.stalled", seconds=f"{bound:.0f}"))
        finally:
            with self.pool._lock:
                self.job_id, self.stop_at = None, None

    def _lost(self, why: Message, status: str = "failed") -> tuple[str, Any]:
        """The worker is dead or must be: kill it (a fresh one starts before the next job)."""
        w = self.worker
        if w is not None:
            code = w.proc.poll()
            if code is not None:
                log.warning("training worker %s ended (exit code %s)", w.proc.pid, code)
            w.kill()
        self.worker = None
        self.pool.lost_workers += 1
        return status, why

    def stop(self, job_id: int) -> bool:
        """Ask this slot's worker to stop job_id if it runs it (pool lock held)."""
        if self.job_id != job_id or self.worker is None:
            return False
        self.stop_at = time.monotonic()
        self.worker.send(("stop", job_id))
        return True


class Pool:
    """Worker processes (or threads) plus the channel their progress comes back on."""

    def __init__(self, workers: int | None = None, kind: str | None = None,
                 stall_s: float | None = None) -> None:
        self.workers = workers or default_workers()
        self.kind = kind or os.environ.get(POOL_ENV, "process")
        self.stall_s = stall_s if stall_s is not None else fixed_stall_s()  # None: the rule
        self._jobs: weakref.WeakValueDictionary[int, Job] = weakref.WeakValueDictionary()
        self._boards: dict[int, Board] = {}
        self._lock = threading.Lock()
        self.closed = False
        self.started_workers = self.lost_workers = 0  # counts, for tests and benchmarks
        self.local_kinds: set[str] = set()  # kinds whose results failed to pickle
        self._flags: list[int] = [0] * SLOTS  # stop flags of threads (thread pool, local runs)
        self._thread_channel = (self._dispatch, lambda job_id: bool(self._flags[job_id % SLOTS]))
        self._local = ThreadPoolExecutor(1, thread_name_prefix="memviz-local")
        self._threads: ThreadPoolExecutor | None = None
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._slots: list[_Slot] = []
        self._stop_asked: dict[int, bool] = {}
        if self.kind == "thread":
            self._threads = ThreadPoolExecutor(self.workers, thread_name_prefix="memviz-train")

    def stall_bound(self, job: Job) -> float:
        """Seconds without a progress report after which job is abandoned."""
        if self.stall_s is not None:
            return self.stall_s
        return max(STALL_FLOOR_S, STALL_FACTOR * job.estimate_s)

    def _dispatch(self, job_id: int, step: int, total: int, losses: tuple[float, ...]) -> None:
        job = self._jobs.get(job_id)
        board = self._boards.get(job_id)
        if job is not None and board is not None:
            board.progress(job, step, total, losses)

    def _ensure_slots(self) -> None:
        # slots (and so workers) start on first use: a process that never trains starts none
        with self._lock:
            while len(self._slots) < self.workers and not self.closed:
                self._slots.append(_Slot(self, len(self._slots)))

    def submit(self, board: Board, job: Job, fn: Callable, local: bool = False) -> Future:
        """Start job on a worker. Kinds whose results cannot travel between processes run on an
        in-process thread."""
        with self._lock:
            self._flags[job.id % SLOTS] = 0
            if local or job.kind in self.local_kinds or self._threads is not None:
                self._jobs[job.id], self._boards[job.id] = job, board
                pool = self._local if self._threads is None or local else self._threads
                return pool.submit(work, job.id, fn, job.cfg, self._thread_channel)
        self._ensure_slots()
        future: Future = Future()
        self._tasks.put((future, board, job, fn))
        return future

    def warm(self) -> None:
        """Start the worker processes now (each imports torch once), not on the first click."""
        if self.kind != "thread":
            self._ensure_slots()

    def stop(self, job: Job) -> None:
        """Ask the job's worker to stop it; one that does not within STOP_GRACE_S is killed."""
        with self._lock:
            self._flags[job.id % SLOTS] = 1
            if not any(s.stop(job.id) for s in self._slots) and self._slots:
                self._stop_asked[job.id] = True  # a slot is about to take it

    def forget(self, job: Job) -> None:
        with self._lock:
            for held in (self._boards, self._jobs, self._stop_asked):
                held.pop(job.id, None)

    def pids(self) -> list[int]:
        """The worker processes alive now."""
        with self._lock:
            return [s.worker.proc.pid for s in self._slots
                    if s.worker is not None and s.worker.proc.poll() is None]

    def close(self) -> None:
        """End the slots and kill their workers (tests; a server's pool lives as long as it)."""
        with self._lock:
            self.closed = True
            slots = list(self._slots)
        for _ in slots:
            self._tasks.put(None)
        for s in slots:
            if s.worker is not None:
                s.worker.kill()
        for s in slots:
            s.thread.join(10)
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)


_shared: Pool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> Pool:
    """The process-wide pool (created on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Pool()
        return _shared
