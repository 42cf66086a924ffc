"""memviz.step in a notebook without a browser: the widget carries the app's stepper.js and the
app's payload, and the example notebook runs headless with a trace equal to torch's."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
import torch

from memviz import i18n, stepdata
from memviz.config import ModelConfig
from memviz.engine import cells, models, trace

from .conftest import ROOT

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
        assert w.truths == [i18n.t("notebook.truth", layer=k, diff=f"{tr.max_abs_diff:.1e}")
                            for k, tr in enumerate(traces)]
    assert w.payloads == want  # the same JSON the app's element sends, layer by layer
    assert w._stepper_js == (stepdata.ASSETS / "stepper.js").read_text(encoding="utf-8")
    assert w._css == (stepdata.ASSETS / "stepper.css").read_text(encoding="utf-8")
    assert (w.t, w.unit, w.layer) == (3, 2, 0)
    assert i18n.current() == "en"  # lang= does not leak into the caller's language
    one = notebook.step(traces, layer=1)
    assert one.payloads == [stepdata.payload(traces[1], 1, 0)]
    assert one.truths[0].startswith("Layer 1,")


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



@pytest.mark.parametrize(("kind", "layers", "batch_first"), [
    ("LSTM", 2, True), ("GRU", 2, False), ("RNN", 1, True), ("RNN-relu", 2, False)])
def test_every_kind_steps_with_every_layer_and_carries_torchs_output(kind, layers, batch_first):
    torch.manual_seed(0)
    extra = {"nonlinearity": "relu"} if kind == "RNN-relu" else {}
    module = getattr(torch.nn, kind.split("-")[0])(3, 4, num_layers=layers,
                                                   batch_first=batch_first, **extra)
    x = torch.randn(1, 5, 3) if batch_first else torch.randn(5, 1, 3)
    w = notebook.step(module, x, t=5, unit=3)
    with torch.no_grad():
        out = module(x)[0].reshape(5, 4).numpy()
    assert len(w.payloads) == layers == len(w.truths)
    top = w.payloads[-1]
    np.testing.assert_allclose(_decode(top["arrays"]["h"], 4), out, atol=1e-5)
    cell = {"LSTM": "lstm", "GRU": "gru", "RNN": "rnn", "RNN-relu": "rnn_relu"}[kind]
    assert all(p["fields"] == list(cells.FIELDS[cell]) for p in w.payloads)
    assert ("relu(" in top["equations"]["h"][0]) == (kind == "RNN-relu")
    assert all(float(t.split()[-1].rstrip(".")) <= 1e-5 for t in w.truths)


def test_a_character_model_steps_from_its_ids_through_its_own_embedding():
    torch.manual_seed(0)
    embed, lstm = torch.nn.Embedding(10, 3), torch.nn.LSTM(3, 4, batch_first=True)
    ids = torch.tensor([1, 2, 3, 9, 0])
    w = notebook.step(lstm, ids, embedding=embed, lang="zh")
    with torch.no_grad():
        out = lstm(embed(ids)[None])[0][0].numpy()
    np.testing.assert_allclose(_decode(w.payloads[0]["arrays"]["h"], 4), out, atol=1e-5)
    assert w.payloads[0]["labels"]["play"] == "播放"

EXAMPLE = ROOT / "notebooks" / "step_through_your_lstm.ipynb"
# appended to a copy of the example: torch's own numbers for the same model and input
TORCH_CHECK = """import json
with torch.no_grad():
    out, (h_n, c_n) = model.lstm(x)
print("TORCH " + json.dumps({"h": out[0].tolist(), "h_n": h_n[:, 0].tolist(),
                             "c_n": c_n[:, 0].tolist()}))"""


def _decode(b64: str, H: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4").reshape(-1, H)


def test_the_example_notebook_runs_headless_and_its_widgets_carry_torchs_numbers():
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.read(EXAMPLE, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(TORCH_CHECK))
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(EXAMPLE.parent)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    diff = float(re.search(r"hand-written cells vs torch: largest difference (\S+)", text)[1])
    assert diff <= 1e-5
    torch_ = json.loads(re.search(r"^TORCH (.*)$", text, re.M)[1])
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = [m["state"] for m in state.values() if m["model_name"] == "AnyModel"]
    assert [len(s["payloads"]) for s in shown] == [2, 1]  # every layer; then the top one
    both, top = shown[0]["payloads"], shown[1]["payloads"][0]
    for k, p in enumerate(both):  # what the browser gets: each layer's last h and c ...
        h, c = _decode(p["arrays"]["h"], p["H"]), _decode(p["arrays"]["c"], p["H"])
        np.testing.assert_allclose(h[-1], torch_["h_n"][k], atol=1e-5)
        np.testing.assert_allclose(c[-1], torch_["c_n"][k], atol=1e-5)
    np.testing.assert_allclose(_decode(both[1]["arrays"]["h"], 8), torch_["h"], atol=1e-5)
    assert top["arrays"] == both[1]["arrays"]  # ... and the same top layer, in Chinese
    assert (top["labels"]["play"], both[1]["labels"]["play"]) == ("播放", "Play")
    assert shown[0]["_stepper_js"] == (stepdata.ASSETS / "stepper.js").read_text("utf-8")
