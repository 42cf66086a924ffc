"""Figures for the synapses lesson (document 003): Simulation -> plotly figure; never calls st.*.

Labels are plain text (plotly cannot typeset LaTeX offline), in the current language
(memviz/locales/synapses.toml); steps are shown 1-based, with weights at step 0 being the
starting weights.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from memviz.i18n import t
from memviz.synapses.model import Simulation, coactivity

RULE_COLOURS = {"doc003": "#d62728", "hebb": "#1f77b4", "oja": "#2ca02c"}


def rule_label(rule: str) -> str:
    """A rule's name with its formula: 'Hebb: α a_i a_j'."""
    return t(f"synapses.rule.{rule}")


def short(rule: str) -> str:
    """A rule's short name: 'Hebb'."""
    return t(f"synapses.short.{rule}")


def neurons(n: int) -> list[str]:
    """'neuron 0' … 'neuron n-1' (grid rows and heatmap rows)."""
    return [t("synapses.fig.neuron", k=k) for k in range(n)]


def pattern_heatmap(x: np.ndarray) -> go.Figure:
    """The input pattern x (T, n) as a grid: rows neurons, columns steps, dark = input on."""
    T, n = x.shape
    fig = go.Figure(go.Heatmap(z=x.T, x=np.arange(1, T + 1), y=neurons(n), zmin=0, zmax=1,
                               colorscale="Greys", showscale=False, xgap=1, ygap=1,
                               hovertemplate=t("synapses.fig.pattern_hover") + "<extra></extra>"))
    fig.update_layout(title=t("synapses.fig.pattern_title"), xaxis_title=t("synapses.fig.step"),
                      height=120 + 28 * n,
                      margin=dict(l=90, r=10, t=40, b=50), yaxis_autorange="reversed")
    return fig


def change_heatmaps(sims: dict[str, Simulation]) -> go.Figure:
    """W(T) − W(0) for each rule side by side, on one shared colour scale centred on 0."""
    names = list(sims)
    fig = make_subplots(1, len(names), subplot_titles=[rule_label(r) for r in names],
                        horizontal_spacing=0.06, shared_yaxes=True)
    zmax = max(float(np.abs(s.change).max()) for s in sims.values()) or 1.0
    for k, r in enumerate(names, start=1):
        d = sims[r].change
        n = d.shape[0]
        fig.add_trace(go.Heatmap(
            z=d, x=[str(j) for j in range(n)], y=[str(i) for i in range(n)],
            zmid=0, zmin=-zmax, zmax=zmax, colorscale="RdBu_r", coloraxis=None,
            showscale=k == len(names), texttemplate="%{z:.2f}", xgap=1, ygap=1,
            colorbar=dict(title=t("synapses.fig.change")),
            hovertemplate=t("synapses.fig.change_hover") + "<extra></extra>"), 1, k)
        fig.update_yaxes(type="category", autorange="reversed", showticklabels=k == 1,
                         title_text=t("synapses.fig.onto") if k == 1 else None,
                         title_standoff=12, row=1, col=k)
        fig.update_xaxes(type="category", title_text=t("synapses.fig.from_line"),
                         title_standoff=12, tickangle=0, row=1, col=k)
    fig.update_layout(title=t("synapses.fig.change_title"),
                      height=200 + 34 * n, margin=dict(l=80, r=10, t=80, b=60))
    return fig


def _coactive_steps(x: np.ndarray, i: int, j: int) -> np.ndarray:
    """1-based steps at which both input lines i and j were on."""
    return np.flatnonzero((x[:, i] > 0) & (x[:, j] > 0)) + 1


def weight_curves(sims: dict[str, Simulation], i: int, j: int) -> go.Figure:
    """w_ij over time under each rule; grey ticks mark the steps where i and j fired together."""
    fig = go.Figure()
    for r, s in sims.items():
        fig.add_trace(go.Scatter(x=np.arange(len(s.W)), y=s.W[:, i, j], name=short(r),
                                 line=dict(color=RULE_COLOURS[r], width=2.5)))
    x = next(iter(sims.values())).x
    for step in _coactive_steps(x, i, j):
        fig.add_vline(x=step, line=dict(color="rgba(0,0,0,0.15)", width=6))
    fig.update_layout(title=t("synapses.fig.curves_title", i=i, j=j),
                      xaxis_title=t("synapses.fig.step"),
                      yaxis_title=t("synapses.fig.w_from_to", i=i, j=j), height=340,
                      margin=dict(l=70, r=10, t=50, b=40), legend=dict(orientation="h", y=-0.25))
    return fig


def short_vs_long(sim: Simulation, i: int, j: int) -> go.Figure:
    """Top: the fading short-term traces of neurons i and j. Bottom: the weight w_ij that stays."""
    titles = (t("synapses.fig.short_title"),
              t("synapses.fig.long_title", i=i, j=j, rule=short(sim.rule)))
    fig = make_subplots(2, 1, shared_xaxes=True, vertical_spacing=0.12, subplot_titles=titles)
    steps = np.arange(1, len(sim.trace) + 1)
    for k, colour, dash in ((i, "#ff7f0e", "solid"), (j, "#9467bd", "dot")):
        fig.add_trace(go.Scatter(x=steps, y=sim.trace[:, k],
                                 name=t("synapses.fig.trace_of", k=k),
                                 line=dict(color=colour, dash=dash, width=2.5)), 1, 1)
    fig.add_trace(go.Scatter(x=np.arange(len(sim.W)), y=sim.W[:, i, j],
                             name=t("synapses.fig.w_from_to", i=i, j=j),
                             line=dict(color=RULE_COLOURS[sim.rule], width=2.5)), 2, 1)
    fig.update_xaxes(title_text=t("synapses.fig.step"), row=2, col=1)
    fig.update_yaxes(title_text=t("synapses.fig.activity"), row=1, col=1)
    fig.update_yaxes(title_text=t("synapses.fig.weight"), row=2, col=1)
    fig.update_layout(title=t("synapses.fig.fades_title"), height=460,
                      margin=dict(l=70, r=10, t=80, b=40), legend=dict(orientation="h", y=-0.18))
    return fig


def change_vs_coactivity(sims: dict[str, Simulation]) -> go.Figure:
    """One dot per synapse: how often its neurons fired together (x) vs how much it changed (y)."""
    fig = go.Figure()
    for r, s in sims.items():
        n = s.W.shape[1]
        mask = ~np.eye(n, dtype=bool)
        co, d = coactivity(s)[mask], s.change[mask]
        ii, jj = np.nonzero(mask)
        fig.add_trace(go.Scatter(
            x=co, y=d, mode="markers", name=short(r), customdata=np.stack([jj, ii], axis=1),
            marker=dict(color=RULE_COLOURS[r], size=9, opacity=0.75),
            hovertemplate=t("synapses.fig.co_hover") + "<extra></extra>"))
    fig.add_hline(y=0, line=dict(color="grey", width=1))
    fig.update_layout(title=t("synapses.fig.co_title"), xaxis_title=t("synapses.fig.co_x"),
                      yaxis_title=t("synapses.fig.co_y"), height=380,
                      margin=dict(l=70, r=10, t=50, b=40), legend=dict(orientation="h", y=-0.25))
    return fig
