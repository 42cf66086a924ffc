"""The documents page's panels: live demos, the slips in numbers, the documents' live equations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from memviz.cnn import arithmetic as ar
from memviz.documents import checks, live, slips
from memviz.documents import figures as DF
from memviz.documents import sources as D
from memviz.ui import lang, show

PAGE = "docs"
DOC_LABEL = {"lstm_doc001": "document 001's LSTM", "lstm_doc004": "document 004's LSTM",
             "gru_doc002": "document 002's GRU"}
VERDICT_WORD = {"same": "same", "differs": "differs", "ambiguous": "ambiguous", "wrong": "wrong",
                "missing": "missing", "general": "general"}


def cell_demo(study: checks.Study, name: str, unit: int) -> None:
    """max |Δ| metrics, the Δh heatmap and one unit's curves for a document's cell."""
    d, fields = study.cells[name], checks.SHOWN[name]
    cols = st.columns(len(fields) + 1)
    for col, f in zip(cols, fields, strict=False):
        col.metric(f"max |Δ{f}| over the sequence", f"{d.gaps[f]:.4f}")
    cols[-1].metric("mean |Δh|", f"{np.abs(d.doc['h'] - d.real['h']).mean():.4f}")
    left, right = st.columns(2)
    with left:
        title = f"h({DOC_LABEL[name]}) − h(PyTorch)"
        show.plotly(DF.delta_heatmap(d.doc["h"] - d.real["h"], title),
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


def cnn_shapes(study: checks.Study, unit: int) -> None:
    rows = {n: ar.doc000_fc1_in(n) for n in (32, 28, 20)}
    show.prose("**Its network's shapes, computed.** The first linear layer expects "
               f"16 × 5 × 5 = {ar.DOC000_FC1_IN} numbers; what arrives is "
               + ", ".join(f"{v} for a {n} × {n} image" for n, v in rows.items())
               + f". Running it on 32 × 32 in torch: `{ar.doc000_forward(32, fixed=False)}`.")


def conv_index(study: checks.Study, unit: int) -> None:
    c = study.evidence.conv
    show.plotly(DF.conv_maps(c.torch_map, c.written_map), f"{PAGE}_conv_index",
                f"Left: {len(np.unique(c.torch_map.round(5)))} different values, one per window. "
                f"Right: the same number everywhere; they differ by up to {c.gap:.3f}.")


def cell_hidden(study: checks.Study, unit: int) -> None:
    tr = study.lessons["lstm"].trace
    show.plotly(DF.cell_and_hidden(tr["c"], tr["h"], unit), f"{PAGE}_cell_hidden",
                "Solid: the cell state c_t; dashed: the hidden state h_t. Where they part, the "
                "output gate or the tanh has changed the number.")


def readout(study: checks.Study, unit: int) -> None:
    r, les = study.readout, study.lessons["rnn"]
    c1, c2 = st.columns(2)
    c1.metric("outputs per step: V h_t + c vs h_t · x_t + v", f"{r.y.shape[1]} vs 1")
    c2.metric("steps where h_t · x_t + v ignores the memory (x_t = 0)", f"{r.blind} of {len(r.y)}")
    show.plotly(DF.readout_lines(r.y, r.y_doc, checks.output_names(les)), f"{PAGE}_readout",
                "Coloured lines are the trained RNN's outputs; the dashed black line is document "
                "001's rule on the same h_t: flat at v wherever the input is zero.")


def softmax(study: checks.Study, unit: int) -> None:
    if study.softmax is None:
        show.caption("(This task predicts numbers, not classes: pick a classification task to "
                     "see softmax applied twice on the LSTM; the slips above use the CNN's "
                     "scores instead.)")
        return
    once, twice = study.softmax
    c1, c2 = st.columns(2)
    c1.metric("top probability, softmax once", f"{once.max():.3f}")
    c2.metric("top probability, softmax twice", f"{twice.max():.3f}",
              f"{twice.max() - once.max():+.3f}")
    show.plotly(DF.softmax_bars(once, twice, checks.output_names(study.lessons["lstm"])),
                f"{PAGE}_softmax", "Blue is the trained LSTM's answer; orange the same scores "
                "after a second softmax, pressed towards the grey uniform line, so the loss sees "
                "a model that seems unsure.")


def code003(study: checks.Study, unit: int) -> None:
    c = study.evidence.code
    names = ["neuron 0", "neuron 1"]
    cols = st.columns(3)
    for col, (title, W) in zip(cols, (("weights before", c.before), ("weights after", c.after),
                                      ("Hebb after, same run", c.hebb_after)), strict=True):
        col.markdown(f"**{title}**")
        col.dataframe(pd.DataFrame(W, index=names, columns=names).round(4))
    show.caption(f"The two activities were equal in {c.equal_pairs} of {c.steps} updates: "
                 f"largest weight change {np.abs(c.after - c.before).max():.1f}.")


def synapses(study: checks.Study, unit: int) -> None:
    try:
        st.page_link("pages/synapses.py", label="Open the Synapses page: document 003's model "
                     "run live, beside Hebb's and Oja's rules", icon=":material/hub:")
    except Exception:  # run alone (tests), the page is not registered with st.navigation
        show.prose("The **Synapses** page runs document 003's model live, beside Hebb's and "
                   "Oja's rules.")


DEMOS = {
    "concat": lambda s, u: same_demo("max |Δh|: concatenated form vs nn.LSTM", s.concat_gap),
    "rnn_sum": lambda s, u: same_demo("max |Δh|: f(Wx_t + Uh_{t-1} + b) vs nn.RNN", s.rnn_sum_gap),
    "cnn_shapes": cnn_shapes, "readout": readout, "synapses": synapses, "softmax": softmax,
    "conv_index": conv_index, "cell_hidden": cell_hidden, "code003": code003,
    **{name: (lambda s, u, name=name: cell_demo(s, name, u)) for name in DOC_LABEL},
}


def slips_of(study: checks.Study, doc: str) -> None:
    """Each of the document's slips: its number as a metric, its verdict and what it shows."""
    numbered = {id(s): n for n, s in enumerate(slips.SLIPS, 1)}
    for slip in slips.by_document(doc):
        left, right = st.columns([1, 4])
        left.metric(f"Slip {numbered[id(slip)]} of {len(slips.SLIPS)}", slip.shown(study),
                    help=slip.measure)
        with right:
            show.prose(f"**{slip.title}** — {D.VERDICTS[slip.verdict]}. *The number:* "
                       f"{slip.measure}. {slip.detail(study)}")


