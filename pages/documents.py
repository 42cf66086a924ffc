"""The documents: each source document's equations beside the form the app computes, checked live
on freshly trained RNN, LSTM and GRU weights; every slip in numbers; and the proof that the
shown numbers are torch's."""

import pandas as pd
import streamlit as st

from memviz import config as C
from memviz.documents import checks, slips
from memviz.documents import sources as D
from memviz.ui import documents as UD
from memviz.ui import show, training, urlstate
from memviz.ui.recurrent import TASK_LABELS
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "docs"

st.title("The documents")
show.prose(D.INTRO)

S = urlstate.Setting
TABLE = urlstate.Table(PAGE, [
    S("task", C.Choice("task", C.TASKS), "recall"),
    S("seq_len", C.Int("sequence length", 1, 100), 12),
    S("hidden", C.Int("hidden size", 2, 64), 16),
    S("steps", C.Int("training steps", 10, 1000, 10), 150),
    S("seed", C.Int("seed", 0, 10_000), 0),
], check=lambda v: C.TaskConfig(v["task"], v["seq_len"]))
TABLE.start()
c1, c2, c3, c4, c5 = st.columns(5)
task = TABLE.choice(c1, "Task", "task", format_func=TASK_LABELS.get)
seq_len = TABLE.slider(c2, "Sequence length T", "seq_len", lo=C.MIN_SEQ_LEN[task])
hidden = TABLE.slider(c3, "Hidden size H", "hidden")
steps = TABLE.slider(c4, "Training steps", "steps")
seed = TABLE.number(c5, "Seed", "seed")
TABLE.save()
try:
    cfg = C.RunConfig(C.TaskConfig(task, seq_len), C.ModelConfig("lstm", hidden),
                      C.TrainConfig(steps=steps, seed=int(seed)))
except C.ConfigError as e:
    st.error(f"These settings cannot be used: {e}")
    st.stop()
show.note_config(cfg)
study = training.trained(PAGE, checks.configs(cfg), checks.prepare, label="Train RNN, LSTM and GRU",
                         auto=TABLE.from_link())
if study is None:
    st.stop()

lstm = study.lessons["lstm"]
acc = {a: les.run.history.eval_accuracy for a, les in study.lessons.items()}
show.caption("Trained on " + lstm.run.device_label + ". Held-out accuracy: " + ", ".join(
    f"{a.upper()} {100 * v:.0f}%" for a, v in acc.items() if v is not None)
    + f"; the CNN page's network on the digits {100 * study.evidence.cnn.test_accuracy:.0f}%. "
    "Every demo below uses these weights and the task's example sequence.")

st.header("Verification: are these the model's numbers?")
show.prose(D.VERIFY_TEXT)
table = pd.DataFrame(study.verification)
st.dataframe(table, hide_index=True, column_config={
    **{c: st.column_config.NumberColumn(format="%.1e") for c in table.columns[1:4]},
    "pass": st.column_config.CheckboxColumn("within tolerance")})
show.caption("Read each row as: the largest difference between the two hidden states, over every "
             "unit and step; anything below the tolerance is float32 rounding.")

st.header(f"Every slip in numbers: {len(slips.SLIPS)} of {len(slips.SLIPS)}")
UD.slips_table(study)

st.divider()
unit = st.number_input("Unit to follow in the curves below", 0, hidden - 1, 0, key=f"{PAGE}_unit")

for doc in D.DOCUMENTS:
    st.header(f"Document {doc.number}: {doc.title}", anchor=f"doc{doc.number}")
    show.caption(doc.english)
    show.prose(doc.summary)
    left, right = st.columns(2)
    left.markdown("**As the document writes it**")
    right.markdown("**What the app computes**")
    for eq in doc.equations:
        left, right = st.columns(2)
        with left:
            show.latex(eq.doc, key=f"{doc.number}_{eq.label}_doc")
        with right:
            show.latex(eq.canonical, key=f"{doc.number}_{eq.label}_app")
        show.caption(f"{eq.label}: {D.VERDICTS[eq.verdict]}" + (f". {eq.note}" if eq.note else ""))
    for remark in doc.remarks:
        st.warning(remark)
    st.subheader("Its slips in numbers")
    UD.slips_of(study, doc.number)
    for key in doc.demos:
        st.subheader(D.DEMO_TITLES[key])
        show.prose(D.DEMO_TEXT[key])
        UD.DEMOS[key](study, unit)
    st.divider()

st.header("The documents' own equations, with live numbers")
show.prose("Pick a cell, a document that writes it, a step and a unit: the document's equations "
           "get the trained model's numbers, next to PyTorch's with the same inputs.")
UD.live_equations(study)
