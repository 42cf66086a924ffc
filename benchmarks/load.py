"""A class on one server: students on loopback against a streamlit server, all at once.

    python3 benchmarks/load.py --sessions 30      # all parts (a-e): 2m29s on a quiet machine here

A student is either a headless chromium (`--browsers` of them) or a wire client: it fetches
what chromium fetched for the same page (the page and its static files, over 6 connections,
as a browser does; the list is taken from the lecturer's visit) and then speaks the app's
websocket protocol the way the page's JavaScript does (asks for the page with the link's query,
reruns the progress fragment on the server's timer). Thirty chromiums cannot share this
machine's two cores with the server without measuring mostly themselves (each page costs
6-8 CPU-s of chromium); in a class each student renders on a laptop. So the server is loaded
by the wire clients, and the few real browsers show the on-screen side.

The lecturer's visit first warms the server (its imports; one run at another seed), then:
(a) N students open the same link: how many finish, how many trainings ran (runs in the store),
    seconds from each student's websocket opening until the server's message with progress, a
    queue place or the result reached it, and (browsers) until it was on screen.
(b) 10 students open 10 different links: when the ten trainings are done (server side) and
    when every student has the result, vs the same ten trainings on two plain threads, no UI.
(c) The server restarts on the same run store: a student opens (a)'s link; nothing retrains.
(d) The largest settings the server accepts for each cell (T=500; 10 steps), from links.
(e) Every page: trained from a small link, then its result opened by 12 (--per-page) wire
    students at the same instant; errors and the time until the last page run finished. A
    class does not stay on one lesson, and shared runs are where concurrency bugs live.
(f) Two replicas over one store folder (benchmarks/replicas.py): --replica-students students
    on each ask for the same new setting at the same instant; how many trainings ran (1).
Memory is watched throughout: the server and its worker processes, summed as RSS (shared
library pages counted once per process, an over-count) and as PSS (shared pages split).

Chromium runs at `nice 19` (--nice): the server and its workers get the CPU first. A script
injected in every page notes when its websocket opened, when a message carrying the progress
or result text arrived and when the text was on screen. CPU seconds are split between the
server tree and everything else. Only 127.0.0.1 is contacted; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import wire  # noqa: E402

SEEN = ("Training: step", "Waiting for a free worker", "Starting the training", "Held-out accuracy")
DONE = "Held-out accuracy"
ANYWAY = "Train it anyway"
LINK = "/rnn?task=recall&seq_len=20&hidden=32&lr=0.01&steps=200&seed={seed}"
BIG = ("/gru?task=recall&seq_len=500&hidden=72&steps=10",  # the largest each cell may train
       "/lstm?task=recall&seq_len=500&hidden=220&steps=10",  # at T=500 within the memory
       "/rnn?task=recall&seq_len=500&hidden=187&steps=10")  # budget (memviz.estimate)
# (e) one small valid link per page: a link trains by itself, except horizon's sweep (it waits
# for its button); synapses and home train nothing
PAGES = ("/lstm?seed=1", "/gru?seed=1", "/rnn?seed=1", "/gates?seed=1", "/text?steps=150",
         "/series?epochs=30", "/sentences?steps=300", "/attention?steps=100", "/cnn?steps=100",
         "/documents?steps=100", "/horizon?lags=5,10&steps=50", "/synapses", "/",
         "/lstm?seed=1&lang=zh")
TICK = os.sysconf("SC_CLK_TCK")
# Installed in every page before it loads: it notes (epoch ms) when the app's websocket opened,
# when a message carrying the progress / result text arrived on it (the server sent it) and when
# that text was on screen; the benchmark reads the notes every second, so polling costs nothing.
RECORDER = """(([seen, done]) => {
  const mv = window.__mv = {ws: null, sent: null, sentDone: null, seen: null, done: null,
                            error: false};
  const Native = window.WebSocket, decoder = new TextDecoder();
  window.WebSocket = function (url, protocols) {
    const ws = new Native(url, protocols);
    if (String(url).endsWith("/_stcore/stream")) {
      ws.addEventListener("open", () => { mv.ws = mv.ws || Date.now(); });
      ws.addEventListener("message", (e) => {
        const text = typeof e.data === "string" ? e.data
          : e.data instanceof ArrayBuffer ? decoder.decode(e.data) : "";
        if (mv.sent === null && seen.some((x) => text.includes(x))) mv.sent = Date.now();
        if (mv.sentDone === null && text.includes(done)) mv.sentDone = Date.now();
      });
    }
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  setInterval(() => {
    const s = document.body ? document.body.textContent : "";
    if (mv.seen === null && seen.some((x) => s.includes(x))) mv.seen = Date.now();
    if (mv.done === null && s.includes(done)) mv.done = Date.now();
    mv.error = mv.error || s.includes("Traceback")
      || !!document.querySelector('[data-testid="stException"]');
  }, 100);
})"""


def tree(pid: int) -> list[int]:
    """pid and all its descendants, from /proc."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(k) for k in (t / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return out


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """(RSS, PSS) summed over pids, in MB."""
    rss = pss = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return rss / 1024, pss / 1024


def busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores, /proc/stat)."""
    v = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(v) - v[3] - v[4]) / TICK  # minus idle and iowait


def cpu_s(pids: list[int] | set[int]) -> float:
    """User + system CPU seconds of pids (their reaped children's included)."""
    total = 0
    for p in pids:
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in f[11:15])
        except (OSError, ValueError):
            continue
    return total / TICK


