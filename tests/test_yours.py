"""Your own model (issue 29): weights read without unpickling code, kind and sizes inferred,
every layer traced by the hand-written cells and checked against torch, bad files refused in
one line each, and the `inspect` command."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from safetensors.torch import save as st_save
from torch import nn

from memviz import i18n, stepdata
from memviz.cli import main
from memviz.yours import inputs, model, tracing
from memviz.yours.weights import WeightsError

from .conftest import ROOT
from .fixtures.plain_char_lstm import make as make_char_lstm

KINDS = {"lstm": lambda **k: nn.LSTM(**k), "gru": lambda **k: nn.GRU(**k),
         "rnn_tanh": lambda **k: nn.RNN(nonlinearity="tanh", **k),
         "rnn_relu": lambda **k: nn.RNN(nonlinearity="relu", **k)}


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """torch's own runs here on one thread, as the app runs them (memviz.devices): two threads
    waiting for a busy core made these tiny forwards seconds long under load."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def module(kind: str, layers: int = 1, batch_first: bool = True, seed: int = 0, **kw):
    torch.manual_seed(seed)
    return KINDS[kind](input_size=3, hidden_size=5, num_layers=layers,
                       batch_first=batch_first, **kw).eval()


def torch_h(m: nn.RNNBase, x: torch.Tensor) -> torch.Tensor:
    """torch's own top-layer h (T, H) for x (T, I)."""
    with torch.no_grad():
        return m(x[None] if m.batch_first else x[:, None])[0].reshape(x.shape[0], -1)


def pt_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", list(KINDS))
def test_trace_matches_torch_for_every_kind_layer_count_and_layout(kind, layers, batch_first):
    m = module(kind, layers, batch_first)
    x = torch.randn(6, 3) * 2
    shaped = x[None] if batch_first else x[:, None]  # the layout the module itself takes
    threads = torch.get_num_threads()
    mt = tracing.trace(m, shaped if layers == 2 else x)
    assert torch.get_num_threads() == threads  # one thread while tracing, the caller's after
    assert mt.kind == kind and mt.num_layers == layers and mt.T == 6 and mt.H == 5
    assert mt.max_abs_diff <= 1e-5
    assert np.abs(mt.layers[-1]["h"] - torch_h(m, x).numpy()).max() <= 1e-5
    assert set(mt.arrays()) >= {f"l{k}.h" for k in range(layers)}
    for layer in mt.layers:  # each layer is what the shared stepper takes
        p = stepdata.payload(layer, 3, 1)
        assert p["T"] == 6 and p["H"] == 5 and p["fields"] == list(mt.fields)
    if kind == "rnn_relu":
        assert (mt.layers[0]["h"] >= 0).all() and "relu" in " ".join(p["equations"]["h"])


def test_a_double_module_is_traced_in_float32_and_left_as_it_was():
    m = module("lstm", 2).double()
    x = torch.randn(5, 3, dtype=torch.float64)
    mt = tracing.trace(m, x)
    assert mt.max_abs_diff <= 1e-5 and m.weight_hh_l0.dtype == torch.float64
    assert np.abs(mt.layers[-1]["h"] - torch_h(m, x).numpy()).max() <= 1e-5


def test_the_truth_check_catches_a_cell_that_differs_from_torch(monkeypatch):
    m = module("lstm", 2)
    real = tracing.cells.run

    def off(arch, x, w, **kw):  # a cell one part in a thousand off
        s = real(arch, x, w, **kw)
        return {**s, "h": s["h"] * 1.001}

    monkeypatch.setattr(tracing.cells, "run", off)
    assert tracing.trace(m, torch.randn(6, 3)).max_abs_diff > 1e-5


def test_a_relu_rnns_heatmap_spans_its_values_not_tanhs():
    from memviz.yours import figures

    mt = tracing.trace(module("rnn_relu"), torch.randn(6, 3) * 3)
    peak = float(mt.layers[0]["h"].max())
    assert peak > 1  # a tanh scale (-1..1) would saturate these
    axis = figures.model_figures(mt)["yours_l0_heatmaps"].layout.coloraxis2
    assert axis.cmin == -axis.cmax and 1 < axis.cmax <= peak
    p = stepdata.payload(mt.layers[0], 1, 0)  # the stepper draws it on the same range
    assert p["scales"][p["scale_of"]["h"]]["hi"] == pytest.approx(axis.cmax)


