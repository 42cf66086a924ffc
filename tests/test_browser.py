"""A real browser: Debian's chromium drives the app (train, step in the stepper, export)."""

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
ARTIFACTS = ROOT / "artifacts"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def _skip_or_fail(reason: str):
    if os.environ.get("MEMVIZ_REQUIRE_BROWSER"):  # CI sets it: the browser test must run
        pytest.fail(reason)
    pytest.skip(reason)


def class_env(**extra: str) -> dict[str, str]:
    """The environment of `streamlit run app.py` as a class runs it: training in worker
    processes (the default pool), whatever MEMVIZ_POOL the tests were started with. What a
    thread pool would hide (an upload kept in the server's memory) then fails here too."""
    return {**os.environ, "MEMVIZ_POOL": "process", **extra}


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
        cwd=ROOT, env=class_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


@pytest.fixture()
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield pg
        browser.close()


def test_a_shared_link_is_the_first_visit_and_opens_through_the_router(app_url, page):
    """Runs first on a fresh server: a deep link must still get the app's router and sidebar."""
    page.goto(f"{app_url}/gru?task=recall&seq_len=8&hidden=4&lr=0.01&steps=20&seed=0&t=3&unit=1",
              timeout=60_000)
    box = page.locator(".mv").first  # the stepper opens at the link's step and unit
    box.wait_for(timeout=90_000)
    assert (box.get_attribute("data-t"), box.get_attribute("data-unit")) == ("3", "1")
    assert page.get_by_text("Lecturer mode").is_visible()
    for name in ("Home", "LSTM", "GRU", "Vanilla RNN", "Why gates", "CNN", "Memory horizon",
                 "Synapses", "The documents"):
        assert page.get_by_role("link", name=name, exact=True).is_visible(), name
    for label, value in (("Sequence length T", "8"), ("Hidden size H", "4")):
        thumb = (page.locator('[data-testid="stSlider"]').filter(has_text=label)
                 .locator('[data-testid="stSliderThumbValue"]'))
        assert thumb.inner_text() == value, label


def test_train_step_and_see_the_heatmap(app_url, page):
    page.goto(app_url, timeout=60_000)  # as a lecturer does: the root, then the lesson
    page.get_by_role("link", name="LSTM").click(timeout=60_000)
    page.get_by_role("button", name="Train").click(timeout=60_000)
    box = page.locator(".mv").first
    box.wait_for(timeout=240_000)  # 300 training steps: slow on a shared 2-core machine
    assert box.get_attribute("data-t") == "20" and "t = 20 of 20" in box.inner_text()
    slider = page.get_by_role("slider", name="Time step t").first
    slider.focus()
    page.keyboard.press("Home")  # one key, one move, no rerun needed: step 1
    box.locator(".step").filter(has_text="t = 1 of").wait_for(timeout=10_000)
    page.keyboard.press("ArrowRight")
    box.locator(".step").filter(has_text="t = 2 of").wait_for(timeout=10_000)
    assert box.locator(".eq .v").filter(has_text="0.").count() > 0  # live numbers
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "browser_lstm.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_download_a_figure_and_the_lecture_pack(app_url, tmp_path):
    import csv
    import io
    import zipfile

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        pg.goto(f"{app_url}/rnn?seq_len=6&hidden=3&steps=20&t=2", timeout=60_000)
        pg.locator(".mv").first.wait_for(timeout=90_000)
        pg.get_by_role("button", name="Export").nth(2).click()  # input, prediction, heatmaps
        with pg.expect_download(timeout=60_000) as dl:
            pg.get_by_role("button", name="CSV").click()
        path = tmp_path / dl.value.suggested_filename
        dl.value.save_as(path)
        assert path.name == "rnn_heatmaps.csv"
        rows = list(csv.DictReader(io.StringIO(path.read_text())))
        assert len(rows) == 6 * 3  # T x H cells of h
        pg.keyboard.press("Escape")
        with pg.expect_download(timeout=120_000) as dl:
            pg.get_by_role("button", name="Lecture pack (.zip)").click()
        pack = tmp_path / "pack.zip"
        dl.value.save_as(pack)
        names = zipfile.ZipFile(pack).namelist()
        assert "figures/rnn_heatmaps.pdf" in names and "equations.tex" in names
        browser.close()
