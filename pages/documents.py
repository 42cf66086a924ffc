"""The documents: each source document's equations beside the form the app computes, checked live
on freshly trained RNN, LSTM and GRU weights; every slip in numbers; and the proof that the
shown numbers are torch's."""

import streamlit as st

from memviz import config as C
from memviz import devices
from memviz.documents import checks, slips
from memviz.documents import sources as D
from memviz.documents.demotext import listed
from memviz.ui import documents as UD
from memviz.ui import show, training, urlstate
from memviz.ui.lang import t
from memviz.ui.recurrent import TASK_LABELS
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "docs"

st.title(t("documents.title"))
show.prose(t("documents.intro"))
UD.contents(D.DOCUMENTS)  # a long page: jump to a document

S = urlstate.Setting
TABLE = urlstate.Table(PAGE, [
    S("task", C.Choice("task", C.TASKS), "recall"),
    S("seq_len", C.Int("sequence length", 1, 100), 12),
    S("hidden", C.Int("hidden size", 2, 64), 16),
    S("steps", C.Int("training steps", 10, 1000, 10), 150),
    S("seed", C.Int("seed", 0, 10_000), 0),
], check=lambda v: C.TaskConfig(v["task"], v["seq_len"]))
TABLE.start()
with st.expander(t("documents.ctl.settings"), expanded=not show.lecturer()):  # as every page
    c1, c2, c3, c4, c5 = st.columns(5)
    task = TABLE.choice(c1, t("documents.ctl.task"), "task", format_func=TASK_LABELS.get)
    seq_len = TABLE.slider(c2, t("documents.ctl.seq_len"), "seq_len", lo=C.MIN_SEQ_LEN[task])
    hidden = TABLE.slider(c3, t("documents.ctl.hidden"), "hidden")
    steps = TABLE.slider(c4, t("documents.ctl.steps"), "steps")
    seed = TABLE.number(c5, t("documents.ctl.seed"), "seed")
TABLE.save()
try:
    cfg = C.RunConfig(C.TaskConfig(task, seq_len), C.ModelConfig("lstm", hidden),
                      C.TrainConfig(steps=steps, seed=int(seed)))
except C.ConfigError as e:
    st.error(t("documents.bad_settings", error=e))
    st.stop()
show.note_config(cfg)
study = training.trained(PAGE, checks.configs(cfg), checks.prepare,
                         label=t("documents.train"), auto=TABLE.from_link())
# the documents themselves (summaries, equations, verdicts) need no training: shown at once,
# their numbers filled in once the three models are trained
if study is None:
    st.info(t("documents.pending"))
else:
    acc = {a: les.run.history.eval_accuracy for a, les in study.lessons.items()}
    show.caption(t("documents.trained_caption",
                   device=devices.in_language(study.lessons["lstm"].run.device_label),
                   acc=listed([f"{a.upper()} {100 * v:.0f}%" for a, v in acc.items()
                               if v is not None]),
                   cnn=100 * study.evidence.cnn.test_accuracy))

    st.header(t("documents.verify_heading"))
    show.prose(t("documents.verify_text"))
    UD.verification(study)

    st.header(t("documents.slips_heading", n=len(slips.SLIPS), total=len(slips.SLIPS)))
    UD.slips_table(study)

st.divider()
unit = st.number_input(t("documents.unit_to_follow"), 0, hidden - 1, 0, key=f"{PAGE}_unit")

for doc in D.DOCUMENTS:
    st.header(t("documents.doc_heading", number=doc.number, title=doc.title),
              anchor=f"doc{doc.number}")
    show.caption(doc.subtitle)
    show.prose(doc.summary)
    left, right = st.columns(2)
    left.markdown(t("documents.as_written"))
    right.markdown(t("documents.as_computed"))
    for eq in doc.equations:
        left, right = st.columns(2)
        with left:
            show.latex(D.localized(eq.doc), key=f"{doc.number}_{eq.key}_doc")
        with right:
            show.latex(D.localized(eq.canonical), key=f"{doc.number}_{eq.key}_app")
        show.caption(t("documents.eq_verdict", label=eq.label, verdict=D.VERDICTS[eq.verdict])
                     + (t("documents.eq_note", note=eq.note) if eq.note else ""))
    for remark in doc.remarks:
        st.warning(remark)
    st.subheader(t("documents.its_slips"))
    UD.slips_of(study, doc.number)
    for key in doc.demos:
        st.subheader(D.DEMO_TITLES[key])
        show.prose(D.DEMO_TEXT[key])
        if study is None:
            show.caption(t("documents.ui.demo_pending"))
        else:
            UD.DEMOS[key](study, unit)
    st.divider()

st.header(t("documents.live_heading"))
show.prose(t("documents.live_text"))
if study is None:
    show.caption(t("documents.ui.demo_pending"))
else:
    UD.live_equations(study)