def test_each_layers_figures_say_which_layer_they_draw():
    from memviz.yours import figures

    mt = tracing.trace(module("gru", 2), torch.randn(5, 3))
    with i18n.using("zh"):
        titles = {k: v.layout.title.text for k, v in figures.model_figures(mt).items()}
    assert titles["yours_l1_heatmaps"].startswith("第 2 层（共 2 层）")
    assert titles["yours_l0_unit_lines"].startswith("第 1 层")
    shown = figures.model_figures(mt)["yours_input"].data[0]
    assert shown.type == "heatmap" and shown.showscale  # real-valued channels get a colour key


@pytest.mark.parametrize("fmt", ["pt", "safetensors"])
def test_a_prefixed_state_dict_is_read_and_rebuilt(fmt):
    m = module("gru", 2, bias=False)
    state = {f"encoder.rnn.{k}": v for k, v in m.state_dict().items()}
    data, name = (pt_bytes({"epoch": 3, "state_dict": state}), "m.pth") if fmt == "pt" else (
        st_save(state), "m.safetensors")
    loaded = model.load(data, name)
    f = loaded.found
    assert (f.kind, f.input_size, f.hidden_size, f.num_layers, f.bias, f.prefix) == (
        "gru", 3, 5, 2, False, "encoder.rnn.")
    assert f.readout is None and f.embedding is None and f.ignored == ()
    x = torch.randn(7, 3)
    mt = tracing.trace_model(loaded, inputs.check_input(x.numpy(), f))
    assert np.abs(mt.layers[-1]["h"] - torch_h(m, x).numpy()).max() <= 1e-5


def test_an_rnn_says_its_nonlinearity_is_assumed_unless_given():
    data = pt_bytes(module("rnn_relu").state_dict())
    assumed = model.load(data, "r.pt").found
    assert assumed.kind == "rnn_tanh" and not assumed.nonlinearity_read
    assert "tanh" in assumed.summary() and "relu" in assumed.summary()
    given = model.load(data, "r.pt", "relu").found
    assert given.kind == "rnn_relu" and given.nonlinearity_read


def test_a_plain_torch_char_lstm_with_embedding_and_readout(tmp_path):
    paths = make_char_lstm(tmp_path, steps=5)
    net = torch.load(paths["pt"], weights_only=True)
    from tests.fixtures.plain_char_lstm import CharLSTM

    ref = CharLSTM(len(json.loads(paths["vocab"].read_text())))
    ref.load_state_dict(net)
    ids = np.load(paths["npy"])
    for key in ("pt", "safetensors"):
        loaded = model.load(paths[key].read_bytes(), paths[key].name)
        f = loaded.found
        assert f.embedding == ("embed.", ref.embed.num_embeddings)
        assert f.readout == ("head.", ref.head.out_features, True) and f.num_layers == 2
        x = inputs.read_input(paths["csv"].read_bytes(), "ids.csv", f)
        assert x.dtype == np.int64 and (x == ids).all()
        mt = tracing.trace_model(loaded, x)
        with torch.no_grad():
            want = ref(torch.as_tensor(ids)[None])[0].numpy()
        assert mt.max_abs_diff <= 1e-5 and np.abs(mt.output - want).max() <= 1e-5
        assert (mt.ids == ids).all() and mt.x.shape == (len(ids), 8)


def test_an_unnamed_bias_free_module_is_placed_by_its_order():
    """I == H and no bias: a 2-D weight before the LSTM is its embedding, after it its readout."""
    rnn = nn.LSTM(4, 4).state_dict()
    before = {"0.weight": torch.randn(9, 4), **{f"1.{k}": v for k, v in rnn.items()}}
    after = {**{f"0.{k}": v for k, v in rnn.items()}, "1.weight": torch.randn(9, 4)}
    assert model.find(before).embedding == ("0.", 9) and model.find(before).readout is None
    assert model.find(after).readout == ("1.", 9, False) and model.find(after).embedding is None


