"""Text lesson (document 004): a character-level LSTM that writes, and the cells that read."""

import re
from pathlib import Path

import streamlit as st

from memviz.config import ConfigError
from memviz.recurrent import equations
from memviz.text import cellfinder
from memviz.text import train as text_train
from memviz.ui import recurrent, show, training
from memviz.ui import text as ui
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "text"
TEXT = dict(re.findall(r"<!-- section: (\w+) -->\n(.*?)(?=\n<!-- section|\Z)",
                       Path(__file__).with_suffix(".md").read_text(encoding="utf-8"), re.S))
DOC004 = [
    r"i_t=\sigma(w_{it}x_t+w_{ft}m_{t-1}+b_i)",
    r"f_t=\sigma(w_{ft}x_t+w_{ft}m_{t-1}+b_f)",
    r"o_t=\sigma(w_{ot}x_t+w_{ot}m_{t-1}+b_o)",
    r"g_t=\tanh(w_mx_t+w_mm_{t-1}+b_m)",
    r"c_t=f_t\odot m_{t-1}+i_t\odot g_t \qquad h_t=o_t\odot\tanh(c_t)",
    r"p=\frac{\exp(p)}{\sum\exp(p)}",
]

st.title("Text: a character model that writes")
show.prose(TEXT["intro"])

cfg, from_link = ui.settings(PAGE)
run = None if cfg is None else training.trained(PAGE, cfg, text_train.run, auto=from_link)

if run is not None:
    ui.summary(run)
    show.prose(TEXT["score"])

    st.header("Let it write")
    show.prose(TEXT["generate"])
    ui.generation(PAGE, run)

    st.header("Step through a passage")
    show.prose(TEXT["step"])
    default = run.split.held_text[:60]
    passage = st.text_input("Passage (characters the model knows)", default,
                            key=f"{PAGE}_passage", max_chars=200)
    tr = None
    try:
        if passage:
            tr = ui.cached("text.trace", (cfg, passage),
                           lambda: cellfinder.record(run.model, run.split.vocab, passage))
        else:
            st.info("Type a passage to step through.")
    except ConfigError as e:
        st.error(f"This passage cannot be read: {e}.")
    if tr is not None:
        show.caption(f"The numbers come from the cell written out gate by gate with the trained "
                     f"weights; torch's nn.{cfg.arch.upper()} gives the same h to within "
                     f"{tr.max_abs_diff:.1e}.")
        slip = ui.softmax_at(PAGE, tr, run.split.vocab.chars, passage,
                             "Blue: the model's probabilities for the next character. Orange: "
                             "the same logits put through the softmax twice, as document 004's "
                             "line reads literally: almost flat.")
        recurrent.step_through(PAGE, ui.StepLesson(tr, run), extra=ui.keeping_url(PAGE, slip))
        show.prose(TEXT["slip"])

    st.header("Cells that read")
    show.prose(TEXT["cells"])
    ui.cells(PAGE, run)

    with st.expander("Document 004's equations as written"):
        for tex in DOC004:
            show.latex(tex)
        show.prose(TEXT["doc004"])
        for tex in equations.CANONICAL[cfg.arch].values():
            show.latex(tex)
