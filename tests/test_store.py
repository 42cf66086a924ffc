"""The run store under faults: damaged entries, NaN weights, half-written and leftover files, a
removed folder, replicas over one folder, and a server killed mid-run (issues 27 §3-4, 31 §4)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from memviz import jobs, runs, workers
from memviz.engine import lesson, tasks, trace

from .conftest import ROOT, tiny_config

CFG = tiny_config(steps=20)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> bytes:
    """The bytes of one real stored lesson (a tiny LSTM), trained once for the module."""
    folder = tmp_path_factory.mktemp("pristine")
    runs.RunStore(disk=runs.DiskStore(folder)).get_or_compute(
        lesson.KIND, CFG, lambda: lesson.prepare(CFG))
    (entry,) = folder.glob("*.npz")
    return entry.read_bytes()


def _arrays(raw: bytes, tmp: Path) -> tuple[dict, dict[str, np.ndarray]]:
    (tmp / "x.npz").write_bytes(raw)
    with np.load(tmp / "x.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(arrays.pop("__meta__").tobytes()), arrays


def _npz(meta: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """An entry as DiskStore writes one, from (possibly doctored) meta and arrays."""
    import io

    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)
    return buf.getvalue()


def _weight(arrays: dict) -> str:
    return next(k for k in arrays if k.startswith("w.") and "weight" in k)


def _damage(case: str, raw: bytes, tmp: Path) -> bytes:
    """One corruption of a real entry's bytes (see CASES)."""
    if case == "truncated":
        return raw[: len(raw) // 2]
    if case == "garbage":
        return os.urandom(len(raw))
    if case == "empty":
        return b""
    meta, arrays = _arrays(raw, tmp)
    w = _weight(arrays)
    if case == "no meta":
        return _plain_npz(arrays)
    if case == "meta not json":
        arrays["__meta__"] = np.frombuffer(b"\xff{not json", np.uint8)
        return _plain_npz(arrays)
    if case == "meta for another config":
        meta["config"] = runs.config_json(tiny_config(steps=20, seed=5))
    elif case == "meta without data":
        del meta["data"]
    elif case == "meta data wrong":
        meta["data"]["history"] = {"nonsense": 1}
    elif case == "nan weights":  # metadata intact, as issue 31 found
        arrays[w] = np.full_like(arrays[w], np.nan)
    elif case == "inf losses":
        arrays["losses"] = np.full_like(arrays["losses"], np.inf)
    elif case == "wrong shape, meta kept":
        arrays[w] = np.zeros((3, 3), arrays[w].dtype)
    elif case == "wrong dtype, meta kept":
        arrays[w] = arrays[w].astype(np.float64)
    elif case == "missing array, meta kept":
        del arrays[w]
    elif case == "wrong shape for the config":  # consistent file, weights of another size
        arrays[w] = np.zeros((arrays[w].shape[0] * 2, arrays[w].shape[1]), arrays[w].dtype)
        meta["arrays"][w] = [arrays[w].dtype.str, list(arrays[w].shape)]
    return _npz(meta, arrays)


def _plain_npz(arrays: dict[str, np.ndarray]) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


CASES = ["truncated", "garbage", "empty", "no meta", "meta not json", "meta for another config",
         "meta without data", "meta data wrong", "nan weights", "inf losses",
         "wrong shape, meta kept", "wrong dtype, meta kept", "missing array, meta kept",
         "wrong shape for the config"]


@pytest.mark.parametrize("case", CASES)
def test_a_damaged_entry_is_dropped_with_a_note_and_trained_again(case, pristine, tmp_path,
                                                                   caplog):
    disk = runs.DiskStore(tmp_path / "runs")
    path = disk.path(lesson.KIND, CFG)
    path.write_bytes(_damage(case, pristine, tmp_path))
    store = runs.RunStore(disk=disk)  # a server started on the damaged folder
    with caplog.at_level(logging.WARNING, logger="memviz.runs"):
        assert store.get(lesson.KIND, CFG) is None  # a miss, never an exception
    assert not path.exists()  # dropped from the disk at once
    assert any("dropped damaged run file" in r.getMessage() for r in caplog.records)
    calls = []
    les = store.get_or_compute(lesson.KIND, CFG, lambda: calls.append(1) or lesson.prepare(CFG))
    assert calls == [1] and path.exists()  # trained again, and kept
    again = runs.RunStore(disk=runs.DiskStore(tmp_path / "runs")).get(lesson.KIND, CFG)
    assert again is not None and np.isfinite(again.trace["h"]).all()
    assert again.run.history.losses == les.run.history.losses


def test_the_pristine_entry_itself_loads(pristine, tmp_path):
    """The control for the cases above: the undamaged bytes are a hit."""
    disk = runs.DiskStore(tmp_path)
    disk.path(lesson.KIND, CFG).write_bytes(pristine)
    assert disk.load(lesson.KIND, CFG) is not None and disk.path(lesson.KIND, CFG).exists()


def test_a_result_with_nan_weights_is_not_written(tmp_path):
    les = lesson.prepare(CFG)
    bad = les.run.model.state_dict()
    for v in bad.values():
        v.fill_(float("nan"))  # the model is this test's own: nothing shared is changed
    disk = runs.DiskStore(tmp_path)
    assert disk.save(lesson.KIND, CFG, les) is None and not list(tmp_path.glob("*.npz"))


def test_the_stepper_payload_is_valid_json_even_for_a_nan_trace(pristine, tmp_path):
    """Issue 31: a NaN entry made the browser say "SyntaxError: Unexpected token 'N'"."""
    from memviz.ui import stepper

    les = lesson.prepare(CFG)
    model = les.run.model
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(float("nan"))
    ex = tasks.example(CFG.task, CFG.train.seed)
    tr = trace.record(model, ex.x, ex.y)
    assert np.isnan(tr["c"]).all()
    data = stepper.payload(tr, 1, 0)
    text = json.dumps(data, allow_nan=False)  # strict JSON: what JSON.parse accepts
    assert "NaN" not in text and "Infinity" not in text
    cell = data["scales"]["cell"]
    assert np.isfinite([cell["lo"], cell["hi"]]).all()
    # a healthy trace keeps its scale exactly
    good = stepper.payload(les.trace, 1, 0)
    assert good == json.loads(json.dumps(good, allow_nan=False))


# ---- half-written, leftover and removed -----------------------------------------------------
def test_a_reader_never_sees_a_half_written_entry(tmp_path, caplog):
    runs.register_codec("test.big", lambda r: ({}, {"a": r}), lambda meta, arrays: arrays["a"])
    disk, stop, seen = runs.DiskStore(tmp_path), threading.Event(), []
    value = np.arange(2_000_000, dtype=np.float64)  # 16 MB: each write takes a while

    def read() -> None:
        while not stop.is_set():
            got = disk.load("test.big", 1)
            seen.append(None if got is None else bool(np.array_equal(got, value)))

    reader = threading.Thread(target=read)
    with caplog.at_level(logging.WARNING, logger="memviz.runs"):
        reader.start()
        for _ in range(6):
            disk.save("test.big", 1, value)
        stop.set()
        reader.join(30)
    assert True in seen and False not in seen  # whole entries only, never a damaged one
    assert not [r for r in caplog.records if "dropped" in r.getMessage()]


def test_a_writer_killed_mid_write_leaves_no_entry_and_its_temporary_file_is_evicted(tmp_path):
    """A real SIGKILL halfway through np.savez: the entry's name never appears; the leftover
    .tmp- file is never read, counts toward the size bound while young, and goes once old."""
    code = (
        "import os, signal, sys, numpy as np\n"
        "from memviz import runs\n"
        "runs.register_codec('test.k', lambda r: ({}, {'a': r}), lambda m, a: a['a'])\n"
        "real = np.savez\n"
        "def half(f, **arrays):\n"
        "    f.write(b'PK\\x03\\x04' + b'x' * 100_000); f.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "np.savez = half\n"
        f"runs.DiskStore({str(tmp_path)!r}).save('test.k', 1, np.zeros(10))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    runs.register_codec("test.k", lambda r: ({}, {"a": r}), lambda meta, arrays: arrays["a"])
    disk = runs.DiskStore(tmp_path, max_bytes=50_000)
    (left,) = tmp_path.glob(".tmp-*")
    assert not disk.path("test.k", 1).exists() and disk.load("test.k", 1) is None
    assert left.stat().st_size > disk.max_bytes
    disk.save("test.k", 2, np.zeros(10))  # young: kept, and it fills the bound
    assert left.exists() and not disk.path("test.k", 2).exists()  # LRU'd out by the tmp file
    old = time.time() - runs.TMP_MAX_AGE_S - 60
    os.utime(left, (old, old))
    disk.save("test.k", 3, np.zeros(10))
    assert not left.exists() and disk.load("test.k", 3) is not None


def test_the_store_folder_is_made_again_after_rm_rf(tmp_path):
    store = runs.RunStore(disk=runs.DiskStore(tmp_path / "runs"))
    store.get_or_compute(lesson.KIND, CFG, lambda: lesson.prepare(CFG))
    shutil.rmtree(tmp_path / "runs")  # a lecturer clears the cache while the server runs
    other = tiny_config(steps=20, seed=3)
    store.get_or_compute(lesson.KIND, other, lambda: lesson.prepare(other))
    assert len(list((tmp_path / "runs").glob("*.npz"))) == 1  # the new run reached the disk
    assert runs.RunStore(disk=runs.DiskStore(tmp_path / "runs")).get(lesson.KIND, other)


# ---- replicas over one folder ---------------------------------------------------------------
def _until(pred, timeout: float = 15.0) -> bool:
    """Poll pred until it holds (a waiter's thread may start late on a busy machine)."""
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def _replica(folder: Path) -> jobs.Board:
    """A server's board and store over `folder` (its own open files, its own locks)."""
    return jobs.Board(runs.RunStore(disk=runs.DiskStore(folder)), workers.Pool(2, "thread"))


def test_two_replicas_asked_at_once_train_once(tmp_path):
    a, b, calls, gate = _replica(tmp_path), _replica(tmp_path), [], threading.Event()

    def counted(cfg, on_step):
        calls.append(cfg)
        gate.wait(10)  # both replicas have been asked before either finishes
        return lesson.prepare(cfg, on_step)

    ja = [a.submit(lesson.KIND, CFG, counted, f"a{i}") for i in range(3)]
    jb = [b.submit(lesson.KIND, CFG, counted, f"b{i}") for i in range(3)]
    assert len({id(j) for j in ja}) == len({id(j) for j in jb}) == 1
    assert _until(lambda: a.snapshot(ja[0]).elsewhere or b.snapshot(jb[0]).elsewhere)
    snaps = [a.snapshot(ja[0]), b.snapshot(jb[0])]
    assert sorted(s.elsewhere for s in snaps) == [False, True]  # one trains, one waits
    gate.set()
    assert a.wait(ja[0], 30) and b.wait(jb[0], 30)
    assert len(calls) == 1
    ra, rb = a.store.get(lesson.KIND, CFG), b.store.get(lesson.KIND, CFG)
    assert ra is not None and rb is not None
    assert ra.run.history.losses == rb.run.history.losses
    assert len(list(tmp_path.glob("*.npz"))) == 1 and not list(tmp_path.glob("*.lock"))


def test_a_replica_waiting_on_another_can_stop_and_takes_over_when_it_fails(tmp_path):
    a, b, gate = _replica(tmp_path), _replica(tmp_path), threading.Event()

    def fails(cfg, on_step):
        gate.wait(10)
        raise ValueError("boom")

    ja = a.submit(lesson.KIND, CFG, fails, "alice")  # a holds the lock once submit returns
    stopped = b.submit(lesson.KIND, CFG, lesson.prepare, "bob")
    assert _until(lambda: b.snapshot(stopped).elsewhere)
    assert b.stop(stopped, "bob") == "stopped"
    assert b.wait(stopped, 5) and b.snapshot(stopped).state == "stopped"
    jb = b.submit(lesson.KIND, CFG, lesson.prepare, "bob")
    assert _until(lambda: b.snapshot(jb).elsewhere)
    gate.set()  # a's run fails: b stops waiting and trains it itself
    assert a.wait(ja, 10) and a.snapshot(ja).state == "failed"
    assert b.wait(jb, 30) and b.snapshot(jb).state == "done"
    assert a.store.get(lesson.KIND, CFG) is not None  # read from the disk b wrote


def test_a_lock_not_refreshed_for_too_long_is_taken_over(tmp_path, monkeypatch):
    hung = runs.DiskStore(tmp_path).claim(lesson.KIND, CFG)  # a replica stopped (SIGSTOP)
    other = runs.DiskStore(tmp_path)
    assert other.claim(lesson.KIND, CFG) is None and other.holder(lesson.KIND, CFG) == "alive"
    old = time.time() - runs.STALE_S - 1
    os.utime(hung.path, (old, old))
    mine = other.claim(lesson.KIND, CFG)
    assert mine is not None and mine.fd is not None
    hung.release()  # the hung one wakes up: it must not delete the new holder's lock
    assert mine.path.exists() and other.holder(lesson.KIND, CFG) == "alive"
    mine.release()
    assert not mine.path.exists()


# ---- a server killed mid-run ----------------------------------------------------------------
HOLDER = (
    "import sys, time\n"
    "from memviz import runs\n"
    "from memviz.engine import lesson\n"
    "from tests.conftest import tiny_config\n"
    "c = runs.DiskStore(sys.argv[1]).claim(lesson.KIND, tiny_config(steps=20))\n"
    "assert c is not None and c.fd is not None\n"
    "print('held', flush=True)\n"
    "time.sleep(60)\n")


def _holder(folder: Path) -> subprocess.Popen:
    """A 'server' process training CFG on `folder` (it holds CFG's lock until killed)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_server_killed_mid_run_leaves_an_interrupted_run_that_trains_again(tmp_path):
    proc = _holder(tmp_path)
    store = runs.RunStore(disk=runs.DiskStore(tmp_path))
    assert not store.interrupted(lesson.KIND, CFG)  # alive: being trained elsewhere
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert store.interrupted(lesson.KIND, CFG)  # dead holder, no entry: interrupted
    assert store.get(lesson.KIND, CFG) is None  # and nothing half-written is read
    board = jobs.Board(store, workers.Pool(1, "thread"))
    job = board.submit(lesson.KIND, CFG, lesson.prepare, "alice")  # the student presses Train
    assert board.wait(job, 30) and board.snapshot(job).state == "done"
    assert not store.interrupted(lesson.KIND, CFG) and not list(tmp_path.glob("*.lock"))


def test_a_replica_waiting_on_a_server_that_dies_trains_it_itself(tmp_path):
    proc = _holder(tmp_path)
    board = _replica(tmp_path)
    job = board.submit(lesson.KIND, CFG, lesson.prepare, "alice")
    assert _until(lambda: board.snapshot(job).elsewhere) and not job.done.is_set()
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert board.wait(job, 30) and board.snapshot(job).state == "done"
    assert board.store.get(lesson.KIND, CFG) is not None


def test_the_page_says_a_run_was_interrupted_and_offers_train(tmp_path):
    from streamlit.testing.v1 import AppTest

    from memviz.ui import training

    training.store.clear()
    folder = Path(os.environ["MEMVIZ_STORE"])
    proc = _holder(folder)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)

    def page():
        from memviz.engine import lesson
        from memviz.ui import lang, training
        from tests.conftest import tiny_config

        lang.sync()
        training.trained("t", tiny_config(steps=20), lesson.prepare, auto=True)

    for lang, want in (("en", "was interrupted"), ("zh", "被中断了")):
        at = AppTest.from_function(page, default_timeout=60)
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception
        assert any(want in w.value for w in at.warning), [w.value for w in at.warning]
        assert any(b.label for b in at.button)  # the Train button is offered
        assert not at.info  # and "not trained yet" is not said beside it
        assert training.board().find(lesson.KIND, CFG) is None  # a link did not restart it
    training.store.clear()


def test_a_codec_that_fails_to_encode_keeps_the_run_in_memory_and_frees_its_lock(tmp_path):
    def broken(result):
        raise TypeError("not encodable")

    runs.register_codec("test.broken", broken, lambda meta, arrays: None)
    board = _replica(tmp_path)
    job = board.submit("test.broken", 1, lambda cfg, on_step: "a result", "alice")
    assert board.wait(job, 10) and board.snapshot(job).state == "done"
    assert board.store.get("test.broken", 1) == "a result"
    assert not list(tmp_path.glob("*.lock")) and not list(tmp_path.glob("*.npz"))
