"""Why gates: RNN, LSTM and GRU on the same task; how far back the gradient reaches."""

import streamlit as st

from memviz.gates import figures as gradient_figures
from memviz.gates import gradients
from memviz.ui import recurrent, show, training
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "gates"

st.title(t("gates.title"))
show.prose(t("gates.intro"))

cfg = recurrent.controls(PAGE, "lstm")  # defaults: T = 40, lr 0.003 (gradients.DEFAULTS)
if cfg is not None:
    show.caption(recurrent.task_note(cfg) + " " + t("gates.all_three"))
    study = training.trained(PAGE, cfg, gradients.study, label=t("gates.train"),
                             auto=st.session_state.get(f"{PAGE}_from_link", False))  # one rule
    if study is not None:
        cols = st.columns(3)
        for col, (arch, les) in zip(cols, study.lessons.items(), strict=True):
            h = les.run.history
            score = (t("gates.metric.accuracy", acc=h.eval_accuracy)
                     if h.eval_accuracy is not None else t("gates.metric.loss", loss=h.eval_loss))
            col.metric(t("gates.metric.label", arch=gradient_figures.ARCH_NAMES[arch],
                         seconds=h.seconds), score)
        lucky = gradients.lucky_note(study)
        if lucky:
            st.info(lucky)
        st.subheader(t("gates.during.subheader"))
        start = {a: gradients.sci(study.reach_at_start(a)) for a in study.reach}
        show.plotly(gradient_figures.reach_during_training(study), f"{PAGE}_reach_training",
                    t("gates.during.caption", **start))
        st.subheader(t("gates.after.subheader"))
        # in this run's language
        measures = {"loss": t("gates.after.loss"), "jacobian": t("gates.after.jacobian")}
        which = st.radio(t("gates.after.measure"), list(measures), horizontal=True,
                         key=f"{PAGE}_which", format_func=measures.get)
        show.plotly(gradient_figures.gradient_reach(study, which), f"{PAGE}_reach",
                    t("gates.after.caption") + (gradients.dashed_note(study, which) or ""))
        show.prose(t("gates.lucky_prose"))
        st.subheader(t("gates.saturate.subheader"))
        show.prose(t("gates.saturate.prose"))
        left, right = st.columns(2)
        for col, arch in ((left, "lstm"), (right, "gru")):
            with col:
                show.plotly(gradient_figures.saturation_scatter(study, arch), f"{PAGE}_sat_{arch}",
                            t("gates.saturate.caption"))
