"""Figures for the synapses lesson (document 003): Simulation -> plotly figure; never calls st.*.

Labels are plain text (plotly cannot typeset LaTeX offline), in the current language
(memviz/locales/synapses.toml); steps are shown 1-based, with weights at step 0 being the
starting weights.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from memviz import plotting as P
from memviz.i18n import t
from memviz.synapses.model import Simulation, coactivity

# message keys written out, so that grep and the catalogue test see each one
RULE_KEYS = {"doc003": "synapses.rule.doc003", "hebb": "synapses.rule.hebb",
    "oja": "synapses.rule.oja"}
SHORT_KEYS = {"doc003": "synapses.short.doc003", "hebb": "synapses.short.hebb",
    "oja": "synapses.short.oja"}

RULE_COLOURS = {"doc003": P.D3_RED, "hebb": P.D3_BLUE, "oja": P.D3_GREEN}


def rule_label(rule: str) -> str:
    """A rule's name with its formula: 'Hebb: α a_i a_j'."""
    return t(RULE_KEYS[rule])


def short(rule: str) -> str:
    """A rule's short name: 'Hebb'."""
    return t(SHORT_KEYS[rule])


def neurons(n: int) -> list[str]:
    """'neuron 0' … 'neuron n-1' (grid rows and heatmap rows)."""
    return [t("synapses.fig.neuron", k=k) for k in range(n)]


def _title(text: str) -> dict:
    return {"text": text}


def pattern_heatmap(x: np.ndarray) -> go.Figure:
    """The input pattern x (T, n) as a grid: rows neurons, columns steps, dark = input on."""
    T, n = x.shape
    trace = {"type": "heatmap", "z": x.T, "x": np.arange(1, T + 1), "y": neurons(n), "zmin": 0,
             "zmax": 1, "colorscale": P.scale("ink"), "showscale": False, "xgap": 1,
             "ygap": 1, "hovertemplate": t("synapses.fig.pattern_hover") + "<extra></extra>"}
    return P.figure([trace], {
        "title": _title(t("synapses.fig.pattern_title")),
        "xaxis": {"title": _title(t("synapses.fig.step"))}, "height": 120 + 28 * n,
        "margin": {"l": 90, "r": 10, "t": 40, "b": 50}, "yaxis": {"autorange": "reversed"}})


def change_heatmaps(sims: dict[str, Simulation]) -> go.Figure:
    """W(T) − W(0) for each rule side by side, on one shared colour scale centred on 0."""
    names = list(sims)
    layout = P.panels(1, len(names), [rule_label(r) for r in names], horizontal_spacing=0.06,
                      shared_yaxes=True)
    zmax = max(float(np.abs(s.change).max()) for s in sims.values()) or 1.0
    data = []
    for k, r in enumerate(names, start=1):
        d = sims[r].change
        n = d.shape[0]
        xr, yr = P.axis_ids(k)
        data.append({
            "type": "heatmap", "z": d, "x": [str(j) for j in range(n)],
            "y": [str(i) for i in range(n)], "zmid": 0, "zmin": -zmax, "zmax": zmax,
            "colorscale": P.scale("signed"), "showscale": k == len(names),
            "texttemplate": "%{z:.2f}", "xgap": 1, "ygap": 1,
            "colorbar": {"title": _title(t("synapses.fig.change"))},
            "hovertemplate": t("synapses.fig.change_hover") + "<extra></extra>",
            "xaxis": xr, "yaxis": yr})
        xk, yk = P.axis_keys(k)
        y_title = {"standoff": 12}
        if k == 1:  # the rows are shared: named once, on the left
            y_title["text"] = t("synapses.fig.onto")
        layout[yk].update(type="category", autorange="reversed", showticklabels=k == 1,
                          title=y_title)
        layout[xk].update(type="category", tickangle=0,
                          title={"text": t("synapses.fig.from_line"), "standoff": 12})
    layout.update(title=_title(t("synapses.fig.change_title")), height=200 + 34 * n,
                  margin={"l": 80, "r": 10, "t": 80, "b": 60})
    return P.figure(data, layout)


