"""Chinese pages in the documents' own words, with no English left on them (issue 28 §3)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from memviz import devices, i18n, vegalite
from memviz import plotting as P
from memviz.config import ConfigError
from memviz.engine import figures as RF
from memviz.series import data

# Where the app names a thing the documents name, it uses their word. A rejected word may stand
# only in the glossary's notes on the documents' own variants (glossary.doc_*), and 记忆单元
# only where it names document 004's own M_t (the memory network page quotes its definition).
REJECTED = {"长短期记忆": "长短时记忆 (002, 004)", "情感分类": "情感分析 (002)",
            "记忆单元": "document 004's M_t, not our unit that holds the symbol"}


def _zh() -> dict[str, str]:
    return {k: e["zh"] for k, e in i18n.catalogue().items()}


def test_the_chinese_catalogue_uses_the_documents_terms():
    for key, text in _zh().items():
        if key.startswith("glossary.doc_"):
            continue
        for word, why in REJECTED.items():
            rest = text.replace("记忆单元写成 $M_t", "") if word == "记忆单元" else text
            assert word not in rest, (key, word, why)
    assert "长短时记忆" in i18n.t("common.nav.lstm", lang="zh")  # the navigation
    stride = [k for k, e in i18n.catalogue().items() if re.search(r"\bstride\b", e["en"])]
    assert stride and all("步长" not in _zh()[k] for k in stride), stride
    assert all("步长" not in v for k, v in _zh().items() if k.startswith("documents."))
    assert i18n.catalogue()["glossary.stride"]["zh"] == "步幅"


def test_the_glossary_notes_where_the_documents_differ():
    glossary = " ".join(v for k, v in _zh().items() if k.startswith("glossary."))
    for word in ("记忆状态", "变换器", "门控门", "记忆单元", "长短期记忆"):
        assert word in glossary, word
    assert "记忆单元" not in i18n.t("glossary.memory_unit", lang="zh")


def test_english_and_chinese_say_the_same_thing():
    sentences = i18n.t("home.lesson.sentences", lang="zh")
    assert "句首" not in sentences and "“not”" in sentences  # "early on", and the English word
    assert "笔误" not in i18n.t("home.lesson.documents", lang="zh")
    assert "错漏" in i18n.t("home.lesson.documents", lang="zh")  # as slips.toml names them
    assert "pip install vega_datasets" in i18n.t("series.err.no_vega", lang="zh",
                                                 command=data.INSTALL_VEGA)
    assert "{command}" in i18n.catalogue()["series.err.no_vega"]["zh"]  # the same command


def test_placeholders_exist_in_both_languages():
    assert i18n.t("common.choose_options", lang="zh") != "Choose options"
    assert re.search(r"[\u4e00-\u9fff]", i18n.t("common.no_options", lang="zh"))


# ---------------------------------------------------------------- figures and messages


def test_date_ticks_are_chinese_on_a_chinese_page():
    dates = pd.date_range("2012-01-01", periods=40, freq="D").to_numpy()
    with i18n.using("zh"):
        ax = P.date_axis("时间", dates)
    formats = [ax["tickformat"], *(s["value"] for s in ax["tickformatstops"])]
    assert all("年" in f or "月" in f for f in formats)
    assert all("%b" not in f and "%B" not in f for f in formats)  # English month names
    # a series with no dates keeps number ticks (a date format would garble them)
    assert "tickformat" not in P.date_axis("时间", np.arange(40))


def test_the_forecast_figures_date_axis_in_chinese():
    from memviz.series import figures as SF
    from memviz.series import forecast, model

    series = data.load_upload(_csv(80), "temp", "date")
    cfg = forecast.ForecastConfig(data=series.name, target="temp", window=3, hidden=4,
                                  epochs=1)
    run = model.train(cfg)
    with i18n.using("zh"):
        for fig in (SF.forecast_vs_truth(run), SF.test_zoom(run)):
            assert "年" in fig.layout.xaxis.tickformat
            spec, _ = vegalite.to_vegalite(fig)  # the exported figure's axis too
            assert '"format": "%Y年%-m月"' in json.dumps(spec, ensure_ascii=False)


def test_the_saliency_axis_is_chinese_on_a_chinese_page():
    with i18n.using("zh"):
        fig = RF.saliency_strip(np.array([0.1, 0.5, 0.2]), "回答")
    title = fig.layout.yaxis.title.text
    assert "answer" not in title and "回答" in title


@pytest.mark.parametrize("label", ["CPU (2 cores, 1 thread per training run)",
                                   "CPU（2 核，每次训练用 1 个线程）"])
def test_a_recorded_device_label_is_said_in_the_pages_language(label):
    with i18n.using("zh"):
        assert devices.in_language(label) == "CPU（2 核，每次训练用 1 个线程）"
    with i18n.using("en"):
        assert devices.in_language(label) == "CPU (2 cores, 1 thread per training run)"
        assert devices.in_language("CUDA GPU：H100") == "CUDA GPU: H100"


def _csv(rows: int, sep: str = ",") -> bytes:
    lines = [f"2020-01-01{sep}temp".replace("2020-01-01", "date")]
    for d in pd.date_range("2020-01-01", periods=rows):
        lines.append(f"{d.date()}{sep}{10 + 5 * np.sin(d.day_of_year / 9):.2f}")
    return "\n".join(lines).encode()


def _error(raw: bytes, target: str | None = "temp") -> str:
    with i18n.using("zh"), pytest.raises(ConfigError) as e:
        data.load_upload(raw, target)
    return str(e.value)


def test_a_broken_csv_is_explained_in_chinese_not_by_pandas():
    msg = _error(b"date,temp\n2020-01-01,1\n2020-01-02,2,3\n")
    assert "第 3 行有 3 个字段" in msg
    assert "Error tokenizing" not in msg and "C error" not in msg
    assert "UTF-8" in _error("日期,气温\n1,2\n".encode("gbk"))


def test_a_semicolon_csv_is_read_and_never_shows_none():
    series = data.load_upload(_csv(60, ";"), "temp", "date")
    assert list(series.columns) == ["temp"] and len(series.frame) == 60
    msg = _error(b"a;b\nx;y\n", None)  # no numeric column: the page has no target to pass
    assert "None" not in msg and "数值列" in msg


# ---------------------------------------------------------------- Chinese pages


@pytest.mark.parametrize("name", ["horizon", "series"])
def test_no_english_placeholder_on_a_chinese_page(name):
    from streamlit.testing.v1 import AppTest

    from .conftest import ROOT

    at = AppTest.from_file(str(ROOT / f"pages/{name}.py"), default_timeout=120)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    shown = [m.proto.placeholder for m in at.multiselect]
    assert shown and all(re.search(r"[\u4e00-\u9fff]", p) for p in shown), shown
