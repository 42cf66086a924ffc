"""The LSTM, GRU and vanilla RNN pages in Chinese: their prose, widgets, figures, stepper words,
presets and computed guidance are Chinese, the documents' terms appear; English is unchanged."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from memviz import fonts, i18n
from memviz.engine import equations, lesson
from memviz.recurrent import across, insight, presets
from memviz.ui import training

from .conftest import ROOT, pack, stepper_data, tiny_config
from .test_i18n_pages import english_sentences, english_words, figure_texts
from .test_i18n_pages import shown_text as shown

MATHS = re.compile(r"\$[^$]*\$|`[^`]*`")
WORD = re.compile(r"[A-Za-z]{2,}")
TERMS = {"lstm": ("遗忘门", "输入门", "输出门", "细胞状态", "候选记忆"),
         "gru": ("重置门", "更新门", "候选状态", "隐藏状态"), "rnn": ("隐藏状态", "梯度消失")}
MINE = ("recurrent.", "lstm.", "gru.", "rnn.")


def labels(at: AppTest) -> list[str]:
    out = []
    for kind in ("slider", "select_slider", "selectbox", "number_input", "toggle"):
        for w in getattr(at, kind):
            out += [w.label, getattr(w, "help", None) or ""]
            out += [str(o) for o in getattr(w, "options", [])]
    return [s for s in out if s]


def open_page(name: str, lang: str = "zh", **query: str) -> AppTest:
    """The page opened from a tiny link (a link with settings trains at once)."""
    at = AppTest.from_file(str(ROOT / f"pages/{name}.py"), default_timeout=120)
    for k, v in {"lang": lang, "seq_len": "6", "hidden": "4", "steps": "20", **query}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def zh_pages() -> dict[str, AppTest]:
    training.store.clear()
    return {name: open_page(name) for name in ("lstm", "gru", "rnn")}


@pytest.mark.parametrize("name", ["lstm", "gru", "rnn"])
def test_the_page_in_chinese_shows_no_english_sentence(zh_pages, name):
    at = zh_pages[name]
    texts = shown(at)
    assert len(at.get("plotly_chart")) >= 3  # trained from the link
    assert english_sentences(texts) == []
    own_en = [e["en"] for k, e in i18n.catalogue().items() if k.startswith(MINE)
              and "{" not in e["en"] and len(WORD.findall(e["en"])) >= 4]
    joined = "\n".join(texts)
    assert [s for s in own_en if s in joined] == []
    assert i18n.t(f"{name}.title", "zh") == at.title[0].value
    for term in TERMS[name]:
        assert term in joined, term


@pytest.mark.parametrize("name", ["lstm", "gru", "rnn"])
def test_widgets_figures_and_stepper_words_are_chinese(zh_pages, name):
    at = zh_pages[name]
    assert english_words(labels(at)) == []
    assert at.slider(key=f"{name}_seq_len").label == "序列长度 T"
    texts = figure_texts(at)
    assert len(texts) > 10 and english_words(texts) == [], english_words(texts)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert all(fonts.has_cjk(s) for s in titles), titles
    view = stepper_data(at)
    assert all(fonts.has_cjk(v) for v in view["meaning"].values()), view["meaning"]
    figs = pack(at)["figures"]  # the step-through's exports too
    heat = figs[f"{name}_heatmaps"].layout
    assert heat.xaxis.title.text == "时间步 t" and heat.yaxis.title.text == "单元"
    assert all(fonts.has_cjk(a.text) for a in heat.annotations)
    assert fonts.has_cjk(figs[f"{name}_unit_lines"].layout.title.text)


def test_the_stepper_names_the_lstm_gates_as_the_documents_do(zh_pages):
    assert stepper_data(zh_pages["lstm"])["meaning"] == {
        "i": "输入门", "f": "遗忘门", "g": "候选记忆", "o": "输出门", "c": "细胞状态",
        "h": "隐藏状态"}
    assert stepper_data(zh_pages["gru"])["meaning"]["r"] == "重置门"


def test_the_lstm_guidance_and_its_unit_view_are_chinese(zh_pages):
    at = zh_pages["lstm"]
    look = next(m.value for m in at.markdown if m.value.startswith("**看点。**"))
    assert fonts.cjk_share(MATHS.sub("", look)) >= 0.5 and "细胞状态" in look
    fig = pack(at)["figures"]["lstm_unit_inputs"]
    assert fig.layout.title.text.startswith("单元") and "留出序列" in fig.layout.title.text
    assert {tr.name for tr in fig.data} <= {f"符号 {k}" for k in range(4)}
    unit = at.selectbox(key="lstm_memory_unit")
    assert ("记住符号的单元" in unit.options[unit.value]  # called so only where it separates
            or "区分得最好，但没能分开每个符号" in unit.options[unit.value])


def test_the_gru_variant_panel_is_chinese(zh_pages):
    at = zh_pages["gru"]
    at.toggle(key="gru_variant_gru_doc002").set_value(True).run()
    assert not at.exception
    assert {m.label for m in at.metric} >= {"整条序列上的最大 |Δh|", "平均 |Δh|"}
    title = pack(at)["figures"]["gru_gru_doc002_dh"].layout.title.text
    assert title == i18n.t("recurrent.ui.dh_title", "zh")


def test_a_chinese_preset_says_what_to_look_for_in_chinese():
    at = AppTest.from_file(str(ROOT / "pages/lstm.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    menu = at.selectbox(key="lstm_preset")
    assert "会计数的细胞" in menu.options and "（自己的设置）" in menu.options
    menu.set_value("A counting cell").run()  # the value stays the English name
    assert not at.exception
    assert at.selectbox(key="lstm_task").value == "brackets"
    info = at.info[0].value
    assert "计数器" in info and "−0.98" in info and fonts.cjk_share(info) >= 0.5


@pytest.fixture(scope="module")
def recall_lstm():
    return lesson.prepare(tiny_config("lstm", seq_len=6, hidden=4, steps=20))


def test_the_computed_guidance_has_the_same_numbers_in_both_languages(recall_lstm):
    ho = insight.held_out(recall_lstm.run.model, recall_lstm.run.config.task, 0)
    with i18n.using("zh"):
        zh = [insight.describe(ho, j) for j in range(4)]
    en = [insight.describe(ho, j) for j in range(4)]
    number = re.compile(r"[+−-]?\d+\.\d+")
    for a, b in zip(en, zh, strict=True):
        assert english_sentences([b]) == [] and fonts.cjk_share(b) >= 0.5
        assert number.findall(a) == number.findall(b)


def test_held_out_group_names_follow_the_reader_not_the_first_computer(recall_lstm):
    ho = insight.held_out(recall_lstm.run.model, recall_lstm.run.config.task, 0)  # in English
    assert ho.group_names[1] == "symbol 1"
    with i18n.using("zh"):
        assert ho.group_names[1] == "符号 1"
        assert across.unit_across_inputs(ho, 0).data[0].name.startswith("符号")


def test_every_preset_has_a_chinese_name_and_note():
    for p in presets.PRESETS:
        with i18n.using("zh"):
            assert fonts.has_cjk(p.title) and fonts.cjk_share(p.note) >= 0.5
        assert p.title == p.name and not fonts.has_cjk(p.note)  # English: as measured


def test_the_pages_in_english_are_unchanged():
    training.store.clear()
    at = open_page("rnn", lang="en")
    assert at.title[0].value == "Vanilla RNN: memory by repetition"
    assert not [s for s in shown(at) if fonts.has_cjk(s) and "Document 001" not in s]
    assert stepper_data(at)["meaning"] == {"h": "hidden state"}
    assert pack(at)["figures"]["rnn_heatmaps"].layout.xaxis.title.text == "time step t"
    assert equations.MEANING["f"] == "forget gate"
    assert [m.label for m in at.metric][:2] == ["Held-out accuracy", "Held-out loss"]
