"""memviz.step in a notebook without a browser: the widget carries the app's stepper.js and the
app's payload, and the example notebook runs headless with a trace equal to torch's."""

from __future__ import annotations

import pytest
import torch

from memviz import i18n, stepdata
from memviz.config import ModelConfig
from memviz.recurrent import models, trace

pytest.importorskip("anywidget", reason="the notebook extras (requirements-notebook.txt)")
from memviz import notebook  # noqa: E402  (after the skip: it imports anywidget)


@pytest.fixture(scope="module")
def traces():
    """Two recorded traces of one tiny LSTM on two inputs (stand-ins for two layers)."""
    model = models.build(ModelConfig("lstm", 4), 3, 2, seed=0)
    return [trace.record(model, torch.randn(6, 3, generator=torch.Generator().manual_seed(0))),
            trace.record(model, torch.ones(6, 3))]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_widget_sends_the_apps_payload_and_the_apps_stepper(traces, lang):
    w = notebook.step(traces, t=3, unit=2, lang=lang)
    with i18n.using(lang):
        want = [stepdata.payload(tr, 3, 2) for tr in traces]
        assert w.layer_label == i18n.t("notebook.layer")
        assert w.truths == [i18n.t("notebook.truth", diff=f"{tr.max_abs_diff:.1e}")
                            for tr in traces]
    assert w.payloads == want  # the same JSON the app's element sends, layer by layer
    assert w._stepper_js == (stepdata.ASSETS / "stepper.js").read_text(encoding="utf-8")
    assert w._css == (stepdata.ASSETS / "stepper.css").read_text(encoding="utf-8")
    assert (w.t, w.unit, w.layer) == (3, 2, 0)
    assert i18n.current() == "en"  # lang= does not leak into the caller's language
    one = notebook.step(traces, layer=1)
    assert one.payloads == [stepdata.payload(traces[1], 1, 0)]


def test_bad_arguments_are_refused_with_the_range(traces):
    for kwargs, words in (({"t": 0}, "t must be an integer 1 … 6"),
                          ({"unit": 4}, "unit must be an integer 0 … 3"),
                          ({"unit": 1.0}, "unit must be an integer 0 … 3"),
                          ({"layer": 2}, "layer must be an integer 0 … 1"),
                          ({"lang": "fr"}, "language")):
        with pytest.raises(ValueError, match=words):
            notebook.step(traces, **kwargs)


def test_import_memviz_stays_light():
    import subprocess
    import sys

    code = ("import sys, memviz; heavy = {'torch', 'anywidget', 'streamlit', 'numpy'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["[]"]  # and on first use memviz.step is the widget's:
    import memviz

    assert memviz.step is notebook.step and "step" in memviz.__all__
