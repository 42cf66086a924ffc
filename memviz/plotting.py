"""Shared figure helpers, colours and names: the one table of colours and scales, the one figure
entry point (`figure`), one label per task, on every page; no streamlit. Builders write plain
dicts and hand them to `figure`.

Colours are Okabe-Ito (colour-blind safe). A gate keeps its colour on every page, and so does an
architecture: the LSTM is blue on Why gates, the horizon chart, the Sentences page and anywhere
else it is drawn; the browser's stepper reads the same table through memviz.stepdata.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Callable, Iterable, Iterator, Mapping

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from memviz import i18n


class Names(Mapping):
    """Names kept in a catalogue table and read in the reader's language when looked up (a
    plain dict built at import would keep the language of whoever imported it first)."""

    def __init__(self, keys: Mapping[str, str]) -> None:
        self._keys = dict(keys)  # name -> the message's full key, written out

    def __getitem__(self, key: str) -> str:
        return i18n.t(self._keys[key])

    @property
    def get(self) -> Callable[..., str | None]:
        """get(key, default=None) in the language of the moment `.get` was read: handed to a
        widget as format_func it keeps its page run's language (Streamlit's test harness formats
        options again later, in its own thread)."""
        lang = i18n.current()

        def get(key: str, default: str | None = None) -> str | None:
            return i18n.t(self._keys[key], lang) if key in self._keys else default
        return get

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"Names({self._keys!r})"


# ----------------------------------------------------------- the one table of colours and scales
# Every colour a figure, an exported file or the browser stepper (through memviz.stepdata's
# payload) draws is named here; figure modules take theirs from this table and write no colour
# or scale name of their own (tests/test_colours.py walks every figure and payload to check).

# Okabe-Ito (colour-blind safe), by name
BLUE, VERMILLION, GREEN, PURPLE = "#0072B2", "#D55E00", "#009E73", "#CC79A7"
ORANGE, SKY, BLACK, GREY, WINE = "#E69F00", "#56B4E9", "#000000", "#999999", "#882255"
WHITE = "#FFFFFF"
PALETTE = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, BLACK, GREY)  # groups, in this order
# plotly's own first colours, which the synapses page's rules and units have always worn
D3_BLUE, D3_ORANGE, D3_GREEN, D3_RED, D3_PURPLE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")
GUIDE = "grey"  # a rule or note that is not data: chance, "trained up to here", zero
FAINT = "rgba(0,0,0,0.15)"  # a wide pale mark behind the data (the synapses' co-active steps)
PAPER = "white"  # an exported image's background
INK_ON_DARK, INK_ON_LIGHT = "white", "black"  # numbers written on heatmap cells, as plotly does

GATE_COLORS = {"i": BLUE, "f": VERMILLION, "g": GREEN, "o": PURPLE, "c": ORANGE, "h": BLACK,
               "r": SKY, "z": WINE, "n": GREEN}
ARCH_COLORS = {"rnn": VERMILLION, "lstm": BLUE, "gru": GREEN, "cnn": ORANGE, "attention": PURPLE}
STEP_MARK = ORANGE  # the current step and unit: in the browser's stepper and in every figure
# what a line or bar stands for, where it is the same idea on several pages
ROLE_COLORS = {"model": BLUE, "truth": BLACK, "baseline": GREY, "pick": ORANGE, "other": GREY,
               "right": GREEN, "positive": VERMILLION, "negative": BLUE}

# A quantity's colour scale (a plotly scale name, or the [position, colour] list itself)
SCALES: dict[str, str | list] = {
    "gate": "Cividis",  # sigmoid gates, 0..1
    "tanh": "RdBu_r",  # tanh-valued states and candidates, -1..1: red positive, blue negative
    "cell": "RdBu_r",  # the cell state, symmetric about 0 (its range from the trace)
    "signed": "RdBu_r",  # weights, products, changes, a unit's activation: red > 0 > blue
    "share": "Cividis",  # 0..1 shares and unsigned values: attention weights, a feature's level
    "activation": "Viridis",  # activations after a ReLU, >= 0
    "ink": "Greys",  # dark ink on white: digits, on/off patterns
    "input": [[0, WHITE], [1, "#1A1A1A"]],  # a one-hot input: off white, on near black
    # a difference that must read white at exactly zero (plotly's RdBu is grey in the middle)
    "difference": [[0.0, "#2166AC"], [0.25, "#92C5DE"], [0.5, WHITE], [0.75, "#F4A582"],
                   [1.0, "#B2182B"]],
}


def scale(quantity: str) -> list[list]:
    """A quantity's colour scale as the explicit [position, colour] list (the browser, the
    exported file and the stepper then draw the same colours, whatever each calls a name)."""
    sc = SCALES[quantity]
    return colorscale(sc) if isinstance(sc, str) else [list(p) for p in sc]


ARCH_NAMES = Names({"rnn": "plotting.arch.rnn",
                    "lstm": "plotting.arch.lstm", "gru": "plotting.arch.gru",
                    "cnn": "plotting.arch.cnn", "attention": "plotting.arch.attention"})
ARCH_SHORT = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "cnn": "CNN", "attention": "Attention"}
# "Delayed recall" … in the reader's language
TASK_LABELS = Names({"recall": "plotting.task.recall", "adding": "plotting.task.adding",
                     "sine": "plotting.task.sine", "brackets": "plotting.task.brackets"})
TASK_GOALS = Names({"recall": "plotting.goal.recall", "adding": "plotting.goal.adding",
                    "sine": "plotting.goal.sine", "brackets": "plotting.goal.brackets"})
FONT = dict(family="Inter, Helvetica, Arial, sans-serif", size=13)


def user_text(text: object) -> str:
    """Text a user supplied (a CSV's column name, a file name, typed characters) as a figure
    must show it: as typed. Plotly draws a subset of HTML in every title, name, tick and label
    (<a href>, <b>, <br>, &amp;...), so <, > and & go in as entities; memviz.vegamarks turns
    them back into the characters for Vega-Lite images and CSV files. The one way user text
    enters a figure (altair charts take none)."""
    return html.escape(str(text), quote=False)


def task_label(task: str, goal: bool = False) -> str:
    """'Delayed recall', or with goal=True 'Delayed recall (name the first symbol)'."""
    if not goal:
        return TASK_LABELS[task]
    return i18n.t("plotting.with_goal", task=TASK_LABELS[task], goal=TASK_GOALS[task])


HOUSE_TEMPLATE = "plotly_white"


def _house_template() -> None:
    """Every memviz figure is drawn on plotly_white, as plotly's default template. plotly gives
    a figure built without a template its default as is (validated once), while a template
    written into a layout is validated and copied again for every figure (~40-80 ms a figure,
    most of its cost). Set again if something else set its own (streamlit does on import)."""
    if pio.templates.default != HOUSE_TEMPLATE:
        pio.templates.default = HOUSE_TEMPLATE


HOUSE_MARGIN = dict(l=60, r=20, t=50, b=45)
PROJECTOR = dict(font=20, title=24, height=1.25, line=4, marker=10)  # lecturer mode's sizes


def figure(data: list[dict], layout: dict, title: str | None = None, height: int | None = None,
           *, projector: bool = False) -> go.Figure:
    """The one way memviz assembles a plotly figure: plain dicts in (quick to write, and what a
    test reads), a figure out through plotly's public constructor, which validates them, on
    the plotly_white template (see _house_template).

    One look on every page: the title at the left in 15 px, Inter 13, and the house margins
    unless `layout` sets its own (a grid of small panels wants narrower ones). The title is
    `title`, or the text of `layout`'s title (a figure read back by `projected`).
    projector=True: the same figure with type and lines large enough for the back row
    (lecturer mode), sized here rather than by editing the built figure."""
    given = layout.get("title")
    given = dict(given) if isinstance(given, dict) else {"text": given}
    if title is not None:
        given["text"] = title
    layout = {"font": FONT, **layout, "margin": {**HOUSE_MARGIN, **(layout.get("margin") or {})},
              "title": {**given, "x": 0, "font": {**(given.get("font") or {}), "size": 15}}}
    if height is not None:
        layout["height"] = height
    if projector:
        data, layout = _projected(data, layout)
    _house_template()
    return go.Figure(dict(data=data, layout=layout))


def _projected(data: list[dict], layout: dict) -> tuple[list[dict], dict]:
    """Copies of a figure's dicts at projector size: fonts, title, height, scatter lines and
    markers (what plotly's update_layout / update_traces made of the same settings)."""
    title = layout.get("title")
    title = dict(title) if isinstance(title, dict) else {} if title is None else {"text": title}
    layout = {**layout, "font": {**(layout.get("font") or {}), "size": PROJECTOR["font"]},
              "title": {**title, "font": {**(title.get("font") or {}),
                                          "size": PROJECTOR["title"]}},
              "height": int((layout.get("height") or 400) * PROJECTOR["height"])}
    data = [tr if tr.get("type", "scatter") != "scatter" else
            {**tr, "line": {**(tr.get("line") or {}), "width": PROJECTOR["line"]},
             "marker": {**(tr.get("marker") or {}), "size": PROJECTOR["marker"]}}
            for tr in data]
    return data, layout


def projected(fig: go.Figure) -> go.Figure:
    """A built figure again at projector size (for the screen in lecturer mode; the lecture
    pack keeps the figure as built)."""
    d = fig.to_plotly_json()
    d["layout"].pop("template", None)  # plotly's default again (see _house_template)
    return figure(d["data"], d["layout"], projector=True)


@functools.cache
def colorscale(name: str) -> list[list]:
    """A named plotly colorscale as the [position, colour] list validation expands it to (by
    plotly's own validator, so '_r' scales round exactly as they would)."""
    return [list(pc) for pc in go.Heatmap(colorscale=name).colorscale]


def panels(rows: int, cols: int, titles: Iterable[str] = (), **spacing) -> dict:
    """The layout make_subplots would make (axis domains and anchors, the titles as
    annotations) as a fresh plain dict. make_subplots builds and validates a figure each time
    (~12 ms); the same grid again is a cached JSON string, parsed in well under a millisecond."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in spacing.items()))
    return json.loads(_panels_json(rows, cols, tuple(titles), key))


@functools.lru_cache(maxsize=256)
def _panels_json(rows: int, cols: int, titles: tuple[str, ...], spacing: tuple) -> str:
    kw = {k: list(v) if isinstance(v, tuple) else v for k, v in spacing}
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles) or None, **kw)
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)  # the figure's own, or plotly's default when drawn
    return json.dumps(layout)


def axis_ids(i: int) -> tuple[str, str]:
    """Subplot i's (1-based) axis references, as traces name them: ('x', 'y'), ('x2', 'y2')."""
    n = "" if i == 1 else str(i)
    return f"x{n}", f"y{n}"


def axis_keys(i: int) -> tuple[str, str]:
    """Subplot i's (1-based) axes as layout keys: ('xaxis', 'yaxis'), ('xaxis2', 'yaxis2')."""
    n = "" if i == 1 else str(i)
    return f"xaxis{n}", f"yaxis{n}"


def rule(line: dict, x: float | None = None, y: float | None = None,
         across: str = "domain", on: str | None = None) -> dict:
    """A line across the whole plot at x (vertical) or y (horizontal): the shape plotly's
    add_vline / add_hline make; across="paper" spans every stacked panel (a step mark), and
    `on` names the data axis of x or y when it is not the first ('y2')."""
    if x is not None:
        return {"type": "line", "x0": x, "x1": x, "xref": on or "x", "y0": 0, "y1": 1,
                "yref": "paper" if across == "paper" else "y domain", "line": line}
    return {"type": "line", "x0": 0, "x1": 1,
            "xref": "paper" if across == "paper" else "x domain", "y0": y, "y1": y,
            "yref": on or "y", "line": line}


DAY_MS = 86_400_000


def date_axis(title: str, x) -> dict:
    """An x axis titled `title` over x; when x holds dates, its tick labels are in the current
    language at every zoom (plotly's own month names are English; the export to vega reads
    `tickformat`). Row numbers (a series without dates) keep plotly's number ticks."""
    if not np.issubdtype(np.asarray(x).dtype, np.datetime64):
        return {"title": {"text": title}}
    day, month, year = (i18n.t(k) for k in ("plotting.date_ticks.day", "plotting.date_ticks.month",
                                            "plotting.date_ticks.year"))
    return {"title": {"text": title}, "tickformat": month, "tickformatstops": [
        {"dtickrange": [None, 28 * DAY_MS], "value": day},
        {"dtickrange": [28 * DAY_MS, 365 * DAY_MS], "value": month},
        {"dtickrange": [365 * DAY_MS, None], "value": year}]}


def axes(x: str, y: str, **y_extra) -> dict:
    """Layout entries titling the x and y axes (extra settings go to the y axis)."""
    return dict(xaxis=dict(title=dict(text=x)), yaxis=dict(title=dict(text=y), **y_extra))


def line(x, y, name: str, color: str, dash: str = "solid", width: int = 3) -> dict:
    """A plain line trace."""
    return dict(type="scatter", mode="lines", x=x, y=y, name=name,
                line=dict(color=color, width=width, dash=dash))
