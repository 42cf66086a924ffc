"""The documents page in Chinese: every document's and every slip's text from the catalogue, the
numbers the same in both languages, figures and the page itself in Chinese."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from memviz import fonts, i18n
from memviz.documents import checks, slips
from memviz.documents import figures as DF
from memviz.documents import sources as D
from memviz.ui import training

from .conftest import ROOT, tiny_config

T, H = 6, 4
MARKUP = [re.compile(p) for p in (r"\$[^$]*\$", r"`[^`]*`", r":material/\w+:",
                                  r":(?:red|green|blue|orange)\[", r"%\{[^}]*\}")]
NUMBER = re.compile(r"\d+\.\d+")
MINE = ("documents.", "slips.")
TERMS = ("遗忘门", "输入门", "输出门", "细胞状态", "隐藏状态", "重置门", "更新门", "候选记忆",
         "卷积核", "突触", "赫布")


def _plain(text: str) -> str:
    """Prose without maths, code and Streamlit's icon/colour markup: what the CJK rule reads."""
    for p in MARKUP:
        text = p.sub("", text)
    return text


def _chinese(text: str) -> bool:
    """Mostly CJK letters, unless it holds under three English words (symbols, exp(p), nn.GRU)."""
    plain = _plain(text)
    return len(re.findall(r"[A-Za-z]{2,}", plain)) < 3 or fonts.cjk_share(plain) >= 0.5


def _english_sentences() -> set[str]:
    """This lesson's English messages of four words or more (must never show in Chinese mode)."""
    return {e["en"] for k, e in i18n.catalogue().items() if k.startswith(MINE)
            and len(re.findall(r"[A-Za-z]{2,}", e["en"])) >= 4 and "{" not in e["en"]}


@pytest.fixture(scope="module")
def study():
    return checks.prepare(checks.configs(tiny_config("lstm", seq_len=T, hidden=H, steps=30)))


def test_every_document_reads_in_chinese_under_its_own_title():
    with i18n.using("zh"):
        for doc in D.DOCUMENTS:
            assert re.search(r"[\u4e00-\u9fff]", doc.title)  # its own title, in both languages
            for text in (doc.subtitle, doc.summary, *doc.remarks):
                assert _chinese(text), (doc.number, text)
            for eq in doc.equations:
                assert eq.verdict in D.VERDICTS and _chinese(D.VERDICTS[eq.verdict])
                assert not eq.note or _chinese(eq.note), (doc.number, eq.key)
                for tex in (eq.doc, eq.canonical):
                    shown = D.localized(tex)
                    assert shown.count("{") == shown.count("}")
                    assert "(none given)" not in shown and "summarises" not in shown
            for key in doc.demos:
                assert _chinese(D.DEMO_TITLES[key]) and _chinese(D.DEMO_TEXT[key]), key
        summaries = " ".join(d.summary for d in D.DOCUMENTS)
    for term in ("卷积核", "长期记忆", "短期记忆", "突触", "长时程增强", "变分自编码器", "注意力"):
        assert term in summaries
    with i18n.using("en"):  # the English is the catalogue's too, with the same maths
        assert D.DOC001.equations[0].label == "RNN state"
        assert r"\text{(none given)}" in D.localized(D.DOC000.equations[1].doc)


def test_every_slip_reads_in_chinese_with_the_same_numbers(study):
    for s in slips.SLIPS:
        with i18n.using("en"):
            en = s.detail(study)
        with i18n.using("zh"):
            zh, title, measure = s.detail(study), s.title, s.measure
        for text in (title, measure, zh):
            assert _chinese(text), (s.key, text)
        # the numbers are computed fields, shared by both languages, not typed into either
        assert sorted(NUMBER.findall(_plain(en))) == sorted(NUMBER.findall(_plain(zh))), s.key
    with i18n.using("zh"):
        rows = slips.table(study)
    assert [r["#"] for r in rows] == list(range(1, 23)) and all(_chinese(r["slip"]) for r in rows)


def test_figures_have_chinese_titles_axes_and_legends(study):
    d, once_twice = study.cells["gru_doc002"], study.softmax
    with i18n.using("zh"):
        names = checks.output_names(study.lessons["lstm"])
        figs = [DF.unit_compare(d.real, d.doc, ("n", "h"), 1, "文档 002 的 GRU"),
                DF.readout_lines(study.readout.y, study.readout.y_doc, names),
                DF.softmax_bars(*once_twice, names),
                DF.delta_heatmap(d.doc["h"] - d.real["h"], "Δh"),
                DF.conv_maps(study.evidence.conv.torch_map, study.evidence.conv.written_map),
                DF.cell_and_hidden(study.lessons["lstm"].trace["c"],
                                   study.lessons["lstm"].trace["h"], 0)]
    assert names == ["符号 0", "符号 1", "符号 2", "符号 3"]
    for fig in figs:
        lay = fig.layout
        for text in (lay.xaxis.title.text, lay.yaxis.title.text):
            assert _chinese(text), text
        if fig is not figs[3]:  # the heatmap's title is the caller's
            assert _chinese(lay.title.text), lay.title.text
        for trace in fig.data:
            if trace.hovertemplate:
                assert _chinese(trace.hovertemplate.replace("<extra></extra>", ""))
    assert "候选状态" in figs[0].data[0].name and "隐藏状态" in figs[0].data[2].name
    assert figs[0].layout.title.text == "单元 1：PyTorch（实线）与文档（虚线）"


def _texts(at) -> list[str]:
    """What this page itself writes: headings, prose, captions, warnings, metric and widget
    labels, table columns (the shared training panel is not ours and is left out)."""
    out = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "warning")
           for e in at.get(kind)]
    out += [m.label for m in at.metric]
    out += [w.label for kind in ("selectbox", "slider", "number_input") for w in at.get(kind)]
    out += [str(c) for df in at.dataframe for c in df.value.columns if str(c)[:1] not in "#|"]
    # the device's own label (memviz.devices) sits inside our caption; it is not this page's text
    return [re.sub(r"训练设备：[^。]*。", "", t) for t in out]


def test_page_in_chinese_then_english_from_one_training():
    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/documents.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    at.slider(key="docs_seq_len").set_value(T)
    at.slider(key="docs_hidden").set_value(H)
    at.slider(key="docs_steps").set_value(30)
    at.run()
    at.button(key="docs_train").click().run()
    assert not at.exception and not at.error
    texts = _texts(at)
    english = _english_sentences()
    assert not [t for t in texts if t in english]
    bad = [t for t in texts if not _chinese(t)]
    assert bad == []
    page = "\n".join(texts)
    for term in TERMS:
        assert term in page, term
    headers = [h.value for h in at.header]
    for doc in D.DOCUMENTS:
        assert f"文档 {doc.number}《{doc.title}》" in headers
    assert "错漏 15 / 22" in [m.label for m in at.metric]
    # the device a worker recorded in English is said in Chinese too
    assert not [c.value for c in at.caption if "core" in c.value or "thread" in c.value]
    for chart in at.get("plotly_chart"):
        layout = json.loads(chart.proto.spec)["layout"]
        assert _chinese(layout["xaxis"]["title"]["text"]) and _chinese(layout["yaxis"]["title"]
                                                                          ["text"])
    trained = len(training.store())
    at.session_state["lang"] = "en"  # the same study serves the other language: no retraining
    at.run()
    assert not at.exception and len(training.store()) == trained
    assert "Document 000: 记忆：短期记忆与长期记忆" in [h.value for h in at.header]
    assert list(at.dataframe[1].value.columns) == ["#", "document", "slip", "verdict",
                                                   "measured", "value"]
