"""GRU lesson: two gates, one state; and document 002's other placement of the reset gate."""

import streamlit as st

from memviz.engine import equations
from memviz.ui import recurrent, show
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "gru"

st.title(t("gru.title"))
show.prose(t("gru.intro"))

les = recurrent.lesson_panels(PAGE, "gru")
if les is not None:
    st.subheader(t("gru.where_head"))
    left, right = st.columns(2)
    with left:
        show.prose(t("gru.pytorch"))
        show.latex(equations.CANONICAL["gru"]["n"])
    with right:
        show.prose(t("gru.doc002"))
        show.latex(r"\begin{aligned}h_t &= z_t \odot h_{t-1} \\ &\quad + (1 - z_t) \odot "
                   r"\tanh\big(W_h \cdot [r_t \odot h_{t-1}, x_t] + b_h\big)\end{aligned}")
    show.prose(t("gru.explain"))
    recurrent.variant_panel(PAGE, les, "gru_doc002", t("gru.variant"))