class Server:
    """`streamlit run app.py` on a loopback port with its own (or a given) run store folder."""

    def __init__(self, port: int, store: str | None = None) -> None:
        self.port, self.store = port, store or tempfile.mkdtemp(prefix="memviz-load-")
        # the class's server trains in worker processes: never a MEMVIZ_POOL=thread inherited
        env = {**os.environ, "MEMVIZ_STORE": self.store, "MEMVIZ_POOL": "process"}
        # the server's log goes to a file: a pipe nobody reads fills up and stalls the server
        self.log = tempfile.NamedTemporaryFile("w+", prefix="memviz-load-", suffix=".log")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=self.log, text=True)
        self.peak_rss = self.peak_pss = 0.0
        self.phase_peak = [0.0, 0.0, 0.0]  # RSS, PSS of the tree, RSS of the server process
        self._stop = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()
        wire.wait_healthy(port, 60)

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            rss, pss = memory_mb(tree(self.proc.pid))
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.phase_peak = [max(a, b) for a, b in zip(
                self.phase_peak, (rss, pss, memory_mb([self.proc.pid])[0]), strict=True)]

    def pids(self) -> list[int]:
        return tree(self.proc.pid)

    def runs(self) -> int:
        return len(list(Path(self.store).glob("*.npz")))

    def close(self) -> str:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.seek(0)
        return self.log.read()


async def student(browser, url: str, timeout: float, delay: float = 0.0,
                  confirm: bool = False, fetched: list[str] | None = None) -> dict:
    """Open url after `delay`; seconds from navigation until the websocket opened, the server
    sent progress/queue/result and it was on screen, and the same for the result. The student
    leaves (closes the page) once the result is on screen. With `confirm` it clicks "Train it
    anyway" and Train when the page asks; `fetched` collects the static files the page got."""
    await asyncio.sleep(delay)
    ctx = await browser.new_context(viewport={"width": 1200, "height": 900})
    await ctx.add_init_script(f"{RECORDER}({json.dumps([list(SEEN), DONE])})")
    page = await ctx.new_page()
    if fetched is not None:
        page.on("requestfinished", lambda r: fetched.append(urlsplit(r.url).path)
                if urlsplit(r.url).path.startswith("/static/") else None)
    out: dict = {"error": False}
    start, settle = time.time(), None
    try:
        await page.goto(url, timeout=timeout * 1000, wait_until="commit")
        while time.time() < start + timeout:
            await asyncio.sleep(1.0)
            mv = await page.evaluate("window.__mv || {}")
            out.update({k: (v / 1000 - start if type(v) in (int, float) else v)
                        for k, v in mv.items()})
            if confirm and await page.get_by_text(ANYWAY).count():  # a run over the time budget
                confirm = False  # asks for a click: this student gives it
                await page.get_by_text(ANYWAY).click()
                await page.get_by_role("button", name="Train", exact=True).click()
            if mv.get("error"):
                break
            if mv.get("done") is not None:  # the rest of that page run: an exception below it
                settle = settle if settle is not None else time.time() + 2.0  # counts too
                if time.time() >= settle:
                    break
    except Exception as e:  # noqa: BLE001 - a session that breaks is counted, not fatal
        out["error"] = repr(e)
    finally:
        await ctx.close()
    return out


