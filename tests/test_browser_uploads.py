"""A real browser uploads a file on the class's server (training in worker processes) and
trains it: a CSV on Forecasting and on Sentences, a .txt on Text, in English and in Chinese.

An upload used to stay in the server's memory, where the worker process that trains it could
not see it ("that uploaded file is no longer in memory"); the tests ran threads and passed.
Each language uploads files of its own, so each trains anew on the module's one server.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import pytest

from memviz import i18n
from memviz.text import corpus

from .test_browser import ARTIFACTS, CHROME_ARGS, CHROMIUM, app_url  # noqa: F401  (its server)
from .test_uploads import sentences_csv, series_csv, text_file

pytestmark = pytest.mark.browser
LANGS = ("en", "zh")
SERIES_ROWS = 120
WAIT_MS = 180_000  # a tiny run, but the machine is shared: bounded, never forever
# interact only once the settings are drawn and the script is idle: a click while the sliders
# were still placeholders reran the page with Text's learning rate at its lowest (seen twice)
SETTLED = """() => !document.querySelector('[data-testid="stExpander"] [data-testid="stSkeleton"]')
  && !document.querySelector('[data-testid^="stStatusWidgetRunning"]')"""


@pytest.fixture(scope="module")
def browser(app_url):  # noqa: F811
    """One chromium for the module (a launch costs seconds here); a fresh page per test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def _file(tmp_path, name: str, raw: bytes, lang: str) -> str:
    """The file to upload: its own bytes per language (zh repeats the last line: a new name,
    so it trains again)."""
    path = tmp_path / name
    path.write_bytes(raw + (b"" if lang == "en" else raw.splitlines(keepends=True)[-1]))
    return str(path)


def _open(page, app_url, path: str, lang: str, title: str) -> None:  # noqa: F811
    page.goto(f"{app_url}/{path}{'&' if '?' in path else '?'}lang={lang}", timeout=60_000)
    page.get_by_text(i18n.t(title, lang), exact=True).first.wait_for(timeout=60_000)
    _settled(page)


def _settled(pg) -> None:
    pg.locator('[data-testid="stSlider"]').first.wait_for(timeout=60_000)
    pg.wait_for_function(SETTLED, timeout=60_000)


def _upload(pg, path: str) -> None:
    _settled(pg)
    pg.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(path)
    _settled(pg)


def _train(pg, label: str) -> None:
    pg.get_by_role("button", name=label, exact=True).click(timeout=60_000)


def _result(pg, text: str) -> None:
    """Wait for the result's `text`, or fail at once with the error shown instead (the old
    "that uploaded file is no longer in memory")."""
    error = pg.locator('[data-testid="stAlertContentError"]')
    pg.get_by_text(text).or_(error).first.wait_for(timeout=WAIT_MS)
    assert error.count() == 0, error.all_inner_texts()
    pg.get_by_text(text).first.wait_for(timeout=10_000)


def _shot(pg, name: str) -> None:
    """A full-page screenshot of the result (artifacts/), and no traceback on the page."""
    assert pg.locator('[data-testid="stException"]').count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("lang", LANGS)
def test_a_csv_trains_on_forecasting(app_url, page, tmp_path, lang):  # noqa: F811
    """No link settings: a link would first train a built-in series; the defaults on a
    120-row file train in about a second."""
    rows = SERIES_ROWS + (0 if lang == "en" else 1)  # zh: a day more (a repeated date is refused)
    path = tmp_path / "temps.csv"
    path.write_bytes(series_csv(rows))
    path = str(path)
    _open(page, app_url, "series", lang, "series.title")
    page.get_by_role("combobox", name=i18n.t("series.ui.series", lang)).click(timeout=60_000)
    page.get_by_role("option", name=i18n.t("series.ui.upload_option", lang)).click()
    _upload(page, path)
    _train(page, i18n.t("training.train", lang))
    _result(page, i18n.t("series.metric_model", lang, arch="LSTM"))
    what = i18n.t("series.rows", lang, what=i18n.t("series.builtin.upload", lang), rows=rows,
                  missing="")
    assert page.get_by_text(what.strip()).count() == 1, what
    _shot(page, f"browser_upload_series_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_labelled_csv_trains_on_sentences(app_url, page, tmp_path, lang):  # noqa: F811
    path = _file(tmp_path, "reviews.csv", sentences_csv(), lang)
    _open(page, app_url, "sentences?steps=10&hidden=4", lang, "sentences.title")
    page.locator('[data-testid="stRadio"]').get_by_text(
        i18n.t("sentences.source_upload", lang), exact=True).click(timeout=60_000)
    _upload(page, path)
    _train(page, i18n.t("sentences.train", lang))
    _result(page, i18n.t("sentences.your_csv", lang))
    assert page.get_by_text(i18n.t("sentences.accuracy", lang, arch="GRU")).count() == 1
    _shot(page, f"browser_upload_sentences_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_text_file_trains_on_text(app_url, page, tmp_path, lang):  # noqa: F811
    """The link's tiny settings first start the standard library's run (a link trains by
    itself); the upload then trains beside it, and its own held-out size shows it is the
    file's result."""
    path = _file(tmp_path, "notes.txt", text_file(), lang)
    with open(path, "rb") as f:
        held = len(corpus.split(corpus.from_bytes(f.read(), "notes.txt")).held_text)
    _open(page, app_url, "text?hidden=8&seq_len=8&steps=10", lang, "text.title")
    page.locator('[data-testid="stRadio"]').get_by_text(
        i18n.t("text.corpus.upload", lang), exact=True).click(timeout=60_000)
    _upload(page, path)
    _train(page, i18n.t("training.train", lang))
    said = [i18n.t(k, lang, n=f"{held:,}", baseline="|").split("|")[0]
            for k in ("text.summary.beats", "text.summary.not_yet")]
    _result(page, os.path.commonprefix(said))
    from playwright.sync_api import expect

    # the summary line can paint a moment before the metrics beside it (two workers share the
    # cores under pytest -n 2): wait for the metric, then hold it to exactly one
    expect(page.get_by_text(i18n.t("text.summary.bits", lang))).to_have_count(1, timeout=30_000)
    query = parse_qs(urlsplit(page.url).query)  # the settings trained are the ones chosen
    assert (query["lr"], query["hidden"], query["steps"]) == (["0.01"], ["8"], ["10"]), query
    _shot(page, f"browser_upload_text_{lang}")
