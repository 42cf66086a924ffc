"""Figures for the documents page: a document's form against the real cell, readouts, softmax.

Built from plain dicts like figures.py (no plotly validation here; the tests validate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from memviz.plotting import GATE_COLORS, axes, figure, line
from memviz.recurrent.equations import MEANING

DOC_DASH = "dash"  # the document's form is always dashed, torch's form solid
# Under the plot, so a half-width figure keeps its width for the data.
BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.22, x=0, xanchor="left")
# Blue-white-red with a true white at zero (plotly's RdBu is grey in the middle).
DIVERGING = [[0.0, "#2166AC"], [0.25, "#92C5DE"], [0.5, "#FFFFFF"], [0.75, "#F4A582"],
             [1.0, "#B2182B"]]


def delta_heatmap(diff: np.ndarray, title: str) -> go.Figure:
    """A (T, H) difference as unit x time, white where it is zero, symmetric colour range."""
    lim = max(float(np.abs(diff).max()), 1e-12)
    data = [dict(type="heatmap", z=diff.T, x=np.arange(1, diff.shape[0] + 1),
                 y=np.arange(diff.shape[1]), colorscale=DIVERGING, zmin=-lim, zmax=lim,
                 colorbar=dict(title=dict(text="Δ"), thickness=12),
                 hovertemplate="Δ = %{z:.4f} at step %{x}, unit %{y}<extra></extra>")]
    return figure(data, axes("time step t", "unit"), title, 400)


def unit_compare(real: Mapping[str, np.ndarray], doc: Mapping[str, np.ndarray],
                 fields: Sequence[str], unit: int, doc_label: str) -> go.Figure:
    """One unit's fields over time: torch's form solid, the document's form dashed, (T, H) in."""
    steps = np.arange(1, real[fields[0]].shape[0] + 1)
    data = []
    for name in fields:
        color = GATE_COLORS[name]
        data.append(line(steps, real[name][:, unit], f"{name} ({MEANING[name]}), PyTorch",
                          color, width=3))
        data.append(line(steps, doc[name][:, unit], f"{name}, {doc_label}", color, DOC_DASH,
                          width=2))
    layout = dict(legend=BOTTOM_LEGEND, **axes("time step t", "value"))
    return figure(data, layout, f"Unit {unit}: PyTorch (solid), document (dashed)", 400)


def readout_lines(y: np.ndarray, y_doc: np.ndarray, names: Sequence[str]) -> go.Figure:
    """The trained readout's outputs (T, O), thin, and document 001's one number per step (T,)."""
    steps = np.arange(1, y.shape[0] + 1)
    palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#882255"]
    data = [line(steps, y[:, k], f"V h_t + c: {names[k]}", palette[k % len(palette)], width=2)
            for k in range(y.shape[1])]
    data.append(line(steps, y_doc, "h_t · x_t + v (document 001)", "#000000", DOC_DASH, 3))
    return figure(data, axes("time step t", "output (before any softmax)"),
                   "The trained readout against document 001's output rule", 340)


def softmax_bars(once: np.ndarray, twice: np.ndarray, names: Sequence[str]) -> go.Figure:
    """Probabilities after one softmax and after two, side by side per class."""
    data = [dict(type="bar", x=list(names), y=once, name="softmax once (correct)",
                 marker=dict(color="#0072B2")),
            dict(type="bar", x=list(names), y=twice, name="softmax twice",
                 marker=dict(color="#D55E00")),
            dict(type="scatter", mode="lines", x=[names[0], names[-1]],
                 y=[1 / len(names)] * 2, name="uniform (no information)",
                 line=dict(color="#999999", dash="dot"))]
    layout = dict(barmode="group", **axes("class", "probability", range=[0, 1]))
    return figure(data, layout, "The model's answer at the last step", 320)


def conv_maps(torch_map: np.ndarray, written_map: np.ndarray) -> go.Figure:
    """conv1's output (8, 8) as torch slides the window, beside the fixed-index reading."""
    lim = max(float(np.abs(torch_map).max()), float(np.abs(written_map).max()), 1e-12)
    common = dict(type="heatmap", colorscale=DIVERGING, zmin=-lim, zmax=lim,
                  hovertemplate="row %{y}, column %{x}: %{z:.3f}<extra></extra>")
    data = [dict(z=torch_map, xaxis="x", yaxis="y", showscale=False, **common),
            dict(z=written_map, xaxis="x2", yaxis="y2", colorbar=dict(thickness=12), **common)]
    axis = dict(autorange="reversed", scaleanchor=None, constrain="domain")
    layout = dict(
        xaxis=dict(domain=[0, 0.44], title=dict(text="torch: the window moves")),
        xaxis2=dict(domain=[0.52, 0.96], title=dict(text="as written: index fixed")),
        yaxis=dict(title=dict(text="output row"), **axis), yaxis2=dict(anchor="x2", **axis))
    return figure(data, layout, "conv1, channel 0, on one held-out digit", 340)


def cell_and_hidden(c: np.ndarray, h: np.ndarray, unit: int) -> go.Figure:
    """One unit's cell state c_t and hidden state h_t over time, (T, H) in."""
    steps = np.arange(1, c.shape[0] + 1)
    data = [line(steps, c[:, unit], "c_t (cell state)", GATE_COLORS["c"]),
            line(steps, h[:, unit], "h_t (hidden state)", GATE_COLORS["h"], DOC_DASH)]
    return figure(data, dict(legend=BOTTOM_LEGEND, **axes("time step t", "value")),
                   f"Unit {unit}: two states, two values", 320)
