"""The Text lesson in Chinese: its prose, widgets, metrics, figures, equations and errors; the
same page in English stays English. The shared panels (training, step-through, exports) are
another catalogue's: these tests look for this lesson's own messages only."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from memviz import fonts, i18n
from memviz.config import ConfigError
from memviz.text import corpus as C
from memviz.text import features as F

from .conftest import ROOT
from .test_text import TINY

FIELD = re.compile(r"\{(\w+)\}")
WORD = re.compile(r"[A-Za-z]{2,}")
MATHS = re.compile(r"\$[^$]*\$|`[^`]*`")


def english_patterns(*catalogues: str) -> list[tuple[str, re.Pattern, int]]:
    """(key, pattern, words) for each English message of two words or more in `catalogues`:
    the pattern matches the message with any values in its {fields}."""
    out = []
    for key, entry in i18n.catalogue().items():
        en = entry["en"]
        words = len(WORD.findall(FIELD.sub("", en)))
        if key.split(".")[0] in catalogues and words >= 2:
            parts = FIELD.split(en)[::2]  # the literal text between the fields
            out.append((key, re.compile(".+?".join(map(re.escape, parts)), re.S), words))
    return out


def left_in_english(texts: list[str], *catalogues: str) -> list[tuple[str, str]]:
    """(key, text) where a text is one of our messages in English: the whole text for a short
    label, anywhere in it for a sentence (a markdown line may join several messages)."""
    found = []
    for key, pattern, words in english_patterns(*catalogues):
        for text in texts:
            if pattern.fullmatch(text) or (words >= 4 and pattern.search(text)):
                found.append((key, text[:80]))
    return found


def shown_text(at: AppTest) -> list[str]:
    """What a student reads as text: titles, headers, markdown, captions, messages, expanders,
    metric labels."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
             "success")
    return ([e.value for kind in kinds for e in getattr(at, kind)]
            + [e.label for e in at.expander] + [m.label for m in at.metric])


def widgets(at: AppTest, keys: tuple[str, ...]) -> dict[str, list[str]]:
    """The label, help and offered options of each widget named in `keys`."""
    out = {}
    for kind in ("slider", "select_slider", "selectbox", "radio", "number_input", "text_input",
                 "text_area", "toggle", "checkbox", "button"):
        for w in getattr(at, kind):
            if w.key in keys:
                out[w.key] = [w.label, getattr(w, "help", "") or "",
                              *map(str, getattr(w, "options", []))]
    return out


def figures(at: AppTest) -> dict[str, dict]:
    """Each plotly figure by its key: title, axis titles, trace names, annotations."""
    out = {}
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        lay = fig.get("layout", {})
        out[chart.key] = {
            "title": lay.get("title", {}).get("text", ""),
            "axes": [v["title"]["text"] for k, v in lay.items()
                     if k.startswith(("xaxis", "yaxis")) and v.get("title", {}).get("text")],
            "names": [tr["name"] for tr in fig.get("data", []) if tr.get("name")],
            "notes": [a["text"] for a in lay.get("annotations", []) if a.get("text")]}
    return out


def words_of(fig: dict) -> list[str]:
    """The texts of a figure that hold words (not a lone symbol such as 'T = 1')."""
    texts = [fig["title"], *fig["axes"], *fig["names"], *fig["notes"]]
    return [s for s in texts if WORD.findall(s.replace("softmax", "").replace("logits", ""))
            or fonts.has_cjk(s)]


def latex_words(at: AppTest) -> list[str]:
    return [w for e in at.latex for w in re.findall(r"\\text\{([^}]*)\}", e.value)]


def prose_is_chinese(text: str) -> bool:
    """The fair rule of tests/test_i18n.py: at least half the letters Chinese, maths and code
    removed."""
    return fonts.cjk_share(MATHS.sub("", text)) >= 0.5


KEYS = ("text_source", "text_paste", "text_arch", "text_hidden", "text_seq_len", "text_steps",
        "text_lr", "text_seed", "text_prime", "text_length", "text_temp", "text_gen_seed",
        "text_gen_k", "text_passage", "text_cells_n", "text_feature")
FIGURES = ("text_loss", "text_top5", "text_temperature", "text_softmax_twice",
           "text_cell_scores", "text_coloured", "text_feature_fig")


def _trained_page(lang: str) -> tuple[AppTest, str]:
    """The Text page in `lang`, trained on a pasted text with tiny settings, at step 3; and the
    error a too short text got."""
    from memviz.ui import training

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/text.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    # AppTest formats a radio's value in the test's own thread: run it in the page's language
    with i18n.using(lang):
        at.radio(key="text_source").set_value("paste").run()
        at.text_area(key="text_paste").input("too short").run()
        assert not at.exception, at.exception
        short = at.error[0].value
        at.text_area(key="text_paste").input(TINY)
        for key, value in (("text_hidden", 16), ("text_seq_len", 16), ("text_steps", 20)):
            at.slider(key=key).set_value(value)
        at.run()
        at.button(key="text_train").click().run()
        at.session_state["text_t"] = 3  # the step the browser's stepper reports
        at.run()
    assert not at.exception, at.exception
    return at, short


