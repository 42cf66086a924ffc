"""The documents: each source document's equations beside the form the app computes, checked live
on freshly trained RNN, LSTM and GRU weights; and the proof that the shown numbers are torch's."""

import numpy as np
import pandas as pd
import streamlit as st

from memviz import config as C
from memviz.cnn import arithmetic as ar
from memviz.documents import checks
from memviz.documents import figures as DF
from memviz.documents import sources as D
from memviz.ui import show, training, urlstate
from memviz.ui.recurrent import TASK_LABELS
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "docs"
DOC_LABEL = {"lstm_doc001": "document 001's LSTM", "lstm_doc004": "document 004's LSTM",
             "gru_doc002": "document 002's GRU"}

st.title("The documents")
show.prose(D.INTRO)

URL_NAMES = ["task", "seq_len", "hidden", "steps", "seed"]
u = urlstate.initial
c1, c2, c3, c4, c5 = st.columns(5)
task = c1.selectbox("Task", C.TASKS, format_func=TASK_LABELS.get, key=f"{PAGE}_task",
                    index=C.TASKS.index(u("task", "recall", str, C.TASKS.__contains__)))
seq_len = c2.slider("Sequence length T", C.MIN_SEQ_LEN[task], 100,
                    u("seq_len", 12, int, lambda v: C.MIN_SEQ_LEN[task] <= v <= 100),
                    key=f"{PAGE}_seq_len")
hidden = c3.slider("Hidden size H", 2, 64, u("hidden", 16, int, lambda v: 2 <= v <= 64),
                   key=f"{PAGE}_hidden")
steps = c4.slider("Training steps", 10, 1000, u("steps", 150, int, lambda v: 10 <= v <= 1000),
                  step=10, key=f"{PAGE}_steps")
seed = c5.number_input("Seed", 0, 10_000, u("seed", 0, int, lambda v: 0 <= v <= 10_000),
                       key=f"{PAGE}_seed")
urlstate.save(PAGE, URL_NAMES)
try:
    cfg = C.RunConfig(C.TaskConfig(task, seq_len), C.ModelConfig("lstm", hidden),
                      C.TrainConfig(steps=steps, seed=int(seed)))
except C.ConfigError as e:
    st.error(f"These settings cannot be used: {e}")
    st.stop()
show.note_config(cfg)
study = training.trained(PAGE, checks.configs(cfg), checks.prepare, label="Train RNN, LSTM and GRU",
                         auto=urlstate.opened_with(PAGE, cfg, URL_NAMES))
if study is None:
    st.stop()

lstm = study.lessons["lstm"]
acc = {a: les.run.history.eval_accuracy for a, les in study.lessons.items()}
show.caption("Trained on " + lstm.run.device_label + ". Held-out accuracy: " + ", ".join(
    f"{a.upper()} {100 * v:.0f}%" for a, v in acc.items() if v is not None) + ". Every demo "
    "below uses these weights and the task's example sequence.")

st.header("Verification: are these the model's numbers?")
show.prose(D.VERIFY_TEXT)
table = pd.DataFrame(study.verification)
st.dataframe(table, hide_index=True, column_config={
    **{c: st.column_config.NumberColumn(format="%.1e") for c in table.columns[1:4]},
    "pass": st.column_config.CheckboxColumn("within tolerance")})
show.caption("Read each row as: the largest difference between the two hidden states, over every "
           "unit and step; anything below the tolerance is float32 rounding.")

st.divider()
unit = st.number_input("Unit to follow in the curves below", 0, hidden - 1, 0, key=f"{PAGE}_unit")