def test_typed_csv_and_npy_inputs():
    f = model.find(module("lstm").state_dict())
    assert inputs.parse_typed("0.1, 0.2, 0.3; 0.4 0.5 0.6\n1 2 3", f).shape == (3, 3)
    x = inputs.parse_csv("a,b,c\n1,2,3\n4,5,6\n", f)
    assert x.dtype == np.float32 and x.tolist() == [[1, 2, 3], [4, 5, 6]]
    buf = io.BytesIO()
    np.save(buf, np.ones((1, 4, 3)))
    assert inputs.read_input(buf.getvalue(), "x.npy", f).shape == (4, 3)


class Mkdir:
    """Unpickling this would make a folder: proof that nothing was run if it is not there."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def _state(**change):
    s = module("lstm", 2).state_dict()
    s.update(change)
    return s


def _find(state):
    return lambda: model.find(state)


def _nested(d):
    d["rnn.weight_ih_l0"] = torch.randn(20, 3)
    return d


F = model.find(module("lstm").state_dict())
CHAR = model.Found("lstm", 3, 5, 1, True, embedding=("e.", 7))
BAD = {  # message key -> how to provoke it
    "too_big": lambda: model.load(b"\0" * (50 * 2**20 + 1), "big.pt"),
    "kind": lambda: model.load(b"{}", "weights.json"),
    "unreadable": lambda: model.load(b"not a checkpoint", "m.safetensors"),
    "not_state_dict": lambda: model.load(pt_bytes([1, 2, 3]), "list.pt"),
    "nonfinite": lambda: model.load(st_save(_state(weight_hh_l1=torch.full((20, 5), np.nan))),
                                    "nan.safetensors"),
    "no_recurrent": _find({"fc.weight": torch.randn(2, 3)}),
    "several": _find(_nested({k: v for k, v in module("lstm").state_dict().items()})),
    "missing": _find({k: v for k, v in _state().items() if k != "bias_hh_l1"}),
    "shape": _find(_state(weight_ih_l1=torch.randn(20, 3))),
    "hh_shape": _find(_state(weight_hh_l0=torch.randn(21, 5))),
    "bidirectional": _find(nn.LSTM(3, 5, bidirectional=True).state_dict()),
    "proj": _find(nn.LSTM(3, 5, proj_size=2).state_dict()),
    "too_large": _find(nn.RNN(1, 1, num_layers=model.MAX_LAYERS + 1).state_dict()),
    "nonlinearity": lambda: model.find(module("rnn_tanh").state_dict(), "sigmoid"),
    "module": lambda: tracing.trace(nn.Linear(3, 5), torch.zeros(4, 3)),
    "nonfinite_module": lambda: tracing.trace(_nan_module(), torch.zeros(4, 3)),
    "steps": lambda: inputs.check_input(np.zeros((model.MAX_STEPS + 1, 3)), F),
    "memory": lambda: tracing.trace(nn.LSTM(2, 256, num_layers=4), torch.zeros(1000, 2)),
    "input_kind": lambda: inputs.read_input(b"1,2,3", "x.xlsx", F),
    "input_text": lambda: inputs.read_input(b"\xff\xfe\x00bad", "x.csv", F),
    "input_npy": lambda: inputs.read_input(_npy(np.array([{"a": 1}], dtype=object)), "x.npy",
                                           F),
    "input_cell": lambda: inputs.parse_csv("1,2,3\n4,five,6\n", F),
    "input_empty": lambda: inputs.parse_typed(" ; \n", F),
    "input_ragged": lambda: inputs.parse_typed("1 2 3; 4 5", F),
    "input_width": lambda: inputs.parse_typed("1 2; 3 4", F),
    "input_width_ids": lambda: inputs.check_input(np.zeros((4, 2)), CHAR),
    "input_ids": lambda: inputs.parse_typed("1 2 7 3", CHAR),
    "input_nonfinite": lambda: inputs.parse_csv("1,2,3\n4,inf,6\n", F),
    "input_batch": lambda: tracing.trace(module("gru"), torch.zeros(2, 4, 3)),
}


def _nan_module() -> nn.RNNBase:
    m = module("gru")
    with torch.no_grad():
        m.weight_hh_l0[0, 0] = float("inf")
    return m


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=True)
    return buf.getvalue()


@pytest.mark.parametrize("key", list(BAD))
def test_each_bad_file_gets_its_own_one_line_message(key):
    with pytest.raises(WeightsError) as e:
        BAD[key]()
    assert e.value.args[0].key == f"yours.error.{key.removesuffix('_module')}"
    en = str(e.value)
    with i18n.using("zh"):
        zh = str(e.value)
    assert "\n" not in en and en != zh and zh


def test_a_pickle_that_would_run_code_is_refused_and_not_run(tmp_path):
    target = tmp_path / "ran"
    torch_file = pt_bytes({"weight_ih_l0": Mkdir(str(target))})
    with pytest.raises(WeightsError) as e:
        model.load(torch_file, "evil.pt")
    assert e.value.args[0].key == "yours.error.code" and "mkdir" in str(e.value)
    with pytest.raises(WeightsError):  # a bare pickle, not torch's format: refused too
        model.load(pickle.dumps(Mkdir(str(target)), protocol=2), "evil.pth")
    with pytest.raises(WeightsError) as whole:  # torch.save(model): classes, not a state dict
        model.load(pt_bytes(module("lstm")), "model.pt")
    assert whole.value.args[0].key == "yours.error.code" and "LSTM" in str(whole.value)
    assert not target.exists()


def test_inspect_writes_trace_config_metrics_and_figures(tmp_path, capsys):
    m = module("lstm", 2)
    (tmp_path / "m.pt").write_bytes(pt_bytes({f"rnn.{k}": v for k, v in m.state_dict().items()}))
    x = np.random.default_rng(0).normal(size=(8, 3))
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out"
    rc = main(["inspect", "--weights", str(tmp_path / "m.pt"), "--input",
               str(tmp_path / "x.npy"), "--out", str(out), "--formats", "csv"])
    assert rc == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["kind"], metrics["layers"], metrics["hidden"]) == ("lstm", 2, 5)
    assert metrics["max_abs_diff_vs_torch"] <= 1e-5
    with np.load(out / "trace.npz") as z:
        h = torch_h(m, torch.as_tensor(x, dtype=torch.float32)).numpy()
        assert np.abs(z["l1.h"] - h).max() <= 1e-5
    assert json.loads((out / "config.json").read_text())["weights"] == "m.pt"
    assert (out / "yours_l1_heatmaps.csv").stat().st_size > 0
    capsys.readouterr()
    (tmp_path / "evil.pt").write_bytes(pt_bytes({"w": Mkdir(str(tmp_path / "ran"))}))
    rc = main(["inspect", "--weights", str(tmp_path / "evil.pt"), "--input",
               str(tmp_path / "x.npy"), "--out", str(out), "--lang", "zh"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "已拒绝" in err
    assert not (tmp_path / "ran").exists()


def test_a_lecture_packs_config_rebuilds_the_figures_and_names_only_files_beside_it(tmp_path,
                                                                                    capsys):
    from memviz.yours import pack

    m = module("rnn_relu", 2, batch_first=False)
    (tmp_path / "r.safetensors").write_bytes(st_save(m.state_dict()))
    (tmp_path / "x.csv").write_text("1,2,3\n-1,0.5,2\n0,0,1\n")
    found = model.load((tmp_path / "r.safetensors").read_bytes(), "r.safetensors", "relu").found
    cfg = pack.config(found, "r.safetensors", "x.csv", "relu", t=2, unit=4)
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    out = tmp_path / "out"
    assert main(["inspect", "--config", str(tmp_path / "config.json"), "--out", str(out),
                 "--formats", "csv"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["kind"] == "rnn_relu" and metrics["max_abs_diff_vs_torch"] <= 1e-5
    assert json.loads((out / "config.json").read_text())["view"] == {"t": 2, "unit": 4}
    for bad in ({**cfg, "weights": "../r.safetensors"}, {**cfg, "lesson": "lstm"},
                {**cfg, "input": "x.xlsx"}, {**cfg, "view": {"t": 0, "unit": 0}}):
        (tmp_path / "config.json").write_text(json.dumps(bad))
        capsys.readouterr()
        assert main(["inspect", "--config", str(tmp_path / "config.json"), "--out",
                     str(out)]) == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_import_memviz_stays_light_and_offers_trace():
    import memviz

    assert memviz.trace is tracing.trace
    code = "import sys, memviz; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
