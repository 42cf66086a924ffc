"""Memory horizon: the CNN's receptive field, the sweep, its CSV and chart, the CLI and the page."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
import torch

from memviz.cli import main
from memviz.config import ConfigError
from memviz.horizon import model as horizon_model
from memviz.horizon import report
from memviz.horizon import sweep as hz
from memviz.runs import RunStore

from .conftest import ROOT


def _tiny(**kw) -> hz.HorizonConfig:
    """A sweep that trains in about a second."""
    base = dict(lags=(3, 6), archs=("rnn", "lstm", "gru", "cnn"), hidden=4, steps=15,
                batch=8, kernel=2, depth=2, dilation=1)
    return hz.HorizonConfig(**{**base, **kw})


@pytest.mark.parametrize("kernel,depth,dilation", [(2, 1, 1), (3, 2, 1), (5, 3, 2), (2, 4, 2),
                                                    (4, 2, 3)])
def test_receptive_field_matches_a_gradient_probe(kernel, depth, dilation):
    """Exactly the last RF inputs move the last output: the earliest one and none before it."""
    rf = horizon_model.receptive_field(kernel, depth, dilation)
    T = rf + 12
    torch.manual_seed(0)
    net = horizon_model.CausalCNN(3, 2, channels=16, kernel=kernel, depth=depth, dilation=dilation)
    x = torch.randn(32, T, 3, requires_grad=True)
    net(x)[:, -1].sum().backward()
    moved = (x.grad.abs().sum(dim=(0, 2)) > 0).tolist()  # (T,) which inputs matter
    assert moved == [False] * (T - rf) + [True] * rf


def test_receptive_field_formula_by_hand():
    assert horizon_model.receptive_field(5, 3, 2) == 1 + 4 * (1 + 2 + 4) == 29
    assert horizon_model.receptive_field(3, 1) == 3
    assert horizon_model.dilations(4, 2) == (1, 2, 4, 8)


def test_last_only_cnn_gives_the_same_last_output():
    torch.manual_seed(1)
    full = horizon_model.CausalCNN(5, 4, channels=8, kernel=3, depth=2, dilation=2)
    crop = horizon_model.CausalCNN(5, 4, channels=8, kernel=3, depth=2, dilation=2, last_only=True)
    crop.load_state_dict(full.state_dict())
    x = torch.randn(6, 40, 5)
    assert torch.allclose(full(x)[:, -1], crop(x)[:, -1], atol=1e-6)
    assert crop(x).shape[1] == horizon_model.receptive_field(3, 2, 2)


@pytest.mark.parametrize("bad", [dict(archs=("rnn", "transformer")), dict(archs=()),
                                 dict(lags=()), dict(lags=(1,)), dict(kernel=3, dilation=4),
                                 dict(task="sine"), dict(hidden=0)])
def test_bad_settings_raise_config_error(bad):
    with pytest.raises(ConfigError):
        _tiny(**bad)


def test_sweep_is_seeded_lag_major_and_cacheable():
    cfg = _tiny()
    first = list(hz.sweep(cfg))
    assert [(r.arch, r.lag) for r in first] == [(a, lag) for lag in (3, 6) for a in cfg.archs]
    assert [r.value for r in hz.sweep(cfg)] == [r.value for r in first]
    store, calls = RunStore(), []
    cached = list(hz.sweep(cfg, cache=store))
    again = list(hz.sweep(cfg, lambda *a: calls.append(a), cache=store))
    assert again == cached and not calls  # second time: nothing trains


def test_sweep_stops_when_asked_and_keeps_finished_runs():
    store = RunStore()
    stop_at = hz.Pair.of(_tiny(), "gru", 3)
    out = list(hz.sweep(_tiny(), lambda p, s, n: p == stop_at and s == 5, cache=store))
    assert [r.arch for r in out] == ["rnn", "lstm"]
    assert len(store) == 2  # the interrupted run is not stored


def test_known_result_and_description():
    cfg = hz.HorizonConfig(lags=(10, 100), kernel=5, depth=3, dilation=2)  # field 29
    vals = {("rnn", 10): 1.0, ("lstm", 10): 1.0, ("gru", 10): 1.0, ("cnn", 10): 1.0,
            ("rnn", 100): 0.3, ("lstm", 100): 0.95, ("gru", 100): 0.99, ("cnn", 100): 0.25}
    rs = [hz.Result(a, "recall", lag, 0, "accuracy", v, 0.1, 10, False)
          for (a, lag), v in vals.items()]
    k = report.known_result(cfg, rs)
    assert k == {"gated_beat_rnn": [100], "cnn_solved": [10], "cnn_only_inside_field": True}
    assert "Long-term memory shown** at lag 100" in report.describe(cfg, rs)


def test_cli_writes_results_csv_and_chart(tmp_path, capsys):
    args = ["--task", "recall", "--lags", "3,6", "--archs", "rnn,lstm,gru,cnn", "--hidden", "4",
            "--steps", "15", "--batch", "8", "--seed", "2", "--kernel", "2", "--depth", "2",
            "--dilation", "1", "--out", str(tmp_path)]
    assert main(["horizon", *args]) == 0
    with open(tmp_path / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == hz.CSV_COLUMNS == ("arch", "task", "lag", "seed", "metric",
                                                "value", "train_seconds")
    assert len(rows) == 8 and {r["metric"] for r in rows} == {"accuracy"}
    assert all(0 <= float(r["value"]) <= 1 and r["seed"] == "2" for r in rows)
    assert (tmp_path / "horizon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (tmp_path / "horizon.svg").read_text()[:500]
    assert json.loads((tmp_path / "summary.json").read_text())["cnn_receptive_field"] == 3
    assert "8 runs" in capsys.readouterr().out


def test_cli_adding_reports_mse(tmp_path):
    assert main(["horizon", "--task", "adding", "--lags", "4", "--archs", "lstm,cnn",
                 "--hidden", "4", "--steps", "10", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader(open(tmp_path / "results.csv")))
    assert [r["metric"] for r in rows] == ["mse", "mse"]


@pytest.mark.parametrize("args", [["--lags", "5,x"], ["--archs", "rnn,mlp"], ["--steps", "0"],
                                  ["--task", "sine"], []])
def test_cli_bad_arguments_exit_2_with_one_line(args, tmp_path, capsys):
    out = [] if not args else ["--out", str(tmp_path)]
    assert main(["horizon", *args, *out]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("memviz horizon: error:") and "\n" not in err


def test_python_m_memviz_horizon_runs_without_traceback():
    p = subprocess.run([sys.executable, "-m", "memviz", "horizon", "--lags", "0", "--out", "x"],
                       cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "lag" in p.stderr


def tiny_sweep(at, archs: list[str]):
    """Set the horizon page's widgets to a tiny sweep of `archs` at lags 3 and 5."""
    at.multiselect(key="hz_lags").set_value([3, 5])
    at.multiselect(key="hz_archs").set_value(archs)
    at.select_slider(key="hz_hidden").set_value(8)
    at.slider(key="hz_steps").set_value(50)
    at.slider(key="hz_kernel").set_value(2)
    at.slider(key="hz_depth").set_value(2)
    at.slider(key="hz_dilation").set_value(1)
    return at


