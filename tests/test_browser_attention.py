"""A real browser opens the attention lesson from a link, trains tiny, and steps the decoder
in the shared stepper: the numbers it shows are the decoder GRU's recorded ones."""

from __future__ import annotations

import pytest

from .test_browser import ARTIFACTS, app_url, page  # noqa: F401  (fixtures: server, page)
from .test_browser_stepper import _shown

pytestmark = pytest.mark.browser
LINK = "task=reverse&max_len=3&steps=20&seed=0&lag=5"


def _decoder_trace():
    """The trace the server records for LINK (seeded: the same training run, example n=3)."""
    from memviz.attention import lesson
    from memviz.attention import train as s2s

    cfg = s2s.Seq2SeqConfig.for_task("reverse", max_len=3, steps=20, seed=0, min_len=2)
    model = s2s.train_both(cfg).attn.model
    return lesson.decoder_trace(model, lesson.walk(model, cfg, cfg.max_len))


def test_attention_link_trains_and_steps_the_decoder(app_url, page):  # noqa: F811
    tr = _decoder_trace()
    assert tr.T >= 2
    j = 1
    page.goto(f"{app_url}/attention?{LINK}&t=1&unit={j}", timeout=60_000)
    page.locator(".js-plotly-plot").filter(has_text="Alignment").wait_for(timeout=90_000)
    page.locator(".js-plotly-plot").filter(has_text="Self-attention map").wait_for(
        timeout=90_000)
    box = page.locator(".mv").first
    box.wait_for(timeout=60_000)
    assert box.get_attribute("data-t") == "1" and box.get_attribute("data-unit") == str(j)
    assert page.locator(".katex").filter(has_text="α").count() > 0  # live weights render
    page.locator('input[aria-label="Time step t"]').first.focus()
    last = min(tr.T, 3)
    for k in range(1, last + 1):
        if k > 1:
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => document.querySelector('[data-testid=stBidiComponent"
                               f"Isolated]').shadowRoot.querySelector('.mv').dataset.t === '{k}'")
        shown = _shown(page)
        assert {f for f, _ in shown} >= {"r", "z", "n", "h"}
        for (f, lag), v in shown.items():  # before step 1: s_0 = h_S, the encoder's last state
            assert v == pytest.approx(tr.value(f, k - 1 - lag, j), abs=6e-4), (k, f, lag)
    page.locator(".katex").filter(has_text=f"y{last}").first.wait_for(timeout=60_000)  # extra
    page.wait_for_function(f"() => location.search.includes('t={last}')"  # the URL follows,
                           " && location.search.includes('lag=5')", timeout=30_000)  # keeps
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "browser_attention.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
