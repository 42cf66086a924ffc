"""python -m memviz train writes config, trace and metrics; bad arguments exit 2 in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from memviz.cli import main


def test_train_writes_config_trace_and_metrics(tmp_path):
    out = tmp_path / "run"
    rc = main(["train", "--arch", "gru", "--task", "brackets", "--seq-len", "9", "--hidden", "5",
               "--steps", "20", "--batch", "8", "--seed", "3", "--out", str(out)])
    assert rc == 0
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["model"] == {"arch": "gru", "hidden": 5, "init": "chrono"}
    assert cfg["train"]["batch"] == 8 and cfg["train"]["seed"] == 3 and cfg["device"] == "cpu"
    trace = np.load(out / "trace.npz")
    assert trace["x"].shape == (9, 2)
    for name in ("r", "z", "n", "h"):
        assert trace[name].shape == (9, 5)
    assert trace["weight_ih"].shape == (15, 2) and trace["weight_hh"].shape == (15, 5)
    assert trace["bias_ih"].shape == (15,) and trace["bias_hh"].shape == (15,)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 20 and metrics["device"] == "cpu"
    assert 0 <= metrics["accuracy"] <= 1 and metrics["train_seconds"] > 0


def test_trace_weights_reproduce_the_recorded_hidden_states(tmp_path):
    """The saved weights are torch's own: re-running them gives the saved h."""
    import torch

    from memviz.engine import cells

    main(["train", "--arch", "lstm", "--seq-len", "7", "--hidden", "3", "--steps", "5",
          "--out", str(tmp_path)])
    d = np.load(tmp_path / "trace.npz")
    w = {k: torch.from_numpy(d[k]) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    h = cells.lstm(torch.from_numpy(d["x"])[None], w)["h"][0].numpy()
    np.testing.assert_allclose(h, d["h"], atol=1e-6)


@pytest.mark.parametrize("args, message", [
    (["train", "--hidden", "0", "--out", "x"], "hidden size must be between 1 and 256"),
    (["train", "--arch", "cnn3", "--out", "x"], "invalid choice"),
    (["train"], "required: --out"),
    (["train", "--lr", "fast", "--out", "x"], "invalid float value"),
    ([], "required: command"),
])
def test_bad_arguments_print_one_line_and_exit_2(args, message):
    p = subprocess.run([sys.executable, "-m", "memviz", *args], capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and message in p.stderr
    assert "Traceback" not in p.stderr


def test_defaults_train_the_pages_default_config(tmp_path):
    from memviz.config import DEFAULT

    assert main(["train", "--out", str(tmp_path), "--steps", "2"]) == 0
    cfg = json.loads((tmp_path / "config.json").read_text())
    assert cfg["model"] == DEFAULT.to_dict()["model"] and cfg["task"] == DEFAULT.to_dict()["task"]