async def wire_student(port: int, link: str, assets: list[str], timeout: float, pool,
                       delay: float = 0.0) -> dict:
    """A student without a browser (see the module's notes): seconds from arrival until its
    static files were in, its websocket opened, and the server's progress/queue/result
    message and result message arrived."""
    await asyncio.sleep(delay)
    loop, out, start = asyncio.get_running_loop(), {"error": False}, time.time()
    try:
        failed = await loop.run_in_executor(pool, wire.fetch, port, [link])
        failed += sum(await asyncio.gather(*(
            loop.run_in_executor(pool, wire.fetch, port, assets[i::6]) for i in range(6))))
        if failed:
            raise RuntimeError(f"{failed} static file(s) failed")
        out["assets"] = time.time() - start
        v = await wire.visit(port, link, start + timeout - time.time(), until=DONE)
        out["ws"] = v.opened - start
        for key, i in (("sent", v.first(*SEEN)), ("sentDone", v.first(DONE))):
            if i is not None:
                out[key] = out["ws"] + v.at(i)
        out["done"] = out.get("sentDone")
        out["error"] = v.error or False
    except Exception as e:  # noqa: BLE001 - a session that breaks is counted, not fatal
        out["error"] = repr(e)
    return out


def chromium(nice: int) -> str:
    """The chromium to launch: /usr/bin/chromium, behind `nice -n` when asked."""
    if nice <= 0:
        return "/usr/bin/chromium"
    path = Path(tempfile.mkdtemp(prefix="memviz-load-")) / "chromium"
    # playwright starts chromium in a session of its own, and with the kernel's autogroups
    # (sched_autogroup_enabled) a nice value counts only inside a session: lower the whole
    # session's weight too (/proc/self/autogroup), where the kernel has it
    path.write_text(f"#!/bin/sh\n(echo {nice} > /proc/self/autogroup) 2>/dev/null\n"
                    f'exec nice -n {nice} /usr/bin/chromium "$@"\n')
    path.chmod(0o755)
    return str(path)


