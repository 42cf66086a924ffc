"""Figure builders: Trace / History -> plotly figures. They never call streamlit.

Colours are colour-blind safe (Okabe-Ito for lines, cividis and a blue-red diverging scale for
heatmaps) and each gate keeps its colour on every page. Labels are plain text; equations live
in st.latex beside the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from memviz import i18n
from memviz.engine.equations import MEANING
from memviz.engine.tasks import TaskSpec
from memviz.engine.trace import Trace
from memviz.plotting import BLACK, GATE_COLORS, ROLE_COLORS, STEP_MARK, axes, figure, line, rule
from memviz.plotting import scale as colour_scale

# message keys written out, so that grep and the catalogue test see each one
BAR_TITLE_KEYS = {"bar_gate": "recurrent.fig.bar_gate", "bar_cell": "recurrent.fig.bar_cell",
                  "bar_cell_clipped": "recurrent.fig.bar_cell_clipped"}
SIGMOID_FIELDS = {"i", "f", "o", "r", "z"}  # values in (0, 1)
__all__ = ["GATE_COLORS", "STEP_MARK", "cell_note", "cell_range", "input_heatmap",
           "lesson_figures", "loss_curve", "prediction", "state_heatmaps", "unit_lines"]


CELL_OUTLIER = 3.0  # a unit whose largest |c| is this many times the median unit's is clipped


def cell_range(c: np.ndarray) -> tuple[float, list[int]]:
    """The cell state's colour range (T, H) -> (r, clipped units): the largest |c| among the
    units that are not far out of line, so one drifting unit cannot wash out the others."""
    peak = np.abs(np.asarray(c)).max(axis=0)  # (H,) each unit's largest |c|
    limit = max(CELL_OUTLIER * float(np.median(peak)), 1e-6)
    r = max(float(peak[peak <= limit].max(initial=0.0)), 1e-6)
    if r <= 1e-6:  # most units silent: no typical size to go by
        r = max(float(peak.max()), 1e-6)
    return r, [int(j) for j in np.flatnonzero(peak > r)]


def cell_note(trace: Trace) -> str | None:
    """A sentence on the cell state's colour range when it clips some units (else None)."""
    if "c" not in trace.fields:
        return None
    r, clipped = cell_range(trace["c"])
    if not clipped:
        return None
    peak = float(np.abs(trace["c"][:, clipped]).max())
    units = ", ".join(map(str, clipped))
    who = i18n.t("recurrent.fig.clipped_many" if len(clipped) > 1 else "recurrent.fig.clipped_one",
             units=units)
    return i18n.t("recurrent.fig.cell_note", r=f"{r:.2g}", who=who, peak=f"{peak:.3g}")


# each colour axis: the quantity whose scale it draws (memviz.plotting.SCALES) and its colour
# bar's title (catalogue keys but tanh)
_SCALES = {"coloraxis": ("gate", "bar_gate"), "coloraxis2": ("tanh", "tanh"),
           "coloraxis3": ("cell", "bar_cell")}


def _coloraxes(fields: Sequence[str], trace: Trace) -> dict[str, dict]:
    """The colour scales the fields use (gates 0..1, tanh-valued -1..1, the cell state
    symmetric, clipped robustly), each colour bar a share of the height: one field, one long bar.
    """
    used = list(dict.fromkeys(_axis_for(name) for name in fields))  # in order of first use
    n = len(used)
    out = {}
    for k, ax in enumerate(used):
        quantity, title = _SCALES[ax]
        lo, hi = (0.0, 1.0) if ax == "coloraxis" else (-1.0, 1.0)
        if ax == "coloraxis3":
            hi, clipped = cell_range(trace["c"])
            lo, title = -hi, "bar_cell_clipped" if clipped else "bar_cell"
        elif ax == "coloraxis2" and trace.arch == "rnn_relu":  # relu's h is not bounded by 1:
            hi = cell_range(trace["h"])[0]  # its scale spans its values, clipped as c's is
            lo, title = -hi, "h"
        title = title if title in ("tanh", "h") else i18n.t(BAR_TITLE_KEYS[title])
        bar = dict(title=title, thickness=12, len=1 / n - 0.06, x=1.01, y=1 - (k + 0.5) / n)
        out[ax] = dict(colorscale=colour_scale(quantity), cmin=lo, cmax=hi, colorbar=bar)
    return out


def _axis_for(name: str) -> str:
    if name in SIGMOID_FIELDS:
        return "coloraxis"
    return "coloraxis3" if name == "c" else "coloraxis2"


def rows(n: int, gap: float = 0.04) -> list[tuple[float, float]]:
    """Vertical domains of n stacked panels, top first."""
    h = (1 - gap * (n - 1)) / n
    return [(max(0.0, 1 - k * (h + gap) - h), 1 - k * (h + gap)) for k in range(n)]


