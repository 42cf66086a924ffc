"""The Attention lesson in Chinese: prose, widgets, figures, the cost table and config errors;
the same page in English stays English. Only this lesson's own messages are checked (the
shared training and export panels belong to another catalogue)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from memviz import fonts, i18n
from memviz.attention import data, selfattn
from memviz.attention import train as s2s
from memviz.config import ConfigError

from .conftest import ROOT, stepper_data
from .test_i18n_text import (
    figures,
    latex_words,
    left_in_english,
    prose_is_chinese,
    shown_text,
    widgets,
    words_of,
)

LINK = dict(task="reverse", max_len="3", steps="20", lag="5", heads="2")
KEYS = ("attn_task", "attn_max_len", "attn_steps", "attn_seed", "attn_example", "attn_lag",
        "attn_heads", "attn_encoding", "attn_head")
FIGURES = ("attn_accuracy", "attn_alignment", "attn_step", "attn_selfmap")


def _page(lang: str) -> AppTest:
    """The Attention page from a link with tiny settings (it trains both sections at once)."""
    from memviz.ui import training

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/attention.py"), default_timeout=180)
    at.query_params.update(**LINK, lang=lang)
    at.run()
    assert not at.exception, at.exception
    return at


def test_attention_page_in_chinese_shows_its_own_texts_in_chinese():
    at = _page("zh")
    texts = shown_text(at)
    assert at.title[0].value == "注意力"
    prose = [i18n.t(k, lang="zh") for k in i18n.catalogue() if k.startswith("attention.prose.")]
    markdown = [e.value for e in at.markdown]
    assert len(prose) == 5 and all(p in markdown and prose_is_chinese(p) for p in prose)
    assert any(s.startswith("在最长训练长度（3）上") for s in markdown)  # lesson.summary
    labels = widgets(at, KEYS)
    assert set(labels) == set(KEYS)
    assert all(fonts.has_cjk(ws[0]) for ws in labels.values()), labels
    assert labels["attn_task"][2:] == ["数字倒序", "日期转成 ISO 格式"]
    assert labels["attn_encoding"][2:] == ["正弦（固定）", "学习得到"]
    figs = figures(at)
    for key in FIGURES:
        shown = words_of(figs[key])
        assert shown and all(fonts.has_cjk(s) for s in shown), (key, shown)
    assert figs["attn_step"]["notes"][-1] == "解码器状态 s 和上下文向量 c"  # subplot titles
    table = at.dataframe[0].value
    assert list(table.columns) == ["模型", "每个序列的浮点运算次数（T = 5）"]
    assert "注意力（每一步都输出）" in set(table["模型"])
    everything = " ".join(texts + [s for ws in labels.values() for s in ws]
                          + [s for f in figs.values() for s in words_of(f)])
    for term in ("注意力", "自注意力", "多头注意力", "位置编码", "编码器", "解码器", "序列到序列",
                 "上下文向量", "对齐", "贪心解码", "《短期记忆：利用上下文学习》",
                 "《赋予应用记忆的能力：Memory》"):
        assert term in everything, term
    assert latex_words(at) and not any(fonts.has_cjk(w) for w in latex_words(at))  # tokens only
    assert left_in_english(texts + [s for ws in labels.values() for s in ws]
                           + [s for f in figs.values() for s in words_of(f)]
                           + list(table.columns) + list(table["模型"]), "attention") == []


def test_the_step_through_stays_chinese_on_a_step_change():
    at = _page("zh")
    assert any(c.value.startswith("下面的逐步查看走的是解码器的输出步") for c in at.caption)
    assert stepper_data(at)["labels"]["play"] != i18n.t("stepper.play", lang="en")
    at.session_state["attn_t"] = 2  # where the browser's shared stepper settled
    with i18n.using("zh"):  # AppTest formats the radios' values in the test's own thread
        at.run()
    assert not at.exception, at.exception
    assert r"\alpha_{2,\cdot}" in " ".join(e.value for e in at.latex)
    assert figures(at)["attn_alignment"]["title"] == "对齐：每个输出步看向了哪里"
    assert any(c.value.startswith("打分函数用的是 Luong") for c in at.caption)


def test_attention_page_in_english_is_unchanged():
    at = _page("en")
    assert at.title[0].value == "Attention"
    figs = figures(at)
    assert figs["attn_alignment"]["title"] == "Alignment: where each output step looked"
    assert not any(fonts.has_cjk(s) for f in figs.values() for s in words_of(f))
    assert not any(prose_is_chinese(s) for s in shown_text(at))  # (titles of documents cited)
    assert list(at.dataframe[0].value.columns) == ["model", "FLOPs per sequence (T = 5)"]
    assert len(left_in_english(shown_text(at), "attention")) > 10  # the check finds English


def test_config_errors_read_in_chinese_and_stay_english_by_default():
    with i18n.using("zh"):
        with pytest.raises(ConfigError, match="任务必须是 reverse, dates 之一"):
            s2s.Seq2SeqConfig(task="copy")
        with pytest.raises(ConfigError, match="位置编码必须是"):
            selfattn.RecallConfig(encoding="rotary")
        with pytest.raises(ConfigError, match="模型宽度 30 必须能被头数 4 整除"):
            selfattn.RecallConfig(d=30, heads=4)
        with pytest.raises(ConfigError, match="位置表只有 4 行"):
            selfattn.SelfAttention(3, 2, encoding="learned", max_len=4).positions(5)
    with pytest.raises(ConfigError, match="task must be one of"):
        s2s.Seq2SeqConfig(task="copy")


def test_names_built_from_identifiers_have_both_languages():
    """Keys built from a task or encoding name (t(f"attention.s2s.{task}")) are not seen by
    the catalogue test: each must exist, and differ between the languages."""
    keys = ([f"attention.s2s.{task}" for task in data.TASKS]
            + [f"attention.recall.{enc}" for enc in selfattn.ENCODINGS]
            + [f"attention.fig.{name}" for name in ("plain", "attention", "exact", "per_token")])
    for key in keys:
        assert i18n.t(key, lang="en") != i18n.t(key, lang="zh") and fonts.has_cjk(
            i18n.t(key, lang="zh")), key
