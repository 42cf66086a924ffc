"""Figures for the CNN lesson: kernels, feature maps, a convolution written out, receptive fields.

Every builder returns a plotly or altair figure and never draws it. Labels are plain text.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from memviz.cnn.arithmetic import ShapeRow, Stage, torch_shapes
from memviz.cnn.model import ConvAt, Field

PER_ROW = 8  # maps per row of a mosaic
DIVERGING = "RdBu_r"  # weights and products: red positive, blue negative, white zero
ACTIVE = "Viridis"  # activations are >= 0 after ReLU
INK = "Greys"  # digits: dark ink on white
STAGE_TITLES = {"input": "input image", "relu1": "conv1 + ReLU", "pool1": "pool1 (2x2 max)",
                "relu2": "conv2 + ReLU", "pool2": "pool2 (2x2 max)"}
FIELD_COLORS = ("#E69F00", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#56B4E9")


def _mosaic(maps: np.ndarray, per_row: int, full: bool = False
            ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Tile maps (N, h, w) into one array with NaN gaps; also each map's top-left (row, col).

    full=True keeps per_row columns even for fewer maps, so mosaics of one side share a scale.
    """
    n, h, w = maps.shape
    rows, cols = -(-n // per_row), per_row if full else min(n, per_row)
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    corners = []
    for i, m in enumerate(maps):
        r, c = (i // per_row) * (h + 1), (i % per_row) * (w + 1)
        out[r:r + h, c:c + w] = m
        corners.append((r, c))
    return out, corners


def _square(fig: go.Figure, row: int | None = None, col: int | None = None) -> None:
    """Square cells, first row on top, no ticks (the pixels are the axes)."""
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, row=row, col=col)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed",
                     scaleanchor="x" if row is None else None, row=row, col=col)


