"""Faults of the run store, tried on real servers: damaged entries, a NaN entry, leftovers, the
folder removed while the server runs, and the server killed mid-training.

    python3 benchmarks/store_faults.py

(1) A server trains six links; it stops; each entry is damaged another way (truncated, garbage
    bytes, empty, weights all NaN with the metadata intact, metadata of another config, an array
    of another shape), an hour-old `.tmp-` file is left beside them; a new server on the folder
    gets one student per link.
(2) `rm -rf` of the store folder while that server runs; a student opens a new link.
(3) The server is killed (SIGKILL) while a student's run trains; a new server on the folder
    gets the same link.
Printed per case: what the student saw (the result, the interrupted line and Train, an
exception), and the totals: cases tried, tracebacks (an exception element on a page, or
"Traceback" in a server's log), notes in the log, runs lost. Uses benchmarks/replicas.py's
launcher (memviz's log at INFO); only 127.0.0.1 is contacted; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import wire  # noqa: E402
from replicas import DONE, PROGRESS, Replica  # noqa: E402

LINK = "/lstm?task=recall&seq_len=12&hidden=16&steps=200&seed={seed}"
LONG = "/lstm?task=recall&seq_len=40&hidden=64&steps=1000&seed=77"  # ~25 s: time to kill it
INTERRUPTED = "was interrupted"


def _rewrite(path: Path, change) -> None:
    """Rewrite an entry through `change(meta, arrays)`, as a hand (or a disk) might."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays.pop("__meta__").tobytes())
    change(meta, arrays)
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)
    path.write_bytes(buf.getvalue())


def _weight(arrays: dict) -> str:
    return next(k for k in arrays if k.startswith("w.") and "weight" in k)


def _nan(meta: dict, arrays: dict) -> None:
    for k in arrays:
        if k.startswith("w."):
            arrays[k] = np.full_like(arrays[k], np.nan)


def _other_config(meta: dict, arrays: dict) -> None:
    meta["config"] = meta["config"].replace('"seed": ', '"seed": 1')


def _shape(meta: dict, arrays: dict) -> None:
    w = _weight(arrays)
    arrays[w] = np.zeros((2, 2), arrays[w].dtype)


DAMAGE = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "garbage bytes": lambda p: p.write_bytes(os.urandom(p.stat().st_size)),
    "empty file": lambda p: p.write_bytes(b""),
    "weights all NaN, metadata intact": lambda p: _rewrite(p, _nan),
    "metadata of another config": lambda p: _rewrite(p, _other_config),
    "an array of another shape": lambda p: _rewrite(p, _shape),
}


def visit(r: Replica, link: str, until: str, timeout: float) -> wire.Visit:
    return asyncio.run(wire.visit(r.port, link, timeout, until=until))


def saw(v: wire.Visit) -> str:
    """What the student saw, in a few words."""
    if v.error:
        return f"ERROR {v.error}"
    if v.first(DONE) is not None:
        return "the result"
    if v.first(INTERRUPTED) is None and v.first(PROGRESS, "Starting the training") is not None:
        return "its run training again, no word of the interruption"
    if v.first(INTERRUPTED) is not None:
        train = any(_button(raw) == "Train" for _, k, raw in v.messages if k == "delta")
        return "the interrupted line" + (" and the Train button" if train else " (no button!)")
    return "neither result nor message"


