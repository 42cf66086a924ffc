"""The "Your model" page headless: weights of each kind uploaded, what was found said first, the
stepper sent every layer's numbers as torch computes them, the truth line; bad files one line."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile

import numpy as np
import pytest
import torch
from safetensors.torch import save as save_safetensors
from streamlit.testing.v1 import AppTest
from torch import nn

from memviz import export
from memviz.cli import main
from memviz.ui import show

from .conftest import ROOT, pack, stepper_data

TYPED = "0.5, -1, 0.25; 1, 0, -0.5; -0.75, 0.5, 1; 0.2, 0.1, 0; 0, -1, 1"  # T=5, I=3
X = np.array([[float(v) for v in row.split(",")] for row in TYPED.split(";")], np.float32)


def _page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages/yours.py"), default_timeout=60).run()


def _pt(module: nn.Module, prefix: str = "") -> bytes:
    buf = io.BytesIO()
    torch.save({prefix + k: v for k, v in module.state_dict().items()}, buf)
    return buf.getvalue()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="yours_weights").set_value((name, data, "application/octet-stream"))
    return at.run()


def _h(data: dict, T: int, H: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data["arrays"]["h"]), "<f4").reshape(T, H)


@pytest.mark.parametrize("kind, module, nonlinearity", [
    ("LSTM", nn.LSTM(3, 4, num_layers=2, batch_first=True), None),
    ("GRU", nn.GRU(3, 4, num_layers=1), None),
    ("RNN (relu)", nn.RNN(3, 4, num_layers=2, nonlinearity="relu"), "relu"),
], ids=["lstm", "gru", "rnn_relu"])
def test_each_kind_is_found_stepped_and_matches_torch(kind, module, nonlinearity):
    torch.manual_seed(0)
    for p in module.parameters():
        nn.init.uniform_(p, -0.8, 0.8)
    at = _upload(_page(), "model.pt", _pt(module, "rnn."))
    if nonlinearity:  # the weights cannot tell: the page asks
        at.radio(key="yours_nonlinearity").set_value(nonlinearity).run()
    found = at.success[0].value
    assert found.startswith("Found") and kind in found and "input size 3, hidden size 4" in found
    at.radio(key="yours_source").set_value("typed").run()
    at.text_area(key="yours_typed").set_value(TYPED).run()
    assert not at.exception and not at.error
    truth = at.success[1].value
    diff = float(re.search(r"max \|Δ\| = ([0-9.e+-]+)", truth).group(1))
    assert "torch" in truth and diff <= 1e-5
    x = torch.as_tensor(X)[:, None] if not module.batch_first else torch.as_tensor(X)[None]
    with torch.no_grad():
        want = module(x)[0].reshape(5, 4).numpy()  # torch's top layer h
    top = module.num_layers - 1
    if module.num_layers > 1:
        at.session_state["yours_l0_t"] = 3  # where the browser's stepper settled on layer 0
        at.run()
        at.radio(key="yours_layer").set_value(top).run()
    data = stepper_data(at)
    assert data["t"] == (3 if module.num_layers > 1 else 5)  # the step carries to the layer
    assert data["fields"] == {"LSTM": list("ifgoch"), "GRU": list("rznh")}.get(kind, ["h"])
    np.testing.assert_allclose(_h(data, 5, 4), want, atol=1e-5)  # the shown numbers: torch's
    figures = pack(at)["figures"]
    assert {f"yours_l{k}_heatmaps" for k in range(module.num_layers)} <= set(figures)


def test_the_char_model_reads_typed_text_through_its_embedding_and_packs_its_files(tmp_path):
    torch.manual_seed(1)
    vocab = " .acehst"
    model = nn.ModuleDict({"embed": nn.Embedding(len(vocab), 3), "lstm": nn.LSTM(3, 6),
                           "head": nn.Linear(6, len(vocab))})
    data = save_safetensors({k: v.contiguous() for k, v in model.state_dict().items()})
    at = _upload(_page(), "char.safetensors", data)
    assert "embedding of 8 tokens" in at.success[0].value and "readout" in at.success[0].value
    at.text_input(key="yours_vocab").set_value(vocab).run()
    at.text_input(key="yours_text").set_value("the cat sat.").run()
    assert not at.exception and not at.error
    ids = torch.tensor([vocab.index(c) for c in "the cat sat."])
    with torch.no_grad():
        want = model["lstm"](model["embed"](ids)[:, None])[0][:, 0].numpy()
    np.testing.assert_allclose(_h(stepper_data(at), 12, 6), want, atol=1e-5)
    noted = at.session_state[show.PACK]  # what the lecture pack zips (figures are rendered
    z = zipfile.ZipFile(io.BytesIO(export.lecture_pack(  # on the click: left out here)
        {}, [], noted["config"], "Your model", noted["files"], noted["command"])))
    assert z.read("weights.safetensors") == data  # the weights as uploaded
    np.testing.assert_array_equal(np.load(io.BytesIO(z.read("input.npy"))), ids.numpy())
    config = json.loads(z.read("config.json"))
    assert config["found"]["kind"] == "lstm" and config["view"] == {"t": 12, "unit": 0}
    assert config["weights"] == "weights.safetensors" and config["input"] == "input.npy"
    assert "python -m memviz inspect --config config.json" in z.read("README.txt").decode()
    z.extractall(tmp_path / "pack")  # offline, from the pack alone: the same figures
    assert main(["inspect", "--config", str(tmp_path / "pack/config.json"), "--out",
                 str(tmp_path / "figs"), "--formats", "csv"]) == 0
    for name in ("yours_input", "yours_l0_heatmaps", "yours_l0_unit_lines"):
        page_csv = export.render(export.resolve(noted["figures"][name]), "csv")
        assert (tmp_path / f"figs/{name}.csv").read_bytes() == page_csv, name
    assert {"yours_input", "yours_l0_heatmaps", "yours_l0_unit_lines"} <= set(noted["figures"])
    charts = len(at.get("plotly_chart"))
    at.number_input(key="yours_wi_id").set_value(vocab.index("a")).run()  # what if: 'ahe cat sat.'
    assert not at.exception and len(at.get("plotly_chart")) == charts + 1  # Δh drawn
    edited = json.loads(at.get("bidi_component")[1].proto.json)
    ids[0] = vocab.index("a")
    with torch.no_grad():
        want = model["lstm"](model["embed"](ids)[:, None])[0][:, 0].numpy()
    np.testing.assert_allclose(_h(edited, 12, 6), want, atol=1e-5)  # the edited run, torch's
    at.text_input(key="yours_text").set_value("the dog").run()  # 'd' is not in it
    assert [e.value for e in at.error] == ["The character 'd' is not in the vocabulary."]
    at.radio(key="yours_source").set_value("typed").run()
    at.text_area(key="yours_typed").set_value("0.5, 1; 1, 0").run()  # 2 values, not 3
    assert len(at.error) == 1 and "(T, 3)" in at.error[0].value and not at.get("bidi_component")


def _whole(module: nn.Module) -> bytes:
    """torch.save(model), a student's usual slip: a pickle of classes, not a state dict."""
    buf = io.BytesIO()
    torch.save(module, buf)
    return buf.getvalue()


