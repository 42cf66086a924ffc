"""Measure training seconds per step and peak memory for a few configs; print the fitted constants
memviz/estimate.py uses (python3 benchmarks/calibrate.py). One torch thread, as the workers use."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memviz import devices, estimate  # noqa: E402
from memviz.config import RunConfig  # noqa: E402
from memviz.engine import lesson, train  # noqa: E402
from memviz.estimate import features  # noqa: E402

SHAPES = [(20, 32, 64), (100, 32, 64), (20, 128, 64), (100, 128, 64), (50, 256, 64), (10, 8, 16)]
MEMORY = (200, 256, 64)
PROBE = ("import resource, sys; from memviz.config import RunConfig; from memviz.engine "
         "import train; r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
         "train.run(RunConfig.from_dict({})); r1 = resource.getrusage(resource.RUSAGE_SELF)"
         ".ru_maxrss; cfg = RunConfig.from_dict(%s); train.run(cfg); "
         "r2 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; print(r1, r2)")


def config(arch: str, T: int, H: int, B: int, steps: int) -> RunConfig:
    return RunConfig.from_dict({"task": {"seq_len": T}, "model": {"arch": arch, "hidden": H},
                                "train": {"steps": steps, "batch": B, "device": "cpu"}})


def seconds_per_step(cfg: RunConfig) -> float:
    train.run(cfg.replace(train={"steps": 2}))  # warm the kernels
    start = time.perf_counter()
    train.run(cfg)
    return (time.perf_counter() - start) / cfg.train.steps


def peak_mb(cfg: RunConfig) -> tuple[float, float]:
    """(base, extra) peak RSS in MB of a fresh process training the default, then cfg."""
    out = subprocess.run([sys.executable, "-c", PROBE % json.dumps(cfg.to_dict())],
                         capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split()
    r1, r2 = (int(v) / 1024 for v in out)
    return r1, r2 - r1


def main() -> None:
    devices.use_cpu_threads()
    for arch in ("rnn", "lstm", "gru"):
        rows, ys = [], []
        for T, H, B in SHAPES:
            cfg = config(arch, T, H, B, 10)
            s = seconds_per_step(cfg)
            rows.append(features(cfg)[:3])
            ys.append(s)
            print(f"{arch} T={T} H={H} B={B}: {1000 * s:.2f} ms/step")
        coef, *_ = np.linalg.lstsq(np.array(rows), np.array(ys), rcond=None)
        base, extra = peak_mb(config(arch, *MEMORY, 2))
        mb_per_unit = extra / features(config(arch, *MEMORY, 2))[3]
        print(f"{arch}: TIME = {tuple(float(f'{c:.3g}') for c in np.maximum(coef, 0))}, "
              f"base RSS {base:.0f} MB, MB per B*T*H {mb_per_unit:.3g}")

    # how the shipped constants do: whole lesson.prepare() runs, measured against the estimate
    for arch, T, H in (("lstm", 20, 32), ("gru", 40, 16), ("rnn", 100, 64)):
        cfg = config(arch, T, H, 64, 60)
        start = time.perf_counter()
        lesson.prepare(cfg)
        measured = time.perf_counter() - start
        guess = estimate.recurrent(cfg).seconds
        print(f"estimate {arch} T={T} H={H} 60 steps: {guess:.2f} s vs measured {measured:.2f} s "
              f"(ratio {guess / measured:.2f})")


if __name__ == "__main__":
    main()
