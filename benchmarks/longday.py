"""A long day on one server: ~300 runs of mixed lessons, and the server's memory after each ten.

    nice -n 5 python3 benchmarks/longday.py [--runs 300] [--minutes 15] [--students 2]

The real server path: `streamlit run app.py` (worker processes, a run store folder of its own),
driven by wire students (benchmarks/wire.py). Each run is a link no one opened before (one of
ten lessons in turn, small settings, one setting changed per run), so every visit trains; a
student reopens the link until the page shows its result (as every_page in load.py does).
`--students` of them go at once. Prints, every 10 runs, the server process's RSS and that of
the whole tree (server + workers); issue 31 §2's goal: the server's RSS levels off under 1 GB.
Only 127.0.0.1 is contacted; every wait is bounded; stops at --minutes with what it has.
"""

from __future__ import annotations

import argparse
import asyncio
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--students", type=int, default=2)
    ap.add_argument("--port", type=int, default=8771)
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds for one run")
    a = ap.parse_args()
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
        log = server.close()
        if "Traceback" in log:
            at = log.index("Traceback")
            print("server log had a traceback:\n" + log[max(at - 300, 0):at + 2000])


if __name__ == "__main__":
    main()
