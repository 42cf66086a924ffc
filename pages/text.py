"""Text lesson (document 004): a character-level LSTM that writes, and the cells that read."""

import streamlit as st

from memviz.config import ConfigError
from memviz.engine import equations
from memviz.text import cellfinder
from memviz.text import train as text_train
from memviz.ui import show, steppanel, training
from memviz.ui import text as ui
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "text"
DOC004 = [
    r"i_t=\sigma(w_{it}x_t+w_{ft}m_{t-1}+b_i)",
    r"f_t=\sigma(w_{ft}x_t+w_{ft}m_{t-1}+b_f)",
    r"o_t=\sigma(w_{ot}x_t+w_{ot}m_{t-1}+b_o)",
    r"g_t=\tanh(w_mx_t+w_mm_{t-1}+b_m)",
    r"c_t=f_t\odot m_{t-1}+i_t\odot g_t \qquad h_t=o_t\odot\tanh(c_t)",
    r"p=\frac{\exp(p)}{\sum\exp(p)}",
]

st.title(t("text.title"))
show.prose(t("text.prose.intro"))

cfg, from_link = ui.settings(PAGE)
if cfg is not None and cfg.source == "text":
    ui.size_check(cfg)  # too small to learn from? said before anything trains
run = None if cfg is None else training.trained(PAGE, cfg, text_train.run, auto=from_link)

if run is not None:
    ui.summary(run)
    show.prose(t("text.prose.score"))

    st.header(t("text.page.write"))
    show.prose(t("text.prose.generate"))
    ui.generation(PAGE, run)

    st.header(t("text.page.step"))
    show.prose(t("text.prose.step"))
    default = run.split.held_text[:60]
    passage = st.text_input(t("text.page.passage"), default,
                            key=f"{PAGE}_passage", max_chars=200)
    tr = None
    try:
        if passage:
            tr = ui.cached("text.trace", (cfg, passage),
                           lambda: cellfinder.record(run.model, run.split.vocab, passage))
        else:
            st.info(t("text.page.type_passage"))
    except ConfigError as e:
        st.error(t("text.page.bad_passage", error=show.literal(e)))
    if tr is not None:
        show.caption(t("text.page.checked", module=cfg.arch.upper(),
                       diff=f"{tr.max_abs_diff:.1e}"))
        slip = ui.softmax_at(PAGE, tr, run.split.vocab.chars, passage,
                             t("text.page.slip_caption"))
        steppanel.step_through(PAGE, steppanel.TraceLesson(run, tr), extra=slip)
        show.prose(t("text.prose.slip"))

    st.header(t("text.page.cells"))
    show.prose(t("text.prose.cells"))
    ui.cells(PAGE, run)

    with st.expander(t("text.page.doc004")):
        for tex in DOC004:
            show.latex(tex)
        show.prose(t("text.prose.doc004"))
        for tex in equations.CANONICAL[cfg.arch].values():
            show.latex(tex)
