"""Streamlit panels of the memory network lesson: the story in memory (English, and Chinese on
the zh page), and its step-through in the shared stepper (sentences x hops) with a line per hop
saying which sentence it read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from memviz import i18n
from memviz.memnet import figures, lesson, stories
from memviz.memnet.train import MemNetRun
from memviz.ui import lang, show, stepper, urlstate
from memviz.ui.lang import t


def memory_table(story: stories.Story) -> None:
    """The memory's slots, one sentence each, with the sentences the answer rests on marked."""
    zh = i18n.current() == "zh"
    rows = []
    for i, s in enumerate(story.sentences):
        row = {t("memnet.col_slot"): i + 1, t("memnet.col_sentence"): stories.text(s)}
        if zh:
            row[t("memnet.col_zh")] = stories.zh_text(s)
        row[t("memnet.col_support")] = "✓" if i in story.support else ""
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    q, a = stories.text(story.question, True), story.answer
    if zh:
        q, a = f"{stories.zh_text(story.question, True)}（{q}）", f"{stories.ZH[a]}（{a}）"
    st.markdown(t("memnet.question", question=show.literal(q), answer=show.literal(a)))


def _panel(page: str, run: MemNetRun, w: lesson.Walk, table: urlstate.Table) -> None:
    lang.sync()  # a fragment-only run: the session's language, not the thread's default
    n, K = w.arrays["p"].shape
    ss = st.session_state
    k = min(max(int(ss.get(table.key("t")) or n), 1), n)
    j = min(max(int(ss.get(table.key("unit")) or 0), 0), K - 1)
    view = stepper.element(f"{page}_stepper",
                           lesson.payload(w, run.config.tying, k, j, show.lecturer()))
    if view is not None:  # where the student settled in the browser: keep it for the URL
        k, j = min(max(view["t"], 1), n), min(max(view["unit"], 0), K - 1)
    ss[table.key("t")], ss[table.key("unit")] = k, j
    table.save(["t", "unit"])
    zh = i18n.current() == "zh"
    show.export_only(lambda: figures.hop_attention(w.arrays["p"], w.story, zh),
                     f"{page}_hops", t("memnet.export_hops"))
    show.caption(t("memnet.step_note", t=k, hop=j + 1))


def step_through(page: str, run: MemNetRun, w: lesson.Walk, table: urlstate.Table) -> None:
    """The stepper over this story, then what each hop read and the model's answer."""
    zh = i18n.current() == "zh"
    st.fragment(_panel)(page, run, w, table)
    for k, (i, p) in enumerate(w.top, 1):
        sent = w.story.sentences[i]
        shown = f"{stories.zh_text(sent)}（{stories.text(sent)}）" if zh else stories.text(sent)
        st.markdown(t("memnet.hop_reads", hop=k, slot=i + 1, p=f"{p:.2f}",
                      sentence=show.literal(shown),
                      support=t("memnet.supporting") if i in w.story.support else ""))
    answer = f"{stories.ZH[w.answer]}（{w.answer}）" if zh and w.answer in stories.ZH \
        else w.answer
    st.markdown(t("memnet.answer_right" if w.right else "memnet.answer_wrong",
                  answer=show.literal(answer)))
