"""Training off the page: a small pool of workers trains runs by (kind, config); pages poll.

A Board keeps one Job per (kind, frozen config). Asking again for a key that is queued or
running returns the same Job, so a class asking for one setting trains it once. Workers come
from concurrent.futures: worker processes by default (each with one torch thread; training
then never competes with the server's own Python for the GIL), or threads (MEMVIZ_POOL=thread;
the tests use them). A worker reports progress in batches at most ~10 times a second; a page
reads a Snapshot (a frozen copy) whenever it redraws, so progress costs nothing per step and
no two sessions ever share a mutable object. The finished result goes into the RunStore.
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing as mp
import multiprocessing.context
import os
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import popen_forkserver, spawn
from typing import Any

from memviz.config import ConfigError
from memviz.progress import TrainingDiverged
from memviz.runs import RunStore

log = logging.getLogger(__name__)
POOL_ENV, WORKERS_ENV = "MEMVIZ_POOL", "MEMVIZ_WORKERS"
REPORT_SECONDS = 0.1  # a worker sends its new losses at most this often
SLOTS = 4096  # stop flags shared with worker processes, indexed by job id modulo SLOTS
KEEP_FINISHED_S = 600.0  # finished jobs are forgotten after this (their results are stored)
CURVE_POINTS = 200  # a snapshot's loss curve is thinned to at most this many points


def default_workers() -> int:
    """$MEMVIZ_WORKERS, else one worker per core (at most 4: a class shares one machine)."""
    try:
        return max(1, int(os.environ.get(WORKERS_ENV, "")))
    except ValueError:
        return max(1, min(4, os.cpu_count() or 1))


# ---- the worker side (runs in a worker process or thread) ---------------------------------
_channel: Any = None  # (send, stopped) in this process: set by _init_process or Pool


def _init_process(queue: Any, flags: Any) -> None:
    """Worker-process start: report through `queue`, read stop requests from `flags`."""
    global _channel
    _channel = (lambda *msg: queue.put(msg), lambda job_id: bool(flags[job_id % SLOTS]))


def _work(job_id: int, fn: Callable, cfg: Hashable, channel: Any = None) -> tuple[str, Any]:
    """Train fn(cfg, on_step) reporting to the channel; ('ok', result) or (status, message)."""
    send, stopped = channel or _channel
    if stopped(job_id):
        return "stopped", "stopped before it started"
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
        return "diverged", str(e)
    except ConfigError as e:
        return "config", str(e)
    except MemoryError:
        return "failed", "the machine ran out of memory; choose a smaller setting"
    except Exception as e:  # noqa: BLE001 - reported to the student as one line, logged here
        log.exception("training %s failed", fn)
        return "failed", f"training failed ({type(e).__name__}); try other settings"
    return ("stopped", "stopped") if stopped(job_id) else ("ok", result)


def _noop() -> None:
    """Nothing: submitted to make the pool start its worker processes."""


class _Popen(popen_forkserver.Popen):
    """Start a worker without re-running the parent's __main__ in it.

    Under `streamlit run` __main__ is streamlit's launcher, and under AppTest it is the page
    script itself: a worker has no use for either. Workers import only what they run.
    """

    def _launch(self, process_obj: Any) -> None:
        with _launch_lock:
            original = spawn.get_preparation_data
            spawn.get_preparation_data = lambda name: {
                k: v for k, v in original(name).items() if not k.startswith("init_main")}
            try:
                super()._launch(process_obj)
            finally:
                spawn.get_preparation_data = original


class _Process(mp.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


class _Context(mp.context.ForkServerContext):
    Process = _Process


_launch_lock = threading.Lock()


# ---- the server side ------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """What a page shows about a job, copied at one moment (never shared state)."""

    state: str  # queued | running | done | failed | stopped
    step: int
    total: int
    loss: float | None
    losses: tuple[float, ...]  # thinned to <= CURVE_POINTS, with their step numbers below
    loss_steps: tuple[int, ...]
    ahead: int  # runs that start before this one (0 when running)
    wait_s: float  # estimated seconds until it finishes
    error: str | None
    status: str | None  # why it failed: diverged | config | failed | stopped
    owner: str | None
    watchers: int

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "stopped")


@dataclass(eq=False)
class Job:
    """One training run on the board (mutated by the board only, under its lock)."""

    id: int
    kind: str
    cfg: Hashable
    estimate_s: float
    owner: str | None
    watchers: set = field(default_factory=set)
    state: str = "queued"
    step: int = 0
    total: int = 0
    losses: list[float] = field(default_factory=list)
    error: str | None = None
    status: str | None = None
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event)
    future: Future | None = None


class Pool:
    """An executor of worker processes or threads plus the channel their progress comes back on."""

    def __init__(self, workers: int | None = None, kind: str | None = None) -> None:
        self.workers = workers or default_workers()
        self.kind = kind or os.environ.get(POOL_ENV, "process")
        self._jobs: weakref.WeakValueDictionary[int, Job] = weakref.WeakValueDictionary()
        self._boards: dict[int, Board] = {}
        self._lock = threading.Lock()
        self._flags: Any = None
        self._channel: Any = None  # None for processes: they read theirs from _init_process
        self._executor = self._start()
        self.local_kinds: set[str] = set()  # kinds whose results failed to pickle
        self._local = ThreadPoolExecutor(1, thread_name_prefix="memviz-local")
        self._local_channel = (self._dispatch,
                               lambda job_id: bool(self._flags[job_id % SLOTS]))

    def _start(self) -> Executor:
        if self.kind == "thread":
            self._flags = [0] * SLOTS
            self._channel = (self._dispatch, lambda job_id: bool(self._flags[job_id % SLOTS]))
            return ThreadPoolExecutor(self.workers, thread_name_prefix="memviz-train")
        ctx = _Context()
        ctx.set_forkserver_preload(["memviz.jobs", "torch"])  # workers start with torch loaded
        queue, self._flags = ctx.SimpleQueue(), ctx.Array("b", SLOTS, lock=False)
        threading.Thread(target=self._read, args=(queue,), daemon=True,
                         name="memviz-progress").start()
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_process,
                                   initargs=(queue, self._flags))

    def _read(self, queue: Any) -> None:
        while True:
            self._dispatch(*queue.get())

    def _dispatch(self, job_id: int, step: int, total: int, losses: tuple[float, ...]) -> None:
        job = self._jobs.get(job_id)
        board = self._boards.get(job_id)
        if job is not None and board is not None:
            board._progress(job, step, total, losses)

    def submit(self, board: Board, job: Job, fn: Callable, local: bool = False) -> Future:
        """Start job on a worker; a broken process pool (a worker killed) is replaced once.

        Kinds whose results cannot travel between processes run on an in-process thread."""
        with self._lock:
            self._jobs[job.id], self._boards[job.id] = job, board
            self._flags[job.id % SLOTS] = 0
            if local or job.kind in self.local_kinds:
                return self._local.submit(_work, job.id, fn, job.cfg, self._local_channel)
            try:
                return self._executor.submit(_work, job.id, fn, job.cfg, self._channel)
            except BrokenProcessPool:
                self._executor = self._start()
                return self._executor.submit(_work, job.id, fn, job.cfg, self._channel)

    def warm(self) -> None:
        """Start the worker processes now (each imports torch once), not on the first click."""
        if self.kind != "thread":
            for _ in range(self.workers):
                self._executor.submit(_noop)

    def stop(self, job: Job) -> None:
        self._flags[job.id % SLOTS] = 1

    def forget(self, job: Job) -> None:
        with self._lock:
            self._boards.pop(job.id, None)


_shared: Pool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> Pool:
    """The process-wide pool (created on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Pool()
        return _shared


class Board:
    """The jobs of one RunStore: submit by key, snapshot, stop, wait."""

    _ids = itertools.count(1)

    def __init__(self, store: RunStore, pool: Pool | None = None) -> None:
        self.store, self.pool = store, pool or shared_pool()
        self._jobs: dict[tuple[str, Hashable], Job] = {}
        self._lock = threading.Lock()

    def find(self, kind: str, cfg: Hashable) -> Job | None:
        with self._lock:
            return self._jobs.get((kind, cfg))

    def submit(self, kind: str, cfg: Hashable, fn: Callable, who: str | None = None,
               estimate_s: float = 1.0) -> Job:
        """The job for (kind, cfg): the queued or running one, else a new one started now."""
        with self._lock:
            self._prune()
            job = self._jobs.get((kind, cfg))
            if job is not None and job.state in ("queued", "running"):
                job.watchers.add(who)
                return job
            job = Job(next(self._ids), kind, cfg, estimate_s, who, {who})
            self._jobs[(kind, cfg)] = job
        self._launch(job, fn)
        return job

    def _launch(self, job: Job, fn: Callable, local: bool = False) -> None:
        job.future = self.pool.submit(self, job, fn, local)
        job.future.add_done_callback(lambda f: self._finish(job, f, fn))

    def watch(self, job: Job, who: str | None) -> None:
        """Count `who` as waiting for job (so Stop hands it on instead of ending it)."""
        with self._lock:
            job.watchers.add(who)

    def _prune(self) -> None:
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            if job.finished_at is not None and now - job.finished_at > KEEP_FINISHED_S:
                del self._jobs[key]

    def _progress(self, job: Job, step: int, total: int, losses: tuple[float, ...]) -> None:
        with self._lock:
            if job.state == "queued":
                job.state, job.started = "running", time.monotonic()
            if job.state == "running" and step:
                job.step, job.total = step, total
                job.losses.extend(losses)

    def _finish(self, job: Job, future: Future, fn: Callable) -> None:
        """Store the result or the reason it failed; wake the waiters."""
        error = None if future.cancelled() else future.exception()
        if error is not None and "pickle" in str(error).lower():
            self.pool.local_kinds.add(job.kind)  # its result cannot leave a worker process
            self._launch(job, fn, local=True)
            return
        if future.cancelled():
            status, value = "stopped", "stopped before it started"
        elif isinstance(future.exception(), BrokenProcessPool):
            status, value = "failed", "the training worker stopped (out of memory?)"
        elif future.exception() is not None:
            status, value = "failed", f"training failed ({type(future.exception()).__name__})"
        else:
            status, value = future.result()
        if status == "ok":
            self.store.put(job.kind, job.cfg, value)
        with self._lock:
            job.state = "done" if status == "ok" else ("stopped" if status == "stopped"
                                                        else "failed")
            job.status, job.error = (None, None) if status == "ok" else (status, value)
            job.finished_at = time.monotonic()
        self.pool.forget(job)
        job.done.set()

    def stop(self, job: Job, who: str | None) -> str:
        """Stop for the one who started it: 'stopped', or 'handed on' when others wait on it."""
        with self._lock:
            if job.owner != who or job.finished_at is not None:
                return "not yours"
            others = job.watchers - {who}
            job.watchers.discard(who)
            if others:
                job.owner = sorted(others, key=str)[0]
                return "handed on"
        if job.future is None or not job.future.cancel():
            self.pool.stop(job)
        return "stopped"

    def wait(self, job: Job, timeout: float) -> bool:
        """Block up to `timeout` seconds for the job to finish; whether it has."""
        return job.done.wait(timeout)

    def _remaining(self, job: Job, now: float) -> float:
        if job.state == "running" and job.step and job.started is not None:
            return (now - job.started) / job.step * max(job.total - job.step, 0)
        if job.state == "running" and job.started is not None:
            return max(job.estimate_s - (now - job.started), 0.0)
        return job.estimate_s

    def snapshot(self, job: Job) -> Snapshot:
        """A frozen copy of the job's state, with its place in the queue and estimated wait."""
        now = time.monotonic()
        with self._lock:
            queued = sorted((j for j in self._jobs.values() if j.state == "queued"),
                            key=lambda j: j.id)
            running = [j for j in self._jobs.values() if j.state == "running"]
            ahead = [j for j in queued if j.id < job.id] if job.state == "queued" else []
            wait = self._remaining(job, now)
            if job.state == "queued":
                before = sum(self._remaining(j, now) for j in running + ahead)
                wait += before / self.pool.workers
            stride = max(1, math.ceil(len(job.losses) / CURVE_POINTS))
            losses = tuple(job.losses[::stride])
            return Snapshot(job.state, job.step, job.total,
                            job.losses[-1] if job.losses else None, losses,
                            tuple(range(1, len(job.losses) + 1, stride)), len(ahead),
                            wait, job.error, job.status, job.owner, len(job.watchers))
