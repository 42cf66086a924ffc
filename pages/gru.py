"""GRU lesson: two gates, one state; and document 002's other placement of the reset gate."""

import streamlit as st

from memviz.recurrent import equations
from memviz.ui import recurrent, show
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "gru"

st.title("GRU: one state, two gates")
show.prose(
    "A GRU keeps a single vector h. The **update gate** z decides, unit by unit, how much of "
    "the old state to keep (z near 1) and how much to replace with the new **candidate** n. "
    "The **reset gate** r decides how much of the old state the candidate may look at. There "
    "is no separate cell state and no output gate: what the GRU remembers is what it shows."
)

les = recurrent.lesson_panels(PAGE, "gru")
if les is not None:
    st.subheader("Where does the reset gate act?")
    left, right = st.columns(2)
    with left:
        show.prose("**PyTorch (and cuDNN): after the matrix product** — these produced "
                    "every number above.")
        show.latex(equations.CANONICAL["gru"]["n"])
    with right:
        show.prose("**Document 002 (短期记忆：利用上下文学习), as in Cho et al. 2014: "
                    "before it**")
        show.latex(r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot "
                 r"\tanh\big(W_h \cdot [r_t \odot h_{t-1}, x_t] + b_h\big)")
    show.prose(
        "In PyTorch's form the reset gate scales the *result* $W_{hn} h_{t-1} + b_{hn}$, bias "
        "included; in the document's form it scales $h_{t-1}$ *before* it is multiplied, and "
        "the bias stays outside. They are different functions of the same weights: they "
        "agree only in special cases (every $r_t = 1$, or the first step from $h_0 = 0$ with "
        "$b_{hn} = 0$). Both keep the old state with $z_t$, so the update gate means the same. "
        "The document also says the GRU has an \"update gate and an output gate\": the "
        "second gate is the reset gate; a GRU has no output gate."
    )
    recurrent.variant_panel(PAGE, les, "gru_doc002",
                            "Run these trained weights through document 002's form too")
