"""Vanilla RNN lesson: one state squashed through tanh at every step."""

import streamlit as st

from memviz.recurrent import presets
from memviz.ui import recurrent, show
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "rnn"

st.title(t("rnn.title"))
FORGETS = presets.rnn_forgets()  # the intro's two delays: this page's default and the preset's
show.prose(t("rnn.intro", T=recurrent.settings_table(PAGE).defaults()["seq_len"],
             preset=FORGETS.title, T_long=FORGETS.config.task.seq_len))

les = recurrent.lesson_panels(PAGE, "rnn")
if les is not None:
    st.subheader(t("rnn.doc001_head"))
    show.prose(t("rnn.doc001_intro"))
    show.latex(r"h_t = f(Wx_t + Uh_{t-1},\, b) \qquad y_t = g(h_t \cdot x_t + v)")
    show.prose(t("rnn.doc001_notes"))
