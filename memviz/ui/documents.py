"""The documents page's panels: live demos, the slips in numbers, the documents' live equations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from memviz.cnn import arithmetic as ar
from memviz.documents import checks, live, slips
from memviz.documents import figures as DF
from memviz.documents import sources as D
from memviz.documents.demotext import listed
from memviz.ui import lang, show
from memviz.ui.lang import t

# message keys written out, so that grep and the catalogue test see each one
DOC_LABEL_KEYS = {"lstm_doc001": "documents.doc_label.lstm_doc001",
    "lstm_doc004": "documents.doc_label.lstm_doc004",
    "gru_doc002": "documents.doc_label.gru_doc002"}
UI_KEYS = {"weights_before": "documents.ui.weights_before",
           "weights_after": "documents.ui.weights_after", "hebb_after": "documents.ui.hebb_after"}
COLUMN_KEYS = {"document": "documents.col.document", "slip": "documents.col.slip",
               "verdict": "documents.col.verdict", "measured": "documents.col.measured",
               "value": "documents.col.value"}

PAGE = "docs"
DOC_CELLS = ("lstm_doc001", "lstm_doc004", "gru_doc002")  # documents.doc_label.<name>


def _doc_label(name: str) -> str:
    return t(DOC_LABEL_KEYS[name])


def cell_demo(study: checks.Study, name: str, unit: int) -> None:
    """max |Δ| metrics, the Δh heatmap and one unit's curves for a document's cell."""
    d, fields = study.cells[name], checks.SHOWN[name]
    cols = st.columns(len(fields) + 1)
    for col, f in zip(cols, fields, strict=False):
        col.metric(t("documents.ui.max_gap", field=f), f"{d.gaps[f]:.4f}")
    cols[-1].metric(t("documents.ui.mean_dh"), f"{np.abs(d.doc['h'] - d.real['h']).mean():.4f}")
    left, right = st.columns(2)
    with left:
        title = t("documents.ui.dh_title", doc=_doc_label(name))
        show.plotly(DF.delta_heatmap(d.doc["h"] - d.real["h"], title),
                    f"{PAGE}_{name}_dh", t("documents.ui.dh_caption"))
    with right:
        show.plotly(DF.unit_compare(d.real, d.doc, fields, unit, _doc_label(name)),
                    f"{PAGE}_{name}_unit", t("documents.ui.unit_caption"))


def same_demo(label: str, gap: float) -> None:
    st.metric(label, f"{gap:.1e}")
    show.caption(t("documents.ui.same_caption"))


def cnn_shapes(study: checks.Study, unit: int) -> None:
    arrive = listed([t("documents.ui.shape_item", n=n, v=ar.doc000_fc1_in(n))
                     for n in (32, 28, 20)])
    show.prose(t("documents.ui.cnn_shapes", expects=ar.DOC000_FC1_IN, arrive=arrive,
                 torch=ar.doc000_forward(32, fixed=False)))


def conv_index(study: checks.Study, unit: int) -> None:
    c = study.evidence.conv
    show.plotly(DF.conv_maps(c.torch_map, c.written_map), f"{PAGE}_conv_index",
                t("documents.ui.conv_caption", distinct=len(np.unique(c.torch_map.round(5))),
                  gap=c.gap))


def cell_hidden(study: checks.Study, unit: int) -> None:
    tr = study.lessons["lstm"].trace
    show.plotly(DF.cell_and_hidden(tr["c"], tr["h"], unit), f"{PAGE}_cell_hidden",
                t("documents.ui.cell_hidden_caption"))


def readout(study: checks.Study, unit: int) -> None:
    r, les = study.readout, study.lessons["rnn"]
    c1, c2 = st.columns(2)
    c1.metric(t("documents.ui.outputs_per_step"),
              t("documents.ui.n_vs_1", n=r.y.shape[1]))
    c2.metric(t("documents.ui.blind_steps"), t("documents.ui.k_of_n", k=r.blind, n=len(r.y)))
    show.plotly(DF.readout_lines(r.y, r.y_doc, checks.output_names(les)), f"{PAGE}_readout",
                t("documents.ui.readout_caption"))


def softmax(study: checks.Study, unit: int) -> None:
    if study.softmax is None:
        show.caption(t("documents.ui.no_softmax"))
        return
    once, twice = study.softmax
    c1, c2 = st.columns(2)
    c1.metric(t("documents.ui.top_once"), f"{once.max():.3f}")
    c2.metric(t("documents.ui.top_twice"), f"{twice.max():.3f}",
              f"{twice.max() - once.max():+.3f}")
    show.plotly(DF.softmax_bars(once, twice, checks.output_names(study.lessons["lstm"])),
                f"{PAGE}_softmax", t("documents.ui.softmax_caption"))


def code003(study: checks.Study, unit: int) -> None:
    c = study.evidence.code
    names = [t("documents.ui.neuron", k=k) for k in range(2)]
    cols = st.columns(3)
    for col, (title, W) in zip(cols, (("weights_before", c.before), ("weights_after", c.after),
                                      ("hebb_after", c.hebb_after)), strict=True):
        col.markdown(f"**{t(UI_KEYS[title])}**")
        col.dataframe(pd.DataFrame(W, index=names, columns=names).round(4))
    show.caption(t("documents.ui.code_caption", equal=c.equal_pairs, steps=c.steps,
                   change=np.abs(c.after - c.before).max()))


def synapses(study: checks.Study, unit: int) -> None:
    try:
        st.page_link("pages/synapses.py", label=t("documents.ui.synapses_link"),
                     icon=":material/hub:")
    except Exception:  # run alone (tests), the page is not registered with st.navigation
        show.prose(t("documents.ui.synapses_text"))


DEMOS = {
    "concat": lambda s, u: same_demo(t("documents.ui.concat_gap"), s.concat_gap),
    "rnn_sum": lambda s, u: same_demo(t("documents.ui.rnn_sum_gap"), s.rnn_sum_gap),
    "cnn_shapes": cnn_shapes, "readout": readout, "synapses": synapses, "softmax": softmax,
    "conv_index": conv_index, "cell_hidden": cell_hidden, "code003": code003,
    **{name: (lambda s, u, name=name: cell_demo(s, name, u)) for name in DOC_CELLS},
}


def contents(documents) -> None:
    """A line of links to each document's heading (the page is many screens long)."""
    links = [f"[{d.number} {d.title}](#doc{d.number})" for d in documents]
    st.markdown(t("documents.jump", links=" · ".join(links)))


