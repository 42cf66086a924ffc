"""Exports of the Text page's figures (issue 28 §4): the cells-that-read chart in every format and
both languages, the coloured text in the screen's colours, and failures as translated lines."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import numpy as np
import plotly.graph_objects as go
import pytest

from memviz import export, i18n, vegalite
from memviz.text import cellfinder as CF
from memviz.text import features as F
from memviz.text import figures as FG

ROWS = [CF.Best("in_string", "c", 3, 0.81), CF.Best("in_comment", "h", 0, -0.42)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cells_that_read_chart_exports_in_every_format(lang):
    # horizontal bars, feature names on y: once "could not convert string to float"
    with i18n.using(lang):
        fig = FG.cell_scores(ROWS)
        label = F.label("in_string")
        files = {fmt: export.render(fig, fmt, scale=1) for fmt in export.FORMATS}
    assert files["png"][:8] == b"\x89PNG\r\n\x1a\n" and files["pdf"][:5] == b"%PDF-"
    svg = files["svg"].decode()
    assert label in svg  # the feature names label the bars' axis
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode())))
    with i18n.using(lang):
        feature, corr = i18n.t("text.cells.feature"), i18n.t("text.fig.correlation")
        second = F.label("in_comment")
        written = i18n.t("text.fig.cell", field="c", unit=3, r="+0.81")
        column = i18n.t("vegalite.column.label")
    assert [(r[feature], float(r[corr])) for r in rows] == [(label, 0.81), (second, 0.42)]
    assert rows[0][column] == written and written in svg  # the unit behind the bar, as on screen


def _fill_of(svg: str, z: str) -> tuple[float, float, float]:
    """The fill of the heatmap cell whose value is z, as (r, g, b)."""
    m = re.search(rf'aria-label="[^"]*z: {z}"[^>]*fill="rgb\((\d+), (\d+), (\d+)\)"', svg)
    assert m, f"no cell with z {z}"
    return tuple(float(v) for v in m.groups())  # type: ignore[return-value]


def test_the_coloured_text_exports_in_the_screens_colours():
    fig = FG.coloured_text("ab", np.array([4.0, -4.0]), "t")
    scale = go.Figure(fig.to_dict()).data[0].colorscale  # what the browser is given, validated
    top = tuple(float(v) for v in re.findall(r"\d+", scale[-1][1]))
    assert top[0] > top[2]  # on screen the highest value is red (the caption says so)
    svg = export.render(fig, "svg").decode()
    high, low = _fill_of(svg, "4"), _fill_of(svg, "−4")
    assert high[0] > high[2] and low[2] > low[0]  # red high, blue low, as on screen
    rect = vegalite.to_vegalite(fig)[0]["vconcat"][0]["hconcat"][0]["layer"][0]["encoding"]
    for ch in ("x", "y"):  # the character grid has no axes on screen, nor in the file
        assert rect[ch]["axis"]["labels"] is False and rect[ch]["axis"]["grid"] is False


def test_a_named_diverging_scale_exports_as_plotly_draws_it():
    # a figure naming "RdBu_r" (red high in plotly) must not come out blue-high in a file
    trace = dict(type="heatmap", z=[[4.0, -4.0]], zmin=-4, zmax=4, colorscale="RdBu_r")
    fig = go.Figure(dict(data=[trace]), _validate=False)  # as memviz's builders make them
    svg = export.render(fig, "svg").decode()
    high = _fill_of(svg, "4")
    assert high[0] > high[2]


def _broken(*_a, **_k):
    raise ValueError("could not convert string to float: np.str_('在字符串字面量里')")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_export_that_fails_says_so_in_a_translated_line(monkeypatch, lang):
    from memviz.ui import show

    monkeypatch.setattr(vegalite, "to_vegalite", _broken)
    monkeypatch.setattr(export, "to_vegalite", _broken)
    fig = FG.cell_scores(ROWS)
    with i18n.using(lang):
        data = export.lecture_pack({"text_cell_scores": fig}, [], None, "Text")
        expected = i18n.t("export.failed", fmt="SVG")
        failures: dict[str, str] = {}
        with pytest.raises(export.ExportFailed):
            show.exporter(fig, "text_cell_scores", "svg", failures)()
    missing = zipfile.ZipFile(io.BytesIO(data)).read("MISSING.txt").decode()
    assert "could not convert" not in missing and "np.str_" not in missing
    assert f"text_cell_scores.svg: {expected}" in missing
    assert failures == {"text_cell_scores": expected}


def test_short_bar_labels_export_upright_with_the_numbers_written_on_the_bars():
    fig = FG.top5([("a", 0.5), (" ", 0.3), ("b", 0.1), ("c", 0.05), ("d", 0.05)], "a", "t")
    spec, _ = vegalite.to_vegalite(fig)
    layers = spec["vconcat"][0]["hconcat"][0]["layer"]
    assert layers[0]["encoding"]["x"]["axis"]["labelAngle"] == 0  # "a", "b": upright, as on screen
    assert [v["label"] for v in layers[1]["data"]["values"]][:2] == ["0.500", "0.300"]
