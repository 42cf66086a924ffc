"""One plotly trace as Vega-Lite layers (heatmap, scatter, bar), its data as named CSV rows.

memviz.vegalite puts these layers into panels and the panels into one figure.
"""

from __future__ import annotations

import base64
import datetime
import html
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from memviz import i18n
from memviz.plotting import BLUE, INK_ON_DARK, INK_ON_LIGHT

# message keys written out, so that grep and the catalogue test see each one
COLUMN_KEYS = {"panel": "vegalite.column.panel", "series": "vegalite.column.series",
    "series_n": "vegalite.column.series_n", "field": "vegalite.column.field",
    "value": "vegalite.column.value", "label": "vegalite.column.label",
    "column": "vegalite.column.column", "row": "vegalite.column.row",
    "vertical": "vegalite.column.vertical"}

_SCHEMES = {"cividis": "cividis", "rdbu": "redblue", "rdbu_r": "redblue", "viridis": "viridis",
            "greys": "greys", "blues": "blues", "reds": "reds", "oranges": "oranges",
            "purples": "purples", "greens": "greens"}


def _arr(v: Any) -> np.ndarray:
    """A plotly array (list, numpy, or base64 typed array) as numpy."""
    if isinstance(v, Mapping) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        return a.reshape([int(s) for s in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.asarray(v)


def column(word: str, **fields: Any) -> str:
    """A CSV column's name that is a word (panel, series, value …) in the current language."""
    return i18n.t(COLUMN_KEYS[word], **fields)


def _meta(tr: Mapping) -> dict:
    """A trace's meta as CSV columns: keys that name a known column word are translated."""
    meta = tr.get("meta") if isinstance(tr.get("meta"), Mapping) else {}
    return {column(k) if k in COLUMN_KEYS else k: v for k, v in meta.items()}


def plain_text(v: Any) -> str:
    """A plotly title or name (a string or {"text": ...}) as plotly shows it: without its bold
    tags, and entities (user text goes in as &lt; ... : plotting.user_text) as characters."""
    if isinstance(v, Mapping):
        v = v.get("text", "")
    return "" if v is None else html.unescape(str(v).replace("<b>", "").replace("</b>", ""))


def shown(v: Any) -> Any:
    """A category or cell label as plotly shows it (entities as characters); numbers as is."""
    return html.unescape(v) if isinstance(v, str) else v



def _color_scale(trace: Mapping, layout: Mapping) -> dict:
    """Vega-Lite scale for a heatmap trace: its scheme and domain (from a coloraxis if shared)."""
    src = layout.get(trace.get("coloraxis", ""), {}) if trace.get("coloraxis") else trace
    cs = src.get("colorscale", "viridis")
    lo, hi = src.get("cmin", src.get("zmin")), src.get("cmax", src.get("zmax"))
    scale: dict = {}
    if isinstance(cs, str):
        scale["scheme"] = _SCHEMES.get(cs.lower(), "viridis")
        # plotly's named scales as its validator expands them (what the screen draws): vega's
        # redblue runs red -> blue like plotly's RdBu, so any "_r" scale, RdBu_r too, reverses
        if cs.lower().endswith("_r"):
            scale["reverse"] = True
    else:  # explicit [[0, colour], [1, colour]] list
        scale["range"] = [c for _, c in cs]
    if lo is not None and hi is not None:
        scale["domain"] = [float(lo), float(hi)]
    return scale


ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?")


def when(v: Any) -> str | None:
    """A date or time (numpy, pandas or datetime) as ISO text for a temporal axis; else None."""
    if isinstance(v, np.datetime64):
        return str(np.datetime_as_string(v, unit="s"))
    if isinstance(v, datetime.date):  # datetime and pandas Timestamp too
        return v.isoformat()
    if isinstance(v, str) and ISO_DATE.fullmatch(v):  # what the figure's JSON made of a date
        return v
    return None


def _numeric(v: np.ndarray) -> bool:
    return np.issubdtype(np.asarray(v).dtype, np.number)


def _number(v: Any) -> float | int:
    """A cell coordinate for data rows: whole numbers as int (time step 3, not 3.0)."""
    f = float(v)
    return int(f) if f.is_integer() else f


def _labels(tr: Mapping, z: np.ndarray) -> np.ndarray | None:
    """The numbers written in the cells (plotly text or texttemplate), or None if none."""
    template = tr.get("texttemplate") or ""
    if "%{text}" in template and tr.get("text") is not None:
        return np.vectorize(shown, otypes=[object])(np.asarray(tr["text"], dtype=object))
    m = re.search(r"%\{z(?::([^}]*))?\}", template)
    if not m:
        return None
    spec = m.group(1) or ".3g"
    return np.vectorize(lambda v: "" if np.isnan(v) else format(v, spec), otypes=[object])(z)


def _rgb(color: str) -> tuple[float, float, float]:
    """'#RRGGBB' or 'rgb(r,g,b)' as 0..255 floats (anything else: mid grey)."""
    if color.startswith("#") and len(color) == 7:
        return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
    m = re.match(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)", color)
    return tuple(float(v) for v in m.groups()) if m else (128.0, 128.0, 128.0)  # type: ignore


def _dark(scale: dict, p: float) -> bool:
    """Whether a cell at position p (0..1) of its colour scale is dark (write in white)."""
    p = min(max(1 - p if scale.get("reverse") else p, 0.0), 1.0)
    if "range" in scale:
        stops = scale["range"]
        r, g, b = _rgb(stops[round(p * (len(stops) - 1))])
        return 0.299 * r + 0.587 * g + 0.114 * b < 128
    scheme = scale.get("scheme") or ""
    if scheme == "redblue":
        return abs(p - 0.5) > 0.3
    if scheme in ("cividis", "viridis"):
        return p < 0.4
    return p > 0.55


def heatmap(tr: Mapping, layout: Mapping, names: Mapping[str, str], rows: list[dict]
             ) -> tuple[list[dict], tuple[int, int]]:
    """Rect layers for a heatmap (and a text layer for written-in numbers); rows get one line per
    cell under the axis titles' names. Also (columns, rows) of the grid, for square cells."""
    z = _arr(tr["z"]).astype(float)
    ny, nx = z.shape
    xs = _arr(tr["x"]) if tr.get("x") is not None else np.arange(nx)
    ys = _arr(tr["y"]) if tr.get("y") is not None else np.arange(ny)
    num_x, num_y = _numeric(xs), _numeric(ys)
    labels, scale = _labels(tr, z), _color_scale(tr, layout)
    finite = z[np.isfinite(z)]
    lo, hi = scale.get("domain") or ([float(finite.min()), float(finite.max())]
                                     if finite.size else [0.0, 1.0])
    values, meta, value = [], _meta(tr), column("value")
    for j in range(ny):
        for i in range(nx):
            if not np.isfinite(z[j, i]):
                continue  # a gap (tiled maps): nothing to draw or write down
            x = _number(xs[i]) if num_x else shown(str(xs[i]))
            y = _number(ys[j]) if num_y else shown(str(ys[j]))
            v = {"x": x, "y": y, "z": float(z[j, i])}
            if labels is not None:
                v["label"] = str(labels[j, i])
                dark = _dark(scale, (v["z"] - lo) / ((hi - lo) or 1.0))
                v["ink"] = INK_ON_DARK if dark else INK_ON_LIGHT
            values.append(v)
            rows.append({**meta, names["x"]: x, names["y"]: y, value: v["z"]})
    bar = (tr.get("colorbar") or {}).get("title") if not tr.get("coloraxis") else None
    legend = None if tr.get("showscale") is False else {"title": plain_text(bar) or value}
    enc = {"color": {"field": "z", "type": "quantitative", "scale": scale, "legend": legend}}
    calc = []
    for ch, num in (("x", num_x), ("y", num_y)):
        if num:
            n = nx if ch == "x" else ny
            enc[ch] = {"field": f"{ch}0", "type": "quantitative", "axis": {"tickMinStep": 1},
                       "grid": [-0.5 + float((xs if ch == "x" else ys)[0]), n]}
            enc[f"{ch}2"] = {"field": f"{ch}1"}
            calc += [{"calculate": f"datum.{ch} - 0.5", "as": f"{ch}0"},
                     {"calculate": f"datum.{ch} + 0.5", "as": f"{ch}1"}]
        else:
            enc[ch] = {"field": ch, "type": "nominal", "sort": None}
    layers = [{"data": {"values": values}, "transform": calc, "mark": {"type": "rect"},
               "encoding": enc}]
    if labels is not None:
        at = {ch: {"field": ch, "type": "quantitative" if num else "nominal",
                   **({} if num else {"sort": None})}
              for ch, num in (("x", num_x), ("y", num_y))}
        size = ((tr.get("textfont") or {}).get("size")) or 12
        layers.append({"data": {"values": values}, "mark": {"type": "text", "fontSize": size},
                       "encoding": {**at, "text": {"field": "label"},
                                    "color": {"condition": {"test": f"datum.ink == '{INK_ON_DARK}'",
                                                            "value": INK_ON_DARK},
                                              "value": INK_ON_LIGHT}}})
    return layers, (nx, ny)


def _named(tr: Mapping, k: int) -> str:
    return plain_text(tr.get("name")) or column("series_n", n=k + 1)


def scatter(tr: Mapping, names: Mapping[str, str], rows: list[dict], k: int) -> list[dict]:
    """Line and/or point layers for a scatter trace (k-th in the figure); its points go to rows.
    Each layer carries "_color": (name, colour) for the panel's legend."""
    x = list(_arr(tr.get("x", np.arange(len(_arr(tr["y"]))))))
    dated = bool(x) and when(x[0]) is not None
    x = [when(v) for v in x] if dated else [shown(v) for v in np.asarray(x).tolist()]
    y = _arr(tr["y"]).astype(float).tolist()
    name = _named(tr, k)
    values = [{"x": xv, "y": yv, "trace": name} for xv, yv in zip(x, y, strict=False)]
    rows += [{column("series"): name, **_meta(tr), names["x"]: xv, names["y"]: yv}
             for xv, yv in zip(x, y, strict=False)]
    mode = tr.get("mode", "lines")
    line, marker = tr.get("line", {}) or {}, tr.get("marker", {}) or {}
    color = line.get("color") or (marker.get("color") if isinstance(marker.get("color"), str)
                                  else None) or BLUE
    x_type = ("temporal" if dated else
              "quantitative" if all(isinstance(v, int | float) for v in x) else "nominal")
    enc = {"x": {"field": "x", "type": x_type}, "y": {"field": "y", "type": "quantitative"},
           "color": {"datum": name}}
    layers = []
    if "lines" in mode:
        mark = {"type": "line", "strokeWidth": line.get("width", 2)}
        if line.get("dash") in ("dash", "dot", "dashdot"):
            mark["strokeDash"] = [6, 4] if line["dash"] == "dash" else [2, 3]
        layers.append({"mark": mark, "encoding": enc})
    if "markers" in mode:
        layers.append({"mark": {"type": "point", "filled": True, "size": 40}, "encoding": enc})
    return [{"data": {"values": values}, **lay, "_color": (name, color)} for lay in layers]


def bar(tr: Mapping, names: Mapping[str, str], rows: list[dict], k: int) -> list[dict]:
    """One bar layer for a bar trace, each bar in its own colour; its bars go to rows.
    Horizontal bars (orientation "h") have their categories on y and lengths on x."""
    cat, num = ("y", "x") if tr.get("orientation") == "h" else ("x", "y")
    c, v = [shown(str(a)) for a in _arr(tr[cat]).tolist()], _arr(tr[num]).astype(float).tolist()
    name = _named(tr, k)
    colors = (tr.get("marker") or {}).get("color", BLUE)
    colors = colors if isinstance(colors, list | tuple) else [colors] * len(c)
    text = tr.get("text")
    written = [str(w) for w in text] if isinstance(text, list | tuple) else None
    values = [{cat: a, num: b, "trace": name, "c": col}
              for a, b, col in zip(c, v, colors, strict=False)]
    rows += [{column("series"): name, names[cat]: a, names[num]: b}
             for a, b in zip(c, v, strict=False)]
    if written:  # what the screen writes on each bar (the unit behind it, the value)
        for val, row, w in zip(values, rows[len(rows) - len(values):], written, strict=False):
            val["label"] = row[column("label")] = w
    enc = {cat: {"field": cat, "type": "nominal", "sort": None},
           num: {"field": num, "type": "quantitative"},
           "color": {"field": "c", "type": "nominal", "scale": None, "legend": None}}
    if cat == "x" and sum(len(a) + 2 for a in c) * 8 < 500:  # they fit side by side: upright
        enc["x"]["axis"] = {"labelAngle": 0}  # as the screen draws them (vega turns them -90°)
    layers = [{"data": {"values": values}, "mark": "bar", "encoding": enc}]
    if written:
        at = ({"align": "left", "dx": 4, "baseline": "middle"} if cat == "y"
              else {"align": "center", "dy": -6, "baseline": "bottom"})
        layers.append({"data": {"values": values}, "mark": {"type": "text", **at},
                       "encoding": {cat: enc[cat], num: enc[num], "text": {"field": "label"}}})
    return layers
