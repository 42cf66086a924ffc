"""Figures of the sentiment lesson: accuracy against distance for LSTM and GRU, and one
sentence read word by word. Pure functions returning plotly figures."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from memviz import plotting as P
from memviz.i18n import t

COLORS = P.ARCH_COLORS  # an architecture keeps its colour on every page: the GRU too


def p_positive(logits: np.ndarray) -> np.ndarray:
    """P(positive) from (T, 2) logits, per word."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e[:, 1] / e.sum(axis=-1)


def _hline(y: float, label: str | None = None) -> tuple[dict, dict | None]:
    """A dotted grey rule across the plot at y, labelled at its right end (as add_hline)."""
    rule = P.rule({"color": P.GUIDE, "dash": "dot"}, y=y)
    note = None if label is None else {
        "text": label, "x": 1, "xref": "x domain", "xanchor": "right", "y": y, "yref": "y",
        "yanchor": "bottom", "showarrow": False}
    return rule, note


def accuracy_by_distance(runs: dict) -> go.Figure:
    """Held-out accuracy in each distance bin, one line per cell type."""
    data = []
    for arch, run in runs.items():
        bins = list(run.by_distance)
        data.append({"type": "scatter", "x": bins, "y": [100 * run.by_distance[b] for b in bins],
                     "name": arch.upper(), "mode": "lines+markers",
                     "line": {"color": COLORS[arch], "width": 3}, "marker": {"size": 10}})
    rule, note = _hline(50, t("sentences.fig.chance"))
    layout = dict(shapes=[rule], annotations=[note],
                  xaxis={"title": {"text": t("sentences.fig.distance")}},
                  yaxis={"title": {"text": t("sentences.fig.accuracy")}, "range": [40, 102]},
                  legend={"orientation": "h", "y": -0.25}, margin={"b": 40})
    return P.figure(data, layout, t("sentences.fig.distance_title"), 360)


def _ticks(tokens: list[str]) -> dict:
    return dict(tickmode="array", tickvals=list(range(len(tokens))),
                ticktext=[P.user_text(w) for w in tokens],  # the student's words, as typed
                tickangle=-45)


def reading(traces: dict, tokens: list[str]) -> go.Figure:
    """P(positive) after each word for each cell: the classifier applied to h_t."""
    data = [{"type": "scatter", "x": list(range(len(tokens))), "y": p_positive(tr.output),
             "name": arch.upper(), "mode": "lines+markers",
             "line": {"color": COLORS[arch], "width": 3}} for arch, tr in traces.items()]
    layout = dict(shapes=[_hline(0.5)[0]],
                  yaxis={"title": {"text": t("sentences.fig.p_positive")},
                         "range": [-0.02, 1.02]},
                  xaxis=_ticks(tokens), legend={"orientation": "h", "y": -0.45},
                  margin={"b": 90})
    return P.figure(data, layout, t("sentences.fig.reading_title"), 340)


def reading_note(traces: dict, tokens: list[str]) -> str:
    """What the reading chart shows, per cell, from its own curve: the words at which its answer
    changes side (P(positive) crosses 0.5) and the word that moves it most. It follows a
    sentence: in English it starts with a space."""
    out = []
    for arch, tr in traces.items():
        p = p_positive(tr.output)  # (T,)
        side = p >= 0.5
        flips = [k for k in range(1, len(p)) if side[k] != side[k - 1]]
        move = np.abs(np.diff(p, prepend=p[0]))
        k = int(np.argmax(move))
        if flips:
            words = t("sentences.list_sep").join(
                t("sentences.word_at", word=tokens[j], n=j + 1) for j in flips[:4])
            if len(flips) > 4:  # never leave out a change of side without saying so
                words += t("sentences.reading.more", k=len(flips) - 4)
            text = t("sentences.reading.flips", arch=arch.upper(), words=words)
        else:
            text = t("sentences.reading.no_flip", arch=arch.upper(),
                     label=t("sentences.label_1" if side[0] else "sentences.label_0"))
        if move[k] > 0.05:
            text += t("sentences.reading.moves", word=tokens[k], n=k + 1,
                      a=f"{p[k - 1]:.2f}", b=f"{p[k]:.2f}")
        out.append(text)
    return "".join(out)  # English sentences bring their own leading space, Chinese none


def hidden_heatmap(tr, tokens: list[str], arch: str) -> go.Figure:
    """Hidden state h_t, units x words, as the sentence is read."""
    heat = {"type": "heatmap", "z": tr["h"].T, "x": list(range(len(tokens))), "zmin": -1,
            "zmax": 1, "colorscale": P.scale("tanh"),
            "colorbar": {"title": {"text": "h"}}}
    return P.figure([heat], dict(yaxis={"title": {"text": t("sentences.fig.unit")}},
                                 xaxis=_ticks(tokens), margin={"b": 90}),
                    t("sentences.fig.hidden_title", arch=arch.upper()), 360)
