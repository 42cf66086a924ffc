"""Attention lesson: seq2seq with and without attention, and self-attention on delayed recall."""

import streamlit as st

from memviz.attention import data, figures, lesson, selfattn
from memviz.attention import train as s2s
from memviz.config import Choice, ConfigError, Int
from memviz.ui import attention as ui
from memviz.ui import show, steppanel, urlstate
from memviz.ui.lang import t
from memviz.ui.router import through_router
from memviz.ui.training import trained

through_router()  # first: a fresh server's deep link must run through app.py

# message keys written out, so that grep and the catalogue test see each one
S2S_KEYS = {"reverse": "attention.s2s.reverse", "dates": "attention.s2s.dates"}  # the tasks
RECALL_KEYS = {"sinusoidal": "attention.recall.sinusoidal",  # the position encodings
               "learned": "attention.recall.learned"}

PAGE = "attn"
MAX_SHOWN = {"reverse": 12, "dates": 3}
S = urlstate.Setting


def _fits(v: dict) -> None:
    """A link's training length must suit its task (dates are at most 3 long here)."""
    Int(f"longest training length for {v['task']}", 1, MAX_SHOWN[v["task"]]).check(v["max_len"])


# one table for both sections: two on one page would each drop the other's names from the URL
TABLE = urlstate.Table(PAGE, [
    S("task", Choice("toy translation", data.TASKS), "reverse"),
    S("max_len", Int("longest training length", 1, max(MAX_SHOWN.values())),
      s2s.TASK_LENGTHS["reverse"]["max_len"]),
    S("steps", Choice("training steps", (20, 100, 300, 600, 1000, 1500)), 600),
    S("seed", Int("seed", 0, 10_000), 0),
    S("lag", Int("lag", 5, 200), 20),
    S("heads", Choice("heads", (1, 2, 4)), 1),
    S("encoding", Choice("positional encoding", selfattn.ENCODINGS), "sinusoidal"),
    *steppanel.step_settings(),  # the decoder step-through's t and unit stay in a shared link
], check=_fits)

st.title(t("attention.title"))
show.prose(t("attention.prose.intro"))
linked = st.query_params.get("task", "").strip().lower()  # a link naming only a task gets
if urlstate.FIRST_RUN_DONE not in st.session_state and linked in MAX_SHOWN \
        and "max_len" not in st.query_params:  # that task's own default length
    urlstate.write("max_len", s2s.TASK_LENGTHS[linked]["max_len"])
TABLE.start()
c1, c2, c3, c4 = st.columns(4)
task = TABLE.choice(c1, t("attention.s2s.task"), "task", "radio",
                    format_func=lambda name: t(S2S_KEYS[name]))
if st.session_state.get(TABLE.key("max_len"), 0) > MAX_SHOWN[task]:
    st.session_state[TABLE.key("max_len")] = s2s.TASK_LENGTHS[task]["max_len"]  # keep in range
max_len = c2.slider(t("attention.s2s.max_len"), 1, MAX_SHOWN[task], key=TABLE.key("max_len"))
steps = TABLE.slider(c3, t("attention.s2s.steps"), "steps")
seed = TABLE.number(c4, t("attention.s2s.seed"), "seed")
TABLE.save(["task", "max_len", "steps", "seed"])
try:
    cfg = s2s.Seq2SeqConfig.for_task(task, max_len=max_len, steps=steps, seed=int(seed),
                                     min_len=min(s2s.TASK_LENGTHS[task]["min_len"], max_len))
except ConfigError as e:
    st.warning(t("attention.s2s.choose_again", error=e))
    st.stop()
show.note_config(cfg.to_dict())
unit = t("attention.s2s.digits" if task == "reverse" else "attention.s2s.dates_unit")
show.caption(t("attention.s2s.lengths", lo=cfg.min_len, hi=cfg.max_len, unit=unit,
               test_hi=cfg.max_len + cfg.extra))
both = trained(PAGE, cfg, s2s.train_both, label=t("attention.s2s.train_both"),
               auto=TABLE.from_link())

if both is not None:
    st.subheader(t("attention.s2s.bottleneck"))
    acc = {"plain": both.plain.accuracy, "attention": both.attn.accuracy}
    show.plotly(figures.accuracy_lines(acc, cfg.max_len), "attn_accuracy",
                t("attention.s2s.accuracy_caption", n=len(s2s.test_batch(cfg, 1).texts)))
    st.markdown(lesson.summary(both))
    show.prose(t("attention.prose.bottleneck"))

    st.subheader(t("attention.s2s.inside"))
    n = st.slider(t("attention.s2s.example"), cfg.min_len, cfg.max_len + cfg.extra,
                  cfg.max_len, key="attn_example")
    walk = lesson.walk(both.attn.model, cfg, n)
    plain = lesson.walk(both.plain.model, cfg, n)
    st.markdown(t("attention.s2s.walk", source="".join(walk.source).replace("␣", " "),
                  answer=walk.answer, attn=walk.text, attn_mark="✓" if walk.correct else "✗",
                  plain=plain.text, plain_mark="✓" if plain.correct else "✗"))

    tr = lesson.decoder_trace(both.attn.model, walk)
    show.caption(t("attention.s2s.stepper_note", K=walk.steps, diff=f"{tr.max_abs_diff:.1e}"))
    steppanel.step_through(PAGE, steppanel.TraceLesson(both, tr),
                           extra=ui.decoder_step(both.attn.model, walk))

st.subheader(t("attention.recall.header"))
show.prose(t("attention.prose.recall"))
d1, d2, d3 = st.columns(3)
lag = TABLE.slider(d1, t("attention.recall.lag"), "lag")
heads = TABLE.slider(d2, t("attention.recall.heads"), "heads")
encoding = TABLE.choice(d3, t("attention.recall.encoding"), "encoding", "radio",
                        format_func=lambda name: t(RECALL_KEYS[name]))
TABLE.save()
rcfg = selfattn.RecallConfig(lag=lag, heads=heads, encoding=encoding, seed=int(seed))
run = trained("attn_sa", rcfg, selfattn.train_recall, label=t("attention.recall.train"),
              auto=TABLE.from_link())
if run is not None:
    head = st.radio(t("attention.recall.head"), range(heads),
                    format_func=lambda h: t("attention.recall.head_n", n=h + 1),
                    horizontal=True, key="attn_head") if heads > 1 else 0
    A = run.A[head].numpy()
    show.plotly(figures.self_attention_map(A, head), "attn_selfmap",
                t("attention.recall.map_caption", accuracy=f"{run.history.eval_accuracy:.0%}",
                  weight=f"{A[-1, 0]:.2f}", symbol=run.symbol))

st.subheader(t("attention.cost.header"))
show.prose(t("attention.prose.cost"))
st.dataframe(lesson.cost_table(lag), hide_index=True)
show.prose(lesson.cost_reading(lag))  # the crossing, from the table's own numbers
show.prose(t("attention.prose.beyond"))
