"""Worker faults on the real server (`streamlit run app.py`, worker processes), as a tester
would cause them, and what each student saw (issue 31 §1, issue 27 §4).

    python3 benchmarks/faults.py            # ~2-4 minutes on a 2-core machine

Measured here (7 Dec 2026): 6 cases, 0 bystander runs lost, 0 processes left by a killed
server; the killed worker's student had the line 0.2 s after the kill, the stopped worker's two
students 8.6 s after the SIGSTOP (bound 8 s). The code before this script (one
ProcessPoolExecutor): the bystander's run failed with the killed one's.

Students are wire clients (benchmarks/wire.py): each opens a training link, which trains by
itself, and reads the page until its result or a failure line arrives. Cases:
(1) kill -9 of one busy worker while another student's run trains on the other worker;
(2) kill -STOP of a busy worker (the server runs with MEMVIZ_STALL_S=8, a short fixed
    no-progress bound), and a second student opening the same link while it is stopped;
(3) after (1) and (2): a new run on the replaced workers;
(4) kill -9 of the server mid-training: which of its processes are left after 5 s.
Prints one line per case: what each student saw, runs lost, processes left behind.
Only 127.0.0.1 is contacted; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import load  # noqa: E402
import wire  # noqa: E402

STALL_S = 8
DONE = "Held-out accuracy"
FAILED = "Training failed"
LINK = "/rnn?task=recall&seq_len=20&hidden=32&lr=0.01&steps={steps}&seed={seed}"
LONG = "/rnn?task=recall&seq_len=80&hidden=64&lr=0.01&steps=2000&seed={seed}"  # ~45 s, idle
TIMEOUT = 240.0


def workers_of(server: load.Server) -> list[int]:
    """The server's training worker processes."""
    out = []
    for p in server.pids():
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            continue
        if b"memviz.worker" in cmd or b"forkserver" in cmd:  # this design's or the old one's
            out.append(p)
    return out


def cpu(p: int) -> float:
    try:
        f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(v) for v in f[11:13]) / load.TICK
    except (OSError, ValueError):
        return 0.0


def busy(server: load.Server, exclude: set[int], timeout: float = 120.0) -> int | None:
    """A worker (not in exclude) that is using the CPU now, i.e. training."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pids = [p for p in workers_of(server) if p not in exclude]
        before = {p: cpu(p) for p in pids}
        time.sleep(1.0)
        for p in pids:
            if cpu(p) - before[p] >= 0.04:  # an idle one uses ~0 (load 20 on 2 cores: ~0.1)
                return p
    return None


def texts(v: wire.Visit) -> list[str]:
    """The alert, markdown and progress texts the page sent, in order."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = []
    for _, kind, raw in v.messages:
        if kind != "delta":
            continue
        el = ForwardMsg.FromString(raw).delta.new_element
        which = el.WhichOneof("type")
        if which in ("alert", "markdown"):
            out.append(getattr(el, which).body)
        elif which == "progress":
            out.append(el.progress.text)
        elif which == "metric":  # the result's figures: "Held-out accuracy" and its value
            out.append(f"{el.metric.label} {el.metric.body}")
    return out


