"""Two replicas over one run store: students on both ask for the same new setting at once.

    python3 benchmarks/replicas.py [--students 6] [--root CHECKOUT]

Two real servers (`streamlit run app.py`, worker processes, one MEMVIZ_STORE folder) on two
loopback ports; N wire students (benchmarks/wire.py) on each open the same new link at the same
instant (a link trains by itself). Printed: how many trainings ran, counted two ways that do not
depend on each other: the servers' own log lines ("training ... on this server", memviz's logger
at INFO, sent to each server's log file; the launcher below does only that) and each replica's
worker processes' CPU seconds during the crowd (a replica whose workers did not train uses
~0 s); what each replica's students saw; the time until each had the result. `--root` runs the
servers from another checkout (e.g. the code before the lock, unpacked with `git archive`): its
trainings are then counted by CPU alone. Only 127.0.0.1 is contacted; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import wire  # noqa: E402
from load import cpu_s, tree  # noqa: E402

DONE = "Held-out accuracy"
ELSEWHERE = "Another server of this class is training"
PROGRESS = "Training: step"
LINK = "/lstm?task=recall&seq_len=20&hidden=32&steps=600&seed={seed}"
# `streamlit run app.py` with memviz's log at INFO in the server's log file: nothing else changes
LAUNCH = (
    "import logging, sys\n"
    "h = logging.StreamHandler()\n"
    "h.setFormatter(logging.Formatter('%(asctime)s %(name)s %(levelname)s %(message)s'))\n"
    "log = logging.getLogger('memviz'); log.setLevel(logging.INFO); log.addHandler(h)\n"
    "from streamlit.web import cli\n"
    "sys.argv = ['streamlit', 'run', 'app.py', *sys.argv[1:]]\n"
    "sys.exit(cli.main())\n")


class Replica:
    """One server on `port` over the store folder `store`, run from the checkout `root`."""

    def __init__(self, port: int, store: str, root: Path = ROOT) -> None:
        self.port, self.store = port, store
        self.log = tempfile.NamedTemporaryFile("w+", prefix="memviz-replica-", suffix=".log")
        env = {**os.environ, "MEMVIZ_STORE": store, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("MEMVIZ_POOL", None)  # the default pool: worker processes, as a class runs
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"], cwd=root, env=env,
            stdout=subprocess.DEVNULL, stderr=self.log, text=True, start_new_session=True)
        wire.wait_healthy(port, 120)

    def workers_cpu(self) -> float:
        """CPU seconds of the server's children (forkserver, workers): training, not pages."""
        return cpu_s([p for p in tree(self.proc.pid) if p != self.proc.pid])

    def text(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def close(self, kill: bool = False) -> None:
        """Stop the server (SIGKILL when `kill`) and every process it started."""
        import signal

        if kill:
            os.killpg(self.proc.pid, signal.SIGKILL)
        else:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait()
        try:  # workers left behind by a killed server are this script's to end
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


async def crowd(replicas: list[Replica], link: str, n: int, timeout: float) -> list[list]:
    """n students on each replica open `link` at the same instant."""
    visits = [[wire.visit(r.port, link, timeout, until=DONE) for _ in range(n)]
              for r in replicas]
    flat = await asyncio.gather(*(v for per in visits for v in per))
    return [flat[i * n:(i + 1) * n] for i in range(len(replicas))]


def warm(r: Replica, timeout: float) -> None:
    """The lecturer's first visit on each replica (imports, another seed): not measured."""
    asyncio.run(wire.visit(r.port, LINK.format(seed=9_000 + r.port), timeout, until=DONE))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=6, help="students on each replica")
    ap.add_argument("--port", type=int, default=8761)
    ap.add_argument("--timeout", type=float, default=240.0)
    ap.add_argument("--rounds", type=int, default=3, help="new settings asked, one after another")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout the servers run")
    a = ap.parse_args()
    run(a.students, a.port, a.timeout, a.rounds, a.root)


def run(students: int, port: int, timeout: float, rounds: int = 3, root: Path = ROOT) -> None:
    """Two replicas on port and port + 1 over one new store folder; `rounds` new settings, each
    asked by `students` students on each replica at the same instant."""
    store = tempfile.mkdtemp(prefix="memviz-replicas-")
    reps = [Replica(port, store, root), Replica(port + 1, store, root)]
    try:
        for r in reps:
            warm(r, timeout)
        print(f"two replicas on ports {port}, {port + 1}, one store {store}; "
              f"{students} students on each; code from {root}")
        total_trained = []
        for k in range(rounds):
            link = LINK.format(seed=100 + k)
            before = [r.workers_cpu() for r in reps]
            logs0 = [r.text().count("on this server") for r in reps]
            start = time.perf_counter()
            got = asyncio.run(crowd(reps, link, students, timeout))
            wall = time.perf_counter() - start
            time.sleep(1.0)  # the last progress reports and log lines
            cpu = [r.workers_cpu() - b for r, b in zip(reps, before, strict=True)]
            logged = [r.text().count("on this server") - n0 for r, n0 in zip(reps, logs0,
                                                                           strict=True)]
            by_cpu = sum(c > 1.0 for c in cpu)
            total_trained.append((by_cpu, sum(logged)))
            print(f"round {k + 1} {link}: trainings {sum(logged)} by the servers' logs, {by_cpu}"
                  f" by worker CPU ({', '.join(f'{c:.1f}' for c in cpu)} s); all in {wall:.1f} s")
            for i, visits in enumerate(got):
                done = [v.at(v.first(DONE)) for v in visits if v.first(DONE) is not None]
                saw = {"progress here": sum(v.first(PROGRESS) is not None for v in visits),
                       "'trained elsewhere'": sum(v.first(ELSEWHERE) is not None
                                                  for v in visits)}
                errors = [v.error for v in visits if v.error]
                print(f"  replica {i + 1}: {len(done)} of {len(visits)} had the result "
                      f"(median {statistics.median(done) if done else float('nan'):.1f} s, "
                      f"max {max(done, default=float('nan')):.1f} s); saw "
                      + ", ".join(f"{x} {n}" for n, x in saw.items())
                      + f"; {len(errors)} error(s) {errors[:1] or ''}")
        entries = len(list(Path(store).glob("*.npz")))
        locks = len(list(Path(store).glob("*.lock")))
        print(f"trainings per new setting (CPU, logs): {total_trained}; store: {entries} "
              f"entries, {locks} lock files left")
    finally:
        for r in reps:
            err = r.text()
            r.close()
            wire.print_traceback(err, f"replica on {r.port}")


if __name__ == "__main__":
    main()
