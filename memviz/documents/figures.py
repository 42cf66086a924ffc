"""Figures for the documents page: a document's form against the real cell, readouts, softmax.

Built from plain dicts like figures.py (no plotly validation here; the tests validate). Titles,
axes, legends and hover text come from memviz/locales/documents.toml in the run's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from memviz.i18n import t
from memviz.plotting import (
    BLACK,
    BLUE,
    GATE_COLORS,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    WINE,
    axes,
    figure,
    line,
    scale,
)

# message keys written out, so that grep and the catalogue test see each one
MEANING_KEYS = {"i": "documents.meaning.i", "f": "documents.meaning.f", "g": "documents.meaning.g",
    "o": "documents.meaning.o", "c": "documents.meaning.c", "h": "documents.meaning.h",
    "r": "documents.meaning.r", "z": "documents.meaning.z", "n": "documents.meaning.n"}

DOC_DASH = "dash"  # the document's form is always dashed, torch's form solid
# Under the plot, so a half-width figure keeps its width for the data.
BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.22, x=0, xanchor="left")
DIVERGING = scale("difference")  # blue-white-red with a true white at zero
READOUT = (BLUE, VERMILLION, GREEN, PURPLE, SKY, ORANGE, WINE)  # one per readout output


def delta_heatmap(diff: np.ndarray, title: str) -> go.Figure:
    """A (T, H) difference as unit x time, white where it is zero, symmetric colour range."""
    lim = max(float(np.abs(diff).max()), 1e-12)
    data = [dict(type="heatmap", z=diff.T, x=np.arange(1, diff.shape[0] + 1),
                 y=np.arange(diff.shape[1]), colorscale=DIVERGING, zmin=-lim, zmax=lim,
                 colorbar=dict(title=dict(text="Δ"), thickness=12),
                 hovertemplate=t("documents.fig.delta_hover") + "<extra></extra>")]
    return figure(data, axes(t("plotting.time_step"), t("documents.fig.unit")), title, 400)


def unit_compare(real: Mapping[str, np.ndarray], doc: Mapping[str, np.ndarray],
                 fields: Sequence[str], unit: int, doc_label: str) -> go.Figure:
    """One unit's fields over time: torch's form solid, the document's form dashed, (T, H) in."""
    steps = np.arange(1, real[fields[0]].shape[0] + 1)
    data = []
    for name in fields:
        color = GATE_COLORS[name]
        meaning = t(MEANING_KEYS[name])
        data.append(line(steps, real[name][:, unit],
                         t("documents.fig.torch_line", name=name, meaning=meaning), color, width=3))
        data.append(line(steps, doc[name][:, unit],
                         t("documents.fig.doc_line", name=name, doc=doc_label), color, DOC_DASH,
                         width=2))
    layout = dict(legend=BOTTOM_LEGEND, **axes(t("plotting.time_step"),
                                               t("documents.fig.value")))
    return figure(data, layout, t("documents.fig.unit_compare", unit=unit), 400)


def readout_lines(y: np.ndarray, y_doc: np.ndarray, names: Sequence[str]) -> go.Figure:
    """The trained readout's outputs (T, O), thin, and document 001's one number per step (T,)."""
    steps = np.arange(1, y.shape[0] + 1)
    data = [line(steps, y[:, k], f"V h_t + c: {names[k]}", READOUT[k % len(READOUT)], width=2)
            for k in range(y.shape[1])]
    data.append(line(steps, y_doc, t("documents.fig.doc001_rule"), BLACK, DOC_DASH, 3))
    return figure(data, axes(t("plotting.time_step"), t("documents.fig.raw_output")),
                  t("documents.fig.readout_title"), 340)


def softmax_bars(once: np.ndarray, twice: np.ndarray, names: Sequence[str]) -> go.Figure:
    """Probabilities after one softmax and after two, side by side per class."""
    data = [dict(type="bar", x=list(names), y=once, name=t("documents.fig.softmax_once"),
                 marker=dict(color=BLUE)),
            dict(type="bar", x=list(names), y=twice, name=t("documents.fig.softmax_twice"),
                 marker=dict(color=VERMILLION)),
            dict(type="scatter", mode="lines", x=[names[0], names[-1]],
                 y=[1 / len(names)] * 2, name=t("documents.fig.uniform"),
                 line=dict(color=GREY, dash="dot"))]
    layout = dict(barmode="group", **axes(t("documents.fig.class"),
                                          t("documents.fig.probability"), range=[0, 1]))
    return figure(data, layout, t("documents.fig.softmax_title"), 320)


def conv_maps(torch_map: np.ndarray, written_map: np.ndarray) -> go.Figure:
    """conv1's output (8, 8) as torch slides the window, beside the fixed-index reading."""
    lim = max(float(np.abs(torch_map).max()), float(np.abs(written_map).max()), 1e-12)
    common = dict(type="heatmap", colorscale=DIVERGING, zmin=-lim, zmax=lim,
                  hovertemplate=t("documents.fig.conv_hover") + "<extra></extra>")
    data = [dict(z=torch_map, xaxis="x", yaxis="y", showscale=False, **common),
            dict(z=written_map, xaxis="x2", yaxis="y2", colorbar=dict(thickness=12), **common)]
    axis = dict(autorange="reversed", scaleanchor=None, constrain="domain")
    layout = dict(
        xaxis=dict(domain=[0, 0.44], title=dict(text=t("documents.fig.window_moves"))),
        xaxis2=dict(domain=[0.52, 0.96], title=dict(text=t("documents.fig.index_fixed"))),
        yaxis=dict(title=dict(text=t("documents.fig.output_row")), **axis),
        yaxis2=dict(anchor="x2", **axis))
    return figure(data, layout, t("documents.fig.conv_title"), 340)


def cell_and_hidden(c: np.ndarray, h: np.ndarray, unit: int) -> go.Figure:
    """One unit's cell state c_t and hidden state h_t over time, (T, H) in."""
    steps = np.arange(1, c.shape[0] + 1)
    data = [line(steps, c[:, unit], t("documents.fig.c_line"), GATE_COLORS["c"]),
            line(steps, h[:, unit], t("documents.fig.h_line"), GATE_COLORS["h"], DOC_DASH)]
    layout = dict(legend=BOTTOM_LEGEND, **axes(t("plotting.time_step"),
                                               t("documents.fig.value")))
    return figure(data, layout, t("documents.fig.cell_hidden_title", unit=unit), 320)