def slips_of(study: checks.Study | None, doc: str) -> None:
    """Each of the document's slips: its number as a metric, its verdict and what it shows
    (before training, its title, verdict and what is measured; the number waits)."""
    numbered = {id(s): n for n, s in enumerate(slips.SLIPS, 1)}
    for slip in slips.by_document(doc):
        left, right = st.columns([1, 4])
        left.metric(t("documents.ui.slip_n", n=numbered[id(slip)], total=len(slips.SLIPS)),
                    "…" if study is None else slip.shown(study), help=slip.measure)
        detail = t("documents.ui.slip_pending") if study is None else slip.detail(study)
        with right:
            show.prose(t("documents.ui.slip_line", title=slip.title,
                         verdict=D.VERDICTS[slip.verdict], measure=slip.measure,
                         detail=detail))


SLIP_COLUMNS = ("#", "document", "slip", "verdict", "measured", "value")


def slips_table(study: checks.Study) -> None:
    rows = slips.table(study)
    for r in rows:
        r["verdict"] = D.VERDICT_WORDS[r["verdict"]]
    names = {c: t(COLUMN_KEYS[c]) for c in SLIP_COLUMNS if c != "#"}
    st.dataframe(pd.DataFrame(rows).rename(columns=names), hide_index=True)
    show.caption(t("documents.ui.slips_caption", n=len(rows), total=len(slips.SLIPS)))


def verification(study: checks.Study) -> None:
    """Hand-written cells against torch's fused modules, in the page's language."""
    table = pd.DataFrame(study.verification)
    names = dict(zip(table.columns, (t("documents.col.cell"), t("documents.col.example"),
                                     t("documents.col.batch", n=checks.VERIFY_BATCH),
                                     t("documents.col.tolerance"), t("documents.col.pass")),
                     strict=True))
    table = table.rename(columns=names)
    st.dataframe(table, hide_index=True, column_config={
        **{c: st.column_config.NumberColumn(format="%.1e") for c in table.columns[1:4]},
        names["pass"]: st.column_config.CheckboxColumn(t("documents.col.within"))})
    show.caption(t("documents.ui.verify_caption"))


@st.fragment
def live_equations(study: checks.Study) -> None:
    """A document's form at a chosen step and unit beside PyTorch's, from the same inputs."""
    lang.sync()
    c1, c2, c3, c4 = st.columns(4)
    arch = c1.selectbox(t("documents.ui.cell"), tuple(live.FORMS), format_func=str.upper,
                        key=f"{PAGE}_live_arch")
    doc = c2.selectbox(t("documents.ui.document"), live.FORMS[arch],
                       key=f"{PAGE}_live_doc_{arch}")
    tr = study.lessons[arch].trace
    step = c3.slider(t("documents.ui.step"), 1, tr.T, tr.T, key=f"{PAGE}_live_t")
    j = c4.slider(t("documents.ui.unit"), 0, tr.H - 1, 0, key=f"{PAGE}_live_j")
    w = study.lessons[arch].run.model.layer0()
    forms = {d: live.document_form(tr, w, d, step, j) for d in live.FORMS[arch]}
    left, right = st.columns(2)
    with left:
        st.markdown(t("documents.ui.as_document_writes", doc=doc))
        for tex in forms[doc].lines:
            st.latex(tex)
    with right:
        st.markdown(t("documents.ui.pytorch_numbers"))
        for tex in live.torch_form(tr, step, j):
            st.latex(tex)
    doc_col = t("documents.col.document")
    st.dataframe(pd.DataFrame([{doc_col: d, **{f"|Δ{k}|": v for k, v in f.parts.items()}}
                               for d, f in forms.items()]).round(4), hide_index=True)
    show.caption(t("documents.ui.live_caption", arch=arch.upper(), step=step, unit=j))