def _nan() -> bytes:
    m = nn.GRU(2, 3)
    with torch.no_grad():
        m.weight_hh_l0[0, 0] = float("nan")
    return _pt(m)


@pytest.mark.parametrize("name, data, says", [
    ("model.pt", _whole(nn.LSTM(3, 4)), "a pickle that would run code"),
    ("model.pt", _pt(nn.Linear(3, 4)), "No recurrent weights"),
    ("model.pt", _pt(nn.LSTM(3, 4, bidirectional=True)), "Bidirectional"),
    ("model.pt", _nan(), "NaN"),
    ("model.safetensors", b"not a safetensors file", "cannot be read"),
    ("weights.json", b"{}", "is not a weights file"),  # Streamlit's type= raised instead
], ids=["code", "no_recurrent", "bidirectional", "nan", "unreadable", "json"])
def test_a_bad_file_gets_one_line(name, data, says):
    at = _upload(_page(), name, data)
    assert not at.exception
    assert len(at.error) == 1 and says in at.error[0].value and not at.success


def test_the_page_in_chinese():
    at = AppTest.from_file(str(ROOT / "pages/yours.py"), default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    _upload(at, "model.pt", _pt(nn.GRU(2, 3)))
    assert at.title[0].value.startswith("你自己的模型")
    assert at.success[0].value.startswith("找到一个 GRU")
    assert at.radio(key="yours_source").value == "task"  # GRU(2, ...) fits adding, brackets
    assert not at.exception and not at.error
    assert at.success[1].value.startswith("真值核对") and stepper_data(at)["T"] == 20



def test_saliency_is_the_gradient_of_the_answer_by_finite_differences():
    """The what-if panel's bars: |d answer / d x_t| summed over the input, where the answer is
    the readout's largest output at the last step (checked in float64 by central differences)."""
    import copy

    from memviz.yours import model, whatif

    torch.manual_seed(2)
    net = nn.ModuleDict({"rnn": nn.GRU(3, 4, num_layers=2), "out": nn.Linear(4, 2)})
    sal, k = whatif.saliency(model.load(_pt(net), "m.pt"), X)
    ref = copy.deepcopy(net).double()

    def answer(x: np.ndarray) -> np.ndarray:  # (T, I) -> the readout at the last step
        with torch.no_grad():
            return ref["out"](ref["rnn"](torch.as_tensor(x)[:, None])[0][-1, 0]).numpy()

    x = X.astype(np.float64)
    assert k == int(answer(x).argmax())
    fd = np.zeros_like(x)
    for t, i in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[t, i] += 1e-6
        down[t, i] -= 1e-6
        fd[t, i] = (answer(up)[k] - answer(down)[k]) / 2e-6
    np.testing.assert_allclose(sal, np.abs(fd).sum(1), rtol=1e-3, atol=1e-6)
