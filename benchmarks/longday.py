"""A long day on one server: ~300 runs of mixed lessons, and the server's memory after each ten.

    nice -n 5 python3 benchmarks/longday.py [--runs 300] [--minutes 15] [--students 2]

Measured here (2 cores shared with other work, 7 Dec 2026): 300 runs in 598 s, 0 errors; the
server's RSS 554 MB after 10 runs, 783 MB after 200, 819 MB after 300 (peak 822 MB).

The real server path: `streamlit run app.py` (worker processes, a run store folder of its own),
driven by wire students (benchmarks/wire.py). Each run is a link no one opened before (one of
ten lessons in turn, small settings, one setting changed per run), so every visit trains; a
student reopens the link until the page shows its result (as every_page in load.py does).
`--students` of them go at once. Prints, every 10 runs, the server process's RSS and that of
the whole tree (server + workers); issue 31 §2's goal: the server's RSS levels off under 1 GB.
Only 127.0.0.1 is contacted; every wait is bounded; stops at --minutes with what it has.

    nice -n 5 python3 benchmarks/longday.py --inprocess [--runs 300]

The server's run path without streamlit (for a machine too busy to render 300 pages): the
Board, the process Pool and a RunStore (64 entries, its byte bound, a store folder) in this
process, nine lessons' training functions in turn with small settings; this process's RSS is
the "server" figure. It measures what the board and the store keep, not what pages draw.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import load  # noqa: E402
import wire  # noqa: E402

# one small link per lesson; the seed makes the k-th run of a lesson a setting never trained
LESSONS = ("/lstm?steps=100&seed={k}", "/gru?steps=100&seed={k}", "/rnn?steps=100&seed={k}",
           "/gates?steps=100&seed={k}", "/text?steps=30&seed={k}", "/series?epochs=10&seed={k}",
           "/sentences?steps=100&seed={k}", "/attention?steps=100&seed={k}",
           "/cnn?steps=50&seed={k}", "/documents?steps=50&seed={k}")


def link(i: int) -> str:
    return LESSONS[i % len(LESSONS)].format(k=1 + i // len(LESSONS))


def train(port: int, url: str, timeout: float) -> str | None:
    """Open url until the page shows its result (no more polling); an error, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = asyncio.run(wire.visit(port, url, end - time.monotonic(), until=""))
        if v.error:
            return v.error
        if not v.kinds("auto_rerun"):  # no progress panel: the result (or a failure) is shown
            return None
        time.sleep(0.5)
    return "timed out"


def inprocess_kinds() -> list:
    """(train function, config for the k-th run) for nine lessons, small settings."""
    from memviz.attention import selfattn
    from memviz.attention import train as s2s
    from memviz.cnn import model as cnn
    from memviz.config import RunConfig
    from memviz.engine import lesson
    from memviz.gates import gradients
    from memviz.series import forecast
    from memviz.series import model as series
    from memviz.text import model as text_model
    from memviz.text import train as text_train

    def rec(arch: str):
        return lambda k: RunConfig().replace(model={"arch": arch},
                                             train={"steps": 100, "seed": k})
    return [(lesson.prepare, rec("lstm")), (lesson.prepare, rec("gru")),
            (lesson.prepare, rec("rnn")), (gradients.study, rec("lstm")),
            (text_train.run, lambda k: text_model.TextConfig(steps=30, seed=k)),
            (series.train, lambda k: forecast.ForecastConfig(epochs=5, seed=k)),
            (cnn.train_cnn, lambda k: cnn.CNNConfig(steps=50, seed=k)),
            (selfattn.train_recall, lambda k: selfattn.RecallConfig(steps=50, seed=k)),
            (s2s.train_both, lambda k: s2s.Seq2SeqConfig(steps=100, seed=k))]