def _step_marks(t: int) -> list[dict]:
    """A vertical line at step t over every panel."""
    return [rule(dict(color=STEP_MARK, width=2), x=t, across="paper")]


def _in_layer(title: str, layer: tuple[int, int] | None) -> str:
    """The title, saying which layer (k of n, from 1) when a stacked model has several."""
    if layer is None or layer[1] < 2:
        return title
    return i18n.t("recurrent.fig.layer", k=layer[0], n=layer[1], title=title)


def state_heatmaps(trace: Trace, fields: Sequence[str], t: int, unit: int,
                   layer: tuple[int, int] | None = None) -> go.Figure:
    """One unit x time heatmap per field (stacked, shared time axis), step t and unit marked;
    `layer` (k, n) names the layer in the title when a model has n > 1.

    Built as a plain dict: make_subplots and add_vline cost ~250 ms, this well under a tenth
    of that (the browser's stepper draws the steps; this is the exported figure).
    """
    steps = np.arange(1, trace.T + 1)
    data, layout = [], {}
    shapes, notes = _step_marks(t), []
    for k, (name, dom) in enumerate(zip(fields, rows(len(fields)), strict=True)):
        ax = "" if k == 0 else str(k + 1)
        data.append(dict(
            type="heatmap", z=trace[name].T, x=steps, y=np.arange(trace.H), xaxis="x",
            yaxis=f"y{ax}", coloraxis=_axis_for(name), meta={"field": name},
            hovertemplate=f"{name}: %{{z:.3f}}<br>" + i18n.t("recurrent.fig.hover_step_unit")
            + "<extra></extra>"))
        layout[f"yaxis{ax}"] = dict(domain=dom, title=dict(text=i18n.t("recurrent.fig.unit")),
                                    anchor="x",
                                    dtick=max(1, round(trace.H / 6)))  # whole units only
        shapes.append(rule(dict(color=STEP_MARK, width=1, dash="dot"), y=unit, across="paper",
                           on=f"y{ax}"))
        notes.append(dict(text=i18n.t("recurrent.fig.named", name=name,
                                  meaning=MEANING.get(name, name)), xref="paper",
                          yref="paper", x=0, y=dom[1], yanchor="bottom", xanchor="left",
                          showarrow=False))
    layout.update(_coloraxes(fields, trace), shapes=shapes, annotations=notes,
                  xaxis=dict(title=dict(text=i18n.t("plotting.time_step")),
                             anchor=f"y{len(fields)}",
                             dtick=max(1, round(trace.T / 10))))  # whole steps only
    return figure(data, layout, _in_layer(i18n.t("recurrent.fig.heatmaps", t=t, unit=unit), layer),
                  max(320, 120 + 150 * len(fields)))  # one field: tall enough for its bar


def unit_lines(trace: Trace, fields: Sequence[str], unit: int, t: int,
               layer: tuple[int, int] | None = None) -> go.Figure:
    """The selected unit's value of each field over time, step t marked (`layer` as in
    state_heatmaps)."""
    steps = np.arange(1, trace.T + 1)
    data = [dict(type="scatter", x=steps, y=trace[name][:, unit],
                 name=i18n.t("recurrent.fig.series", name=name, meaning=MEANING[name]),
                 meta={"field": name},
                 mode="lines+markers" if trace.T <= 60 else "lines",
                 line=dict(color=GATE_COLORS[name], width=2)) for name in fields]
    layout = dict(shapes=_step_marks(t), **axes(i18n.t("plotting.time_step"),
                                                 i18n.t("recurrent.fig.value")))
    return figure(data, layout, _in_layer(i18n.t("recurrent.fig.unit_lines", unit=unit), layer),
                  320)


def real_valued(trace: Trace) -> bool:
    """Whether the input is one real-valued signal (drawn as a line), not on/off channels."""
    return trace.x.shape[1] == 1 and not np.isin(trace.x, (0.0, 1.0)).all()


