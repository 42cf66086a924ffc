"""One unit across many inputs (the view LSTMVis is loved for): a chosen unit's memory and
hidden state on many held-out sequences, over time and coloured by what each has to remember,
or against the quantity the unit tracks (depth, running sum, next value)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from memviz import i18n
from memviz.engine.equations import MEANING
from memviz.engine.figures import rows
from memviz.plotting import GATE_COLORS, PALETTE, figure

GROUP_COLORS = PALETTE  # one per group of sequences
PER_GROUP = 8  # lines drawn per group at most


def distinct(x: np.ndarray) -> np.ndarray:
    """Indices of the first copy of each distinct input sequence in x (B, T, I), in order."""
    _, first = np.unique(x.reshape(len(x), -1), axis=0, return_index=True)
    return np.sort(first)


def drawn_sequences(ho) -> list[int]:
    """The held-out sequences the view draws: distinct inputs, at most PER_GROUP a group."""
    count: dict[int, int] = {}
    out = []
    for b in distinct(ho.x):
        g = int(ho.group[b])
        if count.get(g, 0) < PER_GROUP:
            out.append(int(b))
            count[g] = count.get(g, 0) + 1
    return sorted(out, key=lambda b: (int(ho.group[b]), b))  # legend in group order


def _over_time(ho, unit: int, names: list[str]) -> tuple[list[dict], int]:
    """One line per drawn sequence and field, coloured by its group; and how many sequences."""
    steps, data, shown = np.arange(1, ho.T + 1), [], set()
    drawn = drawn_sequences(ho)
    for b in drawn:
        g = int(ho.group[b])
        for k, name in enumerate(names):
            ax = "" if k == 0 else str(k + 1)
            data.append(dict(
                type="scatter", mode="lines", x=steps, y=ho.fields[name][b, :, unit],
                xaxis=f"x{ax}", yaxis=f"y{ax}", name=ho.group_names[g], legendgroup=str(g),
                showlegend=k == 0 and g not in shown, opacity=0.7,
                line=dict(color=GROUP_COLORS[g % len(GROUP_COLORS)], width=2),
                meta={"field": name, "group": ho.group_names[g]},
                hovertemplate=f"{ho.group_names[g]}: {name} = %{{y:.3f}}"
                              + i18n.t("recurrent.fig.hover_at_step") + "<extra></extra>"))
        shown.add(g)
    return data, len(drawn)


def _against(ho, unit: int, names: list[str], q: np.ndarray) -> list[dict]:
    """Every held-out step as a dot: the field (y) against the tracked quantity q (B, T) (x)."""
    x = q.ravel()
    return [dict(type="scattergl" if x.size > 5000 else "scatter", mode="markers", x=x,
                 y=ho.fields[name][..., unit].ravel(), xaxis=f"x{'' if k == 0 else k + 1}",
                 yaxis=f"y{'' if k == 0 else k + 1}", name=name, showlegend=False,
                 meta={"field": name}, marker=dict(color=GATE_COLORS[name], size=4, opacity=0.3),
                 hovertemplate=f"{name} = %{{y:.3f}}<extra></extra>")
            for k, name in enumerate(names)]


def unit_across_inputs(ho, unit: int) -> go.Figure:
    """One unit's memory (c, or h for cells without one) and h on many held-out sequences
    (LSTMVis's view): for recall over time, one line per sequence coloured by the symbol; for
    the tasks that track a quantity (depth, running sum, signal), against that quantity.

    `ho` is a memviz.recurrent.insight.HeldOut; sequences that are the same input are drawn once.
    """
    from memviz.recurrent import insight  # insight needs no figures: no cycle at import

    names = [ho.state()] + (["h"] if ho.state() != "h" else [])
    q = insight.quantity(ho)
    if q is None:
        data, n = _over_time(ho, unit, names)
        x_title = i18n.t("plotting.time_step")
        title = i18n.t("recurrent.fig.across", unit=unit, n=n)
    else:
        data = _against(ho, unit, names, q)
        what = insight.QUANTITY[ho.task.name]
        x_title = what[4:] if what.startswith("the ") else what
        title = i18n.t("recurrent.fig.against", unit=unit, what=what, n=len(ho.x))
    layout, notes = {}, []
    for k, (name, dom) in enumerate(zip(names, rows(len(names), gap=0.12), strict=True)):
        ax = "" if k == 0 else str(k + 1)
        layout[f"xaxis{ax}"] = dict(anchor=f"y{ax}", **({} if k == 0 else {"matches": "x"}),
                                    title=dict(text=x_title))
        layout[f"yaxis{ax}"] = dict(domain=dom, anchor=f"x{ax}", title=dict(text=name),
                                    zeroline=True)
        notes.append(dict(text=i18n.t("recurrent.fig.named_of_unit", name=name,
                                  meaning=MEANING.get(name, name), unit=unit),
                          xref="paper", yref="paper", x=0, y=dom[1], yanchor="bottom",
                          xanchor="left", showarrow=False))
    layout.update(annotations=notes, legend=dict(orientation="h", y=-0.18),
                  margin=dict(l=60, r=20, t=85, b=45))  # room for the title above the panel's
    return figure(data, layout, title, 540 if len(names) > 1 else 340)
