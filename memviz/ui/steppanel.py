"""The step-through every lesson with a recorded Trace shares: the in-browser stepper (heatmaps,
unit curves, live equations, Play), a control over training checkpoints, the step's exports,
and the step kept in the URL; a page may add its own panel for the step (`extra`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from memviz.config import HIDDEN, SEQ_LEN, Int
from memviz.engine import cells, equations, figures, lesson
from memviz.ui import lang, show, stepper, urlstate
from memviz.ui.lang import t


def step_settings() -> list[urlstate.Setting]:
    """The step-through's own URL names (t, unit): a page whose own table saves them beside its
    settings keeps a shared link's step, since saving a whole table drops names not in it."""
    return [urlstate.Setting("t", Int("time step t", 1, SEQ_LEN.hi), None, view=True),
            urlstate.Setting("unit", Int("unit", 0, HIDDEN.hi - 1), None, view=True)]


def _checkpoint(page: str, les: lesson.Lesson) -> lesson.Checkpoint | None:
    """A "Training step" control over the recorded checkpoints (None if there are none)."""
    points = {c.step: c for c in getattr(les, "checkpoints", ())}
    if len(points) < 2:
        return None
    key = f"{page}_ckpt"
    if st.session_state.get(key) not in points:
        st.session_state[key] = max(points)
    watch = ("recurrent.ui.checkpoint_help_rnn" if les.trace.arch == "rnn"  # an RNN has no
             else "recurrent.ui.checkpoint_help_gates")  # gates to watch
    step = st.select_slider(t("recurrent.ui.checkpoint"), list(points), key=key,
                            help=t(watch))
    c = points[step]
    acc = "" if c.accuracy is None else t("recurrent.ui.checkpoint_accuracy",
                                          accuracy=f"{100 * c.accuracy:.1f}%")
    show.caption(t("recurrent.ui.checkpoint_note", step=step, loss=f"{c.loss:.4f}", acc=acc))
    return c


def _step_panel(page: str, les: lesson.Lesson | TraceLesson, extra=None) -> None:
    lang.sync()  # a fragment-only run: the session's language, not the thread's default
    point = _checkpoint(page, les)
    tr = les.trace if point is None else point.trace
    k = min(max(int(st.session_state.get(f"{page}_t", tr.T)), 1), tr.T)
    j = min(max(int(st.session_state.get(f"{page}_unit", 0)), 0), tr.H - 1)
    view = stepper.stepper(f"{page}_stepper", tr, k, j, show.lecturer())
    if view is not None:  # where the student settled in the browser: keep it for the URL
        k, j = min(max(view["t"], 1), tr.T), min(max(view["unit"], 0), tr.H - 1)
    st.session_state[f"{page}_t"], st.session_state[f"{page}_unit"] = k, j
    urlstate.Table(page, step_settings()).save(["t", "unit"])
    show.note_config({**les.run.config.to_dict(), "view": {"t": k, "unit": j}})
    for name, tex in equations.live(tr, k, j).items():
        show.note_equation(tex, key=f"{page}_eq_{name}")
    fields = cells.FIELDS[tr.arch]
    c1, c2, _ = st.columns([1, 1, 3])
    with c1:
        show.export_only(lambda: figures.state_heatmaps(tr, fields, k, j), f"{page}_heatmaps",
                         t("recurrent.ui.export_heatmaps"))
    with c2:
        show.export_only(lambda: figures.unit_lines(tr, fields, j, k), f"{page}_unit_lines",
                         t("recurrent.ui.export_lines"))
    show.caption(t("recurrent.ui.export_note", t=k, j=j))
    clipped = figures.cell_note(tr)
    if clipped:
        show.caption(clipped)
    if extra is not None:
        extra(k, j)


@dataclass(frozen=True)
class TraceLesson:
    """What step_through reads from a lesson, for lessons that are not recurrent.Lesson:
    a recorded Trace and a run whose `config.to_dict()` describes it (forecasting, sentiment)."""

    run: Any
    trace: Any


def step_through(page: str, les: lesson.Lesson | TraceLesson, extra=None) -> None:
    """Step through the recorded trace in the browser (heatmaps, unit curves, live equations,
    Play), with a control over training checkpoints; in a fragment, so the step the browser
    reports back (for the URL and the exports) reruns only this panel, never training.
    `les` needs only `.trace` and `.run.config.to_dict()` (checkpoints if it has them);
    `extra(t, unit)`, if given, draws a page's own panel for the step inside the fragment.
    """
    st.fragment(_step_panel)(page, les, extra)
