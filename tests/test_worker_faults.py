"""Worker faults on the class's path (the process pool, tiny real training), issue 31 §1:
a killed worker costs only its own run, a stopped one is abandoned within a bound, Stop always
ends the wait, and workers die with their server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from memviz import jobs, runs, workers
from memviz.engine import lesson

from .conftest import tiny_config

ROOT = Path(__file__).resolve().parent.parent
KIND = "test.faults"
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc, signals")


def _train_noting_pid(cfg, on_step):
    """lesson.prepare on cfg[1], after writing this worker's pid to the file cfg[0] (so a test
    can signal the worker that runs a given job)."""
    Path(cfg[0]).write_text(str(os.getpid()))
    return lesson.prepare(cfg[1], on_step)


@pytest.fixture(scope="module")
def pool():
    """One pool of 2 worker processes for these tests (each fault must leave it usable), with a
    short no-progress bound (3 s)."""
    before = os.environ.get("MEMVIZ_STALL_S")
    os.environ["MEMVIZ_STALL_S"] = "3"
    try:
        p = workers.Pool(2, "process")
    finally:
        if before is None:
            del os.environ["MEMVIZ_STALL_S"]
        else:
            os.environ["MEMVIZ_STALL_S"] = before
    yield p
    if hasattr(p, "close"):
        p.close()


LONG = dict(seq_len=60, hidden=64, steps=5000)  # a minute or more: killed or stopped midway


def _start(board, tmp_path, name: str, steps: int | None = None, who: str = "a"
           ) -> tuple[jobs.Job, Path]:
    """A job that notes its worker's pid in tmp_path/<name>.pid: tiny, or LONG without steps."""
    pid_file = tmp_path / f"{name}.pid"
    cfg = tiny_config(steps=steps, seed=len(name)) if steps else tiny_config(**LONG)
    job = board.submit(KIND, (str(pid_file), cfg), _train_noting_pid, who, estimate_s=0.1)
    return job, pid_file


def _resume(pid: int) -> None:
    """Never leave a stopped process behind (it is normally gone by now)."""
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass


def _until(cond, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def _running(board, job, timeout: float = 120.0) -> None:
    _until(lambda: board.snapshot(job).step > 0 or board.snapshot(job).finished, timeout)
    assert board.snapshot(job).state == "running"


def test_one_killed_worker_costs_only_its_own_run(pool, tmp_path):
    board = jobs.Board(runs.RunStore(), pool)
    doomed, pid_file = _start(board, tmp_path, "doomed")
    other, _ = _start(board, tmp_path, "other", 600, who="b")
    _running(board, doomed)
    _running(board, other)
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert board.wait(doomed, 20)
    assert board.wait(other, 120)  # the other student's run was not lost with it
    assert board.snapshot(other).state == "done" and board.store.get(KIND, other.cfg) is not None
    snap = board.snapshot(doomed)
    assert snap.state == "failed" and "ended unexpectedly" in snap.error
    assert "train again" in snap.error  # the student is told what to do
    again = board.submit(KIND, doomed.cfg, _train_noting_pid, "a", 0.1)  # Train, pressed again
    assert again is not doomed and board.snapshot(again).state in ("queued", "running")
    board.stop(again, "a")  # (a long run: stopped here; the tiny one below trains to the end)
    assert board.wait(again, 30) and board.snapshot(again).state == "stopped"
    retry, _ = _start(board, tmp_path, "retry", 50)
    assert board.wait(retry, 120) and board.snapshot(retry).state == "done"


def test_a_stopped_worker_is_abandoned_within_the_bound_and_a_retrain_works(pool, tmp_path):
    board = jobs.Board(runs.RunStore(), pool)
    job, pid_file = _start(board, tmp_path, "frozen")
    _running(board, job)
    pid = int(pid_file.read_text())
    os.kill(pid, signal.SIGSTOP)
    try:
        joined = board.submit(KIND, job.cfg, _train_noting_pid, "b", 0.1)  # a second student
        assert joined is job
        t0 = time.monotonic()
        assert board.wait(job, 30), "the wait on a stopped worker never ended"
        waited = time.monotonic() - t0
        snap = board.snapshot(job)
        assert snap.state == "failed" and "no progress for 3 s" in snap.error, snap.error
        assert waited < 3 + 5  # the bound (3 s here) plus a poll and the kill
    finally:
        _resume(pid)
    retry, _ = _start(board, tmp_path, "thawed", 50)
    assert board.wait(retry, 120) and board.snapshot(retry).state == "done"


def test_stop_ends_the_wait_on_a_stopped_worker(pool, tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "stall_s", 600.0, raising=False)  # only Stop can end it
    board = jobs.Board(runs.RunStore(), pool)
    job, pid_file = _start(board, tmp_path, "stuck")
    _running(board, job)
    pid = int(pid_file.read_text())
    os.kill(pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        assert board.stop(job, "a") == "stopped"
        assert board.wait(job, 15), "Stop did not end the wait"
        assert time.monotonic() - t0 < 10 and board.snapshot(job).state == "stopped"
    finally:
        _resume(pid)
    retry, _ = _start(board, tmp_path, "after", 50)
    assert board.wait(retry, 120) and board.snapshot(retry).state == "done"


SERVER = """
import sys, time
from memviz import jobs, runs, workers
from tests.test_worker_faults import KIND, LONG, _train_noting_pid
from tests.conftest import tiny_config
board = jobs.Board(runs.RunStore(), workers.Pool(1, "process"))
job = board.submit(KIND, (sys.argv[1], tiny_config(**LONG)), _train_noting_pid, "a", 1.0)
while board.snapshot(job).step == 0:
    time.sleep(0.05)
print("training", flush=True)
time.sleep(600)
"""


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        try:
            parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (ValueError, OSError, IndexError):
            continue
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        todo.extend(kids - found)
        found |= kids
    return found


def _alive(pid: int) -> bool:
    try:  # a zombie waiting for its new parent to reap it runs nothing
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_die_with_their_server(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp_path / "w.pid")],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "training"
        children = _descendants(server.pid)
        assert int((tmp_path / "w.pid").read_text()) in children
        server.kill()  # kill -9 of the server
        server.wait(10)
        end = time.monotonic() + 10
        while any(_alive(p) for p in children) and time.monotonic() < end:
            time.sleep(0.1)
        left = {p: Path(f"/proc/{p}/cmdline").read_bytes()[:80] for p in children if _alive(p)}
        assert not left, f"left behind: {left}"
    finally:
        for p in _descendants(server.pid) | {server.pid}:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
