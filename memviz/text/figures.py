"""Figures for the text lesson: text coloured by a unit, the temperature-reshaped softmax,
top-5 next-character bars, document 004's softmax written twice, the cell-finder scores.

Built from plain dicts (memviz.plotting.figure) so redrawing stays fast; labels are
plain text. Characters are shown visibly: space as ␣, newline as ↵, tab as ⇥.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from memviz import i18n
from memviz.plotting import (
    BLACK,
    BLUE,
    GREEN,
    ROLE_COLORS,
    VERMILLION,
    figure,
    scale,
    user_text,
)
from memviz.text import features as F
from memviz.text.generate import softmax

VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥"}
WIDTH = 80  # characters per row of coloured text
ROW_PX = 19
TEMPERATURES = (0.5, 1.0, 2.0)
TEMP_COLORS = {0.5: BLUE, 1.0: BLACK, 2.0: VERMILLION}  # any other temperature: GREEN


def visible(c: str) -> str:
    return VISIBLE.get(c, c)


def shown(c: str) -> str:
    """A character of the student's text as a figure shows it (visible, and as typed)."""
    return user_text(visible(c))


def _grid(text: str, width: int) -> list[list[int]]:
    """Rows of character positions: a new row at each newline and every `width` characters."""
    rows, row = [], []
    for i, c in enumerate(text):
        row.append(i)
        if c == "\n" or len(row) == width:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows


def coloured_text(text: str, values: np.ndarray, title: str, width: int = WIDTH,
                  symmetric: bool = True) -> go.Figure:
    """Each character in a cell coloured by its value (N,): one row per line of the text."""
    rows = _grid(text, width)
    z = np.full((len(rows), width), np.nan)
    chars = [[""] * width for _ in rows]
    for r, row in enumerate(rows):
        z[r, : len(row)] = values[row]
        for k, i in enumerate(row):
            chars[r][k] = user_text("↵" if text[i] == "\n" else text[i])  # blank reads as space
    m = float(np.nanmax(np.abs(values))) if len(values) else 1.0
    # the scales as explicit lists (plotting.colorscale): the browser and the exported file
    # draw the same colours, red high (a bare name reached the two by different rules)
    colours = dict(zmin=-m, zmax=m, colorscale=scale("signed")) if symmetric else dict(
        zmin=float(np.nanmin(values)), zmax=float(np.nanmax(values)),
        colorscale=scale("share"))
    data = [dict(type="heatmap", z=z, text=chars, texttemplate="%{text}",
                 textfont=dict(family="DejaVu Sans Mono, Noto Sans Mono CJK SC, monospace",
                               size=12, color=BLACK), xgap=1, ygap=1, opacity=0.7,
                 hovertemplate="%{text}: %{z:.3f}<extra></extra>",
                 colorbar=dict(thickness=12, len=0.6), **colours)]
    layout = dict(xaxis=dict(visible=False), yaxis=dict(visible=False, autorange="reversed"),
                  margin=dict(l=10, r=10, t=50, b=10))
    return figure(data, layout, title, 80 + ROW_PX * len(rows))


def _bars(labels, values, title: str, ylab: str, height: int = 300,
          color=ROLE_COLORS["model"]):
    data = [dict(type="bar", x=labels, y=values, marker=dict(color=color),
                 text=[f"{v:.3f}" for v in values], textposition="outside")]
    layout = dict(xaxis=dict(title=dict(text=i18n.t("text.fig.next_char")), type="category"),
                  yaxis=dict(title=dict(text=ylab), range=[0, max(1e-9, max(values)) * 1.2]))
    return figure(data, layout, title, height)


def top5(top: Sequence[tuple[str, float]], chosen: str, title: str) -> go.Figure:
    """The five most likely next characters at one generated position; the pick in orange."""
    labels = [f"{shown(c)} " if c.strip() == "" else user_text(c) for c, _ in top]
    colors = [ROLE_COLORS["pick"] if c == chosen else ROLE_COLORS["model"] for c, _ in top]
    return _bars(labels, [p for _, p in top], title, i18n.t("text.fig.probability"), 280, colors)


def temperature(logits: np.ndarray, chars: Sequence[str], chosen_t: float,
                n: int = 12) -> go.Figure:
    """softmax(z / T) for a few temperatures over the n likeliest characters (at T = 1)."""
    order = np.argsort(-logits)[:n]
    labels = [shown(chars[k]) for k in order]
    temps = sorted({*TEMPERATURES, chosen_t})
    data = []
    for t in temps:
        p = softmax(logits, t)[order]
        name = (i18n.t("text.fig.greedy") if t == 0 else
                i18n.t("text.fig.chosen", t=f"{t:g}") if t == chosen_t else f"T = {t:g}")
        data.append(dict(type="bar", x=labels, y=p, name=name,
                         marker=dict(color=TEMP_COLORS.get(t, GREEN))))
    layout = _group_layout()
    return figure(data, layout, i18n.t("text.fig.temperature"), 360)


def softmax_twice(logits: np.ndarray, chars: Sequence[str], n: int = 10) -> go.Figure:
    """softmax(z) against softmax(softmax(z)) over the n likeliest characters: document 004's
    p = exp(p) / sum exp(p), taken literally, applies the softmax a second time."""
    p = softmax(logits)
    pp = softmax(p)
    order = np.argsort(-p)[:n]
    labels = [shown(chars[k]) for k in order]
    data = [dict(type="bar", x=labels, y=p[order], name=i18n.t("text.fig.once"),
                 marker=dict(color=BLUE)),
            dict(type="bar", x=labels, y=pp[order], name=i18n.t("text.fig.twice"),
                 marker=dict(color=VERMILLION))]
    layout = _group_layout()
    layout["yaxis"]["range"] = [0, 1]
    return figure(data, layout, i18n.t("text.fig.softmax_twice"), 350)


def _group_layout() -> dict:
    """Grouped bars over the next character, the legend in a row above them (under the title:
    a long title, as in Chinese, would run into a legend beside it)."""
    return dict(barmode="group", margin=dict(l=60, r=20, t=85, b=45),
                xaxis=dict(title=dict(text=i18n.t("text.fig.next_char")), type="category"),
                yaxis=dict(title=dict(text=i18n.t("text.fig.probability"))),
                legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))


def cell_scores(rows) -> go.Figure:
    """|correlation| of the best unit for each feature, labelled with the unit."""
    labels = [F.label(b.feature) for b in rows]
    data = [dict(type="bar", y=labels, x=[abs(b.corr) for b in rows], orientation="h",
                 text=[i18n.t("text.fig.cell", field=b.field, unit=b.unit, r=f"{b.corr:+.2f}")
                       for b in rows],
                 textposition="auto", marker=dict(color=ROLE_COLORS["model"]))]
    layout = dict(xaxis=dict(title=dict(text=i18n.t("text.fig.correlation")), range=[0, 1]),
                  yaxis=dict(autorange="reversed", title=dict(text=i18n.t("text.cells.feature"))),
                  margin=dict(l=200, r=20, t=50, b=45))
    return figure(data, layout, i18n.t("text.fig.best_units"), 90 + 45 * len(rows))
