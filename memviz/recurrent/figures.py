"""Figure builders: Trace / History -> plotly figures. They never call streamlit.

Colours are colour-blind safe (Okabe-Ito for lines, cividis and a blue-red diverging scale for
heatmaps) and each gate keeps its colour on every page. Labels are plain text; equations live
in st.latex beside the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from memviz.plotting import GATE_COLORS, axes, figure, line
from memviz.recurrent.equations import MEANING
from memviz.recurrent.tasks import TaskSpec
from memviz.recurrent.trace import Trace

SIGMOID_FIELDS = {"i", "f", "o", "r", "z"}  # values in (0, 1)
STEP_MARK = "#E69F00"
# Old private names, kept for modules written before memviz.plotting existed.
_figure, _axes, _line = figure, axes, line
__all__ = ["GATE_COLORS", "STEP_MARK", "input_heatmap", "lesson_figures", "loss_curve",
           "prediction", "state_heatmaps", "unit_lines"]
def _coloraxes(fields: Sequence[str], trace: Trace) -> dict[str, dict]:
    """Shared colour scales: gates 0..1, tanh-valued fields -1..1, the cell state symmetric."""
    c_max = float(np.abs(trace["c"]).max()) if "c" in fields else 1.0
    bar = dict(thickness=12, len=0.3, x=1.01)
    return {
        "coloraxis": dict(colorscale="Cividis", cmin=0, cmax=1,
                          colorbar=dict(title="gate", y=0.85, **bar)),
        "coloraxis2": dict(colorscale="RdBu_r", cmin=-1, cmax=1,
                           colorbar=dict(title="tanh", y=0.5, **bar)),
        "coloraxis3": dict(colorscale="RdBu_r", cmin=-max(c_max, 1e-6), cmax=max(c_max, 1e-6),
                           colorbar=dict(title="cell", y=0.15, **bar)),
    }


def _axis_for(name: str) -> str:
    if name in SIGMOID_FIELDS:
        return "coloraxis"
    return "coloraxis3" if name == "c" else "coloraxis2"


def _rows(n: int, gap: float = 0.04) -> list[tuple[float, float]]:
    """Vertical domains of n stacked panels, top first."""
    h = (1 - gap * (n - 1)) / n
    return [(max(0.0, 1 - k * (h + gap) - h), 1 - k * (h + gap)) for k in range(n)]


def _step_marks(t: int) -> list[dict]:
    """A vertical line at step t over every panel."""
    return [dict(type="line", xref="x", yref="paper", x0=t, x1=t, y0=0, y1=1,
                 line=dict(color=STEP_MARK, width=2))]


def state_heatmaps(trace: Trace, fields: Sequence[str], t: int, unit: int) -> go.Figure:
    """One unit x time heatmap per field (stacked, shared time axis), step t and unit marked.

    Built as a plain dict: make_subplots and add_vline cost ~250 ms, this ~5 ms, and it is
    rebuilt on every step move.
    """
    steps = np.arange(1, trace.T + 1)
    data, layout = [], {}
    shapes, notes = _step_marks(t), []
    for k, (name, dom) in enumerate(zip(fields, _rows(len(fields)), strict=True)):
        ax = "" if k == 0 else str(k + 1)
        data.append(dict(
            type="heatmap", z=trace[name].T, x=steps, y=np.arange(trace.H), xaxis="x",
            yaxis=f"y{ax}", coloraxis=_axis_for(name), meta={"field": name},
            hovertemplate=f"{name}: %{{z:.3f}}<br>step %{{x}}, unit %{{y}}<extra></extra>"))
        layout[f"yaxis{ax}"] = dict(domain=dom, title=dict(text="unit"), anchor="x",
                                    dtick=max(1, round(trace.H / 6)))  # whole units only
        shapes.append(dict(type="line", xref="paper", yref=f"y{ax}", x0=0, x1=1, y0=unit,
                           y1=unit, line=dict(color=STEP_MARK, width=1, dash="dot")))
        notes.append(dict(text=f"<b>{name}</b>  ({MEANING.get(name, name)})", xref="paper",
                          yref="paper", x=0, y=dom[1], yanchor="bottom", xanchor="left",
                          showarrow=False))
    layout.update(_coloraxes(fields, trace), shapes=shapes, annotations=notes,
                  xaxis=dict(title=dict(text="time step t"), anchor=f"y{len(fields)}",
                             dtick=max(1, round(trace.T / 10))))  # whole steps only
    return figure(data, layout, f"Every unit at every step (step {t} and unit {unit} marked)",
                   120 + 150 * len(fields))


def unit_lines(trace: Trace, fields: Sequence[str], unit: int, t: int) -> go.Figure:
    """The selected unit's value of each field over time, step t marked."""
    steps = np.arange(1, trace.T + 1)
    data = [dict(type="scatter", x=steps, y=trace[name][:, unit],
                 name=f"{name} ({MEANING[name]})", meta={"field": name},
                 mode="lines+markers" if trace.T <= 60 else "lines",
                 line=dict(color=GATE_COLORS[name], width=2)) for name in fields]
    layout = dict(shapes=_step_marks(t), **axes("time step t", "value"))
    return figure(data, layout, f"Unit {unit} over time", 320)


