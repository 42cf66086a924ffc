"""Training off the page: a board of jobs by (kind, config), trained by memviz.workers; pages poll.

A Board keeps one Job per (kind, frozen config). Asking again for a key that is queued or
running returns the same Job, so a class asking for one setting trains it once. A page reads a
Snapshot (a frozen copy) whenever it redraws, so progress costs nothing per step and no two
sessions ever share a mutable object. The finished result goes into the RunStore.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field

from memviz.i18n import Message
from memviz.runs import RunStore
from memviz.workers import Pool, ResultCannotTravel, shared_pool

# Finished jobs are forgotten after this. They hold only their state and losses meanwhile: the
# future (and so the result) is dropped as soon as the result is stored (issue 31: each finished
# job kept its whole result alive for 600 s, ~13 MB per Text run).
KEEP_FINISHED_S = 600.0
CURVE_POINTS = 200  # a snapshot's loss curve is thinned to at most this many points


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
    error: str | None  # in the language of the page that took the snapshot
    status: str | None  # why it failed: diverged | config | failed | stopped
    owner: str | None
    watchers: int
    starting: bool = False  # queued, but a worker has it (or takes it at once): no real wait
    elsewhere: bool = False  # another server on the same store folder is training it

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
    error: str | Message | None = None  # a Message is told in each reader's language
    status: str | None = None
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event)
    future: Future | None = None  # set while queued or running, dropped when finished
    big: bool = False  # runs only while no other big job does (memviz.estimate.BUDGET_MB)



class Board:
    """The jobs of one RunStore: submit by key, snapshot, stop, wait."""

    _ids = itertools.count(1)

    def __init__(self, store: RunStore, pool: Pool | None = None) -> None:
        self.store, self.pool = store, pool or shared_pool()
        self._jobs: dict[tuple[str, Hashable], Job] = {}
        self._lock = threading.Lock()
        self._held: list[tuple[Job, Callable]] = []  # big jobs waiting for the big one running

    def find(self, kind: str, cfg: Hashable) -> Job | None:
        with self._lock:
            return self._jobs.get((kind, cfg))

    def submit(self, kind: str, cfg: Hashable, fn: Callable, who: str | None = None,
               estimate_s: float = 1.0, big: bool = False) -> Job:
        """The job for (kind, cfg): the queued or running one, else a new one started now (a
        big one once no other big one is queued on a worker or running)."""
        with self._lock:
            self._prune()
            job = self._jobs.get((kind, cfg))
            if job is not None and job.state in ("queued", "running"):
                job.watchers.add(who)
                return job
            job = Job(next(self._ids), kind, cfg, estimate_s, who, {who}, big=big)
            self._jobs[(kind, cfg)] = job
            if big and any(j.big and j.future is not None and not j.done.is_set()
                           for j in self._jobs.values() if j is not job):
                self._held.append((job, fn))  # two big runs at once could exhaust memory
                return job
        self._launch(job, fn)
        return job

    def _launch(self, job: Job, fn: Callable, local: bool = False) -> None:
        # through the store: a replica on the same store folder may be training this key now,
        # and then this job waits for its entry instead of training it again
        future = job.future = self.store.once(job.kind, job.cfg,
                                              lambda: self.pool.submit(self, job, fn, local))
        future.add_done_callback(lambda f: self._finish(job, f, fn))

    def watch(self, job: Job, who: str | None) -> None:
        """Count `who` as waiting for job (so Stop hands it on instead of ending it)."""
        with self._lock:
            job.watchers.add(who)

    def _prune(self) -> None:
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            if job.finished_at is not None and now - job.finished_at > KEEP_FINISHED_S:
                del self._jobs[key]

    def progress(self, job: Job, step: int, total: int, losses: tuple[float, ...]) -> None:
        """A worker's report: the job has started, or reached `step` with these new losses."""
        with self._lock:
            if job.state == "queued":
                job.state, job.started = "running", time.monotonic()
            if job.state == "running" and step:
                job.step, job.total = step, total
                job.losses.extend(losses)

    def _finish(self, job: Job, future: Future, fn: Callable) -> None:
        """Store the result or the reason it failed; wake the waiters."""
        error = None if future.cancelled() else future.exception()
        if isinstance(error, ResultCannotTravel):
            self.pool.local_kinds.add(job.kind)  # its result cannot leave a worker process
            self._launch(job, fn, local=True)
            return
        # a dead or silent worker is not an exception: the pool answers ("failed", a line)
        if future.cancelled():
            status, value = "stopped", Message("jobs.stopped_early")
        elif error is not None:
            status, value = "failed", Message("jobs.failed", name=type(error).__name__)
        else:
            status, value = future.result()
        if status == "ok":
            self.store.put(job.kind, job.cfg, value)
        with self._lock:
            job.state = "done" if status == "ok" else ("stopped" if status == "stopped"
                                                        else "failed")
            job.status, job.error = (None, None) if status == "ok" else (status, value)
            job.finished_at = time.monotonic()
            job.future = None  # the future holds the result: the store has it now
        del future, value  # nor this frame, while the waiters wake
        self.pool.forget(job)
        job.done.set()
        if job.big:
            self._release_held()

    def _release_held(self) -> None:
        """Start the first held big job (the big one before it has finished)."""
        with self._lock:
            nxt = self._held.pop(0) if self._held else None
        if nxt is not None:
            self._launch(*nxt)

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
        with self._lock:
            held = next((h for h in self._held if h[0] is job), None)
            if held is not None:
                self._held.remove(held)
                job.state, job.status = "stopped", "stopped"
                job.error, job.finished_at = Message("jobs.stopped_early"), time.monotonic()
        if held is not None:
            job.done.set()
        elif job.future is None or not job.future.cancel():
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
            # a job stays "queued" until its first step is reported: it is only waiting if
            # more jobs than workers went to the pool before it (a held big job has no future)
            launched = sorted((j for j in queued + running if j.future is not None),
                              key=lambda j: j.id)
            starting = job.state == "queued" and job in launched[:self.pool.workers]
            return Snapshot(job.state, job.step, job.total,
                            job.losses[-1] if job.losses else None, losses,
                            tuple(range(1, len(job.losses) + 1, stride)), len(ahead),
                            wait, None if job.error is None else str(job.error), job.status,
                            job.owner, len(job.watchers), starting,
                            self.store.training_elsewhere(job.kind, job.cfg))
