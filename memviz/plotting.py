"""Shared figure helpers, colours and names: one colour per architecture and per gate, one
label per task, on every page. Builders assemble plotly figures from plain dicts; no streamlit.

Colours are Okabe-Ito (colour-blind safe). A gate keeps its colour on every page, and so does an
architecture: the LSTM is blue on Why gates, the horizon chart and anywhere else it is drawn.
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


GATE_COLORS = {
    "i": "#0072B2", "f": "#D55E00", "g": "#009E73", "o": "#CC79A7", "c": "#E69F00",
    "h": "#000000", "r": "#56B4E9", "z": "#882255", "n": "#009E73",
}
ARCH_COLORS = {"rnn": "#D55E00", "lstm": "#0072B2", "gru": "#009E73", "cnn": "#E69F00",
               "attention": "#CC79A7"}
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


@functools.cache
def white() -> dict:
    """plotly's 'plotly_white' template as plain data, for figures built from dicts (naming it
    in update_layout makes plotly validate and copy the whole template: ~11 ms a figure)."""
    return pio.templates["plotly_white"].to_plotly_json()


def figure(data: list[dict], layout: dict, title: str, height: int) -> go.Figure:
    """Assemble a figure from plain dicts without plotly's validation.

    Validation (and the template it expands) costs ~10-30 ms a figure, and the step-through
    panel rebuilds its figures on every step; tests validate every builder's output instead.
    """
    base = dict(title=dict(text=title, x=0, font=dict(size=15)), height=height, font=FONT,
                margin=dict(l=60, r=20, t=50, b=45), template=white())
    return go.Figure(dict(data=data, layout={**base, **layout}), _validate=False)


def plain(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts, unvalidated, and nothing added (plotly's default template is
    applied when it is drawn, as for any figure). The builders that use it write what plotly's
    validation would produce; tests check that validating their figures changes nothing."""
    return go.Figure(dict(data=data, layout=layout), _validate=False)


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


def white_layout(title: str, height: int, **more) -> dict:
    """A layout titled `title` on the plotly_white template (for `plain` figures)."""
    return {"title": {"text": title}, "height": height, "template": white(), **more}


def rule(line: dict, x: float | None = None, y: float | None = None) -> dict:
    """A line across the whole plot at x (vertical) or y (horizontal): the shape plotly's
    add_vline / add_hline make."""
    if x is not None:
        return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1,
                "yref": "y domain", "line": line}
    return {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y",
            "line": line}


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
