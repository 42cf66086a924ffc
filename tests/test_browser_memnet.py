"""The memory network page in a real browser: a link trains it, the stepper walks the story's
sentences, and the read equations show the model's own numbers for each sentence and hop."""

from __future__ import annotations

import pytest

from memviz.memnet import lesson
from memviz.memnet import train as mn

from .test_browser import app_url, page  # noqa: F401  (the server and browser fixtures)
from .test_browser_stepper import _shown

pytestmark = pytest.mark.browser
SETUP = "hops=3&task=all&steps=100&seed=0&story_task=two&story=1"


def test_the_stepper_walks_a_story_with_the_models_numbers(app_url, page):  # noqa: F811
    cfg = mn.MemNetConfig(hops=3, steps=100, seed=0)  # what the page builds from SETUP
    run = mn.train(cfg)  # seeded: the same run the server trains
    story = [s for s in mn.test_stories(cfg) if s.task == "two"][0]
    w = lesson.walk(run, story)
    page.goto(f"{app_url}/memnet?{SETUP}&t=2&unit=1", timeout=60_000)
    box = page.locator(".mv").first
    box.wait_for(timeout=150_000)
    assert box.get_attribute("data-t") == "2" and box.get_attribute("data-unit") == "1"
    assert page.locator('.mv input[type="number"]').first.input_value() == "2"  # hop 2 of 1..3
    page.locator('input[aria-label="Sentence in memory"]').first.focus()
    for t in (2, 3):
        if t > 2:
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => document.querySelector('[data-testid=stBidiComponent"
                               f"Isolated]').shadowRoot.querySelector('.mv').dataset.t === '{t}'")
        shown = _shown(page)
        assert {k for k, _ in shown} >= {"s", "p", "Z", "onorm", "unext"}
        for (k, _lag), v in shown.items():
            assert v == pytest.approx(float(w.arrays[k][t - 1, 1]), abs=6e-4, rel=1e-3), (t, k)
    page.keyboard.press("End")
    page.wait_for_function(f"() => location.search.includes('t={len(story.sentences)}')",
                           timeout=30_000)  # the URL follows the stepper
    assert "Hop 1 reads mostly sentence" in page.inner_text("body")
