"""Figures for the CNN lesson: kernels, feature maps, a convolution written out, receptive fields.

Every builder returns a plotly or altair figure and never draws it. Labels are plain text, in
the current language (memviz.i18n, catalogue memviz/locales/cnn.toml); so are the column names
of the altair charts' data, which become the columns of their CSV export.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from memviz import plotting as P
from memviz.cnn.arithmetic import ShapeRow, Stage, torch_shapes
from memviz.cnn.model import ConvAt, Field
from memviz.i18n import t

PER_ROW = 8  # maps per row of a mosaic
DIVERGING = "signed"  # weights and products: red positive, blue negative, white zero
ACTIVE = "activation"  # activations are >= 0 after ReLU
INK = "ink"  # digits: dark ink on white
# (quantities of memviz.plotting.SCALES)
STAGES = ("input", "relu1", "pool1", "relu2", "pool2")  # the stages a feature-map figure shows
FIELD_COLORS = (P.ORANGE, P.GREEN, P.BLUE, P.VERMILLION, P.PURPLE, P.SKY)


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


def _square(scaleanchor: str | None = None) -> tuple[dict, dict]:
    """(x axis, y axis) settings for square cells, first row on top, no ticks (the pixels are
    the axes; tick marks would poke into the title of the panel below)."""
    x = {"showticklabels": False, "ticks": "", "showgrid": False, "zeroline": False}
    y = {**x, "autorange": "reversed"}
    if scaleanchor:
        y["scaleanchor"] = scaleanchor
    return x, y


def _panel_axes(layout: dict, i: int, **both) -> None:
    """Subplot i's axes squared (its y axis scaled to its own x axis); `both` to each axis."""
    x, y = _square(P.axis_ids(i)[0])
    xk, yk = P.axis_keys(i)
    layout[xk].update(x, **both)
    layout[yk].update(y, **both)


def _heatmap(z: np.ndarray, scale: str, panel: int | None = None, **more) -> dict:
    """A heatmap trace as a plain dict (on subplot `panel`, 1-based, when given)."""
    trace = {"type": "heatmap", "z": z, "colorscale": P.scale(scale), **more}
    if panel is not None:
        trace["xaxis"], trace["yaxis"] = P.axis_ids(panel)
    return trace


