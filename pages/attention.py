"""Attention lesson: seq2seq with and without attention, and self-attention on delayed recall."""

import re
from dataclasses import asdict
from pathlib import Path

import streamlit as st

from memviz.attention import data, figures, lesson, selfattn
from memviz.attention import train as s2s
from memviz.config import Choice, ConfigError, Int
from memviz.ui import show, urlstate
from memviz.ui.router import through_router
from memviz.ui.training import trained

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "attn"
MAX_SHOWN = {"reverse": 12, "dates": 3}
TEXT = dict(re.findall(r"<!-- section: (\w+) -->\n(.*?)(?=\n<!-- section|\Z)",
                       Path(__file__).with_suffix(".md").read_text(encoding="utf-8"), re.S))
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
], check=_fits)

st.title("Attention")
show.prose(TEXT["intro"])
linked = st.query_params.get("task", "").strip().lower()  # a link naming only a task gets
if urlstate.FIRST_RUN_DONE not in st.session_state and linked in MAX_SHOWN \
        and "max_len" not in st.query_params:  # that task's own default length
    st.query_params["max_len"] = str(s2s.TASK_LENGTHS[linked]["max_len"])
TABLE.start()
c1, c2, c3, c4 = st.columns(4)
task = TABLE.choice(c1, "Toy translation", "task", "radio",
                    format_func={"reverse": "reverse digits", "dates": "dates to ISO"}.get)
if st.session_state.get(TABLE.key("max_len"), 0) > MAX_SHOWN[task]:
    st.session_state[TABLE.key("max_len")] = s2s.TASK_LENGTHS[task]["max_len"]  # keep in range
max_len = c2.slider("Longest training length", 1, MAX_SHOWN[task], key=TABLE.key("max_len"))
steps = TABLE.slider(c3, "Training steps", "steps")
seed = TABLE.number(c4, "Seed", "seed")
TABLE.save(["task", "max_len", "steps", "seed"])
try:
    cfg = s2s.Seq2SeqConfig.for_task(task, max_len=max_len, steps=steps, seed=int(seed),
                                     min_len=min(s2s.TASK_LENGTHS[task]["min_len"], max_len))
except ConfigError as e:
    st.warning(f"Choose again: {e}")
    st.stop()
show.note_config(asdict(cfg))
unit = "digits" if task == "reverse" else "dates"
show.caption(f"Trains on {cfg.min_len}–{cfg.max_len} {unit}, tests on {cfg.min_len}–"
             f"{cfg.max_len + cfg.extra}; both models see the same batches.")
both = trained(PAGE, cfg, s2s.train_both, label="Train both", auto=TABLE.from_link())

if both is not None:
    st.subheader("The bottleneck, measured")
    acc = {"plain": both.plain.accuracy, "attention": both.attn.accuracy}
    show.plotly(figures.accuracy_lines(acc, cfg.max_len), "attn_accuracy",
                "Solid: whole answer right; dotted: share of answer tokens right. "
                f"{len(s2s.test_batch(cfg, 1).texts)} held-out sources per length.")
    st.markdown(lesson.summary(both))
    show.prose(TEXT["bottleneck"])

    st.subheader("Look inside: one sentence decoded")
    n = st.slider("Source length of the example", cfg.min_len, cfg.max_len + cfg.extra,
                  cfg.max_len, key="attn_example")
    walk = lesson.walk(both.attn.model, cfg, n)
    plain = lesson.walk(both.plain.model, cfg, n)
    st.markdown(f"Source `{''.join(walk.source).replace('␣', ' ')}` → answer `{walk.answer}`. "
                f"With attention: `{walk.text}` {'✓' if walk.correct else '✗'} · plain: "
                f"`{plain.text}` {'✓' if plain.correct else '✗'}")

    @st.fragment
    def step_through() -> None:
        """Output step k: state, weights, context, chosen token, with the live numbers."""
        k = st.slider("Output step k", 1, walk.steps, 1, key="attn_k") - 1
        left, right = st.columns([3, 2])
        with left:
            show.plotly(figures.alignment_heatmap(walk.decoded.alpha[0].numpy(), walk.source,
                                                  walk.output, k), "attn_alignment",
                        "Row k: the weights output step k put on each source position "
                        "(each row sums to 1).")
            show.plotly(figures.step_panel(walk.decoded.alpha[0, k].numpy(), walk.source,
                                           walk.decoded.p[0, k].numpy(),
                                           walk.decoded.s[0, k].numpy(),
                                           walk.decoded.c[0, k].numpy()), "attn_step")
        with right:
            for tex in (lesson.STATE, lesson.SCORE, lesson.WEIGHTS, lesson.CONTEXT, lesson.MIX,
                        lesson.OUTPUT, *lesson.step_latex(walk, k)):
                show.latex(tex)
            show.caption("Luong et al. (2015), 'general' score. Recomputed by hand in numpy "
                         f"from the trained weights: largest difference (scores relative to "
                         f"their size) "
                         f"{lesson.hand_check(both.attn.model, walk):.1e}.")

    step_through()

st.subheader("Attention against gates on the same memory task")
show.prose(TEXT["recall"])
d1, d2, d3 = st.columns(3)
lag = TABLE.slider(d1, "Lag (sequence length)", "lag")
heads = TABLE.slider(d2, "Heads", "heads")
encoding = TABLE.choice(d3, "Positional encoding", "encoding", "radio")
TABLE.save()
rcfg = selfattn.RecallConfig(lag=lag, heads=heads, encoding=encoding, seed=int(seed))
run = trained("attn_sa", rcfg, selfattn.train_recall, label="Train self-attention",
              auto=TABLE.from_link())
if run is not None:
    head = st.radio("Head", range(heads), format_func=lambda h: f"head {h + 1}",
                    horizontal=True, key="attn_head") if heads > 1 else 0
    A = run.A[head].numpy()
    show.plotly(figures.self_attention_map(A, head), "attn_selfmap",
                f"Held-out accuracy {run.history.eval_accuracy:.0%}. The framed last row is the "
                f"cue: it puts weight {A[-1, 0]:.2f} on step 1 (symbol {run.symbol}). Only "
                f"the cue's output is trained; the other rows show what they would read.")

st.subheader("What attention costs")
show.prose(TEXT["cost"])
st.dataframe(lesson.cost_table(lag), hide_index=True)
show.prose(TEXT["beyond"])
