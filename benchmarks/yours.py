"""Your own model at classroom sizes: how long `memviz.trace` takes and how close the
hand-written cells stay to torch, for every kind, 1 and 2 layers, and the largest trace the
memory budget lets through.

    python benchmarks/yours.py [--hidden 128] [--steps 500]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from memviz.yours import model, tracing  # noqa: E402

MODULES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN,
           "rnn_relu": lambda *a, **k: nn.RNN(*a, nonlinearity="relu", **k)}


def one(kind: str, layers: int, hidden: int, steps: int, inputs: int = 8) -> tuple[float, float]:
    """(seconds, max |hand-written - torch|) for a seeded module on a seeded sequence."""
    torch.manual_seed(0)
    m = MODULES[kind](inputs, hidden, num_layers=layers).eval()
    x = torch.randn(steps, inputs)
    t0 = time.perf_counter()
    mt = tracing.trace(m, x)
    return time.perf_counter() - t0, mt.max_abs_diff


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--steps", type=int, default=500)
    a = ap.parse_args()
    worst = 0.0
    for kind in MODULES:
        for layers in (1, 2):
            s, d = one(kind, layers, a.hidden, a.steps)
            worst = max(worst, d)
            print(f"{kind:9s} layers={layers} H={a.hidden} T={a.steps}: {s:6.2f} s, "
                  f"max |diff| {d:.1e}")
    T, L = model.MAX_STEPS, 2
    H = max(h for h in range(1, model.MAX_HIDDEN + 1)
            if model.trace_bytes("lstm", L, h, T) <= model.TRACE_BUDGET)
    s, d = one("lstm", L, H, T)
    worst = max(worst, d)
    print(f"largest LSTM trace in the {model.TRACE_BUDGET >> 20} MB budget at T={T}, "
          f"{L} layers: H={H}, {s:.2f} s, max |diff| {d:.1e}")
    print(f"worst difference {worst:.1e} (target <= 1e-5)")
    return 0 if worst <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