def _coactive_steps(x: np.ndarray, i: int, j: int) -> np.ndarray:
    """1-based steps at which both input lines i and j were on."""
    return np.flatnonzero((x[:, i] > 0) & (x[:, j] > 0)) + 1


def weight_curves(sims: dict[str, Simulation], i: int, j: int) -> go.Figure:
    """w_ij over time under each rule; grey ticks mark the steps where i and j fired together."""
    data = [{"type": "scatter", "x": np.arange(len(s.W)), "y": s.W[:, i, j], "name": short(r),
             "line": {"color": RULE_COLOURS[r], "width": 2.5}} for r, s in sims.items()]
    x = next(iter(sims.values())).x
    shapes = [P.rule({"color": P.FAINT, "width": 6}, x=int(step))
              for step in _coactive_steps(x, i, j)]
    layout = {
        "title": _title(t("synapses.fig.curves_title", i=i, j=j)),
        "xaxis": {"title": _title(t("synapses.fig.step"))},
        "yaxis": {"title": _title(t("synapses.fig.w_from_to", i=i, j=j))}, "height": 340,
        "margin": {"l": 70, "r": 10, "t": 50, "b": 40},
        "legend": {"orientation": "h", "y": -0.25}}
    if shapes:  # plotly keeps no empty list
        layout["shapes"] = shapes
    return P.figure(data, layout)


def short_vs_long(sim: Simulation, i: int, j: int) -> go.Figure:
    """Top: the fading short-term traces of neurons i and j. Bottom: the weight w_ij that stays."""
    titles = (t("synapses.fig.short_title"),
              t("synapses.fig.long_title", i=i, j=j, rule=short(sim.rule)))
    layout = P.panels(2, 1, titles, shared_xaxes=True, vertical_spacing=0.12)
    steps = np.arange(1, len(sim.trace) + 1)
    data = [{"type": "scatter", "x": steps, "y": sim.trace[:, k],
             "name": t("synapses.fig.trace_of", k=k),
             "line": {"color": colour, "dash": dash, "width": 2.5}, "xaxis": "x", "yaxis": "y"}
            for k, colour, dash in ((i, P.D3_ORANGE, "solid"), (j, P.D3_PURPLE, "dot"))]
    data.append({"type": "scatter", "x": np.arange(len(sim.W)), "y": sim.W[:, i, j],
                 "name": t("synapses.fig.w_from_to", i=i, j=j),
                 "line": {"color": RULE_COLOURS[sim.rule], "width": 2.5},
                 "xaxis": "x2", "yaxis": "y2"})
    layout["xaxis2"]["title"] = _title(t("synapses.fig.step"))
    layout["yaxis"]["title"] = _title(t("synapses.fig.activity"))
    layout["yaxis2"]["title"] = _title(t("synapses.fig.weight"))
    layout.update(title=_title(t("synapses.fig.fades_title")), height=460,
                  margin={"l": 70, "r": 10, "t": 80, "b": 40},
                  legend={"orientation": "h", "y": -0.18})
    return P.figure(data, layout)


def change_vs_coactivity(sims: dict[str, Simulation]) -> go.Figure:
    """One dot per synapse: how often its neurons fired together (x) vs how much it changed (y)."""
    data = []
    for r, s in sims.items():
        n = s.W.shape[1]
        mask = ~np.eye(n, dtype=bool)
        co, d = coactivity(s)[mask], s.change[mask]
        ii, jj = np.nonzero(mask)
        data.append({
            "type": "scatter", "x": co, "y": d, "mode": "markers", "name": short(r),
            "customdata": np.stack([jj, ii], axis=1),
            "marker": {"color": RULE_COLOURS[r], "size": 9, "opacity": 0.75},
            "hovertemplate": t("synapses.fig.co_hover") + "<extra></extra>"})
    return P.figure(data, {
        "title": _title(t("synapses.fig.co_title")),
        "xaxis": {"title": _title(t("synapses.fig.co_x"))},
        "yaxis": {"title": _title(t("synapses.fig.co_y"))}, "height": 380,
        "margin": {"l": 70, "r": 10, "t": 50, "b": 40},
        "legend": {"orientation": "h", "y": -0.25},
        "shapes": [P.rule({"color": P.GUIDE, "width": 1}, y=0)]})