def cell_demo(name: str) -> None:
    """max |Δ| metrics, the Δh heatmap and one unit's curves for a document's cell."""
    d, fields = study.cells[name], checks.SHOWN[name]
    cols = st.columns(len(fields) + 1)
    for col, f in zip(cols, fields, strict=False):
        col.metric(f"max |Δ{f}| over the sequence", f"{d.gaps[f]:.4f}")
    cols[-1].metric("mean |Δh|", f"{np.abs(d.doc['h'] - d.real['h']).mean():.4f}")
    left, right = st.columns(2)
    with left:
        show.plotly(DF.delta_heatmap(d.doc["h"] - d.real["h"],
                                               f"h({DOC_LABEL[name]}) − h(PyTorch)"),
                    f"{PAGE}_{name}_dh", "Rows are units, columns are steps: white means the two "
                    "forms agree; red (up) or blue (down) shows how far the document's form "
                    "moves h.")
    with right:
        show.plotly(DF.unit_compare(d.real, d.doc, fields, unit, DOC_LABEL[name]),
                    f"{PAGE}_{name}_unit", "Where the dashed line leaves the solid one of the "
                    "same colour, the document's equation changes what this unit computes.")


def same_demo(label: str, gap: float) -> None:
    st.metric(label, f"{gap:.1e}")
    show.caption("A difference of order 1e-7 is float32 rounding: the two forms are one function.")


def cnn_shapes() -> None:
    rows = {n: ar.doc000_fc1_in(n) for n in (32, 28, 20)}
    show.prose("**Its network's shapes, computed.** The first linear layer expects "
                f"16 × 5 × 5 = {ar.DOC000_FC1_IN} numbers; what arrives is "
                + ", ".join(f"{v} for a {n} × {n} image" for n, v in rows.items())
                + f". Running it on 32 × 32 in torch: `{ar.doc000_forward(32, fixed=False)}`.")


def readout() -> None:
    r, les = study.readout, study.lessons["rnn"]
    c1, c2 = st.columns(2)
    c1.metric("outputs per step: V h_t + c vs h_t · x_t + v", f"{r.y.shape[1]} vs 1")
    c2.metric("steps where h_t · x_t + v ignores the memory (x_t = 0)", f"{r.blind} of {len(r.y)}")
    show.plotly(DF.readout_lines(r.y, r.y_doc, checks.output_names(les)), f"{PAGE}_readout",
                "Coloured lines are the trained RNN's outputs; the dashed black line is document "
                "001's rule on the same h_t: flat at v wherever the input is zero.")


def softmax() -> None:
    if study.softmax is None:
        show.caption("(This task predicts numbers, not classes: pick a classification task to "
                   "see softmax applied twice.)")
        return
    once, twice = study.softmax
    c1, c2 = st.columns(2)
    c1.metric("top probability, softmax once", f"{once.max():.3f}")
    c2.metric("top probability, softmax twice", f"{twice.max():.3f}",
              f"{twice.max() - once.max():+.3f}")
    show.plotly(DF.softmax_bars(once, twice, checks.output_names(study.lessons["lstm"])),
                f"{PAGE}_softmax",
                "Blue is the trained LSTM's answer; orange the same scores after a second "
                "softmax, pressed towards the grey uniform line, so the loss sees a model that "
                "seems unsure.")


def synapses() -> None:
    try:
        st.page_link("lessons/synapses.py", label="Open the Synapses page: document 003's model "
                     "run live, beside Hebb's and Oja's rules", icon=":material/hub:")
    except Exception:  # run alone (tests), the page is not registered with st.navigation
        show.prose("The **Synapses** page runs document 003's model live, beside Hebb's and "
                    "Oja's rules.")


DEMOS = {
    "concat": lambda: same_demo("max |Δh|: concatenated form vs nn.LSTM", study.concat_gap),
    "rnn_sum": lambda: same_demo("max |Δh|: f(Wx_t + Uh_{t-1} + b) vs nn.RNN",
                                 study.rnn_sum_gap),
    "cnn_shapes": cnn_shapes, "readout": readout, "synapses": synapses, "softmax": softmax,
    "lstm_doc001": lambda: cell_demo("lstm_doc001"),
    "lstm_doc004": lambda: cell_demo("lstm_doc004"),
    "gru_doc002": lambda: cell_demo("gru_doc002"),
}

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
    for key in doc.demos:
        st.subheader(D.DEMO_TITLES[key])
        show.prose(D.DEMO_TEXT[key])
        DEMOS[key]()
    st.divider()
