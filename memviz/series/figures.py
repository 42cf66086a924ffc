"""Figures of the forecasting lesson: forecast vs truth with the test period marked, and the
baselines as bars. Pure functions returning plotly figures."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from memviz import plotting as P
from memviz.i18n import t
from memviz.series.data import column_label

# message keys written out, so that grep and the catalogue test see each one
NAME_KEYS = {"truth": "series.fig.name_truth", "model": "series.fig.name_model",
    "persistence": "series.fig.name_persistence", "seasonal": "series.fig.name_seasonal",
    "linear": "series.fig.name_linear"}

COLORS = {"truth": P.ROLE_COLORS["truth"], "model": P.ROLE_COLORS["model"],
          "persistence": P.ORANGE, "seasonal": P.GREEN, "linear": P.PURPLE}
BASELINES = ("model", "persistence", "seasonal", "linear")


def name(baseline: str) -> str:
    """A forecaster's short name on a figure (series.fig.name_*), in the current language."""
    return t(NAME_KEYS[baseline])


def _line(x, y, label: str, color: str, width: float, dash: str | None = None) -> dict:
    line = {"color": color, "width": width}
    if dash:
        line["dash"] = dash
    return {"type": "scatter", "x": x, "y": y, "name": label, "line": line}


def _period(x0, x1, color: str, opacity: float, label: str) -> tuple[dict, dict]:
    """A shaded period with its label at the top left (what plotly's add_vrect makes)."""
    rect = {"type": "rect", "x0": x0, "x1": x1, "xref": "x", "y0": 0, "y1": 1,
            "yref": "y domain", "fillcolor": color, "opacity": opacity, "line": {"width": 0}}
    note = {"text": label, "x": x0, "xref": "x", "y": 1, "yref": "y domain",
            "xanchor": "left", "yanchor": "top", "showarrow": False}
    return rect, note


def forecast_vs_truth(run, step: int = 1) -> go.Figure:
    """The whole series, the model's test forecasts `step` ahead, the test period shaded."""
    p, k = run.prepared, step - 1
    dates, y = p.dates, p.raw[:, 0]
    test = p.parts["test"]
    val0, test0 = p.bounds
    target = P.user_text(column_label(run.config.target))  # an upload's column: as typed
    data = [_line(dates, y, name("truth"), COLORS["truth"], 1),
            _line(dates[p.start[test] + k], run.forecast[:, k], t("series.fig.forecast_test"),
                  COLORS["model"], 2)]
    periods = [_period(dates[val0], dates[test0 - 1], P.GREY, 0.12,
                       t("series.fig.validation")),
               _period(dates[test0], dates[-1], P.BLUE, 0.10, t("series.fig.test"))]
    layout = dict(shapes=[r for r, _ in periods], annotations=[a for _, a in periods],
                  xaxis=P.date_axis(t("series.fig.time"), p.dates),
                  yaxis={"title": {"text": target}}, legend={"orientation": "h", "y": -0.2},
                  margin={"l": 50, "b": 40})
    return P.figure(data, layout, t("series.fig.forecast_title", target=target, step=step), 380)


def test_zoom(run, step: int = 1, last: int = 120) -> go.Figure:
    """The last `last` test forecasts with truth and persistence, close up."""
    p, k = run.prepared, step - 1
    test = p.parts["test"][-last:]
    rows = p.start[test] + k
    data = [_line(p.dates[rows], p.raw[rows, 0], name("truth"), COLORS["truth"], 2),
            _line(p.dates[rows], run.forecast[-last:, k], name("model"), COLORS["model"], 2),
            _line(p.dates[rows], p.raw[p.start[test] - 1, 0], name("persistence"),
                  COLORS["persistence"], 1, "dot")]
    layout = dict(xaxis=P.date_axis(t("series.fig.time"), p.dates),
                  yaxis={"title": {"text": P.user_text(column_label(run.config.target))}},
                  legend={"orientation": "h", "y": -0.25}, margin={"b": 40})
    return P.figure(data, layout, t("series.fig.zoom_title"), 320)


def baseline_bars(maes: dict[str, float | None], unit: str = "") -> go.Figure:
    """Test-part MAE of the model and each baseline (lower is better)."""
    names = [n for n in BASELINES if maes.get(n) is not None]
    values = [maes[n] for n in names]
    bars = {"type": "bar", "x": [name(n) for n in names], "y": values,
            "marker": {"color": [COLORS[n] for n in names]},
            "text": [f"{v:.3f}" for v in values], "textposition": "outside"}
    layout = dict(yaxis={"title": {"text": f"MAE {unit}".strip()},
                         "range": [0, max(values) * 1.2]}, margin={"b": 40})
    return P.figure([bars], layout, t("series.fig.mae_title"), 340)


def leakage_bars(leak: dict) -> go.Figure:
    """The target's range in the training and test parts and over everything."""
    parts = [t("series.fig.part_train"), t("series.fig.part_test"), t("series.fig.part_all")]
    lo = [leak["train_min"], leak["test_min"], leak["all_min"]]
    hi = [leak["train_max"], leak["test_max"], leak["all_max"]]
    bars = {"type": "bar", "x": parts, "y": np.subtract(hi, lo), "base": lo,
            "marker": {"color": [P.BLUE, P.VERMILLION, P.GREY]},
            "text": [t("series.fig.range", lo=a, hi=b) for a, b in zip(lo, hi, strict=True)],
            "textposition": "inside"}
    return P.figure([bars], dict(yaxis={"title": {"text": t("series.fig.value")}},
                                 margin={"b": 40}), t("series.fig.leak_title"), 320)
