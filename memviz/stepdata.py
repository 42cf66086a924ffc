"""What the browser-side stepper draws, as JSON-ready data: pure, no streamlit.

The app's element (memviz.ui.stepper) and the notebook widget (memviz.step) send the same
payload to the same stepper_assets/stepper.js: the recorded trace once (float32, base64), the
colour scales, the equations and the words in the current language.
"""

from __future__ import annotations

import base64
import hashlib
import math
from pathlib import Path
from typing import Any

import numpy as np

from memviz import i18n
from memviz import plotting as P
from memviz.engine import cells, equations, figures
from memviz.engine.trace import Trace
from memviz.i18n import t

# message keys written out, so that grep and the catalogue test see each one
LABEL_KEYS = {"heat_title": "stepper.heat_title", "first": "stepper.first", "prev": "stepper.prev",
    "play": "stepper.play", "pause": "stepper.pause", "next": "stepper.next",
    "last": "stepper.last", "range": "stepper.range", "unit": "stepper.unit",
    "speed": "stepper.speed", "speed_aria": "stepper.speed_aria", "fps": "stepper.fps",
    "hint": "stepper.hint", "axis": "plotting.time_step", "lines_title": "stepper.lines_title",
    "step_of": "stepper.step_of", "eq_title": "stepper.eq_title",
    "unit_over_time": "stepper.unit_over_time"}

ASSETS = Path(__file__).parent / "ui" / "stepper_assets"  # stepper.js and stepper.css


def _b64(a: np.ndarray) -> str:
    """A (T, H) array as little-endian float32 bytes in base64: exact, and 4 bytes a value."""
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def _colours(quantity: str) -> list[str]:
    """A quantity's scale from memviz.plotting.SCALES as the evenly spaced colours the
    stepper interpolates (each of these scales is evenly spaced)."""
    return [c for _, c in P.scale(quantity)]


def scales(trace: Trace) -> tuple[dict[str, dict], dict[str, str]]:
    """The heatmaps' colour scales (the export figures' scales) and which field uses which."""
    c_max = figures.cell_range(trace["c"])[0] if "c" in trace.fields else 1.0
    c_max = c_max if math.isfinite(c_max) else 1.0  # NaN/inf cells: a scale the JSON can carry
    table = {"gate": dict(colors=_colours("gate"), lo=0.0, hi=1.0,
                          title=t("stepper.scale.gate")),
             "tanh": dict(colors=_colours("tanh"), lo=-1.0, hi=1.0, title="tanh"),
             "cell": dict(colors=_colours("cell"), lo=-c_max, hi=c_max,
                          title=t("stepper.scale.cell"))}
    of = {name: ("gate" if name in figures.SIGMOID_FIELDS else "cell" if name == "c" else "tanh")
          for name in cells.FIELDS[trace.arch]}
    if trace.arch == "rnn_relu":  # relu's h is not bounded by 1: a scale over its own values
        h_max = figures.cell_range(trace["h"])[0]
        h_max = h_max if math.isfinite(h_max) else 1.0
        table["relu"] = {**table["tanh"], "lo": -h_max, "hi": h_max, "title": "h"}
        of["h"] = "relu"
    return table, of


LABELS = ("first", "prev", "play", "pause", "next", "last", "range", "unit", "speed",
          "speed_aria", "fps", "hint", "axis", "lines_title", "step_of", "eq_title",
          "unit_over_time")


def labels() -> dict[str, str]:
    """The words the browser draws, in the session's language ({t}, {T}, {j}, {fps} are
    filled in there)."""
    return {k: t(LABEL_KEYS[k]) for k in LABELS}


def payload(trace: Trace, t: int, unit: int, lecturer: bool = False) -> dict[str, Any]:
    """Everything the browser needs to step through `trace`, as JSON-ready values."""
    table, of = scales(trace)
    fields = cells.FIELDS[trace.arch]
    digest = hashlib.sha1(np.ascontiguousarray(trace["h"]).tobytes())
    digest.update(np.ascontiguousarray(trace.x).tobytes())
    for v in trace.initial.values():
        digest.update(np.ascontiguousarray(v).tobytes())
    return _json_safe({  # a new language is a new id: the browser rebuilds its labels
        "id": f"{trace.arch}-{i18n.current()}-{digest.hexdigest()[:16]}",
        "T": trace.T, "H": trace.H,
        "t": int(t), "unit": int(unit), "lecturer": bool(lecturer), "fields": list(fields),
        "arrays": {k: _b64(v) for k, v in trace.fields.items()},
        "initial": {k: _b64(v[None]) for k, v in trace.initial.items()},
        "scales": table, "scale_of": of,
        "colors": {k: P.GATE_COLORS[k] for k in fields},
        "mark": P.STEP_MARK,  # the current step and unit, as every figure marks them
        "meaning": {k: equations.MEANING.get(k, k) for k in fields},
        "equations": equations.html(trace.arch),
        "heat_title": i18n.t("stepper.heat_title"), "labels": labels(),
    })


def _json_safe(value: Any) -> Any:
    """`value` with every non-finite float as None: the element's data travels as JSON, where
    a bare NaN or Infinity is a syntax error in the browser (the arrays are base64 already)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def slot(field: str, lag: int = 0, paren: bool = False) -> str:
    """An empty number slot in an equation's HTML: stepper.js fills it with `field` at the
    current step (minus `lag`) and unit, parenthesised when negative if `paren`."""
    return (f'<span class="v" data-k="{field}" data-lag="{lag}" '
            f'data-p="{1 if paren else 0}"></span>')


def fields_payload(name: str, arrays: dict[str, np.ndarray], fields: list[str], t: int,
                   unit: int, *, scales: dict[str, dict], scale_of: dict[str, str],
                   colors: dict[str, str], meaning: dict[str, str],
                   equations: dict[str, list[str]], heat_title: str, words: dict[str, str],
                   unit_base: int = 0, lecturer: bool = False) -> dict[str, Any]:
    """The payload for any (T, H) arrays that are not a recurrent Trace (memviz.memnet: a hop's
    attention over memory slots). `fields` are drawn; every array can fill an equation slot;
    `words` replace the stepper's default words (labels()); `unit_base` is the number the
    stepper shows for unit 0 (1: hops counted from 1)."""
    T, H = next(iter(arrays.values())).shape
    digest = hashlib.sha1(name.encode())
    for k in sorted(arrays):
        digest.update(np.ascontiguousarray(arrays[k], dtype="<f4").tobytes())
    return _json_safe({
        "id": f"{name}-{i18n.current()}-{digest.hexdigest()[:16]}", "T": T, "H": H,
        "t": int(t), "unit": int(unit), "lecturer": bool(lecturer), "fields": list(fields),
        "arrays": {k: _b64(v) for k, v in arrays.items()}, "initial": {},
        "scales": scales, "scale_of": scale_of, "colors": colors, "meaning": meaning,
        "equations": equations, "heat_title": heat_title, "labels": {**labels(), **words},
        "unit_base": int(unit_base),
    })
