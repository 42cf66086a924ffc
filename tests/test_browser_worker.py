"""A real server: a student sees a run's progress at once, and a run keeps training while the
student flips Lecturer mode (in chromium), then shows."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_browser import CHROME_ARGS, CHROMIUM, _free_port, _skip_or_fail, class_env

sys.path.insert(0, str(ROOT / "benchmarks"))
import wire  # noqa: E402  (the load benchmark's student without a browser)

pytestmark = pytest.mark.browser
STATUS = ("Training: step", "Waiting for a free worker", "Starting the training")
SHOTS = Path(os.environ.get("MEMVIZ_SHOTS", "/tmp/worker"))


@pytest.fixture()
def server(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=class_env(MEMVIZ_STORE=str(tmp_path / "runs")),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.25)
    yield url
    proc.terminate()
    proc.wait(20)


def test_a_student_sees_the_progress_before_the_first_poll_then_the_result(server):
    """The queue place or progress goes out in the page's own run, before the polled panel's
    timer is even set (it used to wait for the run's first second); then the result comes."""
    port = int(server.rsplit(":", 1)[1])
    v = asyncio.run(wire.visit(port, "/rnn?seq_len=40&hidden=32&steps=1000", 240,
                               until="Held-out accuracy"))
    assert v.error is None, v.error
    status, done = v.first(*STATUS), v.first("Held-out accuracy")
    timers = v.kinds("auto_rerun")
    assert status is not None and done is not None, [k for _, k, _ in v.messages]
    assert timers, "a run this long is polled: its panel sets a timer"
    assert status < timers[0] < done
    assert v.first("Press **Train**", "Press Train") is None  # a link trains by itself


def test_a_toggle_during_training_does_not_discard_the_run(server):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        _skip_or_fail("no chromium installed")

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(f"{server}/rnn?seq_len=20&hidden=32&steps=1000", timeout=120_000)
        page.get_by_text("Training: step").first.wait_for(timeout=120_000)
        page.screenshot(path=str(SHOTS / "training.png"))
        page.get_by_text("Lecturer mode").click()  # a rerun of the page while it trains
        page.wait_for_timeout(1500)
        text = page.inner_text("body")
        assert "Training: step" in text or "Held-out accuracy" in text
        assert "Press **Train**" not in text and "Press Train" not in text
        page.screenshot(path=str(SHOTS / "after_toggle.png"))
        page.get_by_text("Held-out accuracy").first.wait_for(timeout=240_000)
        page.locator(".js-plotly-plot >> visible=true").first.wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "finished.png"), full_page=True)
        assert "Traceback" not in page.inner_text("body")
        browser.close()
