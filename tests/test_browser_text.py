"""A real browser opens the Text lesson from a link with tiny settings: it trains, writes,
steps through a passage and colours text by a unit, with no exception on the page."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def _skip_or_fail(reason: str):
    if os.environ.get("MEMVIZ_REQUIRE_BROWSER"):  # CI sets it: the browser test must run
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    """A streamlit server on a free loopback port, stopped after the module."""
    if not Path(CHROMIUM).exists():
        _skip_or_fail("no chromium installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip_or_fail("the playwright package is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_text_page_from_a_link_trains_and_colours_text(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{app_url}/text?hidden=16&seq_len=16&steps=20&seed=1")
        page.get_by_text("Cells that read").first.wait_for(timeout=120_000)
        page.wait_for_function(
            "[...document.querySelectorAll('.js-plotly-plot .gtitle')]"
            ".some(t => /unit \\d+: r = .* with /.test(t.textContent))",
            timeout=60_000)
        assert page.get_by_text("Held-out bits per character").count() == 1
        page.wait_for_function(  # live equations and the softmax slip (some in folded panels)
            "document.querySelectorAll('.katex').length > 5", timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        assert "hidden=16" in page.url and "steps=20" in page.url
        browser.close()
