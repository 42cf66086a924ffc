"""After `python -m memviz prepare --page all`: does a fresh server open every lesson with its
result, training nothing?

    MEMVIZ_STORE=/tmp/runs python -m memviz prepare --page all
    python3 benchmarks/prepared.py --store /tmp/runs [--shots DIR]

Starts `streamlit run app.py` on the store (a fresh server: nothing in memory), opens each
lesson at its defaults in headless chromium, waits for the page to finish, and prints per
lesson whether it shows its result (no "has not been trained yet" prompt, no progress bar; the
horizon's results table) and, at the end, how many runs were trained: new entries in the store
(a finished training is always stored) plus progress bars seen. Screenshots go to --shots.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ("lstm", "gru", "rnn", "gates", "cnn", "horizon", "text", "transformer", "series",
           "sentences", "attention", "synapses", "documents")
NOT_TRAINED = "has not been trained yet"  # training.press, English
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _entries(store: Path) -> set[str]:
    return {p.name for p in store.glob("*.npz") if not p.name.startswith(".")}


def _settle(page, timeout: float) -> None:
    """Wait until the page's script has finished: the app's script state `notRunning` for a
    second and a half in a row (a page switch through the router runs twice)."""
    deadline, calm = time.time() + timeout, 0
    page.wait_for_selector("h1", timeout=timeout * 1000)
    while time.time() < deadline and calm < 6:
        idle = page.query_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        calm = calm + 1 if idle is not None else 0
        time.sleep(0.25)
    if calm < 6:
        raise TimeoutError(f"the page was still running after {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--shots", type=Path, default=None)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per page")
    a = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    before = _entries(a.store)
    port = _port()
    env = {**os.environ, "MEMVIZ_STORE": str(a.store)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url, shown, progress = f"http://127.0.0.1:{port}", [], 0
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for name in LESSONS:
                start = time.perf_counter()
                page.goto(f"{url}/{name}")
                _settle(page, a.timeout)
                text = page.inner_text("body")
                bars = len(page.query_selector_all('[data-testid="stProgress"]'))
                ok = NOT_TRAINED not in text and bars == 0 and (
                    name != "horizon" or "All results" in text)
                progress += bars
                if ok:
                    shown.append(name)
                print(f"{name}: {'result shown' if ok else 'NO RESULT'} "
                      f"({time.perf_counter() - start:.1f} s; progress bars {bars})", flush=True)
                if a.shots is not None:
                    a.shots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(a.shots / f"{name}.png"), full_page=False)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    trained = len(_entries(a.store) - before)
    print(f"{len(shown)} of {len(LESSONS)} lessons opened with their result; "
          f"{trained} run(s) trained (new store entries), {progress} progress bar(s) seen")
    return 0 if len(shown) == len(LESSONS) and trained == 0 and progress == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
