"""Translate memviz's plotly figures to Vega-Lite (which vl_convert renders offline, no browser),
with their data as named rows for CSV."""

from __future__ import annotations

import base64
import json
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


def _heatmap(tr: Mapping, layout: Mapping, rows: list[dict]) -> list[dict]:
    z = _arr(tr["z"]).astype(float)
    ny, nx = z.shape
    xs = _arr(tr["x"]) if tr.get("x") is not None else np.arange(nx)
    ys = _arr(tr["y"]) if tr.get("y") is not None else np.arange(ny)
    name = tr.get("name") or "heatmap"
    numeric_y = np.issubdtype(np.asarray(ys).dtype, np.number)
    values = [{"x": float(xs[i]), "y": (float(ys[j]) if numeric_y else str(ys[j])),
               "z": float(z[j, i])} for j in range(ny) for i in range(nx)]
    rows += [{"trace": name, **v} for v in values]
    y_enc = ({"field": "y", "type": "quantitative", "bin": {"binned": True, "step": 1}}
             if numeric_y else {"field": "y", "type": "nominal", "sort": None})
    enc = {"x": {"field": "x0", "type": "quantitative"}, "x2": {"field": "x1"},
           "color": {"field": "z", "type": "quantitative", "scale": _color_scale(tr, layout),
                     "legend": None if tr.get("showscale") is False else {"title": "value"}}}
    if numeric_y:
        enc["y"], enc["y2"] = {"field": "y0", "type": "quantitative"}, {"field": "y1"}
    else:
        enc["y"] = y_enc
    calc = [{"calculate": "datum.x - 0.5", "as": "x0"}, {"calculate": "datum.x + 0.5", "as": "x1"},
            {"calculate": "datum.y - 0.5", "as": "y0"}, {"calculate": "datum.y + 0.5", "as": "y1"}]
    return [{"data": {"values": values}, "transform": calc if numeric_y else calc[:2],
             "mark": {"type": "rect"}, "encoding": enc}]


def _scatter(tr: Mapping, rows: list[dict], k: int) -> list[dict]:
    x = _arr(tr.get("x", np.arange(len(_arr(tr["y"]))))).tolist()
    y = _arr(tr["y"]).astype(float).tolist()
    name = tr.get("name") or f"trace {k}"
    values = [{"x": xv, "y": yv, "trace": name} for xv, yv in zip(x, y, strict=False)]
    rows += values
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


def _bar(tr: Mapping, rows: list[dict], k: int) -> list[dict]:
    x, y = [str(v) for v in _arr(tr["x"]).tolist()], _arr(tr["y"]).astype(float).tolist()
    name = tr.get("name") or f"trace {k}"
    colors = (tr.get("marker") or {}).get("color", "#0072B2")
    colors = colors if isinstance(colors, list | tuple) else [colors] * len(x)
    values = [{"x": a, "y": b, "trace": name, "c": c}
              for a, b, c in zip(x, y, colors, strict=False)]
    rows += [{k2: v for k2, v in r.items() if k2 != "c"} for r in values]
    enc = {"x": {"field": "x", "type": "nominal", "sort": None},
           "y": {"field": "y", "type": "quantitative"},
           "color": {"field": "c", "type": "nominal", "scale": None, "legend": None}}
    return [{"data": {"values": values}, "mark": "bar", "encoding": enc}]


def _rules(shapes: Iterable[Mapping], xref: str, yref: str) -> list[dict]:
    """Straight lines drawn on this panel: vertical at x (yref paper) or horizontal at y."""
    out = []
    for s in shapes:
        if s.get("type") != "line":
            continue
        style = {"type": "rule", "color": (s.get("line") or {}).get("color", "#E69F00"),
                 "strokeWidth": (s.get("line") or {}).get("width", 2)}
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


def _panels(fig: Mapping, rows: list[dict]) -> dict[tuple[str, str], _Panel]:
    layout, panels = fig.get("layout", {}), {}
    for k, tr in enumerate(fig.get("data", [])):
        if tr.get("visible") is False:
            continue
        key = (tr.get("xaxis") or "x", tr.get("yaxis") or "y")
        panel = panels.setdefault(key, _Panel(*key))
        kind = tr.get("type", "scatter")
        if kind == "heatmap":
            panel.layers += _heatmap(tr, layout, rows)
        elif kind in ("scatter", "scattergl"):
            for lay in _scatter(tr, rows, k):
                name, color = lay.pop("_color")
                panel.colors[name] = color
                panel.layers.append(lay)
        elif kind == "bar":
            panel.layers += _bar(tr, rows, k)
        else:
            raise ExportUnsupported(f"no offline export for plotly '{kind}' traces")
        for r in rows:
            r.setdefault("panel", f"{key[0]}{key[1]}")
    return panels


def _axis(layout: Mapping, key: str) -> dict:
    ax = layout.get(key, {}) or {}
    spec: dict = {"title": _text(ax.get("title")) or None}
    if ax.get("type") == "log":
        spec["scale"] = {"type": "log"}
    if ax.get("range"):
        spec.setdefault("scale", {})["domain"] = [float(v) for v in ax["range"]]
    return spec


def _panel_spec(p: _Panel, layout: Mapping, height: int) -> dict:
    xa, ya = _axis(layout, _axis_key(p.xref, "x")), _axis(layout, _axis_key(p.yref, "y"))
    layers = p.layers + _rules(layout.get("shapes", []) or [], p.xref, p.yref)
    for lay in layers:
        enc = lay.setdefault("encoding", {})
        for ch, ax in (("x", xa), ("y", ya)):
            if ch in enc and "field" in enc[ch] and enc[ch].get("type") == "quantitative":
                enc[ch].setdefault("title", ax["title"])
                if "scale" in ax:
                    enc[ch]["scale"] = {**ax["scale"], "zero": False, "nice": False}
                else:
                    enc[ch].setdefault("scale", {"zero": False, "nice": False})
            elif ch in enc and "field" in enc[ch]:
                enc[ch].setdefault("title", ax["title"])
        if "datum" in (enc.get("color") or {}) and p.colors:
            enc["color"]["scale"] = {"domain": list(p.colors), "range": list(p.colors.values())}
            enc["color"]["title"] = None
    spec = {"layer": layers, "width": PANEL_WIDTH, "height": height}
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
                return _text(a.get("text"))
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
    rows_spec = [{"hconcat": [_panel_spec(p, layout, height) for _, p in sorted(r, key=_left)],
                  "resolve": independent} for _, r in sorted(grid.items())]
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
