"""Figures of the memory network lesson: accuracy by task, and each hop's attention over the
sentences of one story. Plain plotly dicts through memviz.plotting; no streamlit."""

from __future__ import annotations

import plotly.graph_objects as go

from memviz import plotting as P
from memviz.i18n import t
from memviz.memnet import stories


def task_name(task: str) -> str:
    """A task's name in the reader's language."""
    return {"single": t("memnet.task.single"), "two": t("memnet.task.two"),
            "three": t("memnet.task.three"), "yesno": t("memnet.task.yesno"),
            "all": t("memnet.task.all")}[task]


def accuracy_by_task(by_task: dict[str, float], hops: int) -> go.Figure:
    """Held-out accuracy per task, one bar each, with the chance line of a yes/no answer."""
    names = [task_name(k) for k in by_task]
    bar = {"type": "bar", "x": names, "y": [100 * v for v in by_task.values()],
           "marker": {"color": P.ARCH_COLORS["attention"]},
           "text": [f"{100 * v:.1f}%" for v in by_task.values()], "textposition": "outside",
           "name": t("memnet.fig.accuracy")}
    return P.figure([bar], {**P.axes(t("memnet.fig.task"), t("memnet.fig.accuracy_axis"),
                                     range=[0, 110]), "showlegend": False},
                    t("memnet.fig.accuracy_title", hops=hops), 340)


def sentence_label(words: tuple[str, ...], i: int, zh: bool) -> str:
    """'3. John picked up the ball.' (its Chinese rendering on the zh page)."""
    return f"{i + 1}. {stories.zh_text(words) if zh else stories.text(words)}"


def hop_attention(p, story: stories.Story, zh: bool) -> go.Figure:
    """p (n sentences, K hops) as a heatmap: which sentence each hop reads."""
    n, K = p.shape
    labels = [P.user_text(sentence_label(s, i, zh)) for i, s in enumerate(story.sentences)]
    heat = {"type": "heatmap", "z": p.tolist(), "x": [t("memnet.fig.hop_n", k=k + 1)
                                                      for k in range(K)],
            "y": labels, "zmin": 0, "zmax": 1, "colorscale": P.scale("share"),
            "colorbar": {"title": {"text": "p"}},
            "text": [[f"{v:.2f}" for v in row] for row in p.tolist()],
            "texttemplate": "%{text}", "hovertemplate": "%{y}<br>%{x}: p = %{z:.3f}<extra></extra>"}
    question = stories.zh_text(story.question, True) if zh else stories.text(story.question, True)
    return P.figure([heat], {"yaxis": {"autorange": "reversed", "automargin": True},
                             "xaxis": {"side": "top"}},
                    t("memnet.fig.hops_title", question=P.user_text(question)),
                    120 + 34 * n)
