"""Time the memory-horizon page's default sweep on the CPU and check the known result.

    python benchmarks/horizon.py [--task recall]

The sweep trains with one torch thread (see memviz.horizon._one_thread), as the page and CLI do.

Prints the total seconds (budget: 90 s on a 2-core CPU), seconds per architecture, the score
table (architecture x lag), what fraction of the time generating data would cost (the one piece
of work that could be shared across architectures), and whether the lesson's result shows.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from memviz.engine import tasks  # noqa: E402
from memviz.horizon import report
from memviz.horizon import sweep as hz  # noqa: E402

BUDGET_SECONDS = 90.0


def data_seconds(cfg: hz.HorizonConfig) -> float:
    """Seconds to draw every training batch of one architecture's runs (all lags, all steps)."""
    start = time.perf_counter()
    for pair in cfg.pairs()[:: len(cfg.archs)]:  # one per lag
        gen = torch.Generator().manual_seed(cfg.seed)
        for _ in range(cfg.steps):
            tasks.make_batch(pair.task_cfg, cfg.batch, gen)
    return time.perf_counter() - start


def main() -> int:
    """Run the default sweep once and print its figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", choices=hz.TASKS, default="recall")
    a = p.parse_args()
    cfg = hz.HorizonConfig(task=a.task)
    start, results = time.perf_counter(), []
    for r in hz.sweep(cfg):
        results.append(r)
    total = time.perf_counter() - start
    per_arch: dict[str, float] = defaultdict(float)
    for r in results:
        per_arch[r.arch] += r.train_seconds
    print(f"default sweep ({cfg.task}, {len(results)} runs, one thread): "
          f"{total:.1f} s total (budget {BUDGET_SECONDS:.0f} s) "
          f"{'OK' if total <= BUDGET_SECONDS else 'OVER BUDGET'}")
    print("seconds per architecture: "
          + ", ".join(f"{k} {v:.1f}" for k, v in per_arch.items()))
    print(report.results_table(results).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print("steps run: " + ", ".join(f"{r.arch}@{r.lag}={r.steps_run}" for r in results))
    d = data_seconds(cfg)
    print(f"drawing all batches for one architecture: {d:.2f} s ({d / total:.1%} of the sweep)")
    print(f"baseline {report.baseline(cfg):.3f}; CNN receptive field {cfg.receptive_field}; "
          f"known result: {report.known_result(cfg, results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
