"""A real browser opens the Transformer lesson from a link with tiny settings: it trains both
models, draws the race, and the shared stepper steps through positions with each head's live
numbers; the equation below follows the position the browser settles on."""

from __future__ import annotations

import pytest

from .test_browser import CHROME_ARGS, CHROMIUM, app_url  # noqa: F401  (the shared server)

pytestmark = pytest.mark.browser
SETUP = "d_model=32&window=16&steps=50&lstm_steps=50&probe_steps=50&seed=1"
BOX = ("document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot"
       ".querySelector('.mv')")


def test_transformer_page_from_a_link_trains_and_steps(app_url):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{app_url}/transformer?{SETUP}&t=5&unit=2", timeout=60_000)
        box = page.locator(".mv").first
        box.wait_for(timeout=150_000)
        assert box.get_attribute("data-t") == "5" and box.get_attribute("data-unit") == "2"
        assert page.get_by_text("is ahead").count() >= 1  # the run's own verdict
        assert box.locator("canvas.heat").count() == 8  # 2 layers x 4 heads
        page.locator('input[aria-label="Position t"]').first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => {BOX}.dataset.t === '6'", timeout=10_000)
        slots = box.locator(".eq .v")
        shown = {slots.nth(k).get_attribute("data-k"): slots.nth(k).inner_text()
                 for k in range(slots.count())}
        assert shown["a1_1"] != "" and shown["s1_1"] not in ("", "−∞")  # key 2 <= query 6
        page.wait_for_function("() => location.search.includes('t=6')", timeout=30_000)
        page.get_by_text("What each head reads at position 6").first.wait_for(timeout=30_000)
        assert page.locator("[data-testid='stException']").count() == 0
        browser.close()
