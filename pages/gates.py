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
    "vanilla RNN that error passes back through tanh and $W_{hh}$ once per step and usually "
    "shrinks geometrically: by a similar factor at every step, so after a few dozen steps "
    "next to nothing is left. The LSTM's cell state offers a second road, "
    r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$, on which the error is only multiplied by the "
    "forget gates; while they stay near 1 the road is open. The GRU's update gate keeps a "
    "similar road for h. Train all three cells on the same task and see."
)

cfg = recurrent.controls(PAGE, "lstm")  # defaults: T = 40, lr 0.003 (gradients.DEFAULTS)
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
        lucky = gradients.lucky_note(study)
        if lucky:
            st.info(lucky)
        st.subheader("How far the error reaches while the cells learn")
        start = {a: gradients.sci(study.reach_at_start(a)) for a in study.reach}
        show.plotly(gradient_figures.reach_during_training(study), f"{PAGE}_reach_training",
                    "Each curve is divided by its value at the last step, so the cells are "
                    "compared by how far back the error reaches, not by how large their loss "
                    "is. Read from right to left; the scale is logarithmic, so a straight "
                    "falling line is exponential decay. At initialisation, before anything is "
                    f"learned, {start['rnn']} of the error at the last step reaches step 1 in "
                    f"the vanilla RNN, {start['lstm']} in the LSTM and {start['gru']} in the "
                    "GRU: that is what decides whether a cell can start to learn the task.")
        st.subheader("After training")
        which = st.radio("Measure", ["loss", "jacobian"], horizontal=True, key=f"{PAGE}_which",
                         format_func={"loss": "‖∂L/∂h_t‖: the error reaching step t",
                                      "jacobian": "‖∂h_T/∂h_t‖: the last state's "
                                                  "sensitivity to step t"}.get)
        show.plotly(gradient_figures.gradient_reach(study, which), f"{PAGE}_reach",
                    "The trained models, not divided by anything: where a cell has solved the "
                    "task its loss, and with it every gradient, is small. The dashed line, in "
                    "the LSTM's colour, multiplies the LSTM's forget gates: where it stays "
                    "high, so does the LSTM's gradient.")
        show.prose(
            "**When a vanilla RNN gets lucky.** With learning rate 0.01 instead of 0.003, the "
            "vanilla RNN solves the default 40-step delay for seeds 0 and 2 and half-solves it "
            "for seeds 1 and 3 (54% and 76% in our runs). It starts with next to no gradient "
            "at step 1, yet large steps can land it on an *attractor*: a pattern of activity "
            "that blank inputs sustain, in a different version for each symbol. Nothing in "
            "the gradient led it there, so another seed or another delay loses it; the gated "
            "cells learn the same task for every seed."
        )
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
