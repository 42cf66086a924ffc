"""Sentences: LSTM against GRU on sentiment whose label depends on words far apart."""

import pandas as pd
import streamlit as st

from memviz import uploads
from memviz.config import Choice, ConfigError, Int
from memviz.sentences import figures, grammar, model, text
from memviz.series.data import MAX_UPLOAD_BYTES  # Sentences reads its CSV as series.data does
from memviz.ui import show, steppanel, training, urlstate
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

# message keys written out, so that grep and the catalogue test see each one
SOURCE_KEYS = {"grammar": "sentences.source_grammar", "upload": "sentences.source_upload"}
LABEL_KEYS = {0: "sentences.label_0", 1: "sentences.label_1"}
KIND_KEYS = {"plain": "sentences.kind.plain", "negation": "sentences.kind.negation",
    "but": "sentences.kind.but", "although": "sentences.kind.although"}

PAGE = "sentences"
D = model.SentimentConfig()
S = urlstate.Setting
TABLE = urlstate.Table(PAGE, [
    S("max_gap", Int("largest filler", 0, grammar.MAX_GAP), D.max_gap),
    S("hidden", Choice("hidden size", (4, 8, 16, 32, 64)), D.hidden),
    S("steps", Int("training steps", 10, 1000, 10), D.steps),
    S("seed", Int("seed", 0, 10_000), D.seed),
])

st.title(t("sentences.title"))
show.prose(t("sentences.intro"))

TABLE.start()
with st.expander(t("sentences.settings"), expanded=not show.lecturer()):
    sources = {s: t(SOURCE_KEYS[s]) for s in ("grammar", "upload")}  # this run's words
    source = st.radio(t("sentences.source"), tuple(sources), horizontal=True,
                      format_func=sources.get, key=f"{PAGE}_source")
    c1, c2, c3, c4 = st.columns(4)
    max_gap = TABLE.slider(c1, t("sentences.max_gap"), "max_gap", disabled=source != "grammar")
    hidden = TABLE.slider(c2, t("sentences.hidden"), "hidden")
    steps = TABLE.slider(c3, t("sentences.steps"), "steps")
    seed = TABLE.number(c4, t("sentences.seed"), "seed")
    TABLE.save()
    data_name = "grammar"
    if source != "grammar":
        up = st.file_uploader(t("sentences.file"), type=["csv"], key=f"{PAGE}_file",
                              help=t("sentences.file_help"),
                              max_upload_size=uploads.widget_mb(MAX_UPLOAD_BYTES))
        if up is None:
            st.stop()
        try:
            data_name = text.load_csv(up.getvalue()).name
        except ConfigError as e:
            st.error(t("sentences.bad_file", reason=show.literal(e)))  # quotes the file
            st.stop()
cfg = model.SentimentConfig(data=data_name, max_gap=max_gap, hidden=hidden, steps=steps,
                            seed=int(seed))
show.note_config(cfg.to_dict())
if data_name == "grammar":
    with st.expander(t("sentences.examples")):
        show.caption(t("sentences.examples_note"))
        rows = [{t("sentences.col_sentence"): s.text,
                 t("sentences.col_label"): t(LABEL_KEYS[s.label]),
                 t("sentences.col_distance"): s.distance,
                 t("sentences.col_kind"): t(KIND_KEYS[s.template])}
                for s in grammar.generate(8, max_gap, int(seed) + 7)]
        st.dataframe(pd.DataFrame(rows), hide_index=True)

runs = training.trained(PAGE, cfg, model.train_both, label=t("sentences.train"),
                        auto=TABLE.from_link() and data_name == "grammar")  # not an upload
if runs is None:
    st.stop()

m1, m2, m3 = st.columns(3)
for col, arch in ((m1, "lstm"), (m2, "gru")):
    r = runs[arch]
    col.metric(t("sentences.accuracy", arch=arch.upper()), f"{100 * r.accuracy:.1f}%",
               help=t("sentences.trained_in", seconds=r.history.seconds))
m3.metric(t("sentences.same_data"), t("sentences.n_sentences", n=cfg.n_train)
          if data_name == "grammar" else t("sentences.your_csv"))
if data_name == "grammar":
    show.plotly(figures.accuracy_by_distance(runs), f"{PAGE}_distance", t("sentences.cap_distance"))
else:
    show.caption(t("sentences.no_distances"))

st.subheader(t("sentences.yours_header"))
example = "the film was not , to be honest , very good" if data_name == "grammar" else ""
sentence = st.text_input(t("sentences.type"), example, key=f"{PAGE}_text", max_chars=400,
                         help=t("sentences.type_help"))
try:
    tokens, ids, note = text.read_sentence(sentence, runs["lstm"].vocab)
except ConfigError as e:
    reason = str(e)
    st.info(t("sentences.cannot_read", reason=reason[:1].upper() + reason[1:]))
    st.stop()
if note:
    st.warning(show.literal(note))  # quotes the student's words
traces = {arch: runs[arch].read(ids) for arch in ("lstm", "gru")}
verdicts = []
for arch, tr in traces.items():
    p = float(figures.p_positive(tr.output)[-1])
    verdicts.append(t("sentences.verdict", arch=arch.upper(), p=p,
                      label=t(LABEL_KEYS[int(p >= 0.5)])))
st.markdown(" · ".join(verdicts))
show.plotly(figures.reading(traces, tokens), f"{PAGE}_reading",  # the caption: from the curves
            t("sentences.cap_reading") + figures.reading_note(traces, tokens))
left, right = st.columns(2)
for col, arch in ((left, "lstm"), (right, "gru")):
    with col:
        show.plotly(figures.hidden_heatmap(traces[arch], tokens, arch), f"{PAGE}_h_{arch}",
                    t("sentences.cap_hidden"))

st.subheader(t("sentences.step_header"))
arch = st.radio(t("sentences.cell"), ("lstm", "gru"), format_func=str.upper, horizontal=True,
                key=f"{PAGE}_cell")
show.caption(t("sentences.cap_steps",
               words=", ".join(f"{i}: {w}" for i, w in enumerate(tokens, 1))))
# the shared step-through writes only the recurrent pages' URL names: put this page's back
steppanel.step_through(f"{PAGE}_{arch}", steppanel.TraceLesson(runs[arch], traces[arch]),
                       extra=lambda step, unit: TABLE.save())
