"""LSTM lesson: train an LSTM live, then step through time beside its equations."""

import streamlit as st

from memviz.engine import equations
from memviz.recurrent import across, insight
from memviz.ui import recurrent, show, training
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "lstm"

st.title(t("lstm.title"))
show.prose(t("lstm.intro"))

les = recurrent.lesson_panels(PAGE, "lstm")
if les is not None:
    with st.expander(t("lstm.concat")):
        for col, (doc, lines) in zip(st.columns(2), equations.LSTM_CONCAT.items(), strict=True):
            with col:
                show.prose(f"**{equations.LSTM_CONCAT_TITLES[doc]}**")
                for tex in lines:
                    show.latex(tex)
        show.prose(equations.concat_note())
    cfg = les.run.config
    ho = training.store().get_or_compute(  # many held-out sequences through the trained cell
        "lstm_held_out", cfg, lambda: insight.held_out(les.run.model, cfg.task, cfg.train.seed))
    best = insight.memory_unit(ho)
    show.prose(t("lstm.look", text=insight.describe(ho, best), unit=best))
    st.subheader(t("lstm.unit_head"))
    show.prose(t("lstm.unit_intro"))
    separates = (insight.quantity(ho) is not None  # recall: only a unit that really separates
                 or insight.recall_separation(ho)[best] >= insight.SEPARATES)
    unit = recurrent.unit_choice(PAGE, cfg, les.trace.H, best, separates)
    how = (t("lstm.unit_over_time") if insight.quantity(ho) is None else
           t("lstm.unit_against", what=insight.QUANTITY.get(cfg.task.name)))
    show.plotly(across.unit_across_inputs(ho, unit), f"{PAGE}_unit_inputs",
                t("lstm.unit_caption", unit=unit, how=how))
    if unit != best:
        show.prose(insight.describe(ho, unit))
