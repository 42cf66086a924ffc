"""A real browser opens the Text lesson from a link with tiny settings: it trains, writes,
steps through a passage and colours text by a unit, with no exception on the page."""

from __future__ import annotations

import pytest

from .test_browser import CHROME_ARGS, CHROMIUM, app_url  # noqa: F401  (the shared server)

pytestmark = pytest.mark.browser


def test_text_page_from_a_link_trains_and_colours_text(app_url):  # noqa: F811
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
