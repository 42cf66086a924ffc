"""Throw bad inputs at memviz and count how many produce a traceback (target: 0).

    python benchmarks/bad_inputs.py [--quick]

Command-line flags and hand-edited config.json files go through `memviz.cli.main` in-process
(a traceback = an exception escaping the guard, or "Traceback" on stderr, or an exit code other
than 2); links go to every page through Streamlit's AppTest (a traceback = an exception element,
or an uncaught exception in the run); a few also go through `python -m memviz` as a student would
type them. The app has no file uploads; the synapse drawing grid is covered by the tests.
Prints one line per kind and a total.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
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


def main_(quick: bool) -> int:
    """Run every kind and print the counts."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "a_file").write_text("x")
        (d / "ok.json").write_text(json.dumps(DEFAULT.to_dict()))
        paths = {"out": d / "out", "file": d / "a_file", "cfg": d / "ok.json", "dir": d}
        t0 = time.perf_counter()
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
    total = len(flags) + len(files) + len(shell) + n_links
    bad = sum(flags) + sum(files) + bad_shell + bad_links
    print(f"total: {total} bad inputs, {bad} tracebacks (target 0) in "
          f"{time.perf_counter() - t0:.0f} s")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two links per page")
    sys.exit(main_(ap.parse_args().quick))
