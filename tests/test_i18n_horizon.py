"""The memory-horizon page in Chinese: its prose, widgets, messages, the chart's titles, axes,
legend and CSV columns, what the sweep found in words, and the CLI's chart with --lang zh."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from memviz import export, fonts, i18n
from memviz.cli import main
from memviz.horizon import report
from memviz.horizon import sweep as hz
from memviz.ui import show

from .conftest import ROOT
from .test_horizon import tiny_sweep
from .test_i18n_pages import english_sentences
from .test_i18n_pages import shown_text as shown

MATHS = re.compile(r"\$[^$]*\$|`[^`]*`")
WORD = re.compile(r"[A-Za-z]{2,}")
FIELD = re.compile(r"\{\w+\}")
NO_CJK = pytest.mark.skipif(fonts.cjk_family() is None,
                            reason="no CJK font (apt-get install fonts-noto-cjk)")


def mine() -> dict[str, dict[str, str]]:
    return {k: e for k, e in i18n.catalogue().items() if k.startswith("horizon.")}


def tiny_page(lang: str) -> AppTest:
    """The page in `lang` with one tiny sweep (CNN and LSTM at lags 3 and 5) run."""
    from memviz.ui import training

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/horizon.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    tiny_sweep(at, ["lstm", "cnn"]).run()
    return at


@pytest.fixture(scope="module")
def page_zh() -> AppTest:
    at = tiny_page("zh")
    assert "请点击 **开始扫描**" in " ".join(m.value for m in at.markdown)  # before the sweep
    at.button(key="hz_run").click().run()
    assert not at.exception, at.exception
    return at


def test_the_page_in_chinese_shows_its_own_texts_in_chinese(page_zh):
    texts = shown(page_zh)
    own_en = [e["en"] for e in mine().values()
              if "{" not in e["en"] and len(WORD.findall(e["en"])) >= 4]
    assert not [s for s in texts for en in own_en if en in s]  # none of ours left in English
    for key in ("horizon.title", "horizon.intro", "horizon.how", "horizon.widget.settings"):
        assert i18n.t(key, lang="zh") in texts, key
    assert english_sentences(texts) == []
    joined = " ".join(texts)
    for term in ("感受野", "延迟", "时间步", "短期记忆", "长期记忆", "卷积核",
                 "《记忆：短期记忆与长期记忆》"):
        assert term in joined, term
    assert "扫描完成" in page_zh.success[0].value
    assert "在延迟 3, 5 中，CNN（感受野 3）" in joined  # the sweep's finding, in words
    assert "CNN 的感受野 = 1 + (卷积核大小 − 1)" in joined and "**3 个时间步**" in joined


def test_widgets_and_buttons_are_chinese(page_zh):
    labels = [w.label for kind in ("radio", "multiselect", "select_slider", "slider",
                                   "number_input", "button") for w in getattr(page_zh, kind)]
    assert {"任务", "架构", "延迟（值与答案之间相隔的时间步数）", "CNN 卷积核大小", "开始扫描",
            "停止"} <= set(labels)
    assert all(fonts.has_cjk(s) for s in labels), [s for s in labels if not fonts.has_cjk(s)]
    assert "注意力" in page_zh.multiselect(key="hz_archs").options  # as the widget shows them


def test_the_chart_speaks_chinese_on_the_page(page_zh):
    charts = page_zh.get("arrow_vega_lite_chart") or page_zh.get("vega_lite_chart")
    spec = json.dumps(json.loads(charts[-1].proto.spec), ensure_ascii=False)
    for words in ("回忆准确率（留出数据）", "延迟（值需要被记住的时间步数）", "模型"):
        assert words in spec, words
    assert "recall accuracy" not in spec
    # the labels travel as data: read them from the chart the page registered for export
    chart = page_zh.session_state[show.PACK]["figures"]["hz_chart"]
    drawn = json.dumps(chart.to_dict(), ensure_ascii=False)
    assert "随机猜测 25%" in drawn and "CNN 感受野 = 3" in drawn and "chance" not in drawn


def test_a_bad_choice_is_said_in_chinese():
    at = AppTest.from_file(str(ROOT / "pages/horizon.py"), default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    at.multiselect(key="hz_archs").set_value([]).run()
    assert not at.exception and at.warning[0].value == "请至少选择一种架构来比较。"
    at.multiselect(key="hz_archs").set_value(["cnn"])
    at.slider(key="hz_kernel").set_value(2)
    at.slider(key="hz_dilation").set_value(3).run()
    assert "不能超过卷积核大小（2）" in at.warning[0].value


def test_chart_csv_table_and_description_follow_the_language():
    cfg = hz.HorizonConfig(lags=(10, 100), archs=("rnn", "lstm", "gru", "cnn"))
    vals = {("rnn", 10): 1.0, ("lstm", 10): 1.0, ("gru", 10): 1.0, ("cnn", 10): 1.0,
            ("rnn", 100): 0.3, ("lstm", 100): 0.95, ("gru", 100): 0.99, ("cnn", 100): 0.25}
    rs = [hz.Result(a, "recall", lag, 0, "accuracy", v, 0.1, 10, False)
          for (a, lag), v in vals.items()]
    with i18n.using("zh"):
        text = report.describe(cfg, rs)
        chart = report.chart_for(cfg, [r.row() for r in rs])
        table = report.results_table(rs)
        data = export.render(chart, "csv").decode()
    assert "在延迟 100 处**看到了长期记忆**" in text and "全是落在感受野之内的延迟" in text
    assert fonts.cjk_share(text) >= 0.5
    header = next(csv.reader(io.StringIO(data)))
    assert {"模型", "延迟", "得分", "训练秒数"} <= set(header), header
    assert list(table.columns) == ["架构", "延迟 10", "延迟 100"]
    en = report.describe(cfg, rs)
    assert "**Long-term memory shown** at lag 100" in en and "only lags inside its field" in en
    far = [hz.Result("cnn", "recall", lag, 0, "accuracy", 0.25, 0.1, 10, False)
           for lag in (50, 100)]  # both beyond the field of 29 steps
    with i18n.using("zh"):
        assert report.describe(cfg, far) == ("在延迟 50, 100 中，CNN（感受野 29）一个也没有解决："
                                             "这些延迟全都超出了它的感受野。")
    assert report.describe(cfg, far).endswith("solved none: every one lies outside its field.")


@NO_CJK
def test_cli_draws_the_chart_in_chinese_with_lang_zh(tmp_path):
    args = ["horizon", "--lags", "3", "--archs", "cnn", "--hidden", "4", "--steps", "5",
            "--kernel", "2", "--depth", "1", "--dilation", "1"]
    assert main([*args, "--lang", "zh", "--out", str(tmp_path / "zh")]) == 0
    assert main([*args, "--out", str(tmp_path / "en")]) == 0
    zh = (tmp_path / "zh" / "horizon.svg").read_text()
    en = (tmp_path / "en" / "horizon.svg").read_text()
    assert "回忆准确率" in zh and "recall accuracy" in en and "回忆" not in en
    assert (tmp_path / "zh" / "horizon.png").stat().st_size > 1000
    # results.csv is a data file for scripts: its columns stay the same in either language
    assert (tmp_path / "zh" / "results.csv").read_text().splitlines()[0] == \
        ",".join(hz.CSV_COLUMNS)


def test_the_catalogue_is_complete_and_reads_as_chinese():
    entries = mine()
    for key, e in entries.items():
        if len(WORD.findall(FIELD.sub("", e["en"]))) >= 4:
            assert fonts.cjk_share(FIELD.sub("", MATHS.sub("", e["zh"]))) >= 0.5, key
    assert all(e["zh"] != e["en"] for e in entries.values()
               if len(WORD.findall(e["en"])) >= 2), "an English message copied into zh"
