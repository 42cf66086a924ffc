"""Translate memviz's plotly figures to Vega-Lite (which vl_convert renders offline, no browser),
with their data as named rows for CSV."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from memviz import i18n
from memviz import vegamarks as marks
from memviz.plotting import GREY, PAPER, STEP_MARK

PANEL_WIDTH = 560


class ExportUnsupported(ValueError):
    """This figure cannot be written in this format here; the message says why."""


SUPPORTED_TRACES = {"heatmap", "scatter", "scattergl", "bar"}


def unsupported_reason(fig) -> str | None:
    """Why this figure cannot be exported offline, or None when it can (cheap: no rendering)."""
    if type(fig).__module__.startswith("altair"):
        return None
    kinds = {getattr(tr, "type", None) or "scatter" for tr in getattr(fig, "data", [])}
    if not kinds:
        return i18n.t("vegalite.no_data")
    bad = sorted(kinds - SUPPORTED_TRACES)
    return i18n.t("vegalite.unsupported", kind=bad[0]) if bad else None


def _axis_key(ref: str | None, letter: str) -> str:
    """'y2' -> 'yaxis2'; None or 'y' -> 'yaxis'."""
    suffix = (ref or letter)[1:]
    return f"{letter}axis{suffix}"


def _rules(shapes: Iterable[Mapping], xref: str, yref: str) -> list[dict]:
    """Lines and boxes drawn on this panel: vertical at x (yref paper), horizontal at y, or a
    rectangle in data coordinates (e.g. a receptive field's box)."""
    out = []
    for s in shapes:
        line = s.get("line") or {}
        if (s.get("type") == "rect" and s.get("xref", "x") == xref
                and str(s.get("yref", "y")) in (f"{yref} domain", "paper")):
            out.append(_band(s))  # a shaded span of x over the panel's full height
            continue
        if s.get("type") == "rect" and s.get("xref", "x") == xref and s.get("yref", "y") == yref:
            box = {k: float(s[k]) for k in ("x0", "x1", "y0", "y1")}
            out.append({"data": {"values": [box]},
                        "mark": {"type": "rect", "fill": s.get("fillcolor") or "transparent",
                                 "stroke": line.get("color", STEP_MARK),
                                 "strokeWidth": line.get("width", 2)},
                        "encoding": {"x": {"field": "x0", "type": "quantitative"},
                                     "x2": {"field": "x1"},
                                     "y": {"field": "y0", "type": "quantitative"},
                                     "y2": {"field": "y1"}}})
            continue
        if s.get("type") != "line":
            continue
        style = {"type": "rule", "color": line.get("color", STEP_MARK),
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


def _band(s: Mapping) -> dict:
    """A vertical band from x0 to x1 (numbers or dates), as plotly's add_vrect draws it."""
    x0, x1 = (marks.when(s[k]) or float(s[k]) for k in ("x0", "x1"))
    kind = "temporal" if isinstance(x0, str) else "quantitative"
    return {"data": {"values": [{"x0": x0, "x1": x1}]},
            "mark": {"type": "rect", "fill": s.get("fillcolor") or GREY,
                     "opacity": float(s.get("opacity") or 0.15)},
            "encoding": {"x": {"field": "x0", "type": kind}, "x2": {"field": "x1"}}}


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
    title = marks.plain_text(ax.get("title"))
    if not title and ax.get("matches"):
        shared = layout.get(_axis_key(ax["matches"], key[0]), {}) or {}
        title = marks.plain_text(shared.get("title"))
    return title


def _column_names(layout: Mapping, key: tuple[str, str], image: bool) -> dict[str, str]:
    """CSV column names for a panel's x and y: its axis titles (what the screen calls them);
    an untitled heatmap is an image, indexed by column and row."""
    x, y = _title(layout, _axis_key(key[0], "x")), _title(layout, _axis_key(key[1], "y"))
    x = x or (marks.column("column") if image else "x")
    y = y or (marks.column("row") if image else "y")
    return {"x": x, "y": y if y != x else marks.column("vertical", name=y)}


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
            layers, panel.grid = marks.heatmap(tr, layout, names, mine)
            panel.layers += layers
        elif kind in ("scatter", "scattergl"):
            for lay in marks.scatter(tr, names, mine, k):
                name, color = lay.pop("_color")
                panel.colors[name] = color
                panel.layers.append(lay)
        elif kind == "bar":
            panel.layers += marks.bar(tr, names, mine, k)
        else:
            raise ExportUnsupported(i18n.t("vegalite.unsupported", kind=kind))
        title = _panel_title(layout, panel)
        rows += [{marks.column("panel"): title, **r} for r in mine] if title else mine
    return panels


def _axis(layout: Mapping, key: str) -> dict:
    ax = layout.get(key, {}) or {}
    spec: dict = {"title": marks.plain_text(ax.get("title")) or None,
                  "reversed": ax.get("autorange") == "reversed"}
    if ax.get("type") == "log":
        spec["scale"] = {"type": "log"}
    if ax.get("range"):
        spec.setdefault("scale", {})["domain"] = [float(v) for v in ax["range"]]
    axis = {"format": ax["tickformat"]} if ax.get("tickformat") else {}
    if ax.get("showticklabels") is False:
        axis.update(labels=False, ticks=False)
    if ax.get("visible") is False:  # hidden on screen (the coloured text's character grid)
        axis.update(labels=False, ticks=False, domain=False, grid=False, title=None)
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
                return " ".join(marks.plain_text(a.get("text")).split())
    return ""


def to_vegalite(fig) -> tuple[dict, list[dict]]:
    """A plotly figure (object or dict) -> (Vega-Lite spec, long-format data rows)."""
    d = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)
    d = json.loads(json.dumps(d, default=_jsonable))  # numpy -> lists, one plain structure
    layout, rows = d.get("layout", {}), []
    panels = _panels(d, rows)
    if not panels:
        raise ExportUnsupported(i18n.t("vegalite.no_data"))
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
            "title": {"text": marks.plain_text(layout.get("title")), "anchor": "start",
                      "fontSize": 15},
            "vconcat": rows_spec, "resolve": independent, "background": PAPER, "padding": 10,
            # DejaVu Sans ships with most Linux machines; vl-convert falls back to its own
            # bundled fonts where it is missing.
            "config": {"font": "DejaVu Sans", "view": {"stroke": None}}}
    return spec, rows


def _left(item: tuple[float, _Panel]) -> float:
    return item[0]


def _jsonable(o: Any) -> Any:
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic) and not isinstance(o, np.datetime64):
        return o.item()
    if (iso := marks.when(o)) is not None:
        return iso
    raise TypeError(f"cannot serialise {type(o).__name__}")