def test_page_runs_a_tiny_sweep():
    from streamlit.testing.v1 import AppTest

    from memviz.ui import training

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/horizon.py"), default_timeout=120).run()
    assert not at.exception
    tiny_sweep(at, ["rnn", "lstm", "cnn"]).run()
    assert "press **Run sweep**" in " ".join(m.value for m in at.markdown)
    at.button(key="hz_run").click().run()
    assert not at.exception
    assert "Sweep finished" in at.success[0].value
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    spec = json.loads(charts[-1].proto.spec)
    assert spec["layer"] and "How to read this" in " ".join(c.value for c in at.caption)
    assert "the CNN (receptive field 3) solved" in " ".join(m.value for m in at.markdown)
    at.run()  # everything is cached now: the chart is drawn, Run is disabled
    assert at.button(key="hz_run").disabled and not at.exception


def test_causal_conv_equals_left_padded_conv1d():
    torch.manual_seed(3)
    conv = horizon_model.CausalConv(3, 4, kernel=3, dilation=2)
    ref = torch.nn.Conv1d(3, 4, 3, dilation=2)
    with torch.no_grad():  # Conv1d tap i reads x[t-(k-1-i)d]; CausalConv block j reads x[t-jd]
        conv.taps.weight.copy_(torch.cat([ref.weight[:, :, 2 - j] for j in range(3)], dim=1))
        conv.taps.bias.copy_(ref.bias)
    x = torch.randn(2, 10, 3)
    want = ref(torch.nn.functional.pad(x.transpose(1, 2), (4, 0))).transpose(1, 2)
    assert torch.allclose(conv(x), want, atol=1e-6)
