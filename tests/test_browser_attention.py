"""A real browser opens the attention lesson from a link, trains tiny, and steps the decoder."""

from __future__ import annotations

import pytest

from .test_browser import ARTIFACTS, app_url, page  # noqa: F401  (fixtures: server, page)

pytestmark = pytest.mark.browser


def test_attention_link_trains_and_steps(app_url, page):  # noqa: F811
    page.goto(f"{app_url}/attention?task=reverse&max_len=3&steps=20&seed=0&lag=5",
              timeout=60_000)
    align = page.locator(".js-plotly-plot").filter(has_text="Alignment")
    align.wait_for(timeout=90_000)
    page.locator(".js-plotly-plot").filter(has_text="Self-attention map").wait_for(
        timeout=90_000)
    assert page.locator(".katex").filter(has_text="α").count() > 0  # live weights render
    slider = (page.locator('[data-testid="stSlider"]').filter(has_text="Output step k")
              .get_by_role("slider"))
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.locator(".katex").filter(has_text="y2").first.wait_for(timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "browser_attention.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
