"""Translate memviz's plotly figures to Vega-Lite (which vl_convert renders offline, no browser),
with their data as named rows for CSV."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PANEL_WIDTH = 560

_SCHEMES = {"cividis": "cividis", "rdbu": "redblue", "rdbu_r": "redblue", "viridis": "viridis",
            "greys": "greys", "blues": "blues", "reds": "reds", "oranges": "oranges",
            "purples": "purples", "greens": "greens"}


class ExportUnsupported(ValueError):
    """This figure cannot be written in this format here; the message says why."""


SUPPORTED_TRACES = {"heatmap", "scatter", "scattergl", "bar"}


def unsupported_reason(fig) -> str | None:
    """Why this figure cannot be exported offline, or None when it can (cheap: no rendering)."""
    if type(fig).__module__.startswith("altair"):
        return None
    kinds = {getattr(tr, "type", None) or "scatter" for tr in getattr(fig, "data", [])}
    if not kinds:
        return "the figure has no data to export"
    bad = sorted(kinds - SUPPORTED_TRACES)
    return f"no offline export for plotly '{bad[0]}' traces" if bad else None


def _arr(v: Any) -> np.ndarray:
    """A plotly array (list, numpy, or base64 typed array) as numpy."""
    if isinstance(v, Mapping) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        return a.reshape([int(s) for s in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.asarray(v)


def _text(v: Any) -> str:
    if isinstance(v, Mapping):
        v = v.get("text", "")
    return "" if v is None else str(v).replace("<b>", "").replace("</b>", "")


def _axis_key(ref: str | None, letter: str) -> str:
    """'y2' -> 'yaxis2'; None or 'y' -> 'yaxis'."""
    suffix = (ref or letter)[1:]
    return f"{letter}axis{suffix}"


def _color_scale(trace: Mapping, layout: Mapping) -> dict:
    """Vega-Lite scale for a heatmap trace: its scheme and domain (from a coloraxis if shared)."""
    src = layout.get(trace.get("coloraxis", ""), {}) if trace.get("coloraxis") else trace
    cs = src.get("colorscale", "viridis")
    lo, hi = src.get("cmin", src.get("zmin")), src.get("cmax", src.get("zmax"))
    scale: dict = {}
    if isinstance(cs, str):
        scale["scheme"] = _SCHEMES.get(cs.lower(), "viridis")
        if cs.lower().endswith("_r") or cs.lower() == "rdbu_r":
            scale["reverse"] = cs.lower() != "rdbu_r"  # vega's redblue already runs red->blue
    else:  # explicit [[0, colour], [1, colour]] list
        scale["range"] = [c for _, c in cs]
    if lo is not None and hi is not None:
        scale["domain"] = [float(lo), float(hi)]
    return scale


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
        return np.asarray(tr["text"], dtype=object)
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


def _heatmap(tr: Mapping, layout: Mapping, names: Mapping[str, str], rows: list[dict]
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
    values, meta = [], tr.get("meta") if isinstance(tr.get("meta"), Mapping) else {}
    for j in range(ny):
        for i in range(nx):
            if not np.isfinite(z[j, i]):
                continue  # a gap (tiled maps): nothing to draw or write down
            x = _number(xs[i]) if num_x else str(xs[i])
            y = _number(ys[j]) if num_y else str(ys[j])
            v = {"x": x, "y": y, "z": float(z[j, i])}
            if labels is not None:
                v["label"] = str(labels[j, i])
                v["ink"] = "white" if _dark(scale, (v["z"] - lo) / ((hi - lo) or 1.0)) else "black"
            values.append(v)
            rows.append({**meta, names["x"]: x, names["y"]: y, "value": v["z"]})
    bar = (tr.get("colorbar") or {}).get("title") if not tr.get("coloraxis") else None
    legend = None if tr.get("showscale") is False else {"title": _text(bar) or "value"}
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
                                    "color": {"condition": {"test": "datum.ink == 'white'",
                                                            "value": "white"},
                                              "value": "black"}}})
    return layers, (nx, ny)


def _named(tr: Mapping, k: int) -> str:
    return _text(tr.get("name")) or f"series {k + 1}"


def _scatter(tr: Mapping, names: Mapping[str, str], rows: list[dict], k: int) -> list[dict]:
    x = _arr(tr.get("x", np.arange(len(_arr(tr["y"]))))).tolist()
    y = _arr(tr["y"]).astype(float).tolist()
    name = _named(tr, k)
    values = [{"x": xv, "y": yv, "trace": name} for xv, yv in zip(x, y, strict=False)]
    meta = tr.get("meta") if isinstance(tr.get("meta"), Mapping) else {}
    rows += [{"series": name, **meta, names["x"]: xv, names["y"]: yv}
             for xv, yv in zip(x, y, strict=False)]
    mode = tr.get("mode", "lines")
    line, marker = tr.get("line", {}) or {}, tr.get("marker", {}) or {}
    color = line.get("color") or (marker.get("color") if isinstance(marker.get("color"), str)
                                  else None) or "#0072B2"
    x_type = "quantitative" if all(isinstance(v, int | float) for v in x) else "nominal"
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


def _bar(tr: Mapping, names: Mapping[str, str], rows: list[dict], k: int) -> list[dict]:
    x, y = [str(v) for v in _arr(tr["x"]).tolist()], _arr(tr["y"]).astype(float).tolist()
    name = _named(tr, k)
    colors = (tr.get("marker") or {}).get("color", "#0072B2")
    colors = colors if isinstance(colors, list | tuple) else [colors] * len(x)
    values = [{"x": a, "y": b, "trace": name, "c": c}
              for a, b, c in zip(x, y, colors, strict=False)]
    rows += [{"series": name, names["x"]: a, names["y"]: b} for a, b in zip(x, y, strict=False)]
    enc = {"x": {"field": "x", "type": "nominal", "sort": None},
           "y": {"field": "y", "type": "quantitative"},
           "color": {"field": "c", "type": "nominal", "scale": None, "legend": None}}
    return [{"data": {"values": values}, "mark": "bar", "encoding": enc}]


def _rules(shapes: Iterable[Mapping], xref: str, yref: str) -> list[dict]:
    """Lines and boxes drawn on this panel: vertical at x (yref paper), horizontal at y, or a
    rectangle in data coordinates (e.g. a receptive field's box)."""
    out = []
    for s in shapes:
        line = s.get("line") or {}
        if s.get("type") == "rect" and s.get("xref", "x") == xref and s.get("yref", "y") == yref:
            box = {k: float(s[k]) for k in ("x0", "x1", "y0", "y1")}
            out.append({"data": {"values": [box]},
                        "mark": {"type": "rect", "fill": s.get("fillcolor") or "transparent",
                                 "stroke": line.get("color", "#E69F00"),
                                 "strokeWidth": line.get("width", 2)},
                        "encoding": {"x": {"field": "x0", "type": "quantitative"},
                                     "x2": {"field": "x1"},
                                     "y": {"field": "y0", "type": "quantitative"},
                                     "y2": {"field": "y1"}}})
            continue
        if s.get("type") != "line":
            continue
        style = {"type": "rule", "color": line.get("color", "#E69F00"),
                 "strokeWidth": line.get("width", 2)}
        if line.get("dash") in ("dash", "dot"):
            style["strokeDash"] = [6, 4] if line["dash"] == "dash" else [2, 3]
        if s.get("x0") == s.get("x1") and s.get("xref", "x") == xref:
            out.append({"data": {"values": [{"v": s["x0"]}]}, "mark": style,
                        "encoding": {"x": {"field": "v", "type": "quantitative"}}})
        elif s.get("y0") == s.get("y1") and s.get("yref", "y") == yref:
            out.append({"data": {"values": [{"v": s["y0"]}]}, "mark": style,
                        "encoding": {"y": {"field": "v", "type": "quantitative"}}})
    return out


@dataclass
class _Panel:
    xref: str
    yref: str
    layers: list[dict] = field(default_factory=list)
    colors: dict[str, str] = field(default_factory=dict)
    grid: tuple[int, int] | None = None  # (columns, rows) of its heatmap, for square cells


def _title(layout: Mapping, key: str) -> str:
    """An axis title, or that of the axis it is shared with (stacked panels title one)."""
    ax = layout.get(key, {}) or {}
    title = _text(ax.get("title"))
    if not title and ax.get("matches"):
        title = _text((layout.get(_axis_key(ax["matches"], key[0]), {}) or {}).get("title"))
    return title


def _column_names(layout: Mapping, key: tuple[str, str], image: bool) -> dict[str, str]:
    """CSV column names for a panel's x and y: its axis titles (what the screen calls them);
    an untitled heatmap is an image, indexed by column and row."""
    x, y = _title(layout, _axis_key(key[0], "x")), _title(layout, _axis_key(key[1], "y"))
    x, y = x or ("column" if image else "x"), y or ("row" if image else "y")
    return {"x": x, "y": y if y != x else f"{y} (vertical)"}


def _panels(fig: Mapping, rows: list[dict]) -> dict[tuple[str, str], _Panel]:
    layout, panels = fig.get("layout", {}), {}
    for k, tr in enumerate(fig.get("data", [])):
        if tr.get("visible") is False:
            continue
        key = (tr.get("xaxis") or "x", tr.get("yaxis") or "y")
        panel = panels.setdefault(key, _Panel(*key))
        kind = tr.get("type", "scatter")
        names, mine = _column_names(layout, key, kind == "heatmap"), []
        if kind == "heatmap":
            layers, panel.grid = _heatmap(tr, layout, names, mine)
            panel.layers += layers
        elif kind in ("scatter", "scattergl"):
            for lay in _scatter(tr, names, mine, k):
                name, color = lay.pop("_color")
                panel.colors[name] = color
                panel.layers.append(lay)
        elif kind == "bar":
            panel.layers += _bar(tr, names, mine, k)
        else:
            raise ExportUnsupported(f"no offline export for plotly '{kind}' traces")
        title = _panel_title(layout, panel)
        rows += [{"panel": title, **r} for r in mine] if title else mine
    return panels


def _axis(layout: Mapping, key: str) -> dict:
    ax = layout.get(key, {}) or {}
    spec: dict = {"title": _text(ax.get("title")) or None,
                  "reversed": ax.get("autorange") == "reversed"}
    if ax.get("type") == "log":
        spec["scale"] = {"type": "log"}
    if ax.get("range"):
        spec.setdefault("scale", {})["domain"] = [float(v) for v in ax["range"]]
    axis = {"format": ax["tickformat"]} if ax.get("tickformat") else {}
    if ax.get("showticklabels") is False:
        axis.update(labels=False, ticks=False)
    spec["axis"] = axis
    return spec


def _encode_axes(layers: list[dict], xa: dict, ya: dict, square: bool) -> None:
    """Axis titles, scales and direction (plotly's reversed axes, first category on top); a
    heatmap's axis spans its whole grid when its cells are square (tiled maps have gaps)."""
    for lay in layers:
        enc = lay.setdefault("encoding", {})
        for ch, ax in (("x", xa), ("y", ya)):
            if ch not in enc or "field" not in enc[ch]:
                continue
            e = enc[ch]
            e.setdefault("title", ax["title"])
            grid = e.pop("grid", None)
            if ax["axis"]:
                e["axis"] = {**e.get("axis", {}), **ax["axis"]}
            if e.get("type") == "quantitative":
                e["scale"] = {**ax.get("scale", {}), "zero": False, "nice": False,
                              **({"reverse": True} if ax["reversed"] else {})}
                if square and grid:
                    e["scale"]["domain"] = [grid[0], grid[0] + grid[1]]
                    e["axis"] = {**e.get("axis", {}), "grid": False}
            elif ch == "y":  # plotly puts the first category at the bottom unless reversed
                e["scale"] = {"reverse": not ax["reversed"]}


def _panel_spec(p: _Panel, layout: Mapping, height: int, width: int = PANEL_WIDTH) -> dict:
    xa, ya = _axis(layout, _axis_key(p.xref, "x")), _axis(layout, _axis_key(p.yref, "y"))
    layers = p.layers + _rules(layout.get("shapes", []) or [], p.xref, p.yref)
    square = bool((layout.get(_axis_key(p.yref, "y"), {}) or {}).get("scaleanchor") and p.grid)
    _encode_axes(layers, xa, ya, square)
    for lay in layers:
        enc = lay["encoding"]
        if "datum" in (enc.get("color") or {}) and p.colors:
            enc["color"]["scale"] = {"domain": list(p.colors), "range": list(p.colors.values())}
            enc["color"]["title"] = None
    if square:  # square cells, as on screen: the shape of the image is the data
        nx, ny = p.grid
        height = max(40, round(width * ny / nx))
    spec = {"layer": layers, "width": width, "height": height}
    title = _panel_title(layout, p)
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 12}
    return spec


