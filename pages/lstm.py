"""LSTM lesson: train an LSTM live, then step through time beside its equations."""

import streamlit as st

from memviz.recurrent import equations, figures, insight
from memviz.ui import recurrent, show, training
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
    cfg = les.run.config
    ho = training.store().get_or_compute(  # many held-out sequences through the trained cell
        "lstm_held_out", cfg, lambda: insight.held_out(les.run.model, cfg.task, cfg.train.seed))
    best = insight.memory_unit(ho)
    show.prose(f"**What to look for.** {insight.describe(ho, best)} Find it as row {best} of "
               "the c heatmap above.")
    st.subheader("One unit across many inputs")
    show.prose(
        "The step-through shows every unit on one sequence. Turn it around, as LSTMVis does: "
        "one unit on many held-out sequences, coloured by what each has to remember. Where "
        "the colours split apart, this unit carries the memory."
    )
    unit = recurrent.unit_choice(PAGE, cfg, les.trace.H, best)
    how = ("One line per held-out sequence, coloured by the symbol shown at step 1; sequences "
           "that are the same input are drawn once." if insight.quantity(ho) is None else
           "One dot per step of every held-out sequence, placed by "
           f"{insight.QUANTITY.get(cfg.task.name)}: a narrow rising or falling band means the "
           "unit holds that quantity.")
    show.plotly(figures.unit_across_inputs(ho, unit), f"{PAGE}_unit_inputs",
                f"Top: the cell state c of unit {unit}; bottom: its hidden state h. {how}")
    if unit != best:
        show.prose(insight.describe(ho, unit))