def _button(raw: bytes) -> str | None:
    """The label of the button a delta message draws, if it draws one."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    d = ForwardMsg.FromString(raw).delta
    if d.WhichOneof("type") == "new_element" and d.new_element.WhichOneof("type") == "button":
        return d.new_element.button.label
    return None


def bare_nan(v: wire.Visit) -> int:
    """Messages carrying a bare NaN/Infinity token in JSON (the stepper's data is JSON)."""
    return sum(any(t in raw for t in (b":NaN", b": NaN", b"[NaN", b",NaN", b":Infinity",
                                      b":-Infinity")) for _, _, raw in v.messages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8781)
    ap.add_argument("--timeout", type=float, default=240.0)
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout the servers run")
    a = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="memviz-faults-"))
    cases = tracebacks = lost = nans = 0
    logs: list[str] = []

    def tally(name: str, v: wire.Visit, want: str) -> None:
        nonlocal cases, tracebacks, lost, nans
        cases, seen = cases + 1, saw(v)
        tracebacks += v.error == "the page showed an exception"
        lost += not seen.startswith(want)
        nans += bare_nan(v)
        print(f"  {name:38s} the student saw {seen}")

    # (1) damaged entries found by a new server
    r = Replica(a.port, str(folder), a.root)
    paths = {}
    for i, name in enumerate(DAMAGE):
        before = set(folder.glob("*.npz"))
        v = visit(r, LINK.format(seed=300 + i), DONE, a.timeout)
        (paths[name],) = set(folder.glob("*.npz")) - before
        assert saw(v) == "the result", saw(v)
    logs.append(r.text())
    r.close()
    for name, damage in DAMAGE.items():
        damage(paths[name])
    left = folder / ".tmp-leftover.npz"
    left.write_bytes(b"PK\x03\x04" + b"x" * 200_000)  # a writer killed an hour ago
    os.utime(left, (time.time() - 3600, time.time() - 3600))
    print(f"(1) {len(DAMAGE)} damaged entries and an hour-old .tmp- file; a new server:")
    r = Replica(a.port, str(folder), a.root)
    for i, name in enumerate(DAMAGE):
        tally(name, visit(r, LINK.format(seed=300 + i), DONE, a.timeout), "the result")
    time.sleep(0.5)
    text = r.text()
    dropped = text.count("dropped damaged run file") + text.count("ignoring unreadable run")
    print(f"  notes in the log (a damaged file named): {dropped} of {len(DAMAGE)}; the "
          f".tmp- file {'is still there' if left.exists() else 'was evicted'}; entries now "
          f"{len(list(folder.glob('[!.]*.npz')))}")

    # (2) rm -rf while the server runs
    shutil.rmtree(folder)
    v = visit(r, LINK.format(seed=400), DONE, a.timeout)
    print("(2) rm -rf of the store folder while the server runs; a new link:")
    tally("after rm -rf", v, "the result")
    print(f"  the folder {'was made again' if folder.exists() else 'is gone'}, with "
          f"{len(list(folder.glob('*.npz'))) if folder.exists() else 0} entr(ies)")

    # (3) the server killed mid-training
    print("(3) the server killed (SIGKILL) while a student's run trains; a new server:")

    entries = len(list(folder.glob("*.npz")))
    v = visit(r, LONG, DONE, 15.0)  # leaves after 15 s, its run still training (~25 s alone)
    had_progress = v.first(PROGRESS) is not None
    r.proc.send_signal(signal.SIGKILL)  # the server only, as `kill -9 <pid>`
    r.proc.wait()
    logs.append(r.text())
    r.close(kill=True)  # then the workers it left (issue 31 §1 is the workers' part)
    r = Replica(a.port, str(folder), a.root)
    v = visit(r, LONG, INTERRUPTED, 60.0)
    tally(f"killed at a step (progress seen: {had_progress})", v, "the interrupted line and")
    print(f"  entries for it on disk: {len(list(folder.glob('*.npz'))) - entries}; .tmp- files: "
          f"{len(list(folder.glob('.tmp-*')))}; lock files: {len(list(folder.glob('*.lock')))}")
    logs.append(r.text())
    r.close()
    tracebacks += sum(text.count("Traceback") for text in logs)
    print(f"store faults: {cases} cases tried, {tracebacks} traceback(s), {lost} student(s) "
          f"without the result or the line, {nans} message(s) with a bare NaN")


if __name__ == "__main__":
    main()
