"""The memory-horizon chart: score against lag, one line per architecture (altair, no st.*).

Titles, legend, labels and the data's column names (the columns of the chart's CSV export) are
in the current language (memviz.i18n, catalogue memviz/locales/horizon.toml).
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from memviz.i18n import t
from memviz.plotting import ARCH_COLORS, ARCH_SHORT, GUIDE

# message keys written out, so that grep and the catalogue test see each one
ARCH_KEYS = {"rnn": "horizon.arch.rnn", "lstm": "horizon.arch.lstm", "gru": "horizon.arch.gru",
    "cnn": "horizon.arch.cnn", "attention": "horizon.arch.attention"}
COLUMN_KEYS = {"arch": "horizon.col.arch", "task": "horizon.col.task", "lag": "horizon.col.lag",
    "seed": "horizon.col.seed", "metric": "horizon.col.metric", "value": "horizon.col.value",
    "train_seconds": "horizon.col.train_seconds", "model": "horizon.col.model",
    "drawn_lag": "horizon.col.drawn_lag"}

NAMES = ARCH_SHORT
COLORS = {ARCH_SHORT[a]: c for a, c in ARCH_COLORS.items()}  # the same colours as every page
SHAPES = {"RNN": "circle", "LSTM": "square", "GRU": "diamond", "CNN": "triangle-up",
          "Attention": "cross"}
DASHES = {"RNN": [1, 0], "LSTM": [1, 0], "GRU": [6, 3], "CNN": [2, 2], "Attention": [8, 2, 2, 2]}
NUDGE = 1.035  # x factor between neighbouring models' points
COLUMNS = ("arch", "task", "lag", "seed", "metric", "value", "train_seconds", "model",
           "drawn_lag")


def arch_name(arch: str) -> str:
    """An architecture's name as the chart and the widgets show it ('Attention', '注意力')."""
    return t(ARCH_KEYS[arch])


def column_names() -> dict[str, str]:
    """The chart's data columns in the current language."""
    return {c: t(COLUMN_KEYS[c]) for c in COLUMNS}


def results_frame(rows: Sequence[dict]) -> pd.DataFrame:
    """Results rows (dicts with arch, lag, value, ...) -> a frame with display names."""
    df = pd.DataFrame(list(rows), columns=["arch", "task", "lag", "seed", "metric", "value",
                                           "train_seconds"])
    df["model"] = df["arch"].map(arch_name)
    return df


def horizon_chart(rows: Sequence[dict], task: str, lags: Sequence[int], baseline: float,
                  receptive_field: int | None, archs: Sequence[str],
                  width: int = 640, height: int = 340) -> alt.LayerChart:
    """Score (accuracy or MSE, (n_rows,)) against lag on a log axis, with baseline and CNN field."""
    df = results_frame(rows)
    # identical scores would hide one line under another: nudge each model sideways a little
    # (x is drawn on a log axis, so a factor is an even nudge); y stays the true value
    slot = {a: i - (len(archs) - 1) / 2 for i, a in enumerate(archs)}
    df["drawn_lag"] = df["lag"] * NUDGE ** df["arch"].map(slot)
    top = max(0.2, baseline * 1.2, float(df["value"].max()) if len(df) else 0)
    col = column_names()
    df = df.rename(columns=col)
    recall = task == "recall"
    y_title = t("horizon.fig.recall_y") if recall else t("horizon.fig.adding_y")
    x = alt.X(field=col["drawn_lag"], type="quantitative", title=t("horizon.fig.lag_x"),
              scale=alt.Scale(type="log", domain=[min(lags) * 0.8, max(lags) * 1.25]),
              axis=alt.Axis(values=sorted(lags), format="d"))
    y_scale = (alt.Scale(domain=[0, 1]) if recall
               else alt.Scale(domain=[0, top], clamp=True))
    y = alt.Y(field=col["value"], type="quantitative", title=y_title, scale=y_scale,
              axis=alt.Axis(format="%" if recall else ".2f"))
    shown = [arch_name(a) for a in archs]
    short = [ARCH_SHORT[a] for a in archs]  # colours, shapes and dashes are keyed by these
    model = {"field": col["model"], "type": "nominal"}
    color = alt.Color(**model, title=col["model"],
                      scale=alt.Scale(domain=shown, range=[COLORS[n] for n in short]))
    tips = [alt.Tooltip(**model), alt.Tooltip(field=col["lag"], type="quantitative"),
            alt.Tooltip(field=col["value"], type="quantitative", format=".3f"),
            alt.Tooltip(field=col["train_seconds"], type="quantitative",
                        title=t("horizon.fig.seconds"), format=".1f")]
    shape = alt.Shape(**model, scale=alt.Scale(domain=shown, range=[SHAPES[n] for n in short]))
    dash = alt.StrokeDash(**model, scale=alt.Scale(domain=shown,
                                                   range=[DASHES[n] for n in short]))
    lines = alt.Chart(df).mark_line(strokeWidth=2.5).encode(x=x, y=y, color=color,
                                                            strokeDash=dash)
    points = alt.Chart(df).mark_point(size=80, filled=True, opacity=1).encode(
        x=x, y=y, color=color, shape=shape, tooltip=tips)
    layers = [lines, points, _baseline(baseline, recall, lags, col["value"])]
    if receptive_field is not None:
        layers.append(_field(receptive_field, lags))
    # the legend below: the right margin holds the baseline's label
    return (alt.layer(*layers).properties(width=width, height=height)
            .configure_legend(orient="bottom"))


def _baseline(value: float, recall: bool, lags: Sequence[int], y: str) -> alt.LayerChart:
    """A dashed grey rule at the no-memory score, labelled at the right (y: the score's field,
    shared with the lines so the layers share one y scale)."""
    label = (t("horizon.fig.chance", p=f"{value:.0%}") if recall
             else t("horizon.fig.no_memory", v=f"{value:.3f}"))
    base = alt.Chart(pd.DataFrame({y: [value], "label": [label]}))
    rule = base.mark_rule(color=GUIDE, strokeDash=[6, 4]).encode(
        y=alt.Y(field=y, type="quantitative"))
    # in the right margin, level with the rule: inside the plot it sat on the points of the
    # longest lag, which are at chance exactly when a model fails there
    text = base.mark_text(align="left", baseline="middle", color=GUIDE,
                          x=alt.expr("width + 6")).encode(
        y=alt.Y(field=y, type="quantitative"), text="label:N")
    return alt.layer(rule, text)


def _field(rf: int, lags: Sequence[int]) -> alt.LayerChart:
    """A dotted orange rule at the CNN's receptive field (if it falls in the lag range)."""
    inside = min(lags) * 0.8 <= rf <= max(lags) * 1.25
    df = pd.DataFrame({"x": [rf] if inside else [],
                       "label": [t("horizon.fig.field", rf=rf)] if inside else []})
    base = alt.Chart(df)
    rule = base.mark_rule(color=COLORS["CNN"], strokeDash=[2, 3]).encode(x="x:Q")
    # above the plot, over its rule: inside, it sat on the points at 100%
    text = base.mark_text(align="center", baseline="bottom", dy=-4,
                          color=COLORS["CNN"]).encode(x="x:Q", y=alt.value(0), text="label:N")
    return alt.layer(rule, text)
