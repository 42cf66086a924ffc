"""The workers that train runs off the page, and the channel their progress comes back on.

Worker processes by default (each with one torch thread; training then never competes with the
server's own Python for the GIL), or threads (MEMVIZ_POOL=thread; unit tests use them). A worker
reports progress in batches at most ~10 times a second. memviz.jobs keeps the board of jobs
these workers run.

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

import ctypes
import logging
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memviz.config import ConfigError
from memviz.i18n import Message
from memviz.progress import TrainingDiverged

if TYPE_CHECKING:  # only named in annotations: jobs imports this module
    from memviz.jobs import Board, Job

log = logging.getLogger(__name__)
POOL_ENV, WORKERS_ENV, STALL_ENV = "MEMVIZ_POOL", "MEMVIZ_WORKERS", "MEMVIZ_STALL_S"
REPORT_SECONDS = 0.1  # a worker sends its new losses at most this often
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


# ---- the worker side (runs in a worker process or thread) ---------------------------------

def _work(job_id: int, fn: Callable, cfg: Hashable, channel: Any) -> tuple[str, Any]:
    """Train fn(cfg, on_step) reporting to the channel; ('ok', result) or (status, message).

    `channel` is (send(job_id, step, total, losses), stopped(job_id) -> bool)."""
    send, stopped = channel
    if stopped(job_id):
        return "stopped", Message("jobs.stopped_early")
    send(job_id, 0, 0, ())  # started
    pending: list[float] = []
    last = [time.monotonic()]

    def on_step(step: int, total: int, loss: float) -> bool:
        pending.append(float(loss))
        now = time.monotonic()
        if now - last[0] >= REPORT_SECONDS or step == total:
            last[0] = now
            send(job_id, step, total, tuple(pending))
            pending.clear()
        return stopped(job_id)

    try:
        result = fn(cfg, on_step)
    except TrainingDiverged as e:  # exceptions travel as text: theirs need not unpickle
        return "diverged", _reason(e)
    except ConfigError as e:
        return "config", _reason(e)
    except MemoryError:
        return "failed", Message("jobs.out_of_memory")
    except Exception as e:  # noqa: BLE001 - reported to the student as one line, logged here
        log.exception("training %s failed", fn)
        return "failed", Message("jobs.failed_try", name=type(e).__name__)
    finally:
        give_back_memory()
    return ("stopped", Message("jobs.stopped")) if stopped(job_id) else ("ok", result)


def give_back_memory() -> None:
    """Return freed heap to the system: glibc keeps it otherwise, so an idle worker would hold its
    biggest run's memory (555 MB after a 1.2 GB GRU run; 308 MB trimmed), and the server what
    its biggest page draw needed."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim, nothing lost
        pass


def _reason(e: Exception) -> str | Message:
    """An error's message to send back: a Message as it is (each reader's language), else text
    (this worker's language: English)."""
    return e.args[0] if len(e.args) == 1 and isinstance(e.args[0], Message) else str(e)


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel SIGKILL this process when the thread that started it ends (the
    server's slot thread; it lives as long as the server). Elsewhere the socket's end of file
    does it (serve)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the server died before prctl took effect
        os._exit(0)


def serve(fd: int, parent: int) -> None:
    """A worker process's life: run the jobs that arrive on socket `fd`, one at a time.

    Messages in: ("run", job_id, fn, cfg), ("stop", job_id). Out: ("ready", pid),
    ("progress", job_id, step, total, losses), ("result", job_id, status, value),
    ("cannot travel", job_id, text). Only the main thread sends; only the reader thread reads.
    Messages are plain pickles between this server and its own child (never user or disk
    bytes): by value, so a result never depends on the worker staying alive after sending it
    (torch's multiprocessing pickler would pass tensors as file descriptors to fetch later).
    """
    _die_with_parent(parent)
    conn = Connection(fd)
    import torch  # noqa: F401 - imported before "ready": the first run does not pay for it
    import torch._dynamo  # noqa: F401 - torch.optim imports it on the first step (~1.9 s)

    from memviz.devices import use_cpu_threads

    use_cpu_threads()
    tasks: queue.SimpleQueue = queue.SimpleQueue()
    stopped: set[int] = set()

    def read() -> None:
        try:
            while True:
                msg = _recv(conn)
                if msg[0] == "stop":
                    stopped.add(msg[1])
                else:
                    tasks.put(msg)
        except (EOFError, OSError):  # the server is gone (or closed us): so are we
            os._exit(0)

    threading.Thread(target=read, daemon=True, name="memviz-worker-reader").start()
    channel = (lambda *m: _send(conn, ("progress", *m)), lambda job_id: job_id in stopped)
    _send(conn, ("ready", os.getpid()))
    while True:
        _, job_id, fn, cfg = tasks.get()
        status, value = _work(job_id, fn, cfg, channel)
        try:
            _send(conn, ("result", job_id, status, value))
        except (pickle.PicklingError, TypeError, AttributeError) as e:  # nothing was written
            _send(conn, ("cannot travel", job_id, f"cannot pickle: {type(e).__name__}: {e}"))
        del value
        stopped.discard(job_id)
        give_back_memory()


def _send(conn: Connection, msg: tuple) -> None:
    conn.send_bytes(pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL))


def _recv(conn: Connection) -> tuple:
    return pickle.loads(conn.recv_bytes())  # noqa: S301 - our own worker's bytes, see serve


# ---- the server side ---------------------------------------------------------------------

class _Worker:
    """One worker process and the server's end of its socket."""

    def __init__(self) -> None:
        here, child = socket.socketpair()
        root = str(Path(__file__).resolve().parent.parent)  # the folder holding memviz/
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [root, *filter(None, [os.environ.get("PYTHONPATH")])]))
        code = (f"from memviz.workers import serve; serve({child.fileno()}, {os.getpid()})")
        try:
            self.proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=[child.fileno()],
                                         env=env, stdin=subprocess.DEVNULL)
        finally:
            child.close()
        self.conn = Connection(here.detach())
        self.send_lock = threading.Lock()

    def send(self, msg: tuple) -> bool:
        """Send msg; False if the worker is gone."""
        try:
            with self.send_lock:
                _send(self.conn, msg)
            return True
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL (works on a stopped process too), reap, close the socket."""
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            log.warning("worker %s did not die on SIGKILL", self.proc.pid)
        self.conn.close()


class _Slot:
    """A dispatcher thread that owns one worker process: takes a job from the pool's queue, sends
    it, relays its progress, and ends it (result, death, no progress, Stop not honoured)."""

    def __init__(self, pool: Pool, index: int) -> None:
        self.pool, self.index = pool, index
        self.worker: _Worker | None = None
        self.job_id: int | None = None  # the job its worker is running
        self.stop_at: float | None = None  # when Stop was asked for that job
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name=f"memviz-slot-{index}")
        self.thread.start()

    def _start_worker(self) -> _Worker | None:
        try:
            w = _Worker()
        except OSError as e:
            log.error("could not start a training worker: %s", e)
            return None
        if w.conn.poll(START_S):
            try:
                if _recv(w.conn)[0] == "ready":
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
                    msg = _recv(w.conn) if ready else None
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
                return pool.submit(_work, job.id, fn, job.cfg, self._thread_channel)
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
            self._boards.pop(job.id, None)
            self._jobs.pop(job.id, None)
            self._stop_asked.pop(job.id, None)

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