def slips_table(study: checks.Study) -> None:
    rows = slips.table(study)
    for r in rows:
        r["verdict"] = VERDICT_WORD[r["verdict"]]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    show.caption(f"{len(rows)} of {len(slips.SLIPS)} catalogued slips, each with a number "
                 "computed just now; each document's section below explains its own.")


@st.fragment
def live_equations(study: checks.Study) -> None:
    """A document's form at a chosen step and unit beside PyTorch's, from the same inputs."""
    lang.sync()  # a fragment-only run: the session's language, not the thread's default
    c1, c2, c3, c4 = st.columns(4)
    arch = c1.selectbox("Cell", tuple(live.FORMS), format_func=str.upper, key=f"{PAGE}_live_arch")
    doc = c2.selectbox("Document", live.FORMS[arch], key=f"{PAGE}_live_doc_{arch}")
    tr = study.lessons[arch].trace
    t = c3.slider("Step t", 1, tr.T, tr.T, key=f"{PAGE}_live_t")
    j = c4.slider("Unit", 0, tr.H - 1, 0, key=f"{PAGE}_live_j")
    w = study.lessons[arch].run.model.layer0()
    forms = {d: live.document_form(tr, w, d, t, j) for d in live.FORMS[arch]}
    left, right = st.columns(2)
    with left:
        st.markdown(f"**As document {doc} writes it**")
        for tex in forms[doc].lines:
            st.latex(tex)
    with right:
        st.markdown("**PyTorch (the numbers on this site)**")
        for tex in live.torch_form(tr, t, j):
            st.latex(tex)
    st.dataframe(pd.DataFrame([{"document": d, **{f"|Δ{k}|": v for k, v in f.parts.items()}}
                               for d, f in forms.items()]).round(4), hide_index=True)
    show.caption(f"Every document's {arch.upper()} at step {t}, unit {j}, each fed PyTorch's own "
                 "previous state and the same input: a non-zero |Δ| marks the line where that "
                 "document's equation parts from what the model computes; zeros mean the same "
                 "numbers.")
