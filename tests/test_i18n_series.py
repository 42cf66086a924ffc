"""Forecasting in Chinese: the page's own texts, its figures and its loaders' errors.

The shared panels (training, step-through, export menu) are translated elsewhere, so the page is
judged by its own messages: every message of memviz/locales/series.toml the page shows is found
in its Chinese form, mostly CJK, and none of them shows in English.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from memviz import fonts, i18n
from memviz.config import ConfigError
from memviz.series import data, forecast
from memviz.ui import training

from .conftest import ROOT, pack

FIELD = re.compile(r"\{(\w+)[^}]*\}")
MATHS = re.compile(r"\$[^$]*\$|`[^`]*`")
TINY_SERIES = {"window": "3", "epochs": "5", "hidden": "4"}
SYMBOLS = {"MAE", "h", "LSTM", "GRU", "P(正面)"}


def template(message: str) -> re.Pattern:
    """A catalogue message as a regex: its words literal, each {field} any text."""
    parts = FIELD.split(message)  # literal, field name, literal, …
    return re.compile("".join(re.escape(p) if i % 2 == 0 else ".+?"
                              for i, p in enumerate(parts)), re.S)


def page_texts(at: AppTest) -> list[str]:
    """Every text a student reads on the page: prose, messages, metric and widget labels."""
    out = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info",
                                "warning", "success", "error") for e in getattr(at, kind)]
    out += [m.label for m in at.metric] + [e.label for e in at.expander]
    out += [w.label for kind in ("slider", "select_slider", "selectbox", "radio", "number_input",
                                 "text_input", "multiselect", "button") for w in getattr(at, kind)]
    return [str(x) for x in out if x]


def lesson_messages(lesson: str, lang: str, min_words: int = 4) -> dict[str, re.Pattern]:
    """The lesson's messages of at least `min_words` English words, as regexes in `lang`."""
    return {k: template(e[lang]) for k, e in i18n.catalogue().items()
            if k.startswith(f"{lesson}.")
            and len(re.findall(r"[A-Za-z]{2,}", FIELD.sub("", e["en"]))) >= min_words}


def check_chinese_page(at: AppTest, lesson: str, must_show: list[str]) -> list[str]:
    """Assert the page shows `must_show` keys in Chinese, mostly CJK, and none of its lesson's
    sentences in English; return the page's texts."""
    texts = page_texts(at)
    english = lesson_messages(lesson, "en")
    leaked = [(k, x) for x in texts for k, rx in english.items() if rx.search(x)]
    assert leaked == []
    for key in must_show:
        rx = template(i18n.t(key, lang="zh"))
        shown = [x for x in texts if rx.search(x)]
        assert shown, key
        for x in shown:
            assert fonts.cjk_share(MATHS.sub("", x)) >= 0.5, (key, x)
    return texts


def figure_words(fig) -> list[str]:
    """A plotly figure's title, axis titles, trace names and annotations."""
    lay = fig.layout
    words = [lay.title.text, lay.xaxis.title.text, lay.yaxis.title.text]
    words += [tr.name for tr in fig.data] + [a.text for a in lay.annotations]
    return [w for w in words if w]


def run_in(lang: str, page: str, params: dict[str, str]) -> AppTest:
    """A page opened from a link with tiny settings (it trains at once) in `lang`."""
    training.store.clear()
    at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=180)
    at.query_params.update({**params, "lang": lang})
    at.run()
    assert not at.exception and not at.error, (at.exception, at.error)
    return at


@pytest.fixture(scope="module")
def zh_page() -> AppTest:
    """AAPL's test part rises above its training range: the page explains what leaks."""
    return run_in("zh", "series", {**TINY_SERIES, "data": "stocks-AAPL", "target": "price"})


def test_the_forecasting_page_speaks_chinese(zh_page):
    texts = check_chinese_page(zh_page, "series", [
        "series.title", "series.intro", "series.leak_header", "series.leak_intro",
        "series.leak_outside", "series.cap_forecast", "series.cap_zoom", "series.cap_inside",
        "series.rows", "series.builtin.stocks", "series.inside_header"])
    joined = "\n".join(texts)
    for term in ("时间序列", "预测", "窗口", "持续性基线", "线性自回归", "季节性", "数据泄漏",
                 "归一化", "《短期记忆：利用上下文学习》"):
        assert term in joined, term
    labels = [m.label for m in zh_page.metric]
    assert labels[1:] == ["持续性基线", "线性自回归", "季节性基线"]
    assert labels[0] == "LSTM 测试集 MAE"
    assert zh_page.success or zh_page.warning  # the verdict, in Chinese (checked above)
    assert any("设置" == e.label for e in zh_page.expander)


