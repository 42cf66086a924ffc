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
from memviz.engine.trace import Trace
from memviz.stepdata import ASSETS, payload

ADAPTER = Path(__file__).with_name("adapter.js")


class Stepper(anywidget.AnyWidget):
    """The step-through of one or more layers' traces; `t` (1-based) and `unit` follow the
    browser (after a pause, and when Play stops) and move it when set from Python."""

    _esm = ADAPTER
    _css = ASSETS / "stepper.css"
    _stepper_js = traitlets.Unicode().tag(sync=True)
    payloads = traitlets.List(traitlets.Dict()).tag(sync=True)  # one stepdata.payload a layer
    truths = traitlets.List(traitlets.Unicode()).tag(sync=True)  # each layer's truth line
    layer = traitlets.Int(0).tag(sync=True)
    layer_label = traitlets.Unicode("").tag(sync=True)
    t = traitlets.Int(1).tag(sync=True)
    unit = traitlets.Int(0).tag(sync=True)

    @traitlets.default("_stepper_js")
    def _read_stepper(self) -> str:
        return (ASSETS / "stepper.js").read_text(encoding="utf-8")  # the app's file, each time


def stepper(traces: Sequence[Trace], t: int = 1, unit: int = 0, layer: int = 0,
            lang: str | None = None, lecturer: bool = False, first: int = 0) -> Stepper:
    """A Stepper over `traces` (one per layer, first layer first; the first is the model's
    layer `first`), opening at step t of unit `unit` in `layer`, its words in `lang`
    (default: memviz.i18n's current language)."""
    traces = list(traces)
    if not traces:
        raise ValueError("no trace to step through")
    _check("layer", layer, 0, len(traces) - 1)
    _check("t", t, 1, traces[layer].T, " (steps count from 1)")
    _check("unit", unit, 0, traces[layer].H - 1)
    with i18n.using(lang or i18n.current()):
        payloads = [payload(tr, t, unit, lecturer) for tr in traces]
        truths = [i18n.t("notebook.truth", layer=first + k, diff=f"{tr.max_abs_diff:.1e}")
                  for k, tr in enumerate(traces)]
        label = i18n.t("notebook.layer")
    return Stepper(payloads=payloads, truths=truths, layer=layer, layer_label=label, t=t,
                   unit=unit)


def step(model: Any, x: Any = None, layer: int | None = None, *, t: int = 1, unit: int = 0,
         lang: str | None = None, lecturer: bool = False, **trace_options: Any) -> Stepper:
    """Step through `model` (an nn.LSTM / nn.GRU / nn.RNN, any layers) on one sequence x in
    the notebook: x (T, I), or as memviz.trace takes it (trace_options: batch_first,
    embedding, readout are passed on to it).

    `model` may also be what memviz.trace returned, or a recorded Trace, or a list of them.
    layer=None offers every layer (a selector above the stepper); an int shows that layer
    alone. lang: "en" or "zh". The notebook shows the returned widget; its `t` and `unit`
    follow the browser, and setting them moves it.
    """
    traces = _traces(model, x, trace_options)
    if layer is None:
        return stepper(traces, t, unit, 0, lang, lecturer)
    _check("layer", layer, 0, len(traces) - 1)
    return stepper(traces[layer:layer + 1], t, unit, 0, lang, lecturer, first=layer)


def _check(name: str, value: int, lo: int, hi: int, why: str = "") -> None:
    """ValueError naming the range when value is not an int in lo … hi."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer {lo} … {hi}{why}; got {value!r}")


def _traces(model: Any, x: Any, options: dict[str, Any]) -> list[Trace]:
    """The per-layer traces of `model` on x, or `model`'s own if it is already traced."""
    if isinstance(model, Trace):
        return [model]
    if isinstance(getattr(model, "layers", None), tuple):  # memviz.trace's result
        return list(model.layers)
    if isinstance(model, list | tuple) and model and all(isinstance(m, Trace) for m in model):
        return list(model)
    from memviz.yours.tracing import trace  # torch's modules: recorded here, checked there

    return list(trace(model, x, **options).layers)
