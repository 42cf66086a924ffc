"""Forecasting: loaders, every bad upload, the split without leakage, baselines with known
answers, the hand-written trace against torch, the page and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from memviz.config import ConfigError
from memviz.engine import cells
from memviz.series import baselines, data, forecast, model
from memviz.series.forecast import ForecastConfig

from .conftest import ROOT, stepper_data


def _csv(values, dates=True) -> bytes:
    df = pd.DataFrame({"value": values})
    if dates:
        df.insert(0, "day", pd.date_range("2020-01-01", periods=len(values)).astype(str))
    return df.to_csv(index=False).encode()


def _series(values, season: int = 0) -> data.Series:
    return data.load_upload(_csv(values), "value", "day", season)


def test_builtin_series_load_from_local_files(monkeypatch):
    import socket

    def no_network(*a, **k):
        raise AssertionError("a loader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    s = data.load_builtin("seattle-weather")
    assert len(s.frame) == 1461 and s.season == 365
    assert {"temp_max", "temp_min", "precipitation", "wind"} <= set(s.columns)
    assert isinstance(s.frame.index, pd.DatetimeIndex) and s.frame.index.is_monotonic_increasing
    assert len(data.load_builtin("stocks-AAPL").frame) > 100
    assert data.load_builtin("seattle-temps").season == 24


def test_missing_values_are_counted_and_interpolated():
    values = np.arange(40, dtype=float)
    values[[3, 4, 20]] = np.nan
    s = _series(values)
    assert s.missing == {"value": 3}
    assert "value: 3" in s.missing_note() and "interpolation" in s.missing_note()
    assert s.frame["value"].iloc[3] == pytest.approx(3.0) and not s.frame.isna().any().any()


@pytest.mark.parametrize("raw, target, words", [
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "value", "not a CSV"),
    (b"", "value", "empty"),
    (b"day,value\n", "value", "no data rows"),
    (b"day,value\n2020-01-01,1\n", "value", "at least 30"),
    (b"day,value\n" + b"2020-01-01,abc\n" * 40, "value", "not numeric"),
    (b"day,value,other\n" + b"2020-01-01,,1\n" * 40, "value", "empty"),
    (b"day,value\n" + b"2020-01-01,1\n" * 40, "missing_col", "no column"),
    (b"a,b\n1,2\n" + b"x" * (data.MAX_UPLOAD_BYTES + 1), "a", "limit is 2 MB"),
])
def test_every_bad_upload_raises_a_clear_config_error(raw, target, words):
    with pytest.raises(ConfigError, match=words):
        data.load_upload(raw, target, "day")


def test_scaler_never_sees_the_test_part():
    """Fails if the scaler is fitted on anything past the training part."""
    values = np.sin(np.arange(200) / 5.0)
    values[170:] += 1000.0  # the test part: a scaler that sees it would squash training to ~0
    s = _series(values)
    p = forecast.prepare(ForecastConfig(data=s.name, target="value", window=4), s)
    val0, test0 = p.bounds
    assert p.scaler.fitted_rows == val0 < test0
    assert p.scaler.hi[0] == pytest.approx(values[:val0].max())
    X, _ = p.part("train")
    assert X.min() >= 0.0 and X.max() <= 1.0 and X.max() > 0.9
    assert p.start[p.parts["test"]].min() >= test0
    assert p.start[p.parts["train"]].max() + 0 < val0  # training targets end before validation
    leak = forecast.leakage(ForecastConfig(data=s.name, target="value", window=4), s)
    assert leak["max_from_test"] and leak["leaky_train_range"][1] < 0.01
    assert leak["honest_test_outside"] == leak["test_rows"]


def test_linear_autoregression_is_exact_on_a_line_and_persistence_is_not():
    s = _series(3.0 + 0.5 * np.arange(120))
    p = forecast.prepare(ForecastConfig(data=s.name, target="value", window=3, horizon=2), s)
    maes = baselines.all_maes(p)
    assert maes["linear"] < 1e-3
    assert maes["persistence"] == pytest.approx((0.5 + 1.0) / 2)  # 1 and 2 steps behind
    assert maes["seasonal"] is None  # no season given


def test_seasonal_persistence_is_exact_on_a_periodic_series():
    pattern = np.array([1.0, 5.0, 2.0, 8.0, 3.0, 7.0, 4.0])
    s = _series(np.tile(pattern, 20), season=7)
    p = forecast.prepare(ForecastConfig(data=s.name, target="value", window=2, horizon=3), s)
    maes = baselines.all_maes(p)
    assert maes["seasonal"] == 0.0 and maes["persistence"] > 1.0


@pytest.mark.parametrize("arch", ["lstm", "gru"])
def test_hand_written_cells_equal_torch_on_the_forecaster(arch):
    run = model.train(ForecastConfig(arch=arch, window=5, hidden=6, epochs=2, horizon=2))
    tr = run.window_trace(3)
    x = torch.from_numpy(run.prepared.X[run.prepared.parts["test"][3]])[None]  # (1, W, C)
    with torch.no_grad():
        ours = cells.run(arch, x, run.model.layer0())["h"]
        theirs = torch.nn.GRU.forward(run.model.rnn, x)[0] if arch == "gru" else run.model.rnn(x)[0]
        forecast_now = run.model(x)
    assert torch.allclose(ours, theirs, atol=1e-5) and tr.max_abs_diff < 1e-5
    assert set(cells.FIELDS[arch]) <= set(tr.fields) and tr.T == 5
    assert np.allclose(tr.output[-1], forecast_now[0].numpy(), atol=1e-5)


def test_training_is_seeded_and_scored_in_original_units():
    cfg = ForecastConfig(window=3, hidden=4, epochs=2)
    a, b = model.train(cfg), model.train(cfg)
    assert a.maes == b.maes and np.array_equal(a.forecast, b.forecast)
    assert a.maes["persistence"] == pytest.approx(2.2709, abs=1e-3)  # °C, seattle temp_max


def test_figures_shade_the_test_period_from_its_first_date_and_float_the_ranges():
    from memviz.series import figures

    run = model.train(ForecastConfig(window=3, hidden=4, epochs=2, horizon=2))
    leak = {"train_min": 1.0, "train_max": 5.0, "test_min": 2.0, "test_max": 7.5,
            "all_min": 1.0, "all_max": 7.5}
    figs = [figures.forecast_vs_truth(run, 2), figures.test_zoom(run, 2),
            figures.baseline_bars(run.maes, "°C"), figures.leakage_bars(leak)]
    shaded = figs[0].layout.shapes  # validation, then test: shaded from their first dates
    assert len(shaded) == 2 and shaded[1].x0 == run.prepared.dates[run.prepared.bounds[1]]
    assert list(figs[3].data[0].base) == [1.0, 2.0, 1.0]


def test_bad_config_raises():
    with pytest.raises(ConfigError, match="window"):
        ForecastConfig(window=0)
    with pytest.raises(ConfigError, match="already the target"):
        ForecastConfig(extra=("temp_max",))


def test_cli_writes_metrics_and_forecast(tmp_path):
    from memviz.cli import main

    assert main(["forecast", "--window", "2", "--epochs", "2", "--hidden", "4",
                 "--out", str(tmp_path)]) == 0
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert {"mae", "mae_persistence", "mae_linear"} <= set(m) and m["mae"] > 0
    rows = pd.read_csv(tmp_path / "forecast.csv")
    assert len(rows) == m["test_windows"] and list(rows.columns)[:4] == [
        "date", "step", "truth", "forecast"]


@pytest.mark.parametrize("args", [["--window", "0"], ["--data", "nope.csv"],
                                  ["--arch", "rnn"], ["--target", "nope"]])
def test_cli_bad_arguments_exit_2_with_one_line(args, tmp_path, capsys):
    from memviz.cli import main

    assert main(["forecast", *args, "--epochs", "1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("memviz forecast: error:")


def test_python_m_memviz_forecast_bad_window_has_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "memviz", "forecast", "--window", "99",
                           "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "memviz forecast: error: window W must be between 1 and 60, got 99"]


def test_page_trains_and_compares_with_persistence():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/series.py"), default_timeout=120)
    at.query_params.update({"window": "3", "epochs": "5", "hidden": "4"})
    at.run()  # a valid link trains at once, with no click
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert "Persistence" in labels and "Linear autoregression" in labels
    assert at.warning or at.success  # beats persistence or says plainly that it does not
    data = stepper_data(at)  # the step-through of one test window, drawn in the browser
    assert data["fields"] == ["i", "f", "g", "o", "c", "h"] and (data["T"], data["H"]) == (3, 4)
    # the shared step-through writes its own URL names; the page's must still be there
    assert {k: at.query_params[k] for k in ("data", "window", "epochs", "hidden")} == {
        "data": "seattle-weather", "window": "3", "epochs": "5", "hidden": "4"}
