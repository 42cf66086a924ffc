"""Attention lesson: seq2seq with and without attention, and self-attention on delayed recall."""

import re
from dataclasses import asdict
from pathlib import Path

import streamlit as st

from memviz.attention import data, figures, lesson, selfattn
from memviz.attention import train as s2s
from memviz.config import ConfigError
from memviz.ui import show, urlstate
from memviz.ui.router import through_router
from memviz.ui.training import trained

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "attn"
NAMES = ["task", "max_len", "steps", "seed", "lag", "heads", "encoding"]
MAX_SHOWN = {"reverse": 12, "dates": 3}
TEXT = dict(re.findall(r"<!-- section: (\w+) -->\n(.*?)(?=\n<!-- section|\Z)",
                       Path(__file__).with_suffix(".md").read_text(encoding="utf-8"), re.S))
u = urlstate.initial

st.title("Attention")
show.prose(TEXT["intro"])
c1, c2, c3, c4 = st.columns(4)
task = c1.radio("Toy translation", data.TASKS, key="attn_task",
                index=data.TASKS.index(u("task", "reverse", str, data.TASKS.__contains__)),
                format_func={"reverse": "reverse digits", "dates": "dates to ISO"}.get)
default = s2s.TASK_LENGTHS[task]["max_len"]
if st.session_state.get("attn_max_len", 0) > MAX_SHOWN[task]:
    st.session_state["attn_max_len"] = default  # switching task: keep the slider in range
max_len = c2.slider("Longest training length", 1, MAX_SHOWN[task], key="attn_max_len",
                    value=u("max_len", default, int, lambda v: 1 <= v <= MAX_SHOWN[task]))
steps = c3.select_slider("Training steps", [20, 100, 300, 600, 1000, 1500], key="attn_steps",
                         value=u("steps", 600, int, lambda v: v in (20, 100, 300, 600, 1000,
                                                                      1500)))
seed = c4.number_input("Seed", 0, 10_000, u("seed", 0, int, lambda v: 0 <= v <= 10_000),
                       key="attn_seed")
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
both = trained(PAGE, cfg, s2s.train_both, label="Train both",
               auto=urlstate.opened_with(PAGE, cfg, NAMES[:4]))

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
lag = d1.slider("Lag (sequence length)", 5, 200, u("lag", 20, int, lambda v: 5 <= v <= 200),
                key="attn_lag")
heads = d2.select_slider("Heads", [1, 2, 4], u("heads", 1, int, (1, 2, 4).__contains__),
                         key="attn_heads")
encoding = d3.radio("Positional encoding", selfattn.ENCODINGS, key="attn_encoding",
                    index=selfattn.ENCODINGS.index(u("encoding", "sinusoidal", str,
                                                     selfattn.ENCODINGS.__contains__)))
urlstate.save(PAGE, NAMES)
rcfg = selfattn.RecallConfig(lag=lag, heads=heads, encoding=encoding, seed=int(seed))
run = trained("attn_sa", rcfg, selfattn.train_recall, label="Train self-attention",
              auto=urlstate.opened_with("attn_sa", rcfg, NAMES[4:]))
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
