"""Bad command-line input: one line on stderr, exit 2, no traceback; --out refused before work;
Ctrl-C during a horizon sweep keeps the runs that finished."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import time

import pytest

from memviz.cli import main
from memviz.config import DEFAULT
from memviz.engine import lesson
from memviz.horizon import cli as horizon_cli
from memviz.horizon.sweep import HorizonConfig

from .conftest import ROOT


def _config(**changes) -> bytes:
    """The default config.json with parts changed ({"task": {...}} or top-level keys)."""
    d = DEFAULT.to_dict()
    for k, v in changes.items():
        d[k] = {**d[k], **v} if isinstance(d.get(k), dict) and isinstance(v, dict) else v
    return json.dumps(d).encode()


BAD_CONFIGS = {
    "seq_len 20.5": (_config(task={"seq_len": 20.5}), "whole number, got 20.5"),
    "hidden 3.5": (_config(model={"hidden": 3.5}), "hidden size must be a whole number"),
    "hidden true": (_config(model={"hidden": True}), "must be a whole number, got true"),
    "steps 20.7": (_config(train={"steps": 20.7}), "training steps must be a whole number"),
    "seed 1.5": (_config(train={"seed": 1.5}), "seed must be a whole number"),
    "view abc": (_config(view="abc"), "view must be a group of settings"),
    "view.t abc": (_config(view={"t": "abc"}), "view.t (the time step) must be a whole number"),
    "view.t null": (_config(view={"t": None}), "got nothing (null)"),
    "seq_len '20'": (_config(task={"seq_len": "20"}), "write 20 without quotes"),
    "non-UTF-8": (b'{"task": {"name": "\xff"}}', "is not UTF-8 text"),
    "100,000 deep": (b"[" * 100_000 + b"]" * 100_000, "nests more than 16 levels"),
    "not JSON": (b"seq_len = 20", "is not valid JSON"),
    "a list": (b"[1, 2]", "the config must be a group of settings"),
    "cuda": (_config(train={"device": "cuda"}), "device"),
}


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("name", BAD_CONFIGS)
def test_export_with_a_hand_edited_config_exits_2_in_one_line(name, tmp_path, capsys,
                                                              monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    data, fragment = BAD_CONFIGS[name]
    (tmp_path / "config.json").write_bytes(data)
    rc = main(["export", "--config", str(tmp_path / "config.json"), "--out", str(tmp_path / "o")])
    assert rc == 2
    err = _one_line(capsys)
    assert err.startswith("memviz export: error:") and fragment in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args, fragment", [
    (["export", "--config", "{cfg}", "--out", "{out}", "--formats", ""], "no format given"),
    (["export", "--config", "{cfg}", "--out", "{out}", "--formats", ",,"], "no format given"),
    (["export", "--config", "{cfg}", "--out", "{out}", "--formats", "gif"], "unknown format"),
    (["export", "--config", "{tmp}/missing.json", "--out", "{out}"], "cannot read"),
    (["export", "--config", "{cfg}", "--out", "{file}"], "exists and is a file"),
    (["export", "--config", "{cfg}", "--out", "{file}/sub"], "is a file"),
    (["train", "--out", "{file}"], "exists and is a file"),
    (["train", "--seq-len", "20.5", "--out", "{out}"], "invalid int value"),
    (["train", "--device", "tpu", "--out", "{out}"], "invalid choice"),
    (["horizon", "--archs", "lstm,lstm", "--out", "{out}"], "lstm listed more than once"),
    (["horizon", "--lags", "5,5", "--out", "{out}"], "5 listed more than once"),
    (["horizon", "--lags", "", "--out", "{out}"], "give between 1 and 12 lags"),
    (["horizon", "--out", "{file}"], "exists and is a file"),
])
def test_bad_flags_exit_2_in_one_line(args, fragment, tmp_path, capsys):
    (tmp_path / "config.json").write_bytes(_config())
    (tmp_path / "a_file").write_text("x")
    paths = {"cfg": tmp_path / "config.json", "out": tmp_path / "o", "file": tmp_path / "a_file",
             "tmp": tmp_path}
    assert main([a.format(**paths) for a in args]) == 2
    err = _one_line(capsys)
    assert fragment in err


def test_train_with_cuda_but_no_cuda_is_refused(tmp_path, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["train", "--device", "cuda", "--steps", "2", "--out", str(tmp_path)]) == 2
    assert "no CUDA device" in _one_line(capsys)


def test_out_is_checked_before_any_training(tmp_path, capsys, monkeypatch):
    def no_training(*a, **k):
        raise AssertionError("trained before checking --out")

    monkeypatch.setattr(lesson, "prepare", no_training)
    monkeypatch.setattr(horizon_cli, "sweep", no_training)
    (tmp_path / "config.json").write_bytes(_config())
    blocker = tmp_path / "results"
    blocker.write_text("an existing file")
    start = time.perf_counter()
    for args in (["export", "--config", str(tmp_path / "config.json")], ["train"],
                 ["horizon", "--lags", "5"]):
        assert main([*args, "--out", str(blocker)]) == 2
        assert "exists and is a file" in _one_line(capsys)
    assert time.perf_counter() - start < 2.0


def test_ctrl_c_in_a_sweep_keeps_the_runs_that_finished(tmp_path, capsys):
    cfg = HorizonConfig(lags=(3, 4), archs=("rnn", "lstm"), hidden=4, steps=5, batch=8)
    finished = []

    def on_step(pair, step, total):
        if (pair.arch, pair.lag) not in finished and step == 1:
            finished.append((pair.arch, pair.lag))
        if len(finished) == 3:  # the third run has started: two are done
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        horizon_cli._cmd(cfg, tmp_path, on_step)
    rows = list(csv.DictReader(open(tmp_path / "results.csv")))
    assert [(r["arch"], r["lag"]) for r in rows] == [("rnn", "3"), ("lstm", "3")]
    assert "stopped: 2 of 4 runs finished" in capsys.readouterr().out


def test_ctrl_c_through_the_guard_exits_130_and_keeps_rows(tmp_path, capsys, monkeypatch):
    real = horizon_cli.sweep

    def interrupted(cfg, on_step=None):
        for i, r in enumerate(real(cfg)):
            yield r
            if i == 1:
                raise KeyboardInterrupt

    monkeypatch.setattr(horizon_cli, "sweep", interrupted)
    rc = main(["horizon", "--lags", "3,4", "--archs", "rnn,gru", "--hidden", "4", "--steps", "5",
               "--batch", "8", "--out", str(tmp_path)])
    assert rc == 130 and "stopped" in capsys.readouterr().err
    assert len(list(csv.DictReader(open(tmp_path / "results.csv")))) == 2


def test_python_m_memviz_bad_config_has_no_traceback(tmp_path):
    (tmp_path / "c.json").write_bytes(b"[" * 100_000)
    p = subprocess.run([sys.executable, "-m", "memviz", "export", "--config",
                        str(tmp_path / "c.json"), "--out", str(tmp_path / "o")],
                       cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


# ------------------------------------------------------------------ issue 31: hostile input

def _read_only_dir(tmp_path):
    """A folder that refuses new entries even to root (sysfs), else a chmod 555 folder."""
    import tempfile

    try:
        tempfile.TemporaryDirectory(dir="/sys/fs").cleanup()
    except OSError:
        return "/sys/fs"
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    return str(ro)


def _series_csv(values, dates=None, header="temp") -> str:
    dates = dates or [f"2020-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(len(values))]
    return f"date,{header},other\n" + "".join(
        f"{d},{v},{i}\n" for i, (d, v) in enumerate(zip(dates, values, strict=True)))


WAVE = [f"{10 * math.sin(i / 5):.3f}" for i in range(60)]
COMMANDS = {  # every command that writes, cheap settings (each must stop before training)
    "train": ["train", "--steps", "5"],
    "text": ["text", "--steps", "5"],
    "transformer": ["transformer", "--steps", "5"],
    "seq2seq": ["seq2seq", "--attention", "on", "--steps", "5"],
    "forecast": ["forecast", "--epochs", "5"],
    "sentiment": ["sentiment", "--steps", "10"],
    "horizon": ["horizon", "--lags", "3", "--steps", "5"],
    "export": ["export", "--config", "{cfg}", "--formats", "csv"],
}


@pytest.mark.parametrize("where", ["file as parent", "/proc", "read-only"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_out_exits_2_in_one_line_on_every_command(command, where, tmp_path, capsys):
    (tmp_path / "config.json").write_bytes(_config())
    (tmp_path / "a_file").write_text("x")
    out = {"file as parent": str(tmp_path / "a_file" / "x"), "/proc": "/proc/memviz-test",
           "read-only": _read_only_dir(tmp_path)}[where]
    args = [a.format(cfg=tmp_path / "config.json") for a in COMMANDS[command]]
    assert main([*args, "--out", out]) == 2
    err = _one_line(capsys)
    assert out in err and ("cannot be" in err or "is a file" in err), err


def test_train_into_proc_fails_before_training(monkeypatch, capsys):
    def no_training(*a, **k):
        raise AssertionError("trained before checking --out")

    monkeypatch.setattr(lesson, "prepare", no_training)
    assert main(["train", "--out", "/proc/memviz-test/run"]) == 2
    assert "cannot be written" in _one_line(capsys)


def test_prepare_on_a_read_only_store_says_so_before_training(tmp_path, monkeypatch, capsys):
    def no_training(*a, **k):
        raise AssertionError("trained before checking the store")

    monkeypatch.setattr(lesson, "prepare", no_training)
    monkeypatch.setenv("MEMVIZ_STORE", _read_only_dir(tmp_path))
    assert main(["prepare", "--page", "lstm", "--presets", "A counting cell"]) == 2
    assert "$MEMVIZ_STORE" in _one_line(capsys)


@pytest.mark.parametrize("csv_text, args, fragment", [
    (_series_csv(WAVE[:7] + ["inf"] + WAVE[8:]), [], "column 'temp' holds inf on line 9"),
    (_series_csv(WAVE[:20] + ["-inf"] + WAVE[21:]), [], "column 'temp' holds -inf on line 22"),
    (_series_csv(WAVE), ["--date-column", "nope"], "no column 'nope'"),
    (_series_csv(WAVE), ["--date-column", "other"], "holds numbers, not dates"),
    (_series_csv(WAVE, ["2020-01-01"] * 60), [], "2020-01-01 appears 60 times"),
    (_series_csv(["5.0"] * 60), [], "the same value (5) in every row"),
], ids=["inf", "-inf", "no date column", "numeric date column", "repeated dates", "constant"])
def test_questionable_series_are_refused_in_one_line(csv_text, args, fragment, tmp_path,
                                                     capsys):
    (tmp_path / "s.csv").write_text(csv_text)
    rc = main(["forecast", "--data", str(tmp_path / "s.csv"), "--target", "temp",
               "--date-column", "date", *args, "--epochs", "5", "--window", "3",
               "--out", str(tmp_path / "o")])
    assert rc == 2
    assert fragment in _one_line(capsys)
    assert not (tmp_path / "o").exists()


def test_non_finite_data_gets_the_same_sentence_on_the_page():
    from memviz.config import ConfigError
    from memviz.series import data

    raw = _series_csv(WAVE[:7] + ["inf"] + WAVE[8:]).encode()
    with pytest.raises(ConfigError, match="column 'temp' holds inf on line 9"):
        data.load_upload(raw, "temp", "date")


@pytest.mark.parametrize("args, fragment", [
    (["forecast", "--extra", "temp_min,temp_min", "--epochs", "5"],
     "'temp_min' is listed more than once"),
    (["export", "--config", "{cfg}", "--formats", "svg,,svg"], "svg listed more than once"),
    (["export", "--config", "{empty}", "--formats", "csv"], "sets none of task, model, train"),
])
def test_questionable_flags_are_refused_in_one_line(args, fragment, tmp_path, capsys):
    (tmp_path / "config.json").write_bytes(_config())
    (tmp_path / "empty.json").write_text("{}")
    paths = {"cfg": tmp_path / "config.json", "empty": tmp_path / "empty.json"}
    rc = main([*(a.format(**paths) for a in args), "--out", str(tmp_path / "o")])
    assert rc == 2
    assert fragment in _one_line(capsys)
    assert not (tmp_path / "o").exists()


def test_a_diverged_run_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    from memviz.progress import History, TrainingDiverged
    from memviz.series import model

    def diverges(cfg, on_step=None):
        raise TrainingDiverged(3, float("nan"), History())

    monkeypatch.setattr(model, "train", diverges)
    assert main(["forecast", "--epochs", "5", "--out", str(tmp_path / "o")]) == 1
    assert "diverged at step 3" in _one_line(capsys)
