"""The workers that train runs off the page, and the channel their progress comes back on.

Workers come from concurrent.futures: worker processes by default (each with one torch thread;
training then never competes with the server's own Python for the GIL), or threads
(MEMVIZ_POOL=thread; the tests use them). A worker reports progress in batches at most ~10 times
a second. memviz.jobs keeps the board of jobs these workers run.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import multiprocessing.context
import os
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import popen_forkserver, spawn
from typing import TYPE_CHECKING, Any

from memviz.config import ConfigError
from memviz.i18n import Message
from memviz.progress import TrainingDiverged

if TYPE_CHECKING:  # only named in annotations: jobs imports this module
    from memviz.jobs import Board, Job

log = logging.getLogger(__name__)
POOL_ENV, WORKERS_ENV = "MEMVIZ_POOL", "MEMVIZ_WORKERS"
REPORT_SECONDS = 0.1  # a worker sends its new losses at most this often
SLOTS = 4096  # stop flags shared with worker processes, indexed by job id modulo SLOTS


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
        # workers start with torch loaded, and torch._dynamo: torch.optim imports it on the first
        # step, ~1.9 s here, which every fresh worker's first run would otherwise pay
        ctx.set_forkserver_preload(["memviz.workers", "torch", "torch._dynamo"])
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
            board.progress(job, step, total, losses)

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
