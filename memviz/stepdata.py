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


def unit_scale(title: str, quantity: str = "gate") -> dict:
    """The scale of values between 0 and 1 (gates; attention weights: quantity "share")."""
    return dict(colors=_colours(quantity), lo=0.0, hi=1.0, title=title)


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
    x = hashlib.sha1(np.ascontiguousarray(trace.x, dtype="<f4").tobytes()).hexdigest()[:8]
    return payload_of(
        f"{trace.arch}-{x}", trace.fields, fields, t, unit, lecturer,
        table, of, {k: P.GATE_COLORS[k] for k in fields},
        {k: equations.MEANING.get(k, k) for k in fields}, equations.html(trace.arch),
        initial=trace.initial)


def payload_of(name: str, arrays: dict[str, np.ndarray], fields: list[str], t: int, unit: int,
               lecturer: bool, table: dict[str, dict], scale_of: dict[str, str],
               colors: dict[str, str], meaning: dict[str, str],
               eqs: dict[str, list[str]], initial: dict[str, np.ndarray] | None = None,
               words: dict[str, str] | None = None, heat_title: str | None = None,
               unit_base: int = 0) -> dict[str, Any]:
    """The payload of any recording (a recurrent Trace, a Transformer's attention, a memory
    network's hops): `arrays` name -> (T, H) (those in `fields` are drawn as heatmaps, all can
    fill an equation's live numbers), the scales and which field uses which, each field's
    colour and meaning, the equations' HTML; `words` replace stepper labels (a lesson whose
    rows are not units); `unit_base` is the number shown for unit 0 (1: hops from 1)."""
    initial = initial or {}
    digest = hashlib.sha1(name.encode())  # the id changes whenever the numbers do
    for group in (arrays, initial):
        for k in sorted(group):
            digest.update(k.encode())
            digest.update(np.ascontiguousarray(group[k], dtype="<f4").tobytes())
    drawn = arrays[fields[0]]
    return _json_safe({  # a new language is a new id: the browser rebuilds its labels
        "id": f"{name}-{i18n.current()}-{digest.hexdigest()[:16]}",
        "T": int(drawn.shape[0]), "H": int(drawn.shape[1]),
        "t": int(t), "unit": int(unit), "lecturer": bool(lecturer), "fields": list(fields),
        "arrays": {k: _b64(v) for k, v in arrays.items()},
        "initial": {k: _b64(v[None]) for k, v in initial.items()},
        "scales": table, "scale_of": scale_of, "colors": colors,
        "mark": P.STEP_MARK,  # the current step and unit, as every figure marks them
        "meaning": meaning, "equations": eqs,
        "heat_title": heat_title or i18n.t("stepper.heat_title"),
        "labels": {**labels(), **(words or {})}, "unit_base": int(unit_base),
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