def test_text_page_in_chinese_shows_its_own_texts_in_chinese():
    at, short = _trained_page("zh")
    texts = shown_text(at)
    assert at.title[0].value == "文本生成：一个会写字的字符级模型"
    assert "至少需要 1,000 个" in short and prose_is_chinese(short)
    prose = {key: i18n.t(key, lang="zh") for key in i18n.catalogue()
             if key.startswith("text.prose.")}
    markdown = [e.value for e in at.markdown]
    assert all(p in markdown and prose_is_chinese(p) for p in prose.values())
    joined = " ".join(texts)
    for term in ("字符级", "每字符比特", "困惑度", "温度", "采样", "贪心解码", "独热向量",
                 "《赋予应用记忆的能力：Memory》"):
        assert term in joined, term
    assert [m.label for m in at.metric][:1] == ["留出文本的每字符比特"]
    labels = widgets(at, KEYS)
    assert set(labels) == set(KEYS)
    assert all(fonts.has_cjk(ws[0]) for ws in labels.values()), labels
    assert {"Python 标准库", "粘贴文本"} <= set(labels["text_source"])
    assert all(fonts.has_cjk(o) for o in labels["text_feature"][2:])
    figs = figures(at)
    assert set(FIGURES) <= set(figs)
    for key in FIGURES:
        shown = words_of(figs[key])
        assert shown and all(fonts.has_cjk(s) for s in shown), (key, shown)
    assert figs["text_temperature"]["axes"] == ["下一个字符", "概率"]
    words = latex_words(at)
    assert words and all(fonts.has_cjk(w) for w in words), words
    everything = texts + [s for ws in labels.values() for s in ws] + words + [
        s for f in figs.values() for s in words_of(f)]
    assert left_in_english(everything, "text") == []


def test_text_page_in_english_is_unchanged_and_switches_language_on_a_rerun():
    at, short = _trained_page("en")
    assert at.title[0].value == "Text: a character model that writes"
    assert "at least 1,000" in short
    figs = figures(at)
    assert figs["text_temperature"]["title"] == "The same scores through softmax(z / T)"
    assert not any(fonts.has_cjk(s) for f in figs.values() for s in words_of(f))
    assert not any(prose_is_chinese(s) for s in shown_text(at))  # (titles of documents cited)
    assert len(left_in_english(shown_text(at), "text")) > 10  # the check does find English
    assert any("document 004 taken literally" in e.value for e in at.latex)
    at.session_state["lang"] = "zh"  # the sidebar switch: the same trained run, now in Chinese
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("文本生成") and at.metric[0].label == "留出文本的每字符比特"
    assert figures(at)["text_cell_scores"]["title"] == "最能跟随每个特征的单元"


@pytest.mark.parametrize(("data", "words"), [
    (b"", "是空的"), (b"short text", "至少需要 1,000 个"), (b"caf\xe9 " * 400, "不是 UTF-8"),
    (b"x" * (C.MAX_UPLOAD_BYTES + 1), "上限"), (b"abc\x00" * 400, "二进制"),
], ids=["empty", "short", "latin-1", "too-large", "binary"])
def test_upload_errors_read_in_chinese(data, words):
    with i18n.using("zh"), pytest.raises(ConfigError, match=words) as e:
        C.from_bytes(data, "notes.txt")
    assert fonts.cjk_share(str(e.value).replace("notes.txt", "")) >= 0.5


def test_prime_passage_and_config_errors_read_in_chinese():
    from memviz.text import generate as G
    from memviz.text.model import TextConfig

    vocab = C.Vocab.of(TINY)
    with i18n.using("zh"):
        with pytest.raises(ConfigError, match="开头至少要有一个字符"):
            G.prime_ids(vocab, "")
        with pytest.raises(ConfigError, match="语料里从没出现过的字符"):
            vocab.encode("Ω")
        with pytest.raises(ConfigError, match="结构必须是"):
            TextConfig(arch="transformer")
    with pytest.raises(ConfigError, match="architecture must be one of"):
        TextConfig(arch="transformer")


def test_every_feature_has_a_label_in_both_languages():
    """Feature keys are built from names (t(f"text.feature.{name}")), which the catalogue
    test cannot see in the code: each must exist."""
    for name in {*F.CODE, *F.GENERIC}:
        en, zh = (i18n.t(f"text.feature.{name}", lang=x) for x in ("en", "zh"))
        assert en != zh and fonts.has_cjk(zh) and not fonts.has_cjk(en)
    with i18n.using("zh"):
        header, row = _csv_rows()
    assert header == "feature,label,field,unit,correlation" and fonts.has_cjk(row)


def _csv_rows() -> tuple[str, str]:
    """The cell finder's CSV (its header is identifiers, its labels words) for one row."""
    from memviz.text.cellfinder import Best, table_csv

    lines = table_csv([Best("in_comment", "c", 3, 0.5)]).splitlines()
    return lines[0], lines[1]


def broken_bold(markdown: str) -> list[str]:
    """**bold** that Markdown will not render: a closing ** after punctuation and before a
    letter ('**VAE。**同' stays as stars), or an opening one after a letter and before
    punctuation. Chinese text meets the first easily: the full stop belongs outside."""
    import unicodedata

    def punct(c: str) -> bool:
        return unicodedata.category(c).startswith("P")

    bad, text = [], f" {markdown} "
    for k, m in enumerate(re.finditer(r"\*\*", text)):
        before, after = text[m.start() - 1], text[m.end()]
        closing = k % 2 == 1
        opening_bad = not closing and punct(after) and before.isalnum()
        if opening_bad or (closing and punct(before) and after.isalnum()):
            bad.append(text[max(0, m.start() - 8): m.end() + 8])
    return bad


def test_chinese_bold_renders():
    """In every catalogue: Markdown leaves **…。** unclosed when a letter follows it."""
    assert broken_bold("**VAE。**同一篇") and not broken_bold("**VAE**。同一篇")
    def filled(text: str) -> str:  # a field stands for a word or number, not for "{"
        return re.sub(r"\{[^{}]*\}", "x", text)

    bad = {key: broken_bold(filled(entry["zh"])) + broken_bold(filled(entry["en"]))
           for key, entry in i18n.catalogue().items()}
    assert {k: v for k, v in bad.items() if v} == {}