class Phase:
    """One crowd of students: results, wall time, and CPU split between server and the rest."""

    def __init__(self, server: Server, links: list[str], a, confirm: bool = False,
                 browsers: int | None = None, assets: list[str] | None = None) -> None:
        self.server, self.links, self.a, self.confirm = server, links, a, confirm
        n = len(links)
        k = n if browsers is None else max(0, min(browsers, n))
        self.real = {i * n // k for i in range(k)} if k else set()  # spread over the arrivals
        self.assets = assets or []
        if len(self.real) < n and not self.assets:
            raise ValueError("wire students need the static files a browser fetched")
        self.fetched: list[str] = []  # the static files the first browser student fetched
        self.results: list[dict] = []
        self.total = self.server_cpu = self.browser_cpu = 0.0
        self.trained_at: float | None = None  # when the store held every new run (server side)

    def _watch_store(self, start: float, want: int, stop: threading.Event) -> None:
        while not stop.wait(0.1):
            if self.server.runs() >= want:
                self.trained_at = time.perf_counter() - start
                return

    async def _crowd(self) -> None:
        from playwright.async_api import async_playwright

        base, port = f"http://127.0.0.1:{self.server.port}", self.server.port
        n = len(self.links)
        async with async_playwright() as pw:
            browser = None
            if self.real:
                browser = await pw.chromium.launch(executable_path=chromium(self.a.nice), args=[
                    "--headless", "--no-sandbox", "--disable-gpu"])
            pool = ThreadPoolExecutor(max(1, 6 * (n - len(self.real))))
            s0, all0 = cpu_s(self.server.pids()), busy_s()
            self.server.phase_peak = [0.0, 0.0, 0.0]
            want, stop = self.server.runs() + len(set(self.links)), threading.Event()
            start = time.perf_counter()
            threading.Thread(target=self._watch_store, args=(start, want, stop),
                             daemon=True).start()
            first = min(self.real, default=None)

            def one(i: int, link: str):
                delay = self.a.arrive_over * i / max(n, 1)
                if i in self.real:
                    return student(browser, base + link, self.a.timeout, delay, self.confirm,
                                   self.fetched if i == first else None)
                return wire_student(port, link, self.assets, self.a.timeout, pool, delay)
            self.results = await asyncio.gather(*(one(i, x) for i, x in enumerate(self.links)))
            for i, r in enumerate(self.results):
                r["browser"] = i in self.real
            self.total = time.perf_counter() - start
            stop.set()
            self.server_cpu = cpu_s(self.server.pids()) - s0
            self.browser_cpu = busy_s() - all0 - self.server_cpu
            pool.shutdown()
            if browser is not None:
                await browser.close()

    def run(self) -> Phase:
        asyncio.run(self._crowd())
        return self

    def report(self, name: str, runs_before: int) -> None:
        res, n = self.results, len(self.results)
        done = sum(r.get("done") is not None for r in res)
        errors = sum(bool(r["error"]) for r in res)
        print(f"{name}: {done} of {n} finished ({len(self.real)} in chromium, "
              f"{n - len(self.real)} wire), {self.server.runs() - runs_before} training run(s), "
              f"{errors} error(s), {n - done - errors} lost/unfinished; all done after "
              f"{self.total:.1f} s")
        for why in sorted({str(r["error"])[:300] for r in res if r["error"]}):
            print(f"  error: {why}")
        wire = [r for r in res if not r["browser"]]
        if wire:
            got = [r["assets"] for r in wire if r.get("assets") is not None]
            if got:
                print(f"  wire students: static files ({len(self.assets)}) in after median "
                      f"{statistics.median(got):.1f} s, max {max(got):.1f} s")
        for group, rows, keys in (
                ("wire", wire, (("progress/queue/result reached the student", "sent"),
                                ("result reached the student", "sentDone"))),
                ("chromium", [r for r in res if r["browser"]],
                 (("progress/queue/result sent by the server", "sent"),
                  ("progress/queue/result on screen", "seen"),
                  ("result sent by the server", "sentDone"),
                  ("result on screen", "done")))):
            for what, key in keys:
                nav = [r[key] for r in rows if r.get(key) is not None]
                ws = [r[key] - r["ws"] for r in rows
                      if r.get(key) is not None and r.get("ws") is not None]
                if nav and ws:
                    within = sum(v <= 2.0 for v in ws)
                    print(f"  {group}: {what}: from arrival median {statistics.median(nav):.1f}"
                          f" s, max {max(nav):.1f} s; from the websocket opening median "
                          f"{statistics.median(ws):.1f} s, max {max(ws):.1f} s, {within} of "
                          f"{len(rows)} within 2 s")
        print(f"  CPU: server + workers {self.server_cpu:.1f} s "
              f"({self.server_cpu / max(n, 1):.2f} s a student); everything else (chromium, "
              f"wire clients, playwright) {self.browser_cpu:.1f} s "
              f"({self.browser_cpu / max(n, 1):.2f} s a student)")
        rss, pss, own = self.server.phase_peak
        print(f"  memory peak: server and workers RSS {rss:.0f} MB, PSS {pss:.0f} MB; the server "
              f"process alone RSS {own:.0f} MB")


def plain_threads(seeds: list[int]) -> float:
    """The same trainings on two plain threads in this process, no UI (seconds)."""
    from memviz import devices
    from memviz.config import RunConfig
    from memviz.engine import lesson

    devices.use_cpu_threads()
    cfgs = [RunConfig().replace(model={"arch": "rnn"}, train={"steps": 200, "seed": s})
            for s in seeds]
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as ex:
        list(ex.map(lesson.prepare, cfgs))
    return time.perf_counter() - start


def every_page(server: Server, n: int, timeout: float) -> None:
    """(e) Each page's result, once trained, opened by n wire students at the same instant (a
    class spread over the lessons): errors, and when the last one's page run had finished."""

    async def crowd(link: str) -> list:
        return await asyncio.gather(*(wire.visit(server.port, link, timeout, until="")
                                      for _ in range(n)))

    total = bad = 0
    for link in PAGES:
        start = time.perf_counter()
        while time.perf_counter() < start + timeout:  # train it: visit until it is not polled
            v = asyncio.run(wire.visit(server.port, link, timeout, until=""))
            if v.error or not v.kinds("auto_rerun"):
                break
            time.sleep(1.0)
        trained = time.perf_counter() - start
        start = time.perf_counter()
        visits = asyncio.run(crowd(link))
        wall = time.perf_counter() - start
        errors = [x.error for x in [v, *visits] if x.error]  # the training visit's too
        total, bad = total + n, bad + len(errors)
        size = sum(len(raw) for _, _, raw in visits[0].messages) / 1024
        print(f"  {link:22s} ready after {trained:4.1f} s; {n} at once: all in {wall:4.2f} s, "
              f"{len(errors)} error(s) {errors[:1] or ''}; {len(visits[0].messages)} messages, "
              f"{size:.0f} kB a student")
    print(f"(e) every page, {n} students at once on its result: {total} visits, {bad} error(s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--different", type=int, default=10)
    ap.add_argument("--port", type=int, default=8751)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--arrive-over", type=float, default=0.0,
                    help="spread the students' arrivals evenly over this many seconds")
    ap.add_argument("--nice", type=int, default=19, help="chromium's nice level (0: none)")
    ap.add_argument("--browsers", type=int, default=3,
                    help="how many of a crowd's students are chromium (the rest: wire clients)")
    ap.add_argument("--parts", default="abcdef")
    ap.add_argument("--replica-students", type=int, default=6, help="(f): students per replica")
    ap.add_argument("--per-page", type=int, default=12, help="(e): students per page at once")
    a = ap.parse_args()
    print(f"{os.cpu_count()} cores; chromium at nice {a.nice}; arrivals over {a.arrive_over} s;"
          f" {a.browsers} of a crowd in chromium")
    server = Server(a.port)
    idle = memory_mb(server.pids())
    print(f"server idle after start: RSS {idle[0]:.0f} MB, PSS {idle[1]:.0f} MB")
    link = LINK.format(seed=0)
    try:  # the lecturer opens the page before class (another seed): the server's imports
        warm = Phase(server, [LINK.format(seed=9_999)], a).run()
        assets = sorted(set(warm.fetched))
        print(f"warm-up (the lecturer's first visit, another seed): result after "
              f"{warm.total:.1f} s; the page fetched {len(assets)} static files")
        if "a" in a.parts:
            before = server.runs()
            Phase(server, [link] * a.sessions, a, browsers=a.browsers, assets=assets).run().report(
                f"(a) {a.sessions} sessions, same settings", before)
        if "b" in a.parts:
            seeds = list(range(100, 100 + a.different))
            before = server.runs()
            ph = Phase(server, [LINK.format(seed=s) for s in seeds], a, browsers=a.browsers,
                       assets=assets).run()
            ph.report(f"(b) {a.different} sessions, different settings", before)
            threads = plain_threads(seeds)
            trained = ph.trained_at if ph.trained_at is not None else float("nan")
            first_ws = min((r["ws"] for r in ph.results if r.get("ws") is not None),
                           default=float("nan"))
            print(f"  the same {a.different} trainings on two plain threads, no UI: "
                  f"{threads:.1f} s. On the server, every run was stored {trained - first_ws:.1f}"
                  f" s after the first student's websocket opened (ratio "
                  f"{(trained - first_ws) / threads:.1f}x), {trained:.1f} s after the students "
                  f"arrived (ratio {trained / threads:.1f}x); every student had the result "
                  f"(on screen, for chromium) after {ph.total:.1f} s (ratio "
                  f"{ph.total / threads:.1f}x)")
        print(f"server peak so far: RSS {server.peak_rss:.0f} MB, PSS {server.peak_pss:.0f} MB")
        if "c" in a.parts:
            store, runs = server.store, server.runs()
            server.close()
            server = Server(a.port, store)
            Phase(server, [link], a).run().report("(c) after a restart, one student", runs)
        if "d" in a.parts:
            for big in BIG:
                before = server.runs()
                Phase(server, [big], a, confirm=True).run().report(f"(d) {big}", before)
            print(f"server peak: RSS {server.peak_rss:.0f} MB, PSS {server.peak_pss:.0f} MB "
                  f"(server and its workers)")
        if "e" in a.parts:
            every_page(server, a.per_page, a.timeout)
        if "f" in a.parts:
            import replicas

            replicas.run(a.replica_students, a.port + 10, a.timeout)
    finally:
        wire.print_traceback(server.close())


if __name__ == "__main__":
    main()