def settle(server: load.Server, timeout: float = 180.0) -> None:
    """Wait until no worker uses the CPU (a replaced one has finished importing torch), so that
    busy() then finds the worker that trains, not one that starts."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pids = workers_of(server)
        before = {p: cpu(p) for p in pids}
        time.sleep(1.0)
        if len(pids) >= 2 and all(cpu(p) - before[p] < 0.02 for p in pids):
            return


def said(v: wire.Visit) -> str:
    """The line the student was left with: the result, the failure line, or nothing."""
    for line in reversed(texts(v)):
        if any(m in line for m in (FAILED, "Training stopped", DONE)):
            return line[:220]
    return f"(nothing: {v.error or 'timed out'})"


class Student(threading.Thread):
    """One wire student on `link`, in a thread of its own; `visit` when it has finished."""

    def __init__(self, port: int, link: str, until: str = "") -> None:
        super().__init__(daemon=True)
        self.port, self.link, self.until = port, link, until
        self.visit: wire.Visit | None = None
        self.start()

    def run(self) -> None:
        # a page polls its run and reruns itself when it ends: wait for either line
        self.visit = asyncio.run(wire.visit(self.port, self.link, TIMEOUT, until=self.until))

    def seen(self) -> str:
        self.join(TIMEOUT + 10)
        return said(self.visit) if self.visit is not None else "(no answer)"


def main() -> None:
    os.environ["MEMVIZ_STALL_S"] = str(STALL_S)
    os.environ.pop("MEMVIZ_POOL", None)  # the class's path: worker processes
    tried = lost = left_total = 0
    server = load.Server(8761)
    try:
        warm = asyncio.run(wire.visit(server.port, LINK.format(steps=50, seed=9999), TIMEOUT,
                                      until=DONE))
        print(f"warm-up: {said(warm)[:60]!r}; workers {workers_of(server)}")

        # (1) kill -9 of one busy worker; the other student's run goes on
        settle(server)
        doomed = Student(server.port, LONG.format(seed=1), until=FAILED)
        victim = busy(server, set())
        other = Student(server.port, LINK.format(steps=400, seed=2), until=DONE)
        time.sleep(3.0)
        t0 = time.monotonic()
        if victim is not None:
            os.kill(victim, signal.SIGKILL)
        a = doomed.seen()
        ta = time.monotonic() - t0
        b = other.seen()
        tried += 2
        lost += DONE not in b
        print(f"(1) kill -9 of busy worker {victim}: its student saw {a!r} after {ta:.1f} s;\n"
              f"    the other student saw {b[:60]!r} after {time.monotonic() - t0:.1f} s")

        # (2) kill -STOP of a busy worker; a second student joins the same link meanwhile
        settle(server)
        link = LONG.format(seed=3)
        first = Student(server.port, link, until=FAILED)
        victim = busy(server, set())
        t0 = time.monotonic()
        if victim is not None:
            os.kill(victim, signal.SIGSTOP)
        time.sleep(1.0)
        second = Student(server.port, link, until=FAILED)
        a, b = first.seen(), second.seen()
        waited = time.monotonic() - t0
        tried += 2
        if victim is not None:
            try:
                os.kill(victim, signal.SIGCONT)
                print(f"    (worker {victim} still there: resumed)")
            except ProcessLookupError:
                pass
        print(f"(2) kill -STOP of busy worker {victim} (bound {STALL_S} s): the first student "
              f"saw {a!r}; the second (joined 1 s later) saw {b!r}; both after {waited:.1f} s")

        # (3) the replaced workers train
        t0 = time.monotonic()
        after = Student(server.port, LINK.format(steps=100, seed=4), until=DONE).seen()
        tried += 1
        lost += DONE not in after
        print(f"(3) a new run after (1) and (2): {after[:60]!r} after "
              f"{time.monotonic() - t0:.1f} s; workers now {workers_of(server)}")

        # (4) kill -9 of the server mid-training
        running = Student(server.port, LONG.format(seed=5), until=DONE)
        busy(server, set())
        tree = set(server.pids()) - {server.proc.pid}
        server.proc.kill()
        server.proc.wait(10)
        time.sleep(5.0)
        left = {p: Path(f"/proc/{p}/cmdline").read_bytes()[:70].replace(b"\0", b" ")
                for p in tree if Path(f"/proc/{p}").exists()
                and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"}
        left_total = len(left)
        tried += 1
        print(f"(4) kill -9 of the server with {len(tree)} child process(es), one training: "
              f"{len(left)} left after 5 s {sorted(left.values())}")
        for p in left:  # never leave them running here
            os.kill(p, signal.SIGKILL)
        running.join(1)
    finally:
        if server.proc.poll() is None:
            server.close()
    print(f"faults: {tried} cases (students and the server), {lost} run(s) of bystanders lost, "
          f"{left_total} process(es) left behind by a killed server")


if __name__ == "__main__":
    main()
