"""Figures for the "why gates" lesson: gradient reach and gate saturation. No streamlit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from memviz.gates.gradients import Study
from memviz.i18n import t
from memviz.plotting import ARCH_COLORS, ARCH_NAMES, GATE_COLORS, GREY, WHITE, figure, line

# message keys written out, so that grep and the catalogue test see each one
GATE_KEYS = {"i": "gates.fig.gate.i", "f": "gates.fig.gate.f", "o": "gates.fig.gate.o",
    "r": "gates.fig.gate.r", "z": "gates.fig.gate.z"}

NO_BOX = "<extra></extra>"  # no trace-name box beside the hover text


def _log_axes(x: str, y: str) -> dict:
    return dict(xaxis=dict(title=dict(text=x)),
                yaxis=dict(title=dict(text=y), type="log", exponentformat="power"))


def _floor(v: np.ndarray) -> np.ndarray:
    """Zeros cannot sit on a log axis: show them at 1e-30 (far below anything else)."""
    return np.maximum(v, 1e-30)


def gradient_reach(study: Study, which: str = "loss") -> go.Figure:
    """||dL/dh_t|| (which='loss') or ||dh_T/dh_t|| ('jacobian') per step, one line per cell.

    For the LSTM the mean product of forget gates from t to T is drawn beside it (dashed).
    """
    T = study.config.task.seq_len
    steps = np.arange(1, T + 1)
    data = []
    for arch, fl in study.flows.items():
        y = fl.loss_grad if which == "loss" else fl.jacobian
        data.append(line(steps, _floor(y), ARCH_NAMES[arch], ARCH_COLORS[arch]))
    lstm = study.flows.get("lstm")
    if lstm is not None and lstm.forget_product is not None:
        data.append(line(steps, _floor(lstm.forget_product),
                          t("gates.fig.forget_product"),
                          ARCH_COLORS["lstm"], "dash", 2))
    title = t("gates.fig.loss_title" if which == "loss" else "gates.fig.jacobian_title")
    y = "||dL/dh_t||" if which == "loss" else "||dh_T/dh_t||"
    layout = dict(**_log_axes(t("plotting.time_step"), y), legend=dict(orientation="h", y=-0.25))
    return figure(data, layout, title, 420)


SHOWN_STEPS = (0, 30, 100)  # checkpoints drawn besides the last: initialisation and early on


def shown_checkpoints(study: Study) -> list[int]:
    """The training steps the reach-during-training figure draws: 0, 30, 100 and the end."""
    steps = sorted(next(iter(study.reach.values())))
    return sorted({s for s in steps if s in SHOWN_STEPS} | {steps[-1]})


def _when(step: int, last: int) -> str:
    if step == 0:
        return t("gates.fig.init")
    return t("gates.fig.after_end" if step == last else "gates.fig.after", step=step)


def reach_during_training(study: Study) -> go.Figure:
    """||dL/dh_t|| / ||dL/dh_T|| of the three cells side by side, one panel per checkpoint
    (initialisation first): how far back the error reaches while each cell is learning."""
    T = study.config.task.seq_len
    steps, shown = np.arange(1, T + 1), shown_checkpoints(study)
    n, gap = len(shown), 0.03
    width = (1 - gap * (n - 1)) / n
    data, layout, notes = [], {}, []
    for k, step in enumerate(shown):
        ax = "" if k == 0 else str(k + 1)
        x0 = k * (width + gap)
        layout[f"xaxis{ax}"] = dict(domain=[x0, x0 + width], anchor=f"y{ax}",
                                    title=dict(text=t("plotting.time_step")))
        layout[f"yaxis{ax}"] = dict(anchor=f"x{ax}", type="log", exponentformat="power",
                                    domain=[0, 1],
                                    **({} if k == 0 else dict(matches="y", showticklabels=False)))
        notes.append(dict(text=_when(step, shown[-1]), xref="paper", yref="paper",
                          x=x0 + width / 2, y=1.0, yanchor="bottom", xanchor="center",
                          showarrow=False))
        for arch, by_step in study.reach.items():
            tr = line(steps, _floor(by_step[step]), ARCH_NAMES[arch], ARCH_COLORS[arch])
            data.append({**tr, "xaxis": f"x{ax}", "yaxis": f"y{ax}", "legendgroup": arch,
                         "showlegend": k == 0,
                         "hovertemplate": t("gates.fig.hover", arch=ARCH_NAMES[arch]) + NO_BOX})
    layout["yaxis"]["title"] = dict(text="||dL/dh_t|| / ||dL/dh_T||")
    layout.update(annotations=notes, legend=dict(orientation="h", y=-0.25),
                  margin=dict(l=70, r=20, t=80, b=45))
    return figure(data, layout, t("gates.fig.reach_title"), 400)


def saturation_scatter(study: Study, arch: str) -> go.Figure:
    """Each gate unit: fraction of steps above 0.9 (x) against below 0.1 (y)."""
    data = []
    for gate, (low, high) in study.saturation[arch].items():
        data.append(dict(type="scatter", mode="markers", x=high, y=low,
                         name=t(GATE_KEYS[gate]),
                         marker=dict(color=GATE_COLORS[gate], size=9, opacity=0.8,
                                     line=dict(color=WHITE, width=1)),
                         hovertemplate=t("gates.fig.unit_hover", gate=gate) + NO_BOX))
    edge = dict(type="line", x0=0, y0=1, x1=1, y1=0, line=dict(color=GREY, dash="dot"))
    layout = dict(xaxis=dict(title=dict(text=t("gates.fig.open")),
                             range=[-0.03, 1.03]),
                  yaxis=dict(title=dict(text=t("gates.fig.closed")),
                             range=[-0.03, 1.03]),
                  shapes=[edge])
    return figure(data, layout, t("gates.fig.saturation_title", arch=ARCH_NAMES[arch]), 420)
