"""Streamlit panels of the Attention lesson: what the decoder's step-through draws for output
step k beside the shared stepper (memviz.ui.steppanel.step_through)."""

from __future__ import annotations

import streamlit as st

from memviz.attention import figures, lesson, seq2seq
from memviz.ui import show
from memviz.ui.lang import t

EQUATIONS = (lesson.STATE, lesson.SCORE, lesson.WEIGHTS, lesson.CONTEXT, lesson.MIX,
             lesson.OUTPUT)


def decoder_step(model: seq2seq.Seq2Seq, walk: lesson.Walk):
    """A step-through extra: at output step k the alignment with row k marked, the step's
    weights, output distribution, state and context, and the attention equations with this
    run's numbers, then the hand check of all of them."""
    d = walk.decoded
    diff = lesson.hand_check(model, walk)  # every step at once: once per page run, not per step

    def panel(step: int, _unit: int) -> None:
        k = min(max(step, 1), walk.steps) - 1  # the stepper's t is the output step k (1-based)
        left, right = st.columns([3, 2])
        with left:
            show.plotly(figures.alignment_heatmap(d.alpha[0].numpy(), walk.source, walk.output,
                                                  k), "attn_alignment",
                        t("attention.s2s.alignment_caption"))
            show.plotly(figures.step_panel(d.alpha[0, k].numpy(), walk.source,
                                           d.p[0, k].numpy(), d.s[0, k].numpy(),
                                           d.c[0, k].numpy()), "attn_step")
        with right:
            for tex in (*EQUATIONS, *lesson.step_latex(walk, k)):
                show.latex(tex)
            show.caption(t("attention.s2s.checked", diff=f"{diff:.1e}"))
    return panel