def test_the_forecasting_figures_speak_chinese(zh_page):
    figs = pack(zh_page)["figures"]
    assert {"series_forecast", "series_baselines", "series_zoom", "series_leak"} <= set(figs)
    for key in ("series_forecast", "series_baselines", "series_zoom", "series_leak"):
        fig = figs[key]
        assert fonts.cjk_share(fig.layout.title.text) >= 0.5, (key, fig.layout.title.text)
        for word in figure_words(fig):  # symbols (MAE) excepted, every word is Chinese
            assert word in SYMBOLS or fonts.cjk_share(word) > 0, (key, word)
    bars = figs["series_baselines"].data[0]
    assert list(bars.x)[:2] == ["你的模型", "持续性基线"] and "线性自回归" in bars.x
    assert figs["series_forecast"].layout.yaxis.title.text == "price（收盘价）"
    assert figs["series_forecast"].layout.xaxis.title.text == "时间"


def test_the_english_page_keeps_its_english():
    at = run_in("en", "series", TINY_SERIES)
    check_english_page(at, "series", ["series.title", "series.intro", "series.leak_header",
                                      "series.cap_inside"])
    assert [m.label for m in at.metric][1] == "Persistence"


def check_english_page(at: AppTest, lesson: str, must_show: list[str]) -> None:
    """The page in English shows `must_show` in English and none of its Chinese sentences
    (its old tests check the rest)."""
    texts = page_texts(at)
    for key in must_show:
        assert any(template(i18n.t(key, lang="en")).search(x) for x in texts), key
    chinese = lesson_messages(lesson, "zh")
    assert [(k, x) for x in texts for k, rx in chinese.items() if rx.search(x)] == []


@pytest.mark.parametrize("raw, target, words", [
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "value", "二进制"),
    (b"", "value", "空的"),
    (b"day,value\n", "value", "没有数据行"),
    (b"day,value\n2020-01-01,1\n", "value", "至少要 30 行"),
    (b"day,value\n" + b"2020-01-01,abc\n" * 40, "value", "不是数值"),
    (b"day,value\n" + b"2020-01-01,1\n" * 40, "missing_col", "没有列 'missing_col'"),
    (b"a,b\n1,2\n" + b"x" * (data.MAX_UPLOAD_BYTES + 1), "a", "上限是 2 MB"),
], ids=["binary", "empty", "header only", "too short", "not numeric", "no column", "too big"])
def test_upload_errors_in_chinese(raw, target, words):
    with i18n.using("zh"), pytest.raises(ConfigError, match=words):
        data.load_upload(raw, target, "day")


def test_config_errors_and_descriptions_in_chinese():
    with i18n.using("zh"):
        with pytest.raises(ConfigError, match="已经是预测目标"):
            forecast.ForecastConfig(extra=("temp_max",))
        with pytest.raises(ConfigError, match="只能是 lstm 或 gru"):
            forecast.ForecastConfig(arch="rnn")
        s = data.load_builtin("stocks-AAPL")
        assert s.describe() == "AAPL 股票 2000–2010 年每月收盘价（美元）"
        assert data.load_builtin("seattle-weather").describe().startswith("西雅图天气")
        assert s.missing_note() == "没有缺失值。"
        for name in data.BUILTIN:  # every built-in series has its words (keys built at run time)
            assert fonts.cjk_share(data.load_builtin(name).describe()) >= 0.3
        for column in data.COLUMN_WORDS:
            assert "（" in data.column_label(column)
        from memviz.ui import series as ui  # the selectbox's labels (keys built at run time)

        labels = [ui._series_label(name) for name in [*data.BUILTIN, ui.UPLOAD]]
        assert labels[0] == "seattle-weather（西雅图逐日天气）" and labels[-1] == "上传 CSV…"
        assert all("（" in x for x in labels[:-1])
    assert data.load_builtin("seattle-temps").describe() == "Seattle temperature, hourly 2010 (°F)"
