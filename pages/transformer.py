"""Transformer lesson (document 004's other memories): a small character Transformer trained
live beside the Text lesson's LSTM, its attention stepped through, and where each keeps memory."""

import streamlit as st

from memviz.transformer import train as transformer_train
from memviz.ui import show, training
from memviz.ui import transformer as ui
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "transformer"
DOC = [
    r"\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d}}\right)V",
    r"x\leftarrow x+\mathrm{Attention}(\mathrm{LN}(x))"
    r"\qquad x\leftarrow x+\mathrm{MLP}(\mathrm{LN}(x))",
    r"y_t=f(x_t,M_t)",
]

st.title(t("transformer.title"))
show.prose(t("transformer.prose.intro"))

cfg, from_link = ui.settings(PAGE)
run = None if cfg is None else training.trained(PAGE, cfg, transformer_train.run,
                                                auto=from_link)

if run is not None:
    eq = ui.summary(run)
    st.header(t("transformer.page.race"))
    show.prose(t("transformer.prose.race"))
    ui.race(PAGE, run, eq)

    st.header(t("transformer.page.write"))
    show.prose(t("transformer.prose.write"))
    ui.generation(PAGE, run)

    st.header(t("transformer.page.step"))
    show.prose(t("transformer.prose.step"))
    tr = ui.passage(PAGE, run)
    if tr is not None:
        ui.step_through(PAGE, tr)

    st.header(t("transformer.page.memory"))
    show.prose(t("transformer.prose.memory"))
    ui.memory(PAGE, run)

    with st.expander(t("transformer.page.equations")):
        for tex in DOC:
            show.latex(tex)
        show.prose(t("transformer.prose.equations"))
