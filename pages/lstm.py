"""LSTM lesson: train an LSTM live, then step through time beside its equations."""

import streamlit as st

from memviz.recurrent import equations
from memviz.ui import recurrent, show
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "lstm"

st.title("LSTM: a cell that decides what to keep")
show.prose(
    "An LSTM carries two vectors from step to step: the **hidden state** h, which it shows to "
    "the rest of the network, and the **cell state** c, a conveyor belt it writes to and "
    "erases from. Three gates, each a number between 0 and 1 per unit, decide: the forget "
    "gate f how much of the old cell state to keep, the input gate i how much of the new "
    "candidate g to write, the output gate o how much of the cell to reveal. Train one below, "
    "then step through a sequence and watch the gates open and close."
)

les = recurrent.lesson_panels(PAGE, "lstm")
if les is not None:
    with st.expander("The same equations as documents 000 and 002 write them"):
        for col, (doc, lines) in zip(st.columns(2), equations.LSTM_CONCAT.items(), strict=True):
            with col:
                show.prose(f"**{equations.LSTM_CONCAT_TITLES[doc]}**")
                for tex in lines:
                    show.latex(tex)
        show.prose(equations.LSTM_CONCAT_NOTE)
    show.prose(
        "**What to look for.** On delayed recall, find a unit whose forget gate stays near 1 "
        "from step 1 to the cue: its cell state holds the symbol across the delay while the "
        "input gate stays shut. At the cue, the output gate opens and the answer appears in h."
    )
