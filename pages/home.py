"""Home: what memviz teaches and where to start. Imports no torch, so it opens at once."""

import streamlit as st

from memviz.devices import describe_light
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

st.title("memviz: how neural networks remember")
st.markdown(
    "Each lesson trains a small network **live**, on this computer, and then lets you step "
    "through time to watch what it stores, what it forgets and why. Every number you see is "
    "the number the trained model computed."
)
st.info(f"Models will train on: **{describe_light().label}**")
st.markdown(
    "**Lessons**\n\n"
    "- **LSTM** — gates that decide what to keep, a cell state that carries it.\n"
    "- **GRU** — one state, an update gate and a reset gate (and where the reset gate acts).\n"
    "- **Vanilla RNN** — the plain recurrence, and why its memory fades.\n"
    "- **Why gates** — all three trained on the same task: how far back the gradient reaches, "
    "and which gates saturate.\n"
    "- **CNN** — convolution kernels as short-term memory: a digit classifier trained live, "
    "one convolution written out with its numbers, and the shape arithmetic.\n"
    "- **Memory horizon** — how many steps each kind of memory lasts: RNN, LSTM, GRU and a "
    "convolution whose kernel sees only a window.\n"
    "- **Synapses** — the neuroscience view: how repeated activity turns into lasting "
    "changes of connection strength, and what a learning rule must capture.\n"
    "- **The documents** — every equation of the five source documents beside what the app "
    "computes, with each slip shown in numbers, and a live check that the numbers on screen "
    "are the model's.\n\n"
    "Start with the LSTM page: the defaults train in about a second, then press **Play**."
)
