"""A real browser: a run keeps training while the student flips Lecturer mode, then shows."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_browser import CHROME_ARGS, CHROMIUM, _free_port, _skip_or_fail

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("MEMVIZ_SHOTS", "/tmp/worker"))


@pytest.fixture()
def server(tmp_path):
    if not Path(CHROMIUM).exists():
        _skip_or_fail("no chromium installed")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "MEMVIZ_STORE": str(tmp_path / "runs")},
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


def test_a_toggle_during_training_does_not_discard_the_run(server):
    from playwright.sync_api import sync_playwright

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
