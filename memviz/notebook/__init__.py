"""The browser stepper in a Jupyter notebook: `memviz.step(module, x)`.

An anywidget widget (JupyterLab, Notebook 7, VS Code, Colab) that runs the app's own
memviz/ui/stepper_assets/stepper.js, read from the package when the widget is made, with the
same payload the app's element sends (memviz.stepdata.payload). A small adapter (adapter.js)
calls it the way Streamlit's components-v2 does and maps the view it reports to the traitlets
`t` and `unit`. Everything is sent with the widget: no server round trip per step, no CDN.
Needs the optional install (requirements-notebook.txt); `import memviz` does not import this.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from memviz import i18n
from memviz.recurrent.trace import Trace
from memviz.stepdata import ASSETS, payload

ADAPTER = Path(__file__).with_name("adapter.js")


class Stepper(anywidget.AnyWidget):
    """The step-through of one or more layers' traces; `t` (1-based) and `unit` follow the
    browser (after a pause, and when Play stops) and move it when set from Python."""

    _esm = ADAPTER
    _css = ASSETS / "stepper.css"
    _stepper_js = traitlets.Unicode().tag(sync=True)
    payloads = traitlets.List(traitlets.Dict()).tag(sync=True)  # one stepdata.payload a layer
    layer = traitlets.Int(0).tag(sync=True)
    layer_label = traitlets.Unicode("").tag(sync=True)
    t = traitlets.Int(1).tag(sync=True)
    unit = traitlets.Int(0).tag(sync=True)

    @traitlets.default("_stepper_js")
    def _read_stepper(self) -> str:
        return (ASSETS / "stepper.js").read_text(encoding="utf-8")  # the app's file, each time


def stepper(traces: Sequence[Trace], t: int = 1, unit: int = 0, layer: int = 0,
            lang: str | None = None, lecturer: bool = False) -> Stepper:
    """A Stepper over `traces` (one per layer, first layer first), opening at step t of unit
    `unit` in `layer`, its words in `lang` (default: memviz.i18n's current language)."""
    traces = list(traces)
    if not traces:
        raise ValueError("no trace to step through")
    if not 0 <= layer < len(traces):
        raise ValueError(f"layer must be 0 … {len(traces) - 1}; got {layer}")
    T, H = traces[layer].T, traces[layer].H
    if not 1 <= t <= T:
        raise ValueError(f"t must be 1 … {T} (steps count from 1); got {t}")
    if not 0 <= unit < H:
        raise ValueError(f"unit must be 0 … {H - 1}; got {unit}")
    with i18n.using(lang or i18n.current()):
        payloads = [payload(tr, t, unit, lecturer) for tr in traces]
        label = i18n.t("notebook.layer")
    return Stepper(payloads=payloads, layer=layer, layer_label=label, t=t, unit=unit)


def step(model: Any, x: Any = None, layer: int | None = None, *, t: int = 1, unit: int = 0,
         lang: str | None = None, lecturer: bool = False) -> Stepper:
    """Step through `model` (an nn.LSTM / nn.GRU / nn.RNN) on input x in the notebook.

    `model` may also be a recorded Trace or a list of them (one per layer). layer=None offers
    every layer (a selector above the stepper); an int shows that layer alone. lang: "en" or
    "zh". Returns the widget: the notebook shows it; its `t` and `unit` follow the browser.
    """
    traces = _traces(model, x)
    if layer is not None:
        if not 0 <= layer < len(traces):
            raise ValueError(f"layer must be 0 … {len(traces) - 1}; got {layer}")
        return stepper([traces[layer]], t, unit, 0, lang, lecturer)
    return stepper(traces, t, unit, 0, lang, lecturer)


def _traces(model: Any, x: Any) -> list[Trace]:
    """The per-layer traces of `model` on x, or `model` itself if it is already traced."""
    if isinstance(model, Trace):
        return [model]
    if isinstance(model, list | tuple) and all(isinstance(m, Trace) for m in model):
        return list(model)
    raise TypeError(f"expected an nn.LSTM, nn.GRU or nn.RNN, or a Trace; got {type(model)!r}")
