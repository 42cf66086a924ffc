"""Sentences: LSTM against GRU on sentiment whose label depends on words far apart."""

import pandas as pd
import streamlit as st

from memviz.config import Choice, ConfigError, Int
from memviz.sentiment import figures, grammar, model, text
from memviz.ui import recurrent, show, training, urlstate
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "sentences"
D = model.SentimentConfig()
S = urlstate.Setting
TABLE = urlstate.Table(PAGE, [
    S("max_gap", Int("largest filler", 0, grammar.MAX_GAP), D.max_gap),
    S("hidden", Choice("hidden size", (4, 8, 16, 32, 64)), D.hidden),
    S("steps", Int("training steps", 10, 1000, 10), D.steps),
    S("seed", Int("seed", 0, 10_000), D.seed),
])

st.title("Sentences: LSTM or GRU, who remembers the 'not'?")
show.prose(
    "Document 002 ends with a project: classify IMDb reviews as positive or negative with an "
    "LSTM and a GRU, and compare them. IMDb cannot be downloaded here, and a review's label "
    "rarely hinges on one word anyway. So this page writes its own reviews from a small "
    "grammar where it does: *not … good* flips the meaning, *good, but … awful* lets the "
    "second half win, *good, although … awful* lets the first half win. The **distance** is "
    "how many words the deciding word must be remembered across before the sentence ends, "
    "where the classifier reads the last hidden state."
)

TABLE.start()
with st.expander("Settings", expanded=not show.lecturer()):
    source = st.radio("Sentences", ("The grammar", "Upload a (text, label) CSV"),
                      horizontal=True, key=f"{PAGE}_source")
    c1, c2, c3, c4 = st.columns(4)
    max_gap = TABLE.slider(c1, "Largest filler (words)", "max_gap",
                           disabled=source != "The grammar")
    hidden = TABLE.slider(c2, "Hidden size", "hidden")
    steps = TABLE.slider(c3, "Training steps", "steps")
    seed = TABLE.number(c4, "Seed", "seed")
    TABLE.save()
    data_name = "grammar"
    if source != "The grammar":
        up = st.file_uploader("CSV with columns text and label (0/1 or positive/negative), "
                              "at most 2 MB", type=["csv"], key=f"{PAGE}_file")
        if up is None:
            st.stop()
        try:
            data_name = text.load_csv(up.getvalue()).name
        except ConfigError as e:
            st.error(f"This file cannot be used: {e}")
            st.stop()
cfg = model.SentimentConfig(data=data_name, max_gap=max_gap, hidden=hidden, steps=steps,
                            seed=int(seed))
show.note_config(cfg.to_dict())
if data_name == "grammar":
    with st.expander("Examples from the grammar"):
        rows = [{"sentence": s.text, "label": "positive" if s.label else "negative",
                 "distance": s.distance, "kind": s.template}
                for s in grammar.generate(8, max_gap, int(seed) + 7)]
        st.dataframe(pd.DataFrame(rows), hide_index=True)

runs = training.trained(PAGE, cfg, model.train_both, label="Train LSTM and GRU",
                        auto=TABLE.from_link() and data_name == "grammar")  # not an upload
if runs is None:
    st.stop()

m1, m2, m3 = st.columns(3)
for col, arch in ((m1, "lstm"), (m2, "gru")):
    r = runs[arch]
    col.metric(f"{arch.upper()} held-out accuracy", f"{100 * r.accuracy:.1f}%",
               help=f"trained in {r.history.seconds:.1f} s")
m3.metric("Same data, same steps", f"{cfg.n_train} sentences" if data_name == "grammar"
          else "your CSV (80% train)")
if data_name == "grammar":
    show.plotly(figures.accuracy_by_distance(runs), f"{PAGE}_distance",
                "Held-out sentences grouped by how many words follow the deciding word. "
                "Raise the largest filler to push both cells further.")
else:
    show.caption("Your CSV has no distances, so only the overall accuracy is shown.")

st.subheader("Your sentence, read word by word")
example = "the film was not , to be honest , very good" if data_name == "grammar" else ""
sentence = st.text_input("Type a sentence", example, key=f"{PAGE}_text", max_chars=400)
try:
    tokens, ids, note = text.read_sentence(sentence, runs["lstm"].vocab)
except ConfigError as e:
    st.info(str(e).capitalize() + ".")
    st.stop()
if note:
    st.warning(note)
traces = {arch: runs[arch].read(ids) for arch in ("lstm", "gru")}
verdicts = []
for arch, tr in traces.items():
    p = float(figures.p_positive(tr.output)[-1])
    verdicts.append(f"**{arch.upper()}**: {'positive' if p >= 0.5 else 'negative'} "
                    f"(P(positive) = {p:.2f})")
st.markdown(" · ".join(verdicts))
show.plotly(figures.reading(traces, tokens), f"{PAGE}_reading",
            "The classifier applied to h_t after every word: watch the answer flip at 'not', "
            "and hold (or not) across the filler.")
left, right = st.columns(2)
for col, arch in ((left, "lstm"), (right, "gru")):
    with col:
        show.plotly(figures.hidden_heatmap(traces[arch], tokens, arch), f"{PAGE}_h_{arch}",
                    "Each row is one hidden unit; red is positive, blue negative.")

st.subheader("Step through the sentence: gates and equations")
arch = st.radio("Cell", ("lstm", "gru"), format_func=str.upper, horizontal=True,
                key=f"{PAGE}_cell")
show.caption("Step t is word t: " + ", ".join(f"{t}: {w}" for t, w in enumerate(tokens, 1))
             + ". The input x_t is the word's learned embedding.")
# the shared step-through writes only the recurrent pages' URL names: put this page's back
recurrent.step_through(f"{PAGE}_{arch}", recurrent.TraceLesson(runs[arch], traces[arch]),
                       extra=lambda t, unit: TABLE.save())
