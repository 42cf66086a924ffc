"""Vanilla RNN lesson: one state squashed through tanh at every step."""

import streamlit as st

from memviz.ui import recurrent, show
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "rnn"

st.title("Vanilla RNN: memory by repetition")
show.prose(
    "The simplest recurrent network mixes the new input with its previous state and squashes "
    "the result through tanh, every step. Everything it remembers has to survive being "
    "multiplied by the same matrix $W_{hh}$ and squashed again and again, which is why its memory "
    "fades: compare it with the LSTM and GRU on the **Why gates** page."
)

les = recurrent.lesson_panels(PAGE, "rnn")
if les is not None:
    st.subheader("Document 001's version")
    show.prose("Document 001 (短期记忆：利用上下文学习) writes the state and the output as")
    show.latex(r"h_t = f(Wx_t + Uh_{t-1},\, b) \qquad y_t = g(h_t \cdot x_t + v)")
    show.prose(
        "- The bias is written as a second argument of $f$; what is meant, and what PyTorch "
        r"computes, is $h_t = \tanh(W x_t + U h_{t-1} + b)$ (PyTorch keeps two biases, "
        "$b = b_{ih} + b_{hh}$, the same function).\n"
        r"- The output multiplies the state with the *current input*, $h_t \cdot x_t$. A "
        "readout reads the state through its own weights: $y_t = g(V h_t + c)$, which is what "
        r"this model does (its linear readout). With $h_t \cdot x_t$ the answer would be the "
        "constant $g(v)$ whenever the input is zero (the delay steps of delayed recall), and at "
        "the cue, whose input is $[0, 0, 0, 0, 1]$, it would be $g(v + h_T[4])$: one unit of "
        "the state, "
        "whichever symbol is stored. It could never use more units than the input has "
        "channels (the **Documents** page plots it on the trained weights)."
    )
