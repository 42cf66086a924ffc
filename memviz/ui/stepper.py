"""The step-through drawn in the browser: a Streamlit components-v2 element.

The recorded trace goes to the browser once (float32, base64); stepping, Play, the step marker on
every heatmap, the unit's curves and the equations' live numbers are all drawn there, so a move
costs a canvas redraw instead of a rerun and six plotly figures. The element reports the step
and unit it shows back to Python (after a pause, and when Play stops) so the URL follows.
Everything is served from this package: stepper_assets/stepper.js and stepper.css, no CDN.
"""

from __future__ import annotations

import functools

import streamlit as st

from memviz.engine.trace import Trace
from memviz.stepdata import ASSETS, labels, payload, scales  # noqa: F401  (the page's payload)

NAME = "memviz_stepper"


@functools.cache
def _component():
    """Register the element once per process (its JS and CSS are read from the package)."""
    return st.components.v2.component(
        NAME, html="", css=(ASSETS / "stepper.css").read_text(encoding="utf-8"),
        js=(ASSETS / "stepper.js").read_text(encoding="utf-8"))


def stepper(key: str, trace: Trace, t: int, unit: int, lecturer: bool = False
            ) -> dict[str, int] | None:
    """Draw the step-through of `trace` opening at step t (1-based) and `unit`.

    Returns the {"t", "unit"} the student last settled on in the browser (None before any move).
    """
    return element(key, payload(trace, t, unit, lecturer))


def element(key: str, data: dict) -> dict[str, int] | None:
    """Draw a prepared payload (memviz.stepdata.payload_of); the {"t", "unit"} the student last
    settled on, or None."""
    result = _component()(key=key, data=data, on_view_change=lambda: None)
    view = result.get("view")
    if not isinstance(view, dict):
        return None
    try:
        return {"t": int(view["t"]), "unit": int(view["unit"])}
    except (KeyError, TypeError, ValueError):
        return None  # a malformed report never breaks the page
