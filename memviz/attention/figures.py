"""Figure builders for the attention lesson (plotly, no streamlit): alignment heatmap, accuracy
against length for both variants, the self-attention map, and one decoding step's panel."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from memviz import plotting as P
from memviz.attention.data import VOCAB
from memviz.i18n import t

# message keys written out, so that grep and the catalogue test see each one
FIG_KEYS = {"plain": "attention.fig.plain", "attention": "attention.fig.attention",
            "exact": "attention.fig.exact", "per_token": "attention.fig.per_token"}

VARIANT_COLORS = {"plain": P.VERMILLION, "attention": P.BLUE}
MARK = P.STEP_MARK  # the step (the alignment's row) and the chosen token


def token_label(i: int) -> str:
    """A readable label for token id i ('␣' for a space, 'EOS' for the end)."""
    text = VOCAB[int(i)]
    return {" ": "␣", "</s>": "EOS", "<s>": "BOS", "<pad>": "PAD"}.get(text, text)


def _unique(labels: Sequence[str]) -> list[str]:
    """Category labels made unique by position ('3 (1)', '3 (2)'): plotly merges equal ones."""
    return [f"{s} ({k + 1})" for k, s in enumerate(labels)]


def _margin(top: int = 50) -> dict:
    return dict(l=60, r=20, t=top, b=45)


def alignment_heatmap(alpha: np.ndarray, source: Sequence[str], output: Sequence[str],
                      step: int | None = None, height: int = 380) -> go.Figure:
    """Attention weights alpha (K, S): output step k (rows) x source position j (columns)."""
    x, y = list(range(1, len(source) + 1)), list(range(1, len(output) + 1))
    trace = dict(type="heatmap", z=alpha, x=x, y=y, colorscale=P.scale("share"), zmin=0,
                 zmax=1, colorbar=dict(title=dict(text=t("attention.fig.weight"))),
                 customdata=[[t("attention.fig.reads", output=o, source=s) for s in source]
                             for o in output],
                 hovertemplate=t("attention.fig.hover", step="%{y}", pair="%{customdata}")
                 + ": %{z:.3f}<extra></extra>")
    layout = dict(margin=_margin(95),
                  xaxis=dict(title=dict(text=t("attention.fig.source_position"), standoff=4),
                             side="top", tickvals=x, ticktext=_unique(source)),
                  yaxis=dict(title=dict(text=t("attention.fig.output_step")),
                             autorange="reversed", tickvals=y, ticktext=_unique(output)))
    if step is not None and 0 <= step < len(y):
        layout["shapes"] = [dict(type="rect", x0=0.5, x1=len(x) + 0.5, y0=step + 0.5,
                                 y1=step + 1.5, line=dict(color=MARK, width=3))]
    return P.figure([trace], layout, t("attention.fig.alignment"), height)


def accuracy_lines(acc: dict[str, dict[int, tuple[float, float]]], max_train: int,
                   height: int = 380) -> go.Figure:
    """Exact-sequence (solid) and per-token (dotted) accuracy against source length for each
    variant; acc = {"plain": {n: (exact, per_token)}, "attention": {...}}."""
    data = []
    for name, by_n in acc.items():
        n = sorted(by_n)
        for col, dash, what in ((0, "solid", "exact"), (1, "dot", "per_token")):
            label = t("attention.fig.trace", variant=t(FIG_KEYS[name]),
                      measure=t(FIG_KEYS[what]))
            data.append(dict(
                type="scatter", x=n, y=[by_n[k][col] for k in n], mode="lines+markers",
                name=label, line=dict(color=VARIANT_COLORS[name], dash=dash, width=2.5),
                hovertemplate=t("attention.fig.length") + " %{x}: %{y:.1%}<extra>" + label
                + "</extra>"))
    edge = max_train + 0.5
    layout = dict(
        margin=_margin(),
        shapes=[P.rule(dict(color=P.GUIDE, dash="dash"), x=edge)],
        annotations=[dict(x=edge, y=1.04, text=t("attention.fig.trained_here"),
                          showarrow=False, xanchor="right", font=dict(color=P.GUIDE))],
        xaxis=dict(title=dict(text=t("attention.fig.source_length")), dtick=1),
        yaxis=dict(title=dict(text=t("attention.fig.accuracy")), tickformat=".0%",
                   range=[0, 1.08]),
        legend=dict(orientation="h", y=-0.2))
    return P.figure(data, layout, t("attention.fig.accuracy_title"), height)


def self_attention_map(A: np.ndarray, head: int = 0, height: int = 420) -> go.Figure:
    """A causal self-attention map (T, T): query step t (rows) x key step j (columns), steps
    numbered from 1; the last row is the cue."""
    T = A.shape[0]
    steps = list(range(1, T + 1))
    trace = dict(type="heatmap", z=A, x=steps, y=steps, colorscale=P.scale("share"),
                 zmin=0, zmax=1, colorbar=dict(title=dict(text=t("attention.fig.weight"))),
                 hovertemplate=t("attention.fig.step_reads", query="%{y}", read="%{x}")
                 + ": %{z:.3f}<extra></extra>")
    layout = dict(margin=_margin(),
                  shapes=[dict(type="rect", x0=0.5, x1=T + 0.5, y0=T - 0.5, y1=T + 0.5,
                               line=dict(color=MARK, width=2))],
                  xaxis=dict(title=dict(text=t("attention.fig.key_step"))),
                  yaxis=dict(title=dict(text=t("attention.fig.query_step")),
                             autorange="reversed"))
    return P.figure([trace], layout, t("attention.fig.self_map", head=head + 1), height)


def step_panel(alpha: np.ndarray | None, source: Sequence[str], p: np.ndarray,
               s: np.ndarray, c: np.ndarray, top: int = 5, height: int = 420) -> go.Figure:
    """One decoding step: weights over the source (B, if attention), the top output
    probabilities, and the decoder state s_k and context c_k as two colour rows."""
    rows = 3 if alpha is not None else 2
    titles = ([t("attention.fig.over_source")] if alpha is not None else []) + [
        t("attention.fig.top", n=top), t("attention.fig.state_context")]
    layout = P.panels(rows, 1, titles, vertical_spacing=0.16)
    data, r = [], 1
    if alpha is not None:
        data.append(dict(type="bar", x=_unique(source), y=alpha,
                         marker=dict(color=P.ROLE_COLORS["model"]),
                         hovertemplate="%{x}: %{y:.3f}<extra></extra>", xaxis="x", yaxis="y"))
        layout["yaxis"]["range"] = [0, 1]
        r = 2
    best = np.argsort(p)[::-1][:top]
    xr, yr = P.axis_ids(r)
    data.append(dict(type="bar", x=[token_label(i) for i in best], y=p[best],
                     marker=dict(color=[MARK] + [P.ROLE_COLORS["other"]] * (top - 1)),
                     hovertemplate="%{x}: %{y:.3f}<extra></extra>", xaxis=xr, yaxis=yr))
    xk, yk = P.axis_keys(r)
    layout[yk]["range"] = [0, 1]
    layout[xk]["type"] = "category"
    xr, yr = P.axis_ids(r + 1)
    data.append(dict(type="heatmap", z=np.stack([s, c]), y=["s", "c"],
                     colorscale=P.scale("tanh"), zmin=-1, zmax=1, showscale=False,
                     hovertemplate="%{y}[%{x}] = %{z:.3f}<extra></extra>", xaxis=xr, yaxis=yr))
    layout.update(margin=_margin(), showlegend=False)
    return P.figure(data, layout, "", height)
