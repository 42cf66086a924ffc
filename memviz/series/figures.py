"""Figures of the forecasting lesson: forecast vs truth with the test period marked, and the
baselines as bars. Pure functions returning plotly figures."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from memviz.i18n import t
from memviz.series.data import column_label

COLORS = {"truth": "#000000", "model": "#0072B2", "persistence": "#E69F00",
          "seasonal": "#009E73", "linear": "#CC79A7"}
BASELINES = ("model", "persistence", "seasonal", "linear")


def name(baseline: str) -> str:
    """A forecaster's short name on a figure (series.fig.name_*), in the current language."""
    return t(f"series.fig.name_{baseline}")


def forecast_vs_truth(run, step: int = 1) -> go.Figure:
    """The whole series, the model's test forecasts `step` ahead, the test period shaded."""
    p, k = run.prepared, step - 1
    dates, y = p.dates, p.raw[:, 0]
    test = p.parts["test"]
    val0, test0 = p.bounds
    fig = go.Figure()
    target = column_label(run.config.target)
    fig.add_scatter(x=dates, y=y, name=name("truth"), line=dict(color=COLORS["truth"], width=1))
    fig.add_scatter(x=dates[p.start[test] + k], y=run.forecast[:, k],
                    name=t("series.fig.forecast_test"), line=dict(color=COLORS["model"], width=2))
    fig.add_vrect(x0=dates[val0], x1=dates[test0 - 1], fillcolor="#999999", opacity=0.12,
                  line_width=0, annotation_text=t("series.fig.validation"),
                  annotation_position="top left")
    fig.add_vrect(x0=dates[test0], x1=dates[-1], fillcolor="#0072B2", opacity=0.10,
                  line_width=0, annotation_text=t("series.fig.test"),
                  annotation_position="top left")
    fig.update_layout(title=t("series.fig.forecast_title", target=target, step=step),
                      xaxis_title=t("series.fig.time"), yaxis_title=target, height=380,
                      template="plotly_white", legend=dict(orientation="h", y=-0.2),
                      margin=dict(t=50, b=40, l=50, r=20))
    return fig


def test_zoom(run, step: int = 1, last: int = 120) -> go.Figure:
    """The last `last` test forecasts with truth and persistence, close up."""
    p, k = run.prepared, step - 1
    test = p.parts["test"][-last:]
    rows = p.start[test] + k
    fig = go.Figure()
    fig.add_scatter(x=p.dates[rows], y=p.raw[rows, 0], name=name("truth"),
                    line=dict(color=COLORS["truth"], width=2))
    fig.add_scatter(x=p.dates[rows], y=run.forecast[-last:, k], name=name("model"),
                    line=dict(color=COLORS["model"], width=2))
    fig.add_scatter(x=p.dates[rows], y=p.raw[p.start[test] - 1, 0], name=name("persistence"),
                    line=dict(color=COLORS["persistence"], width=1, dash="dot"))
    fig.update_layout(title=t("series.fig.zoom_title"), xaxis_title=t("series.fig.time"),
                      yaxis_title=column_label(run.config.target), height=320,
                      template="plotly_white",
                      legend=dict(orientation="h", y=-0.25), margin=dict(t=50, b=40))
    return fig


def baseline_bars(maes: dict[str, float | None], unit: str = "") -> go.Figure:
    """Test-part MAE of the model and each baseline (lower is better)."""
    names = [n for n in BASELINES if maes.get(n) is not None]
    values = [maes[n] for n in names]
    fig = go.Figure(go.Bar(x=[name(n) for n in names], y=values,
                           marker_color=[COLORS[n] for n in names],
                           text=[f"{v:.3f}" for v in values], textposition="outside"))
    fig.update_layout(title=t("series.fig.mae_title"),
                      yaxis_title=f"MAE {unit}".strip(), height=340, template="plotly_white",
                      yaxis_range=[0, max(values) * 1.2], margin=dict(t=50, b=40))
    return fig


def leakage_bars(leak: dict) -> go.Figure:
    """The target's range in the training and test parts and over everything."""
    parts = [t("series.fig.part_train"), t("series.fig.part_test"), t("series.fig.part_all")]
    lo = [leak["train_min"], leak["test_min"], leak["all_min"]]
    hi = [leak["train_max"], leak["test_max"], leak["all_max"]]
    fig = go.Figure(go.Bar(x=parts, y=np.subtract(hi, lo), base=lo,
                           marker_color=["#0072B2", "#D55E00", "#999999"],
                           text=[t("series.fig.range", lo=a, hi=b)
                                 for a, b in zip(lo, hi, strict=True)],
                           textposition="inside"))
    fig.update_layout(title=t("series.fig.leak_title"), yaxis_title=t("series.fig.value"),
                      height=320, template="plotly_white", margin=dict(t=50, b=40))
    return fig