def real_valued(trace: Trace) -> bool:
    """Whether the input is one real-valued signal (drawn as a line), not on/off channels."""
    return trace.x.shape[1] == 1 and not np.isin(trace.x, (0.0, 1.0)).all()


def input_heatmap(trace: Trace, channels: Sequence[str]) -> go.Figure:
    """The example input x as channel x time (a line for one real-valued signal)."""
    steps = np.arange(1, trace.T + 1)
    if real_valued(trace):
        data = [line(steps, trace.x[:, 0], channels[0], "#000000", width=2)]
        return figure(data, axes("time step t", "input value"), "The example input x_t", 240)
    data = [dict(type="heatmap", z=trace.x.T, x=np.arange(1, trace.T + 1), y=list(channels),
                 colorscale=[[0, "#FFFFFF"], [1, "#1A1A1A"]], showscale=False,
                 hovertemplate="%{y}: %{z:.3f} at step %{x}<extra></extra>")]
    return figure(data, axes("time step t", "channel"), "The example input x_t",
                   140 + 22 * len(channels))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def prediction(trace: Trace, spec: TaskSpec) -> go.Figure:
    """What the model answered against the target, in the task's own terms."""
    steps = np.arange(1, trace.T + 1)
    if spec.classify and not spec.per_step:  # recall: probabilities at the last step
        p, target = _softmax(trace.output[-1]), int(trace.target)
        colors = ["#009E73" if k == target else "#999999" for k in range(len(p))]
        data = [dict(type="bar", x=[f"symbol {k}" for k in range(len(p))], y=p, name="answer",
                     marker=dict(color=colors))]
        return figure(data, axes("answer", "probability", range=[0, 1]),
                       f"Answer at the last step (green: symbol {target}, the one shown)", 300)
    if not spec.per_step:  # adding: one number at the end
        data = [dict(type="bar", x=["model's sum", "true sum"],
                     y=[float(trace.output[-1, 0]), float(trace.target)], name="sum",
                     marker=dict(color=["#0072B2", "#000000"]))]
        return figure(data, axes("", "sum of the marked values"), "Answer at the last step", 300)
    if spec.classify:  # brackets: predicted depth per step
        data = [line(steps, trace.output.argmax(-1), "predicted depth", "#0072B2"),
                line(steps, trace.target, "true depth", "#000000", "dot", 2)]
        y = "nesting depth"
    else:  # sine: forecast per step
        data = [line(steps, trace.output[:, 0], "forecast", "#0072B2"),
                line(steps, trace.target, "next value (target)", "#000000", "dot", 2)]
        y = "signal"
    return figure(data, axes("time step t", y), "Answer at every step against the target", 300)


def loss_curve(losses: Sequence[float], baseline: float | None = None) -> go.Figure:
    """Training loss per step on a log axis, with the no-memory baseline when there is one."""
    data = [line(np.arange(1, len(losses) + 1), np.asarray(losses), "training loss",
                  "#0072B2", width=2)]
    layout = axes("training step", "loss", type="log")
    if baseline is not None and np.isfinite(baseline):
        layout["shapes"] = [dict(type="line", xref="paper", x0=0, x1=1, y0=baseline, y1=baseline,
                                 line=dict(color="#999999", dash="dash"))]
        layout["annotations"] = [dict(text="no-memory baseline", xref="paper", x=1,
                                      y=np.log10(baseline), xanchor="right", yanchor="bottom",
                                      showarrow=False)]
    return figure(data, layout, "Training loss", 280)



def lesson_figures(les, t: int | None = None, unit: int = 0) -> dict[str, go.Figure]:
    """The figures a recurrent lesson page shows, named as the page names them (its export
    keys), at step t (default: the last) and unit `unit`: what `python -m memviz export`
    regenerates."""
    from memviz.recurrent.cells import FIELDS
    from memviz.recurrent.lesson import baseline_loss

    tr, page = les.trace, les.run.config.model.arch
    t = tr.T if t is None else min(max(int(t), 1), tr.T)
    unit = min(max(int(unit), 0), tr.H - 1)
    fields = FIELDS[tr.arch]  # (figure names below are the page's export keys)
    return {
        f"{page}_loss": loss_curve(les.run.history.losses, baseline_loss(les.run.config)),
        f"{page}_input": input_heatmap(tr, les.spec.channels),
        f"{page}_prediction": prediction(tr, les.spec),
        f"{page}_heatmaps": state_heatmaps(tr, fields, t, unit),
        f"{page}_unit_lines": unit_lines(tr, fields, unit, t),
    }


def saliency_strip(s: np.ndarray, what: str) -> go.Figure:
    """|d answer / d x_t| per input step (T,) as one row of bars under the input."""
    data = [dict(type="bar", x=np.arange(1, len(s) + 1), y=s, marker=dict(color="#0072B2"),
                 hovertemplate="step %{x}: %{y:.4f}<extra></extra>")]
    return _figure(data, _axes("time step t", "|d answer / d x_t|"),
                   f"Saliency of {what}", 220)
