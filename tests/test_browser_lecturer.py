"""Lecturer mode on a 1920×1080 projector (issue 28 §4): the stepper starts in the first screen,
its small print (ranges, ticks, axis title, hints, legend) is projector-sized, and the axis
title has its own line instead of running into the last tick."""

from __future__ import annotations

import pytest

from .test_browser import CHROME_ARGS, CHROMIUM, app_url  # noqa: F401  (the server fixture)

pytestmark = pytest.mark.browser
SETUP = "lecturer=1&task=recall&seq_len=8&hidden=4&lr=0.01&steps=20&seed=0"
FOLD = 1080
PROJECTOR_PX = 18  # the least a back row reads at 1920×1080
SMALL_PRINT = (".scale", ".hint", ".axis-title", ".legend span", ".eq .name", ".field .lab",
               ".step", ".panel-title", ".bar label", ".bar button")

MEASURE = """(sel) => {
  const host = document.querySelector('[data-testid=stBidiComponentIsolated]');
  const root = host.shadowRoot || host;
  const mv = root.querySelector('.mv');
  const sizes = {};
  for (const s of sel) {
    const found = Array.from(mv.querySelectorAll(s));
    sizes[s] = found.map(e => parseFloat(getComputedStyle(e).fontSize));
  }
  const title = mv.querySelector('.axis-title');
  const ticks = title && title.previousElementSibling;
  return {top: mv.getBoundingClientRect().top, sizes, tick: Number(mv.dataset.tickPx),
          big: mv.classList.contains('big'),
          titleBelowTicks: !!title && ticks.tagName === 'CANVAS'
            && title.getBoundingClientRect().top >= ticks.getBoundingClientRect().bottom};
}"""


# the page's own small print next to the stepper: the training-step slider's label and value
# (rem-sized, so app.py's projector CSS scales them; the stepper's shadow DOM needs its own)
PAGE_PRINT = """() => Object.fromEntries(['[data-testid=stSliderThumbValue]',
    '[data-testid=stWidgetLabel] p'].map(s => [s, Array.from(document.querySelectorAll(s))
    .filter(e => e.offsetParent !== null).map(e => parseFloat(getComputedStyle(e).fontSize))]))"""


def test_the_stepper_is_in_the_first_screen_and_projector_sized(app_url):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": FOLD})
        page.goto(f"{app_url}/lstm?{SETUP}", timeout=60_000)
        page.locator(".mv").first.wait_for(timeout=120_000)
        page.wait_for_function("() => document.querySelector('[data-testid=stBidiComponent"
                               "Isolated]').shadowRoot.querySelector('.mv').dataset.frames")
        m = page.evaluate(MEASURE, list(SMALL_PRINT))
        page_print = page.evaluate(PAGE_PRINT)
        browser.close()
    assert m["big"]
    assert m["top"] < FOLD - 250, m["top"]  # its controls and first heatmap on the first screen
    for sel, sizes in m["sizes"].items():
        assert sizes and min(sizes) >= PROJECTOR_PX, (sel, sizes)
    assert m["tick"] >= PROJECTOR_PX  # the ticks and curve labels painted on the canvases
    for sel, sizes in page_print.items():
        assert sizes and min(sizes) >= PROJECTOR_PX, (sel, sizes)
    assert m["titleBelowTicks"]  # "time step t" on its own line, not on the last tick
