"""The "What if?" panel: edit the example, re-run the trained cell, see what changes."""

from __future__ import annotations

import numpy as np
import streamlit as st

from memviz.documents import figures as doc_figures
from memviz.engine import figures, lesson
from memviz.recurrent import whatif
from memviz.ui import show, stepper
from memviz.ui.lang import t


def _edited_input(page: str, les: lesson.Lesson) -> np.ndarray:
    """The student's edit of the example input (T, I): the recall symbol and cue, or one cell."""
    task, tr, spec = les.run.config.task, les.trace, les.spec
    c1, c2, c3 = st.columns(3)
    if task.name == "recall":
        sym = c1.selectbox(t("whatif.symbol"), range(task.n_symbols), index=int(tr.target),
                           key=f"{page}_wi_symbol")
        cue = c2.slider(t("whatif.cue"), 2, tr.T, tr.T, key=f"{page}_wi_cue")
        return whatif.recall_input(task, sym, cue)
    step = c1.number_input(t("whatif.step"), 1, tr.T, 1, key=f"{page}_wi_step")
    ch = c2.selectbox(t("whatif.channel"), range(tr.x.shape[1]),
                      format_func=lambda k: spec.channels[k], key=f"{page}_wi_channel")
    now = float(tr.x[step - 1, ch])
    v = c3.number_input(t("whatif.value", now=f"{now:.3f}"), -2.0, 2.0, float(1.0 - round(now)),
                        0.1, key=f"{page}_wi_value")
    x = np.array(tr.x, copy=True)
    x[step - 1, ch] = v
    return x


def panel(page: str, les: lesson.Lesson) -> None:
    """Change the example and watch the trained network react (milliseconds: no training)."""
    with st.expander(t("whatif.title")):
        x = _edited_input(page, les)
        spec, tr = les.spec, les.trace
        new = whatif.rerun(les.run.model, x, whatif.target(les.run.config.task, x, tr.target))
        out = int(new.output[-1].argmax()) if spec.classify else 0
        what = t("whatif.what_class", out=out) if spec.classify else t("whatif.what_last")
        left, right = st.columns(2)
        with left:
            show.plotly(figures.input_heatmap(new, spec.channels), f"{page}_wi_input",
                        t("whatif.input_caption"))
            show.plotly(figures.saliency_strip(whatif.saliency(les.run.model, x, out), what),
                        f"{page}_wi_saliency",
                        t("whatif.saliency_caption"))
        with right:
            show.plotly(figures.prediction(new, spec), f"{page}_wi_prediction",
                        t("whatif.prediction_caption"))
            if np.array_equal(x, tr.x):  # nothing edited yet: an all-zero Δ says nothing
                st.info(t("whatif.unedited"))
            else:
                show.plotly(doc_figures.delta_heatmap(new["h"] - tr["h"], t("whatif.dh_title")),
                            f"{page}_wi_dh", t("whatif.dh_caption"))
        stepper.stepper(f"{page}_wi_stepper", new, new.T, 0, show.lecturer())