def input_heatmap(trace: Trace, channels: Sequence[str], key: bool = False) -> go.Figure:
    """The example input x as channel x time (a line for one real-valued signal); `key` adds
    a colour bar (real-valued channels, such as an embedding's, need one; on/off ones do not)."""
    steps = np.arange(1, trace.T + 1)
    if real_valued(trace):
        data = [line(steps, trace.x[:, 0], channels[0], BLACK, width=2)]
        return figure(data, axes(i18n.t("plotting.time_step"), i18n.t("recurrent.fig.input_value")),
                      i18n.t("recurrent.fig.input"), 240)
    data = [dict(type="heatmap", z=trace.x.T, x=np.arange(1, trace.T + 1), y=list(channels),
                 colorscale=colour_scale("input"), showscale=key,
                 **({"colorbar": dict(title=dict(text="x"), thickness=12)} if key else {}),
                 hovertemplate=i18n.t("recurrent.fig.input_hover") + "<extra></extra>")]
    return figure(data, axes(i18n.t("plotting.time_step"), i18n.t("recurrent.fig.channel")),
                  i18n.t("recurrent.fig.input"),
                   140 + 22 * len(channels))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def prediction(trace: Trace, spec: TaskSpec) -> go.Figure:
    """What the model answered against the target, in the task's own terms."""
    steps = np.arange(1, trace.T + 1)
    if spec.classify and not spec.per_step:  # recall: probabilities at the last step
        p, target = _softmax(trace.output[-1]), int(trace.target)
        colors = [ROLE_COLORS["right"] if k == target else ROLE_COLORS["other"]
                  for k in range(len(p))]
        data = [dict(type="bar",
                     x=[i18n.t("recurrent.task.symbol", k=k) for k in range(len(p))],
                     y=p, name=i18n.t("recurrent.fig.answer"), marker=dict(color=colors))]
        return figure(data, axes(i18n.t("recurrent.fig.answer"),
                                 i18n.t("recurrent.fig.probability"), range=[0, 1]),
                      i18n.t("recurrent.fig.recall_answer", target=target), 300)
    if not spec.per_step:  # adding: one number at the end
        data = [dict(type="bar", x=[i18n.t("recurrent.fig.model_sum"),
                                    i18n.t("recurrent.fig.true_sum")],
                     y=[float(trace.output[-1, 0]), float(trace.target)],
                     name=i18n.t("recurrent.fig.sum"),
                     marker=dict(color=[ROLE_COLORS["model"], ROLE_COLORS["truth"]]))]
        return figure(data, axes("", i18n.t("recurrent.fig.marked_sum")),
                      i18n.t("recurrent.fig.last_answer"), 300)
    if spec.classify:  # brackets: predicted depth per step
        data = [line(steps, trace.output.argmax(-1), i18n.t("recurrent.fig.predicted_depth"),
                     ROLE_COLORS["model"]),
                line(steps, trace.target, i18n.t("recurrent.fig.true_depth"), ROLE_COLORS["truth"],
                     "dot", 2)]
        y = i18n.t("recurrent.fig.depth")
    else:  # sine: forecast per step
        data = [line(steps, trace.output[:, 0], i18n.t("recurrent.fig.forecast"),
                     ROLE_COLORS["model"]),
                line(steps, trace.target, i18n.t("recurrent.fig.target"), ROLE_COLORS["truth"],
                     "dot", 2)]
        y = i18n.t("recurrent.fig.signal")
    return figure(data, axes(i18n.t("plotting.time_step"), y),
                  i18n.t("recurrent.fig.every_answer"), 300)


def loss_curve(losses: Sequence[float], baseline: float | None = None,
               words: dict[str, str] | None = None) -> go.Figure:
    """Training loss per step on a log axis, with the no-memory baseline when there is one.
    `words` puts a lesson's own title, axis titles, trace name and baseline note on the same
    curve (keys title, x, y, name, baseline)."""
    w = {"title": i18n.t("recurrent.fig.loss_title"), "x": i18n.t("recurrent.fig.training_step"),
         "y": i18n.t("recurrent.fig.loss"), "name": i18n.t("recurrent.fig.training_loss"),
         "baseline": i18n.t("recurrent.fig.baseline"), **(words or {})}
    data = [line(np.arange(1, len(losses) + 1), np.asarray(losses), w["name"],
                 ROLE_COLORS["model"], width=2)]
    layout = axes(w["x"], w["y"], type="log")
    if baseline is not None and np.isfinite(baseline):
        layout["shapes"] = [rule(dict(color=ROLE_COLORS["baseline"], dash="dash"), y=baseline,
                                 across="paper")]
        layout["annotations"] = [dict(text=w["baseline"], xref="paper", x=1,
                                      y=np.log10(baseline), xanchor="right", yanchor="bottom",
                                      showarrow=False)]
    return figure(data, layout, w["title"], 280)



def lesson_figures(les, t: int | None = None, unit: int = 0) -> dict[str, go.Figure]:
    """The figures a recurrent lesson page shows, named as the page names them (its export
    keys), at step t (default: the last) and unit `unit`: what `python -m memviz export`
    regenerates."""
    from memviz.engine.cells import FIELDS
    from memviz.engine.lesson import baseline_loss

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
    data = [dict(type="bar", x=np.arange(1, len(s) + 1), y=s,
                 marker=dict(color=ROLE_COLORS["model"]),
                 hovertemplate=i18n.t("recurrent.fig.saliency_hover") + "<extra></extra>")]
    return figure(data, axes(i18n.t("plotting.time_step"), i18n.t("recurrent.fig.saliency_axis")),
                   i18n.t("recurrent.fig.saliency", what=what), 220)
