"""Vanilla RNN lesson: one state squashed through tanh at every step."""

import streamlit as st

from memviz.ui import recurrent, show
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "rnn"

st.title(t("rnn.title"))
show.prose(t("rnn.intro"))

les = recurrent.lesson_panels(PAGE, "rnn")
if les is not None:
    st.subheader(t("rnn.doc001_head"))
    show.prose(t("rnn.doc001_intro"))
    show.latex(r"h_t = f(Wx_t + Uh_{t-1},\, b) \qquad y_t = g(h_t \cdot x_t + v)")
    show.prose(t("rnn.doc001_notes"))
