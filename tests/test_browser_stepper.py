"""The stepper in a real browser: keys step it, and the numbers it shows are the trace's."""

from __future__ import annotations

import time

import pytest

from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig
from memviz.engine import lesson

from .test_browser import app_url, page  # noqa: F401  (the server and browser fixtures)

pytestmark = pytest.mark.browser
SETUP = "task=recall&seq_len=8&hidden=4&lr=0.01&steps=20&seed=0"


def _shown(pg) -> dict[tuple[str, int], float]:
    """Every number slot of the stepper's equations: (field, lag) -> the value shown."""
    slots = pg.locator(".mv").first.locator(".eq .v")  # the step-through, not the what-if
    out = {}
    for k in range(slots.count()):
        s = slots.nth(k)
        key = (s.get_attribute("data-k"), int(s.get_attribute("data-lag")))
        out[key] = float(s.inner_text().strip("()"))
    return out


def test_keys_step_the_stepper_and_it_shows_the_recorded_numbers(app_url, page):  # noqa: F811
    cfg = RunConfig(TaskConfig("recall", 8), ModelConfig("lstm", 4),
                    TrainConfig(steps=20, lr=0.01, seed=0))  # what the page builds from SETUP
    tr = lesson.prepare(cfg).trace  # seeded: the same run the server trains
    page.goto(f"{app_url}/lstm?{SETUP}&t=3&unit=1", timeout=60_000)
    box = page.locator(".mv").first
    box.wait_for(timeout=120_000)
    assert box.get_attribute("data-t") == "3" and box.get_attribute("data-unit") == "1"
    rng = page.locator('input[aria-label="Time step t"]').first
    rng.focus()
    page.keyboard.press("Home")
    for t in (1, 2, 3, 4):
        if t > 1:
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => document.querySelector('[data-testid=stBidiComponent"
                               f"Isolated]').shadowRoot.querySelector('.mv').dataset.t === '{t}'")
        for (k, lag), v in _shown(page).items():
            want = 0.0 if t - 1 - lag < 0 else float(tr[k][t - 1 - lag, 1])
            assert v == pytest.approx(want, abs=6e-4), (t, k, lag)
    page.keyboard.press("End")
    page.wait_for_function("() => location.search.includes('t=8')", timeout=30_000)  # URL
    page.locator('select[aria-label="Play speed"]').first.select_option("2")
    page.get_by_role("button", name="Play").first.click()  # at the end: Play starts over from 1
    time.sleep(1.3)
    page.get_by_role("button", name="Pause").first.click()  # a click stops it
    t = int(box.get_attribute("data-t"))
    assert 2 <= t <= 4
    time.sleep(0.7)
    assert int(box.get_attribute("data-t")) == t  # stopped
    page.locator('select[aria-label="Play speed"]').first.select_option("30")
    page.get_by_role("button", name="Play").first.click()
    page.get_by_role("button", name="Play").first.wait_for(timeout=10_000)  # stops at the end
    assert box.get_attribute("data-t") == "8"
