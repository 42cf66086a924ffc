"""The CNN page in Chinese: its own texts, widgets, figures and equation words are Chinese; the
documents' terms appear; its messages and errors follow the language; English is unchanged."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from memviz import fonts, i18n
from memviz.cnn import arithmetic as ar
from memviz.cnn import figures as CF
from memviz.cnn import model as cnn
from memviz.config import ConfigError
from memviz.ui import training

from .conftest import ROOT
from .test_i18n_pages import english_sentences
from .test_i18n_pages import shown_text as shown

MATHS = re.compile(r"\$[^$]*\$|`[^`]*`")
WORD = re.compile(r"[A-Za-z]{2,}")
TINY = cnn.CNNConfig(channels1=2, channels2=4, steps=10, device="cpu")


def mine(prefix: str = "cnn.") -> dict[str, dict[str, str]]:
    return {k: e for k, e in i18n.catalogue().items() if k.startswith(prefix)}


def labels(at: AppTest) -> list[str]:
    out = []
    for kind in ("slider", "select_slider", "selectbox", "radio", "number_input", "checkbox"):
        out += [w.label for w in getattr(at, kind)]
    return out


def plotly_texts(at: AppTest) -> list[str]:
    """Titles, subplot titles and axis titles of every plotly figure on the page."""
    out = []
    for chart in at.get("plotly_chart"):
        layout = json.loads(chart.proto.spec).get("layout", {})
        out.append(layout.get("title", {}).get("text", ""))
        out += [a["text"] for a in layout.get("annotations", [])]
        out += [v["title"]["text"] for k, v in layout.items()
                if k.startswith(("xaxis", "yaxis")) and v.get("title", {}).get("text")]
    return [s for s in out if s]


@pytest.fixture(scope="module")
def page_zh() -> AppTest:
    """The CNN page in Chinese, trained tiny through its own widgets."""
    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/cnn.py"), default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    at.select_slider(key="cnn_c1").set_value(2)
    at.select_slider(key="cnn_c2").set_value(4)
    at.slider(key="cnn_steps").set_value(10)
    at.run()
    at.button(key="cnn_train").click().run()
    assert not at.exception, at.exception
    return at


def test_the_page_in_chinese_shows_no_english_sentence_of_its_own(page_zh):
    texts = shown(page_zh)
    own_en = [e["en"] for e in mine().values()
              if "{" not in e["en"] and len(WORD.findall(e["en"])) >= 4]
    assert not [s for s in texts for en in own_en if en in s]  # none of ours left in English
    ours = [s for s in texts if s in {e["zh"] for e in mine().values()}]
    assert english_sentences(ours) == []
    for key in ("cnn.title", "cnn.prose.intro", "cnn.prose.kernels", "cnn.prose.field",
                "cnn.prose.eq_notes", "cnn.head.field", "cnn.cap.maps"):
        assert any(i18n.t(key, lang="zh") in s for s in texts), key
    assert fonts.cjk_share(" ".join(MATHS.sub("", s) for s in ours)) >= 0.5
    joined = " ".join(texts)
    for term in ("卷积核", "感受野", "特征图", "池化", "短期记忆", "《记忆：短期记忆与长期记忆》"):
        assert term in joined, term
    assert "PyTorch 的 Conv2d 在" in page_zh.success[0].value  # the written-out check
    assert "对不上" in joined  # document 000's network does not add up, in Chinese


def test_widgets_metrics_figures_and_equation_words_are_chinese(page_zh):
    own = labels(page_zh)
    assert {"第 1 层卷积核数", "卷积核大小", "步幅 s", "填充 p", "行 m"} <= set(own)
    assert all(fonts.has_cjk(s) for s in own), [s for s in own if not fonts.has_cjk(s)]
    assert [m.label for m in page_zh.metric] == ["测试准确率", "训练用时", "训练设备"]
    figs = plotly_texts(page_zh)
    assert "conv1：2 个 1×3×3 的卷积核" in figs and "输出通道（卷积核）" in figs
    assert any(s.startswith("输入图像：") for s in figs) and "x：卷积核下面的输入" in figs
    assert not [s for s in figs if len(WORD.findall(s)) >= 2 and not fonts.has_cjk(s)]
    words = [w for e in page_zh.latex for w in re.findall(r"\\text\{([^}]*)\}", e.value)]
    assert "文档 000：" in words and "输出" in words
    assert all(fonts.has_cjk(w) or w == "PyTorch：" for w in words), words


def test_the_written_out_panel_stays_chinese_when_only_it_reruns(page_zh):
    page_zh.selectbox(key="cnn_layer").set_value("conv2").run()  # a widget of the fragment
    assert not page_zh.exception
    assert page_zh.success[0].value.startswith("PyTorch 的 Conv2d 在 (0, ")
    assert "各层感受野大小（像素）：conv1 3×3，pool1 4×4" in " ".join(c.value
                                                              for c in page_zh.caption)


@pytest.fixture(scope="module")
def tiny_run() -> cnn.CNNRun:
    return cnn.train_cnn(TINY)


def test_altair_figures_name_their_axes_and_csv_columns_in_chinese(tiny_run):
    image = cnn.digits(0).x_test[0, 0]
    at = cnn.conv_at(tiny_run.model, image, "conv2", 0, 1, 1)
    stages = ar.exercise(2, 3, 1, 1, True)
    with i18n.using("zh"):
        charts = [CF.loss_curve(tiny_run.losses), CF.channel_sums(at),
                  CF.probabilities(cnn.probabilities(tiny_run.model, image), 3),
                  CF.shape_chart(8, ar.shape_rows(8, 1, stages))]
        table = CF.shape_table(8, 1, stages, ar.shape_rows(8, 1, stages))
        specs = [c.to_dict() for c in charts]
    assert "训练损失" in json.dumps(specs[0], ensure_ascii=False)
    for chart in charts:
        assert all(fonts.has_cjk(col) for col in chart.data.columns), list(chart.data.columns)
    assert "交叉熵损失" in json.dumps(specs[0], ensure_ascii=False)
    assert {"真实数字", "其他"} <= set(charts[2].data["类别"])
    assert list(table.columns)[0] == "层" and "torch 给出的形状" in table.columns
    import vl_convert as vlc  # the translated fields still draw (a bad field name fails here)

    for spec in specs:
        assert vlc.vegalite_to_svg(spec)


def test_errors_follow_the_language():
    with i18n.using("zh"):
        with pytest.raises(ConfigError, match="窗口已经放不下"):
            ar.shape_rows(3, 1, ar.exercise(2, 5, 1, 0, True))
        with pytest.raises(ConfigError, match="卷积核大小"):
            cnn.CNNConfig(kernel=4)
        assert ar.doc000_forward(28, fixed=True).startswith("输出形状")
    with pytest.raises(ConfigError, match="no longer fits"):
        ar.shape_rows(3, 1, ar.exercise(2, 5, 1, 0, True))
    with pytest.raises(ConfigError, match="kernel size must be one of 3, 5"):
        cnn.CNNConfig(kernel=4)


def test_the_catalogue_is_complete_and_reads_as_chinese():
    entries = mine()
    for key, e in entries.items():
        if len(WORD.findall(e["en"])) >= 4:
            assert fonts.cjk_share(re.sub(r"\{\w+\}", "", MATHS.sub("", e["zh"]))) >= 0.5, key
    assert all(e["zh"] != e["en"] for k, e in entries.items()
               if len(WORD.findall(e["en"])) >= 2), "an English message copied into zh"
