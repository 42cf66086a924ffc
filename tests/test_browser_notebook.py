"""memviz.step in a real JupyterLab: the example notebook runs in chromium, keys step the
widget, and the numbers it shows are the trace's (the kernel saves the trace for the test)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

from .conftest import ROOT
from .test_browser import ARTIFACTS, CHROME_ARGS, CHROMIUM, _free_port, _skip_or_fail

pytestmark = pytest.mark.browser
EXAMPLE = ROOT / "notebooks" / "step_through_your_lstm.ipynb"
TOKEN = "memviz-test"
# appended to the test's copy: the trace the kernel drew, and the view it was told about
SAVE = """import numpy as np
np.savez("trace.npz", **tr.arrays())
print("VIEW", stepper.layer, stepper.t, stepper.unit)"""

# which cell of the notebook is the active one (the notebook's arrow keys move it)
ACTIVE_CELL = "() => [...document.querySelectorAll('.jp-Cell')].findIndex(c => " \
              "c.classList.contains('jp-mod-active'))"


def _lab_env(tmp) -> dict[str, str]:
    """JupyterLab's and the kernel's writable places in tmp (no home, no network), and memviz
    importable from the kernel."""
    dirs = {k: tmp / k.lower() for k in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                                         "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                                         "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR")}
    for d in dirs.values():
        d.mkdir(parents=True)
    # no "get Jupyter news?" toast over the notebook (it would fetch from the network)
    (dirs["JUPYTER_CONFIG_DIR"] / "labconfig").mkdir()
    (dirs["JUPYTER_CONFIG_DIR"] / "labconfig" / "page_config.json").write_text(
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}')
    # and no "select a kernel" dialog: start the notebook's own kernel, as a classroom's does
    tracker = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"autoStartDefaultKernel": true}')
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, **{k: str(v) for k, v in dirs.items()}, "PYTHONPATH": path}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free loopback port serving a copy of the example notebook."""
    if not os.path.exists(CHROMIUM):
        _skip_or_fail("no chromium installed (apt-get install chromium)")
    for module in ("playwright", "jupyterlab", "anywidget", "ipykernel"):
        if importlib.util.find_spec(module) is None:
            _skip_or_fail(f"the {module} package is not installed (requirements-notebook.txt)")
    import nbformat

    tmp = tmp_path_factory.mktemp("lab")
    (tmp / "root").mkdir()
    nb = nbformat.read(EXAMPLE, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(SAVE))
    nbformat.write(nb, tmp / "root" / EXAMPLE.name)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={TOKEN}",
         f"--ServerApp.root_dir={tmp / 'root'}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=_lab_env(tmp), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield url, tmp / "root"
    proc.terminate()  # the server shuts its kernels down with it
    proc.wait(timeout=20)


def _check_numbers(box, arrays, layer: int) -> None:
    """Every live number in the widget's equations is the trace's, at the step and unit shown."""
    t, j = int(box.get_attribute("data-t")), int(box.get_attribute("data-unit"))
    slots = box.locator(".eq .v")
    assert slots.count() >= 10  # the LSTM's six equations, with their inputs
    for k in range(slots.count()):
        s = slots.nth(k)
        name, lag = s.get_attribute("data-k"), int(s.get_attribute("data-lag"))
        row = t - 1 - lag
        want = float(arrays[f"l{layer}.{name}"][row, j]) if row >= 0 else 0.0
        assert float(s.inner_text().strip("()")) == pytest.approx(want, abs=6e-4), (t, name)


def _wait_for_kernel(url: str) -> None:
    """Until the notebook's kernel is idle with the page connected to it: cells run before
    that are lost with the first websocket, which the server may refuse while it starts."""
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            kernels = json.loads(urllib.request.urlopen(f"{url}/api/kernels?token={TOKEN}",
                                                        timeout=5).read())
        except OSError:  # a 500 while the server is still starting a kernel: ask again
            kernels = []
        if any(k["connections"] and k["execution_state"] == "idle" for k in kernels):
            return
        time.sleep(0.3)
    pytest.fail("the notebook's kernel did not start within 60 s")


