"""A real browser opens the Forecasting and Sentences pages from links with tiny settings."""

from __future__ import annotations

import pytest

from .test_browser import ARTIFACTS, app_url, page  # noqa: F401  (the shared server fixtures)

pytestmark = pytest.mark.browser


def test_forecast_and_sentences_from_links(app_url, page):  # noqa: F811
    page.goto(f"{app_url}/series?window=3&epochs=5&hidden=4&seed=0", timeout=60_000)
    page.locator(".js-plotly-plot").filter(has_text="forecast 1 step(s) ahead").wait_for(
        timeout=180_000)
    # exact: the sidebar's folded glossary also holds "linear autoregression"
    assert page.get_by_text("Linear autoregression", exact=True).first.is_visible()
    page.locator(".mv .eq").first.wait_for(timeout=60_000)  # the stepper's live equations
    assert "window=3" in page.url and "data=seattle-weather" in page.url  # the URL keeps them
    page.goto(f"{app_url}/sentences?steps=20&hidden=8&max_gap=4", timeout=60_000)
    page.get_by_text("GRU held-out accuracy").wait_for(timeout=180_000)
    assert page.get_by_text("Your sentence, read word by word").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "browser_sentences.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
