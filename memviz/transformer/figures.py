"""The Transformer lesson's figures, from plain dicts (memviz.plotting): held-out bits/char
against training seconds for both models with the n-gram lines, the numbers each model keeps,
the recall probe, the residual stream's norm per layer, and every head's attention over the
context at one position. Words come in from the caller (already in the reader's language)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from memviz.plotting import (
    ARCH_COLORS,
    ROLE_COLORS,
    axes,
    figure,
    line,
    rule,
    scale,
    user_text,
)
from memviz.text.figures import visible

TF, LSTM = ARCH_COLORS["attention"], ARCH_COLORS["lstm"]
GREY = dict(color=ROLE_COLORS["baseline"], dash="dot", width=1)  # the n-gram lines


def race(curve, lstm_curve, ngrams: Sequence[tuple[str, float]], equal_s: float,
         words: dict[str, str]) -> go.Figure:
    """Bits/char against seconds: both curves, an n-gram line each, the equal-seconds mark."""
    data = [line([p[0] for p in c], [p[1] for p in c], words[k], col) | {"mode": "lines+markers"}
            for c, k, col in ((curve, "transformer", TF), (lstm_curve, "lstm", LSTM))]
    shapes = [rule(GREY, y=b) for _, b in ngrams] + [rule(GREY | {"dash": "dash"}, x=equal_s)]
    notes = [dict(x=1, xref="x domain", y=b, yref="y", text=name, showarrow=False,
                  xanchor="right", yanchor="bottom") for name, b in ngrams]
    top = max(b for _, b in ngrams) + 1.0
    return figure(data, {**axes(words["x"], words["y"], range=[1.0, top]),
                         "shapes": shapes, "annotations": notes}, words["title"], 380)


def kept(lstm_numbers: int, kv_per_position: int, window: int, words: dict[str, str],
         n: int = 256) -> go.Figure:
    """Numbers kept after reading n characters: the LSTM's fixed state, the growing KV cache."""
    x = np.arange(1, n + 1)
    data = [line(x.tolist(), [lstm_numbers] * n, words["lstm"], LSTM),
            line(x.tolist(), (kv_per_position * np.minimum(x, window)).tolist(),
                 words["transformer"], TF)]
    return figure(data, {**axes(words["x"], words["y"]),
                         "shapes": [rule(GREY | {"dash": "dash"}, x=window)]}, words["title"], 320)


def recall(lstm: Sequence[float], tf: Sequence[float], window: int, chance: float,
           words: dict[str, str]) -> go.Figure:
    """The probe's accuracy by distance for both models, the window and chance marked."""
    d = list(range(1, len(lstm) + 1))
    data = [line(d, list(tf), words["transformer"], TF) | {"mode": "lines+markers"},
            line(d, list(lstm), words["lstm"], LSTM) | {"mode": "lines+markers"}]
    shapes = [rule(GREY | {"dash": "dash"}, x=window - 0.5), rule(GREY, y=chance)]
    return figure(data, {**axes(words["x"], words["y"], range=[0, 1.05]), "shapes": shapes},
                  words["title"], 320)


def norms(norms_at: np.ndarray, names: Sequence[str], words: dict[str, str]) -> go.Figure:
    """The residual stream's length at one position: after the embeddings, then each block."""
    bar = dict(type="bar", x=names, y=[float(v) for v in norms_at], marker=dict(color=TF))
    return figure([bar], axes("", words["y"]), words["title"], 260)


def attention_row(weights_at: np.ndarray, context: str, labels: Sequence[str],
                  title: str) -> go.Figure:
    """Every head's weights over the characters up to the position (rows: heads)."""
    chars = [user_text(visible(c)) for c in context]
    heat = dict(type="heatmap", z=np.asarray(weights_at).tolist(), zmin=0, zmax=1,
                x=list(range(1, len(chars) + 1)), y=list(labels),
                colorscale=scale("share"), text=[chars] * len(labels),
                texttemplate="%{text}", hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>")
    return figure([heat], {"yaxis": dict(autorange="reversed"), "xaxis": dict(dtick=1)},
                  title, 90 + 28 * len(labels))