def _panel_title(layout: Mapping, p: _Panel) -> str:
    """A subplot title: the annotation sitting at the top of this panel's y domain."""
    dom = (layout.get(_axis_key(p.yref, "y"), {}) or {}).get("domain")
    for a in layout.get("annotations", []) or []:
        if dom and a.get("yref") == "paper" and abs(float(a.get("y", -1)) - float(dom[1])) < 0.02:
            xdom = (layout.get(_axis_key(p.xref, "x"), {}) or {}).get("domain", [0, 1])
            if float(xdom[0]) - 0.02 <= float(a.get("x", 0)) <= float(xdom[1]) + 0.02:
                return " ".join(_text(a.get("text")).split())
    return ""


def to_vegalite(fig) -> tuple[dict, list[dict]]:
    """A plotly figure (object or dict) -> (Vega-Lite spec, long-format data rows)."""
    d = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)
    d = json.loads(json.dumps(d, default=_jsonable))  # numpy -> lists, one plain structure
    layout, rows = d.get("layout", {}), []
    panels = _panels(d, rows)
    if not panels:
        raise ExportUnsupported("the figure has no data to export")
    total = int(layout.get("height") or 400)
    grid: dict[float, list[tuple[float, _Panel]]] = {}
    for p in panels.values():
        ydom = (layout.get(_axis_key(p.yref, "y"), {}) or {}).get("domain", [0, 1])
        xdom = (layout.get(_axis_key(p.xref, "x"), {}) or {}).get("domain", [0, 1])
        grid.setdefault(round(-float(ydom[1]), 3), []).append((float(xdom[0]), p))
    height = max(120, int(0.8 * total / len(grid)) - 30)
    independent = {"scale": {"color": "independent"}, "legend": {"color": "independent"}}
    rows_spec = []
    for _, r in sorted(grid.items()):
        width = PANEL_WIDTH if len(r) == 1 else max(180, 900 // len(r))
        rows_spec.append({"hconcat": [_panel_spec(p, layout, height, width)
                                      for _, p in sorted(r, key=_left)],
                          "resolve": independent})
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": {"text": _text(layout.get("title")), "anchor": "start", "fontSize": 15},
            "vconcat": rows_spec, "resolve": independent, "background": "white", "padding": 10,
            # DejaVu Sans ships with most Linux machines; vl-convert falls back to its own
            # bundled fonts where it is missing.
            "config": {"font": "DejaVu Sans", "view": {"stroke": None}}}
    return spec, rows


def _left(item: tuple[float, _Panel]) -> float:
    return item[0]


def _jsonable(o: Any) -> Any:
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"cannot serialise {type(o).__name__}")
