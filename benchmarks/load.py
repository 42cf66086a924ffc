"""A class on one server: headless chromium sessions against a streamlit server on loopback.

    python3 benchmarks/load.py --sessions 30      # (a) N students, same link; (b) 10 settings

(a) N sessions open the same link: how many finish, how many trainings ran (runs in the store),
    seconds until each student sees progress, a queue place or the result.
(b) 10 sessions open 10 different links: total time vs the same ten trainings on plain threads
    in this process; errors and lost runs. Server RSS peak (server and its workers) throughout.
Every loop is bounded by --timeout; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEEN = ("Training: step", "Waiting for a free worker", "Held-out accuracy")
DONE = "Held-out accuracy"
LINK = "/rnn?task=recall&seq_len=20&hidden=32&lr=0.01&steps=200&seed={seed}"


def rss_mb(pid: int) -> float:
    """Resident memory of pid and all its descendants, from /proc (MB)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for t in Path(f"/proc/{p}/task").iterdir():
                kids = (t / "children").read_text().split()
                todo.extend(int(k) for k in kids)
        except (OSError, ValueError):
            continue
    return total / 1024


class Server:
    """`streamlit run app.py` on a loopback port with its own run store folder."""

    def __init__(self, port: int) -> None:
        self.port, self.store = port, tempfile.mkdtemp(prefix="memviz-load-")
        env = {**os.environ, "MEMVIZ_STORE": self.store}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.peak, self._stop = 0.0, threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("server did not start")

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, rss_mb(self.proc.pid))

    def runs(self) -> int:
        return len(list(Path(self.store).glob("*.npz")))

    def close(self) -> str:
        self._stop.set()
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


async def student(browser, url: str, timeout: float) -> dict:
    """Open url; seconds until progress/queue/result shows and until the result shows."""
    ctx = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await ctx.new_page()
    start, out = time.perf_counter(), {"seen": None, "done": None, "error": False}
    try:
        await page.goto(url, timeout=timeout * 1000)
        deadline = start + timeout
        while time.perf_counter() < deadline:
            text = await page.evaluate("document.body.innerText")
            now = time.perf_counter() - start
            if out["seen"] is None and any(s in text for s in SEEN):
                out["seen"] = now
            if "Traceback" in text or await page.locator('[data-testid="stException"]').count():
                out["error"] = True
                break
            if DONE in text:
                out["done"] = now
                break
            await asyncio.sleep(0.25)
    except Exception as e:  # noqa: BLE001 - a session that breaks is counted, not fatal
        out["error"] = repr(e)
    finally:
        await ctx.close()
    return out


async def crowd(base: str, seeds: list[int], timeout: float) -> tuple[list[dict], float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu"])
        start = time.perf_counter()
        results = await asyncio.gather(*(student(browser, base + LINK.format(seed=s), timeout)
                                         for s in seeds))
        total = time.perf_counter() - start
        await browser.close()
    return results, total


def plain_threads(seeds: list[int]) -> float:
    """The same trainings on two plain threads in this process, no UI (seconds)."""
    from memviz import devices
    from memviz.config import RunConfig
    from memviz.recurrent import lesson

    devices.use_cpu_threads()
    cfgs = [RunConfig().replace(model={"arch": "rnn"}, train={"steps": 200, "seed": s})
            for s in seeds]
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as ex:
        list(ex.map(lesson.prepare, cfgs))
    return time.perf_counter() - start


def report(name: str, res: list[dict], total: float, server: Server) -> None:
    seen = [r["seen"] for r in res if r["seen"] is not None]
    done = sum(r["done"] is not None for r in res)
    errors = sum(bool(r["error"]) for r in res)
    print(f"{name}: {done} of {len(res)} finished, {server.runs()} training run(s) stored, "
          f"{errors} error(s), {len(res) - done - errors} lost/unfinished, total {total:.1f} s")
    if seen:
        print(f"{name}: progress/queue/result visible after median {statistics.median(seen):.1f}"
              f" s, max {max(seen):.1f} s ({len(seen)} of {len(res)} saw it)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--different", type=int, default=10)
    ap.add_argument("--port", type=int, default=8651)
    ap.add_argument("--timeout", type=float, default=300.0)
    a = ap.parse_args()
    server = Server(a.port)
    base = f"http://127.0.0.1:{a.port}"
    try:
        res, total = asyncio.run(crowd(base, [0] * a.sessions, a.timeout))
        report(f"(a) {a.sessions} sessions, same settings", res, total, server)
        before = server.runs()
        seeds = list(range(100, 100 + a.different))
        res, total = asyncio.run(crowd(base, seeds, a.timeout))
        server_runs = server.runs() - before
        threads = plain_threads(seeds)
        report(f"(b) {a.different} sessions, different settings", res, total, server)
        print(f"(b) {server_runs} new runs; the same {a.different} trainings on plain threads: "
              f"{threads:.1f} s; ratio {total / threads:.1f}x")
        print(f"server RSS peak (server + workers): {server.peak:.0f} MB")
    finally:
        err = server.close()
        if "Traceback" in err:
            print("server log had a traceback:\n" + err[-2000:])


if __name__ == "__main__":
    main()