def _rgba(hex_color: str, alpha: float) -> str:
    """'#RRGGBB' as an rgba() string with the given opacity (fills that let the image show)."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def loss_curve(losses: tuple[float, ...]) -> alt.Chart:
    """Training loss per step (altair line)."""
    df = pd.DataFrame({"step": np.arange(1, len(losses) + 1), "loss": losses})
    return alt.Chart(df, height=220).mark_line().encode(
        x=alt.X("step:Q", title="training step"),
        y=alt.Y("loss:Q", title="cross-entropy loss"),
        tooltip=["step", alt.Tooltip("loss:Q", format=".4f")]).properties(title="Training loss")


def kernels(weight: np.ndarray, layer: str) -> go.Figure:
    """A conv layer's kernels (O, C, k, k): one column per output channel, one row per input."""
    o, c, k, _ = weight.shape
    maps = weight.transpose(1, 0, 2, 3).reshape(o * c, k, k)  # row = input channel
    z, _ = _mosaic(maps, per_row=o)
    lim = float(np.abs(weight).max()) or 1.0
    fig = go.Figure(go.Heatmap(z=z, colorscale=DIVERGING, zmin=-lim, zmax=lim, hoverongaps=False,
                               colorbar={"title": {"text": "weight"}, "thickness": 12},
                               hovertemplate="weight %{z:.3f}<extra></extra>"))
    ticks = [(k + 1) * i + (k - 1) / 2 for i in range(o)]
    fig.update_layout(title=f"{layer}: {o} kernels of {c}x{k}x{k}",
                      height=max(230, 120 + 34 * c * k // 3),
                      margin={"l": 70, "r": 10, "t": 40, "b": 30})
    _square(fig)
    fig.update_xaxes(showticklabels=True, tickvals=ticks, ticktext=[str(i) for i in range(o)],
                     title_text="output channel (kernel)", side="bottom")
    fig.update_yaxes(showticklabels=c > 1, tickvals=[(k + 1) * i + (k - 1) / 2 for i in range(c)],
                     ticktext=[f"in {i}" for i in range(c)])
    return fig


def _stage_title(name: str, shape: tuple[int, ...]) -> str:
    """'conv1 + ReLU: 8 maps of 8x8' for a stage output of shape (C, H, W)."""
    c, h, w = shape
    return f"{STAGE_TITLES[name]}: {c} map{'s' if c != 1 else ''} of {h}x{w}"


def feature_maps(acts: dict[str, np.ndarray]) -> go.Figure:
    """The input and the maps (C, H, W) after each ReLU and pool, one block per stage."""
    names = [n for n in acts if n in STAGE_TITLES]
    tiles = [_mosaic(acts[n], PER_ROW, full=True)[0] for n in names]
    heights = [t.shape[0] / t.shape[1] for t in tiles]
    fig = make_subplots(rows=len(names), cols=1, row_heights=heights, vertical_spacing=0.06,
                        subplot_titles=[_stage_title(n, acts[n].shape) for n in names])
    for i, (n, z) in enumerate(zip(names, tiles, strict=True), start=1):
        scale = INK if n == "input" else ACTIVE
        fig.add_trace(go.Heatmap(z=z, colorscale=scale, showscale=False, hoverongaps=False,
                                 hovertemplate="%{z:.3f}<extra></extra>"), row=i, col=1)
        _square(fig, row=i, col=1)
        fig.update_yaxes(scaleanchor=f"x{i if i > 1 else ''}", constrain="domain", row=i, col=1)
        fig.update_xaxes(constrain="domain", row=i, col=1)
    fig.update_layout(height=150 + int(560 * sum(heights)), margin={"l": 10, "r": 10, "t": 40,
                                                                     "b": 10})
    return fig


def _numbers(z: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Cell labels with 2 decimals; 'pad' where the kernel sits on zero padding."""
    text = np.vectorize(lambda v: f"{v:.2f}".replace("-0.00", "0.00"))(z).astype(object)
    if mask is not None:
        text[mask] = "pad"
    return text


def conv_written_out(at: ConvAt, channel: int = 0) -> go.Figure:
    """Patch, kernel and their products for one input channel, each cell labelled with its value."""
    parts = [("patch x (input under the kernel)", at.patch[channel], INK, True),
             (f"kernel w (out {at.out_channel}, in {channel})", at.kernel[channel], DIVERGING,
              False),
             ("w x (elementwise products)", at.products[channel], DIVERGING, True)]
    fig = make_subplots(rows=1, cols=3, subplot_titles=[p[0] for p in parts],
                        horizontal_spacing=0.05)
    for i, (_, z, scale, pad) in enumerate(parts, start=1):
        lim = float(np.abs(z).max()) or 1.0
        lo = 0.0 if scale == INK else -lim
        fig.add_trace(go.Heatmap(z=z, colorscale=scale, zmin=lo, zmax=lim, showscale=False,
                                 text=_numbers(z, at.padded if pad else None),
                                 texttemplate="%{text}", textfont={"size": 14},
                                 hovertemplate="%{z:.4f}<extra></extra>"), row=1, col=i)
        _square(fig, row=1, col=i)
        fig.update_yaxes(scaleanchor=f"x{i if i > 1 else ''}", row=1, col=i)
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_annotations(font_size=13)
    return fig


def channel_sums(at: ConvAt) -> alt.Chart:
    """Sum of the products per input channel (the terms of the outer sum over c)."""
    df = pd.DataFrame({"input channel": [str(c) for c in range(len(at.channel_sums))],
                       "sum of w x": at.channel_sums})
    return alt.Chart(df, height=200).mark_bar().encode(
        x=alt.X("input channel:N", sort=None),
        y=alt.Y("sum of w x:Q", title="sum of products"),
        color=alt.condition("datum['sum of w x'] >= 0", alt.value("#D55E00"),
                            alt.value("#0072B2")),
        tooltip=["input channel", alt.Tooltip("sum of w x:Q", format=".4f")])


def receptive_fields(image: np.ndarray, fields: list[Field],
                     units: list[tuple[int, int]]) -> go.Figure:
    """The input image once per layer, with that layer's chosen unit's field drawn as a box."""
    titles = [f"{f.name}: unit ({m}, {n}) sees {f.size}x{f.size}"
              for f, (m, n) in zip(fields, units, strict=True)]
    fig = make_subplots(rows=1, cols=len(fields), subplot_titles=titles, horizontal_spacing=0.03)
    for i, (f, (m, n)) in enumerate(zip(fields, units, strict=True), start=1):
        fig.add_trace(go.Heatmap(z=image, colorscale=INK, zmin=0, zmax=1, showscale=False,
                                 hovertemplate="row %{y}, col %{x}: %{z:.2f}<extra></extra>"),
                      row=1, col=i)
        r0, r1, c0, c1 = f.box(m, n, image.shape[0])
        color = FIELD_COLORS[(i - 1) % len(FIELD_COLORS)]
        fig.add_shape(type="rect", x0=c0 - 0.5, x1=c1 + 0.5, y0=r0 - 0.5, y1=r1 + 0.5,
                      line={"color": color, "width": 4}, fillcolor=_rgba(color, 0.2),
                      row=1, col=i)
        _square(fig, row=1, col=i)
        fig.update_yaxes(scaleanchor=f"x{i if i > 1 else ''}", row=1, col=i)
    fig.update_layout(height=280, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    fig.update_annotations(font_size=12)
    return fig


def probabilities(probs: np.ndarray, label: int) -> alt.Chart:
    """Predicted probability per class (10,); the true class in orange."""
    digits = range(len(probs))
    df = pd.DataFrame({"digit": [str(d) for d in digits], "probability": probs,
                       "class": ["true digit" if d == label else "other" for d in digits]})
    return alt.Chart(df, height=220).mark_bar().encode(
        x=alt.X("digit:N", sort=None, title="digit"),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("class:N", title=None, scale=alt.Scale(domain=["true digit", "other"],
                                                               range=["#E69F00", "#0072B2"])),
        tooltip=["digit", alt.Tooltip("probability:Q", format=".3f")])


def shape_table(n: int, c: int, stages: list[Stage], rows: list[ShapeRow]) -> pd.DataFrame:
    """The arithmetic per layer, filled in, beside the (C, H, W) torch produces."""
    real = torch_shapes(n, c, stages)
    return pd.DataFrame({
        "layer": [r.stage.name for r in rows],
        "k, s, p": [f"{r.stage.k}, {r.stage.s}, {r.stage.p}" for r in rows],
        "⌊(n + 2p − k)/s⌋ + 1": [f"⌊({r.n_in} + {2 * r.stage.p} − {r.stage.k})/{r.stage.s}⌋ + 1 "
                                 f"= {r.n_out}" for r in rows],
        "output C×H×W": [f"{r.c}×{r.n_out}×{r.n_out}" for r in rows],
        "torch's shape": ["×".join(map(str, t)) for t in real]})


def shape_chart(n: int, rows: list[ShapeRow]) -> alt.Chart:
    """Side length of the feature map after each layer (bars), input first."""
    df = pd.DataFrame({"layer": ["input"] + [r.stage.name for r in rows],
                       "side": [n] + [r.n_out for r in rows],
                       "channels": [None] + [r.c for r in rows]})
    bars = alt.Chart(df, height=220).mark_bar(color="#0072B2").encode(
        x=alt.X("layer:N", sort=None), y=alt.Y("side:Q", title="side length (pixels)"),
        tooltip=["layer", "side", "channels"])
    return bars + bars.mark_text(dy=-8).encode(text="side:Q")


# ---------------------------------------------------------------- equations with live numbers

DOC000_CONV = r"f(x,\theta) = \sum_{i=-k}^{k}\sum_{j=-k}^{k} w_{i,j} * x_{i,j} + b"
CANONICAL_CONV = (r"y_{o,m,n} = b_o + \sum_{c=0}^{C-1}\sum_{u=0}^{k-1}\sum_{v=0}^{k-1} "
                  r"w_{o,c,u,v}\, x_{c,\; s m + u - p,\; s n + v - p}")
OUT_SIZE = r"n_{\text{out}} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1"


def _n(v: float) -> str:
    """A number for LaTeX: 3 decimals, parenthesised when negative."""
    s = f"{v:.3f}"
    return f"({s})" if s.startswith("-") else s


def _terms(values: list[str], per_line: int) -> str:
    """Join terms with + and break the line every per_line terms (inside an aligned block)."""
    lines = [" + ".join(values[i:i + per_line]) for i in range(0, len(values), per_line)]
    return r" \\ &\quad + ".join(lines)


def conv_latex(at: ConvAt, channel: int = 0) -> list[str]:
    """The convolution at `at` with its numbers: products of one channel, the sum, bias, ReLU."""
    k = at.kernel.shape[-1]
    w, x = at.kernel[channel].ravel(), at.patch[channel].ravel()
    prods = [rf"{_n(a)}\cdot{_n(b)}" for a, b in zip(w, x, strict=True)]
    s_c = float(at.channel_sums[channel])
    head = rf"y_{{{at.out_channel},{at.row},{at.col}}}"
    if len(at.channel_sums) == 1:
        first = (rf"\begin{{aligned}}\textstyle\sum_{{u,v}} w_{{u,v}}\,x_{{u,v}} &= "
                 rf"{_terms(prods, k)} \\ &= {_n(s_c)}\end{{aligned}}")
        second = (rf"{head} = \textstyle\sum_{{u,v}} w_{{u,v}}\,x_{{u,v}} + b = {_n(at.total)} + "
                  rf"{_n(at.bias)} = {_n(at.z)}")
    else:  # several input channels: one channel's products, then the sum over channels
        sums = [_n(float(v)) for v in at.channel_sums]
        first = (rf"\begin{{aligned}}s_{{{channel}}} = \textstyle\sum_{{u,v}} "
                 rf"w_{{{at.out_channel},{channel},u,v}}\,x_{{{channel},u,v}} &= "
                 rf"{_terms(prods, k)} \\ &= {_n(s_c)}\end{{aligned}}")
        second = (rf"\begin{{aligned}}{head} = b_{{{at.out_channel}}} + \textstyle\sum_c s_c "
                  rf"&= {_n(at.bias)} + {_terms(sums, 4)} \\ &= {_n(at.z)}\end{{aligned}}")
    third = rf"\operatorname{{ReLU}}({at.z:.3f}) = \max(0,\, {at.z:.3f}) = {at.a:.3f}"
    return [first, second, third]
