"""The Why gates page's defaults, seed by seed: does the lesson's claim hold?

    python benchmarks/gates_seeds.py [--seeds 0 1 2 3] [--lr 0.003]

For each seed, trains the vanilla RNN, LSTM and GRU on the page's default setup (delayed recall,
memviz.gates.gradients.DEFAULTS, H = 32) as the page does, and prints each cell's held-out
accuracy, its training seconds, and how much of the error at the last step reaches step 1 at
initialisation and at the end (||dL/dh_1|| / ||dL/dh_T||). The claim holds when the RNN ends near
chance (25%) on every seed and the LSTM and GRU above 95%. `--lr 0.01` shows the lucky RNNs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig  # noqa: E402
from memviz.gates import gradients  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--lr", type=float, default=gradients.DEFAULTS["lr"])
    args = ap.parse_args()
    d = gradients.DEFAULTS
    holds = True
    print(f"recall T={d['seq_len']} H=32 lr={args.lr} steps={d['steps']}")
    for seed in args.seeds:
        cfg = RunConfig(TaskConfig("recall", d["seq_len"]), ModelConfig("lstm", 32),
                        TrainConfig(steps=d["steps"], lr=args.lr, seed=seed))
        start = time.perf_counter()
        study = gradients.study(cfg)
        parts = []
        for arch, les in study.lessons.items():
            h, reach = les.run.history, study.reach[arch]
            parts.append(f"{arch} {h.eval_accuracy:6.1%} ({h.seconds:4.1f} s, reach to step 1 "
                         f"{reach[0][0]:.0e} at start, {reach[max(reach)][0]:.0e} at end)")
            good = h.eval_accuracy > 0.95 if arch != "rnn" else h.eval_accuracy < 0.35
            holds = holds and good
        print(f"seed {seed} ({time.perf_counter() - start:.1f} s): " + "; ".join(parts))
    print("claim holds (RNN at chance, LSTM and GRU > 95%):", "yes" if holds else "NO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
