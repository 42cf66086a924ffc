"""Training off the page: the run store on disk, the job board, the estimate and the verdict."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import torch

from memviz import estimate, jobs, runs, workers
from memviz.engine import lesson
from memviz.progress import History
from memviz.recurrent import verdict

from .conftest import tiny_config


def _thread_board(tmp_path, n: int = 1) -> jobs.Board:
    return jobs.Board(runs.RunStore(disk=runs.DiskStore(tmp_path)), workers.Pool(n, "thread"))


def test_a_lesson_survives_a_restart_with_equal_weights_and_trace(tmp_path):
    cfg = tiny_config(steps=20)
    first = runs.RunStore(disk=runs.DiskStore(tmp_path))
    les = first.get_or_compute(lesson.KIND, cfg, lambda: lesson.prepare(cfg))
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1 and not list(tmp_path.glob(".tmp-*"))
    with np.load(files[0], allow_pickle=False) as z:  # nothing on disk needs pickle
        assert "__meta__" in z.files
    again = runs.RunStore(disk=runs.DiskStore(tmp_path)).get(lesson.KIND, cfg)  # a new server
    assert again is not None and again is not les
    for k, v in les.run.model.state_dict().items():
        assert torch.equal(v, again.run.model.state_dict()[k])
    for k in les.trace.fields:
        assert np.array_equal(les.trace[k], again.trace[k])
    assert again.run.history == les.run.history and again.trace.max_abs_diff < 1e-5
    assert runs.RunStore(disk=runs.DiskStore(tmp_path)).get(lesson.KIND, tiny_config(seed=1)) \
        is None


def test_the_disk_store_evicts_the_least_recently_used_entries(tmp_path):
    runs.register_codec("test.blob", lambda r: ({"n": int(r.size)}, {"a": r}),
                        lambda meta, arrays: arrays["a"])
    disk = runs.DiskStore(tmp_path, max_bytes=10**9)
    for i in range(4):
        disk.save("test.blob", i, np.zeros(25_000, dtype=np.float64))  # ~200 kB each
        time.sleep(0.02)
    one = disk.size() // 4
    assert disk.load("test.blob", 0) is not None  # touch 0: now the most recently used
    disk.max_bytes = 2 * one + one // 2
    gone = disk.evict()
    assert len(gone) == 2 and disk.size() <= disk.max_bytes
    assert disk.load("test.blob", 0) is not None and disk.load("test.blob", 3) is not None
    assert disk.load("test.blob", 1) is None and disk.load("test.blob", 2) is None


def test_concurrent_callers_train_once_and_a_failure_keeps_no_lock():
    store, calls, gate = runs.RunStore(), [], threading.Event()

    def compute():
        calls.append(1)
        gate.wait(5)
        return "model"

    threads = [threading.Thread(target=store.get_or_compute, args=("k", "a", compute))
               for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    gate.set()
    for t in threads:
        t.join(5)
    assert len(calls) == 1 and store.get("k", "a") == "model"

    def boom():
        raise ValueError("bad")

    for cfg in range(20):
        try:
            store.get_or_compute("k", ("bad", cfg), boom)
        except ValueError:
            pass
    assert store._key_locks == {}  # issue 12: no lock kept per failed config


def test_a_job_is_shared_by_key_and_survives_other_sessions_reruns(tmp_path):
    board = _thread_board(tmp_path)
    cfg = tiny_config(steps=60)
    job = board.submit(lesson.KIND, cfg, lesson.prepare, "alice", 1.0)
    again = board.submit(lesson.KIND, cfg, lesson.prepare, "bob", 1.0)  # a rerun, a 2nd student
    assert again is job and board.snapshot(job).watchers == 2
    assert board.stop(job, "bob") == "not yours"
    assert board.wait(job, 30)
    snap = board.snapshot(job)
    assert snap.state == "done" and snap.step == snap.total == 60 and len(snap.losses) == 60
    assert board.store.get(lesson.KIND, cfg).run.history.losses == list(snap.losses)


def test_stop_ends_a_run_for_its_owner_or_hands_it_on(tmp_path):
    board = _thread_board(tmp_path)
    long = tiny_config(steps=5000)
    job = board.submit(lesson.KIND, long, lesson.prepare, "alice", 30.0)
    queued = board.submit(lesson.KIND, tiny_config(steps=5000, seed=1), lesson.prepare, "c", 30.0)
    snap = board.snapshot(queued)
    assert snap.state == "queued" and snap.ahead == 0 and snap.wait_s > 30.0
    board.submit(lesson.KIND, long, lesson.prepare, "bob", 30.0)
    assert board.stop(job, "alice") == "handed on" and job.owner == "bob"
    assert board.stop(job, "bob") == "stopped"
    assert board.stop(queued, "c") == "stopped"
    assert board.wait(job, 30) and board.wait(queued, 30)
    assert board.snapshot(job).state == "stopped" and board.snapshot(queued).state == "stopped"
    assert board.store.get(lesson.KIND, long) is None  # a stopped run is never stored


def test_a_diverging_run_fails_with_its_reason_and_no_traceback(tmp_path):
    from memviz.progress import TrainingDiverged

    def diverge(cfg, on_step):
        raise TrainingDiverged(3, math.nan, History())

    board = _thread_board(tmp_path)
    job = board.submit("test.diverge", 1, diverge, "alice")
    assert board.wait(job, 10)
    snap = board.snapshot(job)
    assert snap.state == "failed" and snap.status == "diverged" and "Lower the" in snap.error


def test_big_runs_wait_for_each_other_and_small_ones_do_not(tmp_path):
    """At most one big run at a time (memory); a small one starts beside it on a free worker."""
    board, gates, started = _thread_board(tmp_path, 3), {}, []

    def blocked(cfg, on_step):
        started.append(cfg)
        gates.setdefault(cfg, threading.Event()).wait(10)
        return cfg

    for name in ("big1", "big2", "big3"):
        gates[name] = threading.Event()
    big1 = board.submit("test.big", "big1", blocked, "a", big=True)
    big2 = board.submit("test.big", "big2", blocked, "b", big=True)
    small = board.submit("test.big", "small", blocked, "c")
    big3 = board.submit("test.big", "big3", blocked, "d", big=True)
    _until(lambda: set(started) == {"big1", "small"})
    time.sleep(0.2)
    assert set(started) == {"big1", "small"} and board.snapshot(big2).state == "queued"
    assert not board.snapshot(big2).starting  # held: it waits, and says so
    assert board.stop(big3, "d") == "stopped" and board.snapshot(big3).status == "stopped"
    gates["big1"].set()
    assert board.wait(big1, 10)
    _until(lambda: "big2" in started)  # the next big one starts when the first has finished
    gates["big2"].set()
    gates["small"].set()
    assert board.wait(big2, 10) and board.wait(small, 10)
    assert "big3" not in started and board.snapshot(big2).state == "done"


def test_a_job_a_worker_has_not_reported_on_yet_is_starting_unless_the_workers_are_taken(
        tmp_path):
    """Until its first report a job reads "queued": it is starting if it is among the first
    `workers` jobs sent to the pool, else it waits (and the page says which)."""
    from concurrent.futures import Future

    class Silent:  # a pool of 2 whose workers never report: every job stays "queued"
        workers = 2

        def submit(self, board, job, fn, local=False):
            return Future()
    board = jobs.Board(runs.RunStore(disk=runs.DiskStore(tmp_path)), Silent())
    a, b, c = (board.submit("test.wait", name, lambda cfg, on_step: cfg, name)
               for name in "abc")
    snaps = [board.snapshot(j) for j in (a, b, c)]
    assert [s.state for s in snaps] == ["queued"] * 3
    assert [s.starting for s in snaps] == [True, True, False]
    assert snaps[2].ahead == 2


def _until(cond, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_the_estimate_grows_with_the_work_and_flags_the_big_runs():
    # how close it comes to measured seconds is a benchmark (benchmarks/calibrate.py prints the
    # ratios), not a timed test: on a shared machine wall time drifts by several times
    base = tiny_config(seq_len=20, hidden=32, steps=100)
    for change in ({"task": {"seq_len": 80}}, {"model": {"hidden": 128}},
                   {"train": {"steps": 400}}, {"train": {"batch": 64}}):
        assert estimate.recurrent(base.replace(**change)).seconds > estimate.recurrent(base).seconds
    big = base.replace(task={"seq_len": 500}, model={"hidden": 256, "arch": "gru"},
                       train={"batch": 64})
    assert estimate.recurrent(big).refused and estimate.recurrent(big).big
    assert "GB" in estimate.recurrent(big).refused  # memory: refused, not confirmed
    long = base.replace(task={"seq_len": 300}, model={"hidden": 64, "arch": "lstm"},
                        train={"steps": 2000})
    assert estimate.recurrent(long).over_budget and not estimate.recurrent(long).refused
    assert not estimate.recurrent(base).big and not estimate.recurrent(base).over_budget


def test_the_verdict_names_divergence_and_chance_with_a_setting_to_try():
    cfg = tiny_config("rnn", seq_len=50, steps=300).replace(train={"lr": 0.1})
    bad = verdict.judge(cfg, History(losses=[5.0], eval_loss=5.22, eval_accuracy=0.25))
    assert not bad.ok and "far above" in bad.problem and "0.01" in bad.try_
    chance = verdict.judge(cfg.replace(train={"lr": 0.003}),
                           History(losses=[1.38], eval_loss=1.38, eval_accuracy=0.26))
    assert not chance.ok and "chance" in chance.problem and "LSTM" in chance.try_
    good = verdict.judge(cfg, History(losses=[0.01], eval_loss=0.01, eval_accuracy=1.0))
    assert good.ok and good.message() == ""


class _Blob:
    """A result that can be watched with a weak reference."""

    def __init__(self, n: int) -> None:
        self.a = np.zeros(n, dtype=np.float64)


def _blob(cfg, on_step):
    on_step(1, 1, 0.5)
    return _Blob(cfg)


def test_a_finished_job_keeps_no_result_alive(tmp_path):
    """Issue 31 §2: a finished job kept its future, and so its whole result, for 600 s."""
    import gc
    import weakref

    board = jobs.Board(runs.RunStore(max_entries=1), workers.Pool(1, "thread"))
    job = board.submit("test.blob", 1000, _blob, "a")
    assert board.wait(job, 10) and board.snapshot(job).state == "done"
    ref = weakref.ref(board.store.get("test.blob", 1000))
    other = board.submit("test.blob", 2000, _blob, "a")  # pushes the first out of the store
    assert board.wait(other, 10) and board.store.get("test.blob", 1000) is None
    gc.collect()
    assert ref() is None, "the finished job still holds its result"
    assert board.find("test.blob", 1000) is job and job.future is None  # its state is kept


def test_the_memory_store_is_bounded_by_bytes_as_well_as_entries():
    one = runs.approx_bytes(_Blob(100_000))
    assert 800_000 <= one < 801_000  # its array, and a little for the objects around it
    store = runs.RunStore(max_entries=64, max_bytes=int(2.5 * one))
    for i in range(5):
        store.put("test.blob", i, _Blob(100_000))
    assert len(store) == 2 and store.bytes <= store.max_bytes
    assert store.get("test.blob", 4) is not None and store.get("test.blob", 0) is None
    store.put("test.blob", "huge", _Blob(1_000_000))  # bigger than the bound: the newest stays
    assert len(store) == 1 and store.get("test.blob", "huge") is not None


def test_the_no_progress_bound_is_generous_by_default_and_fixed_when_asked(monkeypatch):
    """A run is abandoned after max(180 s, 4x its estimate) without progress: far above a slow
    first step on a busy machine; $MEMVIZ_STALL_S or stall_s sets a fixed bound (tests)."""
    monkeypatch.delenv("MEMVIZ_STALL_S", raising=False)
    pool = workers.Pool(1, "thread")
    assert pool.stall_bound(jobs.Job(1, "k", 1, 5.0, None)) == workers.STALL_FLOOR_S == 180.0
    assert pool.stall_bound(jobs.Job(2, "k", 2, 100.0, None)) == 400.0
    monkeypatch.setenv("MEMVIZ_STALL_S", "3")
    assert workers.Pool(1, "thread").stall_bound(jobs.Job(3, "k", 3, 100.0, None)) == 3.0
    assert workers.Pool(1, "thread", stall_s=7).stall_bound(jobs.Job(4, "k", 4, 1.0, None)) == 7
