"""Figures of the sentiment lesson: accuracy against distance for LSTM and GRU, and one
sentence read word by word. Pure functions returning plotly figures."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from memviz.i18n import t

COLORS = {"lstm": "#0072B2", "gru": "#D55E00"}


def p_positive(logits: np.ndarray) -> np.ndarray:
    """P(positive) from (T, 2) logits, per word."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e[:, 1] / e.sum(axis=-1)


def accuracy_by_distance(runs: dict) -> go.Figure:
    """Held-out accuracy in each distance bin, one line per cell type."""
    fig = go.Figure()
    for arch, run in runs.items():
        bins = list(run.by_distance)
        fig.add_scatter(x=bins, y=[100 * run.by_distance[b] for b in bins], name=arch.upper(),
                        mode="lines+markers", line=dict(color=COLORS[arch], width=3),
                        marker=dict(size=10))
    fig.add_hline(y=50, line_dash="dot", line_color="#777777",
                  annotation_text=t("sentences.fig.chance"))
    fig.update_layout(title=t("sentences.fig.distance_title"),
                      xaxis_title=t("sentences.fig.distance"),
                      yaxis_title=t("sentences.fig.accuracy"),
                      yaxis_range=[40, 102], height=360, template="plotly_white",
                      legend=dict(orientation="h", y=-0.25), margin=dict(t=50, b=40))
    return fig


def _ticks(tokens: list[str]) -> dict:
    return dict(tickmode="array", tickvals=list(range(len(tokens))), ticktext=tokens,
                tickangle=-45)


def reading(traces: dict, tokens: list[str]) -> go.Figure:
    """P(positive) after each word for each cell: the classifier applied to h_t."""
    fig = go.Figure()
    for arch, tr in traces.items():
        fig.add_scatter(x=list(range(len(tokens))), y=p_positive(tr.output), name=arch.upper(),
                        mode="lines+markers", line=dict(color=COLORS[arch], width=3))
    fig.add_hline(y=0.5, line_dash="dot", line_color="#777777")
    fig.update_layout(title=t("sentences.fig.reading_title"),
                      yaxis_title=t("sentences.fig.p_positive"), yaxis_range=[-0.02, 1.02],
                      height=340, xaxis=_ticks(tokens), template="plotly_white",
                      legend=dict(orientation="h", y=-0.45), margin=dict(t=50, b=90))
    return fig


def hidden_heatmap(tr, tokens: list[str], arch: str) -> go.Figure:
    """Hidden state h_t, units x words, as the sentence is read."""
    fig = go.Figure(go.Heatmap(z=tr["h"].T, x=list(range(len(tokens))), zmin=-1, zmax=1,
                               colorscale="RdBu", reversescale=True,
                               colorbar=dict(title="h")))
    fig.update_layout(title=t("sentences.fig.hidden_title", arch=arch.upper()),
                      yaxis_title=t("sentences.fig.unit"), height=360, xaxis=_ticks(tokens),
                      template="plotly_white", margin=dict(t=50, b=90))
    return fig
