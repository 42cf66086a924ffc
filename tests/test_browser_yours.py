"""A model trained by a plain torch script (an nn.Embedding in front of a 2-layer nn.LSTM), uploaded
to the "Your model" page in chromium, stepped with the keyboard in English and in Chinese: the
numbers the stepper shows are the trace's."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from .conftest import ROOT
from .test_browser import ARTIFACTS, app_url, page  # noqa: F401  (the server and browser)

pytestmark = pytest.mark.browser
TEXT = "the cat sat"
UNIT = 2
_MV = "document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot" \
      ".querySelector('.mv')"


def _script():
    """tests/fixtures/plain_char_lstm.py: trains with torch alone, no memviz."""
    spec = importlib.util.spec_from_file_location(
        "plain_char_lstm", ROOT / "tests/fixtures/plain_char_lstm.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def char_model(tmp_path_factory):
    """The script's files, its vocabulary, and the trace memviz records of TEXT on them."""
    import json

    from memviz.yours import inputs, model, tracing

    paths = _script().make(tmp_path_factory.mktemp("char"), steps=40)
    vocab = json.loads(paths["vocab"].read_text())
    loaded = model.load(paths["pt"].read_bytes(), "char_lstm.pt")
    ids = np.array([vocab.index(c) for c in TEXT])
    return paths, vocab, tracing.trace_model(loaded, inputs.check_input(ids, loaded.found))


def _shown(pg) -> dict[tuple[str, int], float]:
    """Every number slot of the stepper's equations: (field, lag) -> the value shown."""
    slots = pg.locator(".mv").first.locator(".eq .v")
    return {(s.get_attribute("data-k"), int(s.get_attribute("data-lag"))):
            float(s.inner_text().strip("()")) for s in slots.all()}


def _step_and_read(pg, tr, steps) -> None:
    """Home, then → through `steps`; at each, every shown number against the trace's."""
    pg.locator(".mv input[type=range]").first.focus()
    pg.keyboard.press("Home")
    for t in steps:
        if t > 1:
            pg.keyboard.press("ArrowRight")
        pg.wait_for_function(f"() => {_MV}.dataset.t === '{t}'", timeout=10_000)
        shown = _shown(pg)
        assert {k for k, _ in shown} >= set("ifgoch")
        for (k, lag), v in shown.items():
            want = 0.0 if t - 1 - lag < 0 else float(tr[k][t - 1 - lag, UNIT])
            assert v == pytest.approx(want, abs=6e-4), (t, k, lag)


def _unit(pg) -> None:
    """Follow unit UNIT in the stepper (its number box; a change, not a rerun)."""
    box = pg.locator(".mv input[type=number]").first
    box.fill(str(UNIT))
    box.press("Tab")
    pg.wait_for_function(f"() => {_MV}.dataset.unit === '{UNIT}'", timeout=10_000)


def _open(pg, url: str, paths, vocab: str, lang: str) -> None:
    pg.goto(f"{url}/yours?lang={lang}", timeout=60_000)
    pg.locator("input[type=file]").first.set_input_files(str(paths["pt"]))
    found = "Found: LSTM" if lang == "en" else "找到一个 LSTM"
    pg.get_by_text(found).wait_for(timeout=60_000)
    for k, value in enumerate((vocab, TEXT)):
        box = pg.locator('[data-testid="stTextInput"] input').nth(k)
        box.fill(value)
        box.press("Enter")
    pg.locator(".mv").first.wait_for(timeout=60_000)
    pg.wait_for_function(f"() => {_MV}.dataset.t === '{len(TEXT)}'", timeout=30_000)


def test_a_plain_torch_char_model_steps_in_english_and_chinese(app_url, page, char_model):  # noqa: F811
    paths, vocab, mt = char_model
    assert mt.max_abs_diff <= 1e-5
    _open(page, app_url, paths, vocab, "en")
    assert page.get_by_text("max |Δ| =").first.is_visible()
    _unit(page)
    _step_and_read(page, mt.layers[0], (1, 2, 3))
    page.locator(".mv").first.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_yours_char_en.png"), full_page=True)

    _open(page, app_url, paths, vocab, "zh")
    assert page.get_by_text("真值核对").first.is_visible()
    page.get_by_text("第 1 层", exact=True).click()  # the top layer
    page.wait_for_timeout(500)
    page.locator(".mv").first.wait_for(timeout=30_000)
    _unit(page)
    _step_and_read(page, mt.layers[1], (1, 2))
    page.screenshot(path=str(ARTIFACTS / "browser_yours_char_zh.png"), full_page=True)
