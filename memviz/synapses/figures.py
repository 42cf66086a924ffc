"""Figures for the synapses lesson (document 003): Simulation -> plotly figure; never calls st.*.

Labels are plain text (plotly cannot typeset LaTeX offline); steps are shown 1-based, with
weights at step 0 being the starting weights.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from memviz.synapses.model import RULE_LABELS, Simulation, coactivity

RULE_COLOURS = {"doc003": "#d62728", "hebb": "#1f77b4", "oja": "#2ca02c"}
SHORT = {"doc003": "Document 003", "hebb": "Hebb", "oja": "Oja"}


def _neurons(n: int) -> list[str]:
    return [f"neuron {k}" for k in range(n)]


def pattern_heatmap(x: np.ndarray) -> go.Figure:
    """The input pattern x (T, n) as a grid: rows neurons, columns steps, dark = input on."""
    T, n = x.shape
    fig = go.Figure(go.Heatmap(z=x.T, x=np.arange(1, T + 1), y=_neurons(n), zmin=0, zmax=1,
                               colorscale="Greys", showscale=False, xgap=1, ygap=1,
                               hovertemplate="step %{x}, %{y}: input %{z}<extra></extra>"))
    fig.update_layout(title="Input pattern", xaxis_title="step", height=120 + 28 * n,
                      margin=dict(l=90, r=10, t=40, b=50), yaxis_autorange="reversed")
    return fig


def change_heatmaps(sims: dict[str, Simulation]) -> go.Figure:
    """W(T) − W(0) for each rule side by side, on one shared colour scale centred on 0."""
    names = list(sims)
    fig = make_subplots(1, len(names), subplot_titles=[RULE_LABELS[r] for r in names],
                        horizontal_spacing=0.06, shared_yaxes=True)
    zmax = max(float(np.abs(s.change).max()) for s in sims.values()) or 1.0
    for k, r in enumerate(names, start=1):
        d = sims[r].change
        n = d.shape[0]
        fig.add_trace(go.Heatmap(
            z=d, x=[f"from {j}" for j in range(n)], y=[f"to {i}" for i in range(n)],
            zmid=0, zmin=-zmax, zmax=zmax, colorscale="RdBu_r", coloraxis=None,
            showscale=k == len(names), texttemplate="%{z:.2f}", xgap=1, ygap=1,
            colorbar=dict(title="change"),
            hovertemplate="w from %{x} %{y}: %{z:.3f}<extra></extra>"), 1, k)
        fig.update_yaxes(autorange="reversed", showticklabels=k == 1, row=1, col=k,
                         title_text="onto neuron" if k == 1 else None, title_standoff=12)
        fig.update_xaxes(title_text="from input line", title_standoff=12, tickangle=0,
                         row=1, col=k)
    fig.update_layout(title="How much each synapse changed over the run (end minus start)",
                      height=200 + 34 * n, margin=dict(l=110, r=10, t=80, b=60))
    return fig


def _coactive_steps(x: np.ndarray, i: int, j: int) -> np.ndarray:
    """1-based steps at which both input lines i and j were on."""
    return np.flatnonzero((x[:, i] > 0) & (x[:, j] > 0)) + 1


def weight_curves(sims: dict[str, Simulation], i: int, j: int) -> go.Figure:
    """w_ij over time under each rule; grey ticks mark the steps where i and j fired together."""
    fig = go.Figure()
    for r, s in sims.items():
        fig.add_trace(go.Scatter(x=np.arange(len(s.W)), y=s.W[:, i, j], name=SHORT[r],
                                 line=dict(color=RULE_COLOURS[r], width=2.5)))
    x = next(iter(sims.values())).x
    for t in _coactive_steps(x, i, j):
        fig.add_vline(x=t, line=dict(color="rgba(0,0,0,0.15)", width=6))
    fig.update_layout(title=f"Weight of the synapse from neuron {j} to neuron {i} over time",
                      xaxis_title="step", yaxis_title=f"w from {j} to {i}", height=340,
                      margin=dict(l=10, r=10, t=50, b=40), legend=dict(orientation="h", y=-0.25))
    return fig


def short_vs_long(sim: Simulation, i: int, j: int) -> go.Figure:
    """Top: the fading short-term traces of neurons i and j. Bottom: the weight w_ij that stays."""
    titles = ("Short-term: recent activity, fading each step",
              f"Long-term: the synapse from {j} to {i} ({SHORT[sim.rule]})")
    fig = make_subplots(2, 1, shared_xaxes=True, vertical_spacing=0.12, subplot_titles=titles)
    steps = np.arange(1, len(sim.trace) + 1)
    for k, colour, dash in ((i, "#ff7f0e", "solid"), (j, "#9467bd", "dot")):
        fig.add_trace(go.Scatter(x=steps, y=sim.trace[:, k], name=f"trace of neuron {k}",
                                 line=dict(color=colour, dash=dash, width=2.5)), 1, 1)
    fig.add_trace(go.Scatter(x=np.arange(len(sim.W)), y=sim.W[:, i, j], name=f"w from {j} to {i}",
                             line=dict(color=RULE_COLOURS[sim.rule], width=2.5)), 2, 1)
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_yaxes(title_text="activity above rest", row=1, col=1)
    fig.update_yaxes(title_text="weight", row=2, col=1)
    fig.update_layout(title="What fades and what stays", height=460,
                      margin=dict(l=10, r=10, t=80, b=40), legend=dict(orientation="h", y=-0.18))
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
            x=co, y=d, mode="markers", name=SHORT[r], customdata=np.stack([jj, ii], axis=1),
            marker=dict(color=RULE_COLOURS[r], size=9, opacity=0.75),
            hovertemplate="from %{customdata[0]} to %{customdata[1]}: "
                          "co-activity %{x:.3f}, change %{y:.3f}<extra></extra>"))
    fig.add_hline(y=0, line=dict(color="grey", width=1))
    fig.update_layout(title="Does a synapse change because its neurons fire together?",
                      xaxis_title="co-activity: average of a_i × a_j over the run",
                      yaxis_title="change in weight", height=380,
                      margin=dict(l=10, r=10, t=50, b=40), legend=dict(orientation="h", y=-0.25))
    return fig