def inprocess(a) -> None:
    import tempfile

    sys.path.insert(0, str(ROOT))
    from memviz import jobs, runs, workers
    from memviz.runs import kind_of

    kinds = inprocess_kinds()
    pool = workers.Pool(2, "process")
    board = jobs.Board(runs.RunStore(max_entries=64, disk=runs.DiskStore(
        tempfile.mkdtemp(prefix="memviz-longday-"))), pool)
    pool.warm()
    me = os.getpid()
    print(f"start: this process RSS {load.memory_mb([me])[0]:.0f} MB")
    lock, nxt, curve, errors, start = threading.Lock(), iter(range(a.runs)), [], [], time.time()
    stop_at = time.monotonic() + 60 * a.minutes

    def student() -> None:
        while time.monotonic() < stop_at:
            with lock:
                i = next(nxt, None)
            if i is None:
                return
            fn, cfg = kinds[i % len(kinds)]
            job = board.submit(kind_of(fn), cfg(1 + i // len(kinds)), fn, f"s{i}", 5.0)
            ok = board.wait(job, a.timeout)
            with lock:
                snap = board.snapshot(job)
                if not ok or snap.state != "done":
                    errors.append(f"{kind_of(fn)}: {snap.state} {snap.error}")
                curve.append(i)
                if len(curve) % 10 == 0:
                    own = load.memory_mb([me])[0]
                    work = load.memory_mb(pool.pids())[0]
                    print(f"  {len(curve):4d} runs  server RSS {own:6.0f} MB   workers RSS "
                          f"{work:6.0f} MB   store {len(board.store)} entries "
                          f"~{board.store.bytes / 2**20:.0f} MB   ({time.time() - start:4.0f} s)",
                          flush=True)
    threads = [threading.Thread(target=student, daemon=True) for _ in range(a.students)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{len(curve)} runs of {len(kinds)} lessons in {time.time() - start:.0f} s; "
          f"{len(errors)} failed; workers lost {pool.lost_workers}")
    for e in errors[:5]:
        print(f"  failed: {e}")
    pool.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--students", type=int, default=2)
    ap.add_argument("--port", type=int, default=8771)
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds for one run")
    ap.add_argument("--inprocess", action="store_true",
                    help="Board + process Pool + RunStore in this process, no streamlit")
    a = ap.parse_args()
    if a.inprocess:
        inprocess(a)
        return
    server = load.Server(a.port)
    own = load.memory_mb([server.proc.pid])[0]
    tree = load.memory_mb(server.pids())[0]
    print(f"server started: server RSS {own:.0f} MB, tree (server + workers) RSS {tree:.0f} MB")
    curve: list[tuple[int, float, float]] = []
    errors: list[str] = []
    done, lock, stop_at = [0], threading.Lock(), time.monotonic() + 60 * a.minutes
    nxt = iter(range(a.runs))
    durations: list[float] = []

    def student() -> None:
        while time.monotonic() < stop_at:
            with lock:
                i = next(nxt, None)
            if i is None:
                return
            t0 = time.monotonic()
            err = train(a.port, link(i), a.timeout)
            with lock:
                durations.append(time.monotonic() - t0)
                if err:
                    errors.append(f"{link(i)}: {err[:120]}")
                done[0] += 1
                if done[0] % 10 == 0:
                    own = load.memory_mb([server.proc.pid])[0]
                    tree = load.memory_mb(server.pids())[0]
                    curve.append((done[0], own, tree))
                    print(f"  {done[0]:4d} runs  server RSS {own:6.0f} MB   tree RSS "
                          f"{tree:6.0f} MB   ({time.monotonic() - stop_at + 60 * a.minutes:5.0f}"
                          f" s)", flush=True)

    start = time.monotonic()
    try:
        threads = [threading.Thread(target=student, daemon=True) for _ in range(a.students)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"{done[0]} runs of {len(LESSONS)} lessons in {time.monotonic() - start:.0f} s "
              f"(median {statistics.median(durations or [0]):.1f} s a run, {a.students} at once)"
              f"; {len(errors)} error(s); {server.runs()} run(s) in the store folder")
        for e in errors[:5]:
            print(f"  error: {e}")
        if curve:
            peak = max(c[1] for c in curve)
            tail = [c[1] for c in curve[len(curve) // 2:]]
            print(f"server RSS: first {curve[0][1]:.0f} MB, peak {peak:.0f} MB, last "
                  f"{curve[-1][1]:.0f} MB; second half {min(tail):.0f}-{max(tail):.0f} MB "
                  f"({'under' if peak < 1024 else 'OVER'} 1 GB)")
    finally:
        wire.print_traceback(server.close())


if __name__ == "__main__":
    main()