def _wait_t(page, box, t: int) -> None:
    page.wait_for_function("([b, t]) => b.dataset.t === t", arg=[box.element_handle(), str(t)],
                           timeout=10_000)


def test_the_example_notebook_steps_in_jupyterlab_with_keys(lab):
    from playwright.sync_api import sync_playwright

    url, root = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/lab/tree/{EXAMPLE.name}?token={TOKEN}", timeout=60_000)
        page.locator(".jp-Notebook").wait_for(timeout=60_000)
        _wait_for_kernel(url)
        page.get_by_role("menuitem", name="Run").click()
        page.locator("li[data-command='runmenu:run-all']").click()
        page.locator(".mv").nth(1).wait_for(timeout=120_000)  # both widgets drawn
        deadline = time.time() + 60
        while not (root / "trace.npz").exists() and time.time() < deadline:
            time.sleep(0.2)
        arrays = dict(np.load(root / "trace.npz", allow_pickle=False))
        box = page.locator(".mv").first
        assert (box.get_attribute("data-t"), box.get_attribute("data-unit")) == ("1", "0")
        box.locator(".bar .step").click()  # focus the stepper as a student does: a click
        for t in (2, 3, 4):
            page.keyboard.press("ArrowRight")
            _wait_t(page, box, t)
            _check_numbers(box, arrays, 0)
        page.keyboard.press("End")
        _wait_t(page, box, 12)
        page.keyboard.press("ArrowLeft")
        _wait_t(page, box, 11)
        _check_numbers(box, arrays, 0)
        active = page.evaluate(ACTIVE_CELL)
        page.keyboard.press("ArrowUp")  # up and down step too, and never move to another cell
        _wait_t(page, box, 12)
        page.keyboard.press("ArrowDown")
        _wait_t(page, box, 11)
        assert page.evaluate(ACTIVE_CELL) == active
        # click-to-jump: step 5, unit 6
        heat = box.locator("canvas.heat").first
        r = heat.bounding_box()
        heat.click(position={"x": r["width"] * 4.5 / 12, "y": r["height"] * 6.5 / 8})
        _wait_t(page, box, 5)
        assert box.get_attribute("data-unit") == "6"
        _check_numbers(box, arrays, 0)
        page.locator(".mv-layer select").first.select_option("1")  # same step, layer 1
        page.wait_for_function("b => b.querySelector('.eq .v').textContent !== ''",
                               arg=box.element_handle())
        _check_numbers(box, arrays, 1)
        time.sleep(0.6)  # the stepper reports its view after 300 ms; the kernel hears it
        saved = page.locator(".jp-Cell").filter(has_text="np.savez")  # the test's own cell:
        saved.locator(".cm-content").click()  # run it again, now that the student has moved
        page.keyboard.press("Shift+Enter")
        saved.locator(".jp-OutputArea").filter(has_text="VIEW 1 5 6").wait_for(timeout=30_000)
        page.keyboard.type("stepper.t, stepper.unit = 9, 2")  # the new cell below: Python
        page.keyboard.press("Shift+Enter")  # moves the stepper
        _wait_t(page, box, 9)
        assert box.get_attribute("data-unit") == "2"
        _check_numbers(box, arrays, 1)
        ARTIFACTS.mkdir(exist_ok=True)
        box.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "notebook_jupyterlab_en.png"))
        zh = page.locator(".mv").nth(1)
        assert "播放" in zh.locator("button.play").inner_text()
        zh.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "notebook_jupyterlab_zh.png"))
        box.locator("button.play").click()  # Play runs on to the end and stops there
        page.locator(".mv").first.locator("button.play").filter(has_text="Pause").wait_for()
        _wait_t(page, box, 12)
        box.locator("button.play").filter(has_text="Play").wait_for(timeout=10_000)
        browser.close()
