"""Step-through speed in a real browser: key press -> the new step's numbers painted, and Play.

Starts the app on a free port, opens the LSTM page in headless chromium, trains the default
setup, focuses the stepper's time-step control and presses ArrowRight N times. For each press it
measures, in the page, the keydown event's time to the first animation frame after the stepper
showed the new step (its equations' numbers included), and from Python the wall time from
sending the key to seeing the new step. Then it opens T=200, H=64, presses Play and counts the
frames drawn over a few seconds. Prints medians and maxima; targets: median <= 150 ms, Play >= 10
frames/s.

    python3 benchmarks/stepping.py [--presses 30] [--seconds 4]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
BOX = ("(() => { for (const e of document.querySelectorAll("
       "'[data-testid=stBidiComponentIsolated]'))"
       " { const b = e.shadowRoot && e.shadowRoot.querySelector('.mv'); if (b) return b; }"
       " return document.querySelector('.mv'); })()")
PROBE = f"""() => {{
  const box = {BOX};
  window.__mv = {{ key: 0, ms: [] }};
  document.addEventListener('keydown', e => {{ window.__mv.key = e.timeStamp; }}, true);
  new MutationObserver(() => {{
    const key = window.__mv.key, t = Number(box.dataset.t);
    requestAnimationFrame(() => window.__mv.ms.push([t, performance.now() - key]));
  }})
    .observe(box, {{ attributes: true, attributeFilter: ['data-t'] }});
}}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "MEMVIZ_POOL": "process"},  # as the class's server runs
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("streamlit did not start")


def _step_times(pg, presses: int) -> tuple[list[float], list[float]]:
    """(in-page key -> paint ms, Python send -> seen ms) for `presses` ArrowRight presses."""
    rng = pg.locator('input[aria-label="Time step t"]').first
    for _ in range(20):  # the page may still rerun once after training: retry until it holds
        rng.focus()
        pg.keyboard.press("Home")
        time.sleep(0.5)
        if pg.evaluate(f"() => {BOX}.dataset.t") == "1":
            break
    pg.evaluate(PROBE)
    T = int(rng.get_attribute("max"))
    walls, t = [], 1
    for _ in range(presses):
        if t == T:  # at the end: back to step 1 (not measured), then on again
            pg.keyboard.press("Home")
            pg.wait_for_function(f"() => {BOX}.dataset.t === '1'", polling="raf")
            t = 1
        t += 1
        t0 = time.perf_counter()
        pg.keyboard.press("ArrowRight")
        pg.wait_for_function(f"() => {BOX}.dataset.t === '{t}'", polling="raf")
        walls.append(1000 * (time.perf_counter() - t0))
    time.sleep(0.3)
    # key -> the first animation frame after the step changed; Home's laps left out
    page_ms = [ms for t, ms in pg.evaluate("() => window.__mv.ms") if t != 1]
    return page_ms, walls


def _play_fps(pg, seconds: float, speed: str) -> float:
    """Frames the stepper drew per second while playing at `speed` steps/s."""
    pg.locator('select[aria-label="Play speed"]').first.select_option(speed)
    pg.locator('input[aria-label="Time step t"]').first.focus()
    pg.keyboard.press("Home")
    clock = f"() => [Number({BOX}.dataset.frames), performance.now()]"
    pg.get_by_role("button", name="Play").first.click()
    pg.wait_for_function(f"() => {BOX}.dataset.t === '3'", polling="raf")  # playing
    n0, t0 = pg.evaluate(clock)
    time.sleep(seconds)
    n1, t1 = pg.evaluate(clock)
    pg.get_by_role("button", name="Pause").first.click()
    return 1000 * (n1 - n0) / (t1 - t0)  # frames drawn per second of the page's clock


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--url", help="use this running app instead of starting one")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    proc, url = (None, args.url) if args.url else _server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROME_ARGS)
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.goto(f"{url}/lstm", timeout=120_000)
            rng = pg.locator('input[aria-label="Time step t"]').first
            train = pg.get_by_role("button", name="Train", exact=True)
            train.or_(rng).first.wait_for(timeout=120_000)
            if not rng.is_visible():
                train.click()
            rng.wait_for(timeout=600_000)
            page_ms, walls = _step_times(pg, args.presses)
            print(f"step (default LSTM page, T=20, H=32), {len(page_ms)} ArrowRight presses:")
            print(f"  key press -> new numbers painted (in page): median "
                  f"{statistics.median(page_ms):.1f} ms, max {max(page_ms):.1f} ms")
            print(f"  key sent -> new step seen (playwright, incl. its round trip): median "
                  f"{statistics.median(walls):.1f} ms, max {max(walls):.1f} ms")
            pg.goto(f"{url}/lstm?task=recall&seq_len=200&hidden=64&lr=0.01&steps=10&seed=0",
                    timeout=120_000)
            pg.locator('input[aria-label="Time step t"]').first.wait_for(timeout=300_000)
            for speed in ("10", "30"):
                fps = _play_fps(pg, args.seconds, speed)
                print(f"Play at T=200, H=64, speed {speed} steps/s: {fps:.1f} frames/s")
            browser.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
