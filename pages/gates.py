"""Why gates: RNN, LSTM and GRU on the same task; how far back the gradient reaches."""

import streamlit as st

from memviz.gates import figures as gradient_figures
from memviz.gates import gradients
from memviz.ui import recurrent, show, training
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "gates"

st.title("Why gates keep gradients alive")
show.prose(
    "A network learns to remember step 1 only if the error at the end can reach step 1. In a "
    "vanilla RNN that error passes back through tanh and W_hh once per step and usually "
    "shrinks geometrically. The LSTM's cell state offers a second road, c_t = f_t c_{t-1} + "
    "…, on which the error is only multiplied by the forget gates; while they stay near 1 the "
    "road is open. Train all three cells on the same task and see."
)

cfg = recurrent.controls(PAGE, "lstm", seq_len=50)  # long enough for the decay to show
if cfg is not None:
    show.caption(recurrent.task_note(cfg) + " All three cells train on it, one after another.")
    study = training.trained(PAGE, cfg, gradients.study, label="Train RNN, LSTM and GRU")
    if study is not None:
        cols = st.columns(3)
        for col, (arch, les) in zip(cols, study.lessons.items(), strict=True):
            h = les.run.history
            score = (f"{h.eval_accuracy:.0%} accuracy" if h.eval_accuracy is not None
                     else f"loss {h.eval_loss:.4f}")
            col.metric(f"{gradient_figures.ARCH_NAMES[arch]} (trained in {h.seconds:.1f} s)",
                       score)
        which = st.radio("Measure", ["loss", "jacobian"], horizontal=True, key=f"{PAGE}_which",
                         format_func={"loss": "‖∂L/∂h_t‖: the error reaching step t",
                                      "jacobian": "‖∂h_T/∂h_t‖: the last state's "
                                                  "sensitivity to step t"}.get)
        show.plotly(gradient_figures.gradient_reach(study, which), f"{PAGE}_reach",
                    "Read from right to left: each step back in time, how much gradient is left "
                    "(log scale, so a straight falling line is exponential decay). The dashed "
                    "line multiplies the LSTM's forget gates: where it stays high, so does the "
                    "LSTM's gradient.")
        st.subheader("Which gates saturate?")
        show.prose(
            "Karpathy, Johnson & Fei-Fei (2015) counted how often each gate is nearly shut "
            "(below 0.1) or nearly open (above 0.9). Here over a batch of 64 sequences."
        )
        left, right = st.columns(2)
        for col, arch in ((left, "lstm"), (right, "gru")):
            with col:
                show.plotly(gradient_figures.saturation_scatter(study, arch), f"{PAGE}_sat_{arch}",
                            "One dot per gate unit. Dots near the right edge are open almost "
                            "always: forget (LSTM) or update (GRU) units there are integrators "
                            "that carry information across the sequence; dots in the middle "
                            "switch with the input.")