def _rgba(hex_color: str, alpha: float) -> str:
    """'#RRGGBB' as an rgba() string with the given opacity (fills that let the image show)."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def loss_curve(losses: tuple[float, ...]) -> alt.Chart:
    """Training loss per step (altair line)."""
    step, loss = t("cnn.fig.step"), t("cnn.fig.loss")
    df = pd.DataFrame({step: np.arange(1, len(losses) + 1), loss: losses})
    return alt.Chart(df, height=220).mark_line().encode(
        x=alt.X(field=step, type="quantitative", title=t("cnn.fig.training_step")),
        y=alt.Y(field=loss, type="quantitative", title=t("cnn.fig.cross_entropy")),
        tooltip=[alt.Tooltip(field=step, type="quantitative"),
                 alt.Tooltip(field=loss, type="quantitative", format=".4f")],
    ).properties(title=t("cnn.fig.training_loss"))


def kernels(weight: np.ndarray, layer: str) -> go.Figure:
    """A conv layer's kernels (O, C, k, k): one column per output channel, one row per input."""
    o, c, k, _ = weight.shape
    maps = weight.transpose(1, 0, 2, 3).reshape(o * c, k, k)  # row = input channel
    z, _ = _mosaic(maps, per_row=o)
    lim = float(np.abs(weight).max()) or 1.0
    trace = _heatmap(z, DIVERGING, zmin=-lim, zmax=lim, hoverongaps=False,
                     colorbar={"title": {"text": t("cnn.fig.weight")}, "thickness": 12},
                     hovertemplate=t("cnn.fig.weight") + " %{z:.3f}<extra></extra>")
    x, y = _square("x")
    x.update(showticklabels=True, tickvals=[(k + 1) * i + (k - 1) / 2 for i in range(o)],
             ticktext=[str(i) for i in range(o)], side="bottom", automargin=True,
             title={"text": t("cnn.fig.output_channel"), "standoff": 6})
    y.update(showticklabels=c > 1, tickvals=[(k + 1) * i + (k - 1) / 2 for i in range(c)],
             ticktext=[t("cnn.fig.input_tick", i=i) for i in range(c)])
    return P.figure([trace], {
        "title": {"text": t("cnn.fig.kernels_title", layer=layer, o=o, c=c, k=k)},
        "height": max(230, 120 + 34 * c * k // 3), "margin": {"l": 70, "r": 10, "t": 40, "b": 50},
        "xaxis": x, "yaxis": y})


def _stage_title(name: str, shape: tuple[int, ...]) -> str:
    """'conv1 + ReLU: 8 maps of 8x8' for a stage output of shape (C, H, W)."""
    c, h, w = shape
    if name == "input":
        stage = t("cnn.fig.input")
    elif name.startswith("pool"):
        stage = t("cnn.fig.pool_stage", name=name)
    else:  # relu1 is conv1's output after its ReLU
        stage = f"{name.replace('relu', 'conv')} + ReLU"
    key = "cnn.fig.stage_one" if c == 1 else "cnn.fig.stage_many"
    return t(key, stage=stage, c=c, h=h, w=w)


def feature_maps(acts: dict[str, np.ndarray]) -> go.Figure:
    """The input and the maps (C, H, W) after each ReLU and pool, one block per stage."""
    names = [n for n in acts if n in STAGES]
    tiles = [_mosaic(acts[n], PER_ROW, full=True)[0] for n in names]
    heights = [t.shape[0] / t.shape[1] for t in tiles]
    layout = P.panels(len(names), 1, [_stage_title(n, acts[n].shape) for n in names],
                      row_heights=heights, vertical_spacing=0.06)
    data = []
    for i, (n, z) in enumerate(zip(names, tiles, strict=True), start=1):
        data.append(_heatmap(z, INK if n == "input" else ACTIVE, i, showscale=False,
                             hoverongaps=False, hovertemplate="%{z:.3f}<extra></extra>"))
        _panel_axes(layout, i, constrain="domain")
    layout.update(height=150 + int(560 * sum(heights)),
                  margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return P.figure(data, layout)


def _numbers(z: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Cell labels with 2 decimals; 'pad' where the kernel sits on zero padding."""
    text = np.vectorize(lambda v: f"{v:.2f}".replace("-0.00", "0.00"))(z).astype(object)
    if mask is not None:
        text[mask] = t("cnn.fig.pad")
    return text


def conv_written_out(at: ConvAt, channel: int = 0) -> go.Figure:
    """Patch, kernel and their products for one input channel, each cell labelled with its value."""
    parts = [(t("cnn.fig.patch"), at.patch[channel], INK, True),
             (t("cnn.fig.kernel_panel", o=at.out_channel, c=channel), at.kernel[channel],
              DIVERGING, False),
             (t("cnn.fig.products"), at.products[channel], DIVERGING, True)]
    layout = P.panels(1, 3, [p[0] for p in parts], horizontal_spacing=0.05)
    data = []
    for i, (_, z, scale, pad) in enumerate(parts, start=1):
        lim = float(np.abs(z).max()) or 1.0
        data.append(_heatmap(z, scale, i, zmin=0.0 if scale == INK else -lim, zmax=lim,
                             showscale=False, text=_numbers(z, at.padded if pad else None),
                             texttemplate="%{text}", textfont={"size": 14},
                             hovertemplate="%{z:.4f}<extra></extra>"))
        _panel_axes(layout, i)
    layout.update(height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    for a in layout["annotations"]:
        a["font"] = {"size": 13}
    return P.figure(data, layout)


def channel_sums(at: ConvAt) -> alt.Chart:
    """Sum of the products per input channel (the terms of the outer sum over c)."""
    channel, total = t("cnn.fig.input_channel"), t("cnn.fig.channel_sum")
    df = pd.DataFrame({channel: [str(c) for c in range(len(at.channel_sums))],
                       total: at.channel_sums})
    return alt.Chart(df, height=200).mark_bar().encode(
        x=alt.X(field=channel, type="nominal", sort=None),
        y=alt.Y(field=total, type="quantitative", title=t("cnn.fig.sum_of_products")),
        color=alt.condition(f"datum[{total!r}] >= 0", alt.value(P.ROLE_COLORS["positive"]),
                            alt.value(P.ROLE_COLORS["negative"])),
        tooltip=[alt.Tooltip(field=channel, type="nominal"),
                 alt.Tooltip(field=total, type="quantitative", format=".4f")])


def receptive_fields(image: np.ndarray, fields: list[Field],
                     units: list[tuple[int, int]]) -> go.Figure:
    """The input image once per layer, with that layer's chosen unit's field drawn as a box."""
    titles = [t("cnn.fig.field_title", layer=f.name, m=m, n=n, s=f.size)
              for f, (m, n) in zip(fields, units, strict=True)]
    layout = P.panels(1, len(fields), titles, horizontal_spacing=0.03)
    data, shapes = [], []
    for i, (f, (m, n)) in enumerate(zip(fields, units, strict=True), start=1):
        data.append(_heatmap(image, INK, i, zmin=0, zmax=1, showscale=False,
                             hovertemplate=t("cnn.fig.field_hover") + "<extra></extra>"))
        r0, r1, c0, c1 = f.box(m, n, image.shape[0])
        color = FIELD_COLORS[(i - 1) % len(FIELD_COLORS)]
        xref, yref = P.axis_ids(i)
        shapes.append({"type": "rect", "x0": c0 - 0.5, "x1": c1 + 0.5, "y0": r0 - 0.5,
                       "y1": r1 + 0.5, "line": {"color": color, "width": 4},
                       "fillcolor": _rgba(color, 0.2), "xref": xref, "yref": yref})
        _panel_axes(layout, i)
    layout.update(height=280, margin={"l": 10, "r": 10, "t": 50, "b": 10}, shapes=shapes)
    for a in layout["annotations"]:
        a["font"] = {"size": 12}
    return P.figure(data, layout)


def probabilities(probs: np.ndarray, label: int) -> alt.Chart:
    """Predicted probability per class (10,); the true class in orange."""
    digits = range(len(probs))
    digit, prob, kind = t("cnn.fig.digit"), t("cnn.fig.probability"), t("cnn.fig.class")
    true, other = t("cnn.fig.true_digit"), t("cnn.fig.other")
    df = pd.DataFrame({digit: [str(d) for d in digits], prob: probs,
                       kind: [true if d == label else other for d in digits]})
    return alt.Chart(df, height=220).mark_bar().encode(
        x=alt.X(field=digit, type="nominal", sort=None, title=digit,
                axis=alt.Axis(labelAngle=0)),  # upright: vega turns band labels sideways
        y=alt.Y(field=prob, type="quantitative", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color(field=kind, type="nominal", title=None,
                        scale=alt.Scale(domain=[true, other],
                                        range=[P.ROLE_COLORS["pick"], P.ROLE_COLORS["model"]])),
        tooltip=[alt.Tooltip(field=digit, type="nominal"),
                 alt.Tooltip(field=prob, type="quantitative", format=".3f")])


def shape_table(n: int, c: int, stages: list[Stage], rows: list[ShapeRow]) -> pd.DataFrame:
    """The arithmetic per layer, filled in, beside the (C, H, W) torch produces."""
    real = torch_shapes(n, c, stages)
    return pd.DataFrame({
        t("cnn.fig.layer"): [r.stage.name for r in rows],
        "k, s, p": [f"{r.stage.k}, {r.stage.s}, {r.stage.p}" for r in rows],
        "⌊(n + 2p − k)/s⌋ + 1": [f"⌊({r.n_in} + {2 * r.stage.p} − {r.stage.k})/{r.stage.s}⌋ + 1 "
                                 f"= {r.n_out}" for r in rows],
        t("cnn.fig.output_chw"): [f"{r.c}×{r.n_out}×{r.n_out}" for r in rows],
        t("cnn.fig.torch_shape"): ["×".join(map(str, shape)) for shape in real]})


def shape_chart(n: int, rows: list[ShapeRow]) -> alt.Chart:
    """Side length of the feature map after each layer (bars), input first."""
    layer, side, channels = t("cnn.fig.layer"), t("cnn.fig.side"), t("cnn.fig.channels")
    df = pd.DataFrame({layer: [t("cnn.fig.input_short")] + [r.stage.name for r in rows],
                       side: [n] + [r.n_out for r in rows],
                       channels: [None] + [r.c for r in rows]})
    bars = alt.Chart(df, height=220).mark_bar(color=P.ROLE_COLORS["model"]).encode(
        x=alt.X(field=layer, type="nominal", sort=None),
        y=alt.Y(field=side, type="quantitative", title=t("cnn.fig.side_length")),
        tooltip=[alt.Tooltip(field=c, type="nominal") for c in (layer, side, channels)])
    return bars + bars.mark_text(dy=-8).encode(text=alt.Text(field=side, type="quantitative"))


# ---------------------------------------------------------------- equations with live numbers

DOC000_CONV = r"f(x,\theta) = \sum_{i=-k}^{k}\sum_{j=-k}^{k} w_{i,j} * x_{i,j} + b"
CANONICAL_CONV = (r"y_{o,m,n} = b_o + \sum_{c=0}^{C-1}\sum_{u=0}^{k-1}\sum_{v=0}^{k-1} "
                  r"w_{o,c,u,v}\, x_{c,\; s m + u - p,\; s n + v - p}")


def out_size_latex() -> str:
    """The output-size formula, its subscript word in the current language."""
    return (rf"n_{{\text{{{t('cnn.tex.out')}}}}} = "
            r"\left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1")


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
