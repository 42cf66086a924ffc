"""A user's model as figures: the LSTM lesson's builders (memviz.engine.figures), one set
per layer. Never calls streamlit.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from memviz.engine import figures
from memviz.yours.tracing import ModelTrace


def channels(mt: ModelTrace) -> list[str]:
    """The input's channel names: x1, x2, ... (the weights carry no names)."""
    return [f"x{j + 1}" for j in range(mt.x.shape[1])]


def model_figures(mt: ModelTrace, t: int | None = None, unit: int = 0) -> dict[str, go.Figure]:
    """The input, and each layer's heatmaps and unit lines at step t (1-based, default the
    last) and unit `unit`, named as files are: yours_input, yours_l{k}_heatmaps,
    yours_l{k}_unit_lines (k from 0, the bottom layer)."""
    t = mt.T if t is None else min(max(int(t), 1), mt.T)
    unit = min(max(int(unit), 0), mt.H - 1)
    # real-valued channels (an embedding's vectors), not on/off: the shades need a key
    key = not np.isin(mt.x, (0.0, 1.0)).all()
    out = {"yours_input": figures.input_heatmap(mt.layers[0], channels(mt), key=key)}
    for k, layer in enumerate(mt.layers):
        at = (k + 1, mt.num_layers)  # the same builders draw every layer: the title says which
        out[f"yours_l{k}_heatmaps"] = figures.state_heatmaps(layer, mt.fields, t, unit, at)
        out[f"yours_l{k}_unit_lines"] = figures.unit_lines(layer, mt.fields, unit, t, at)
    return out
