"""Time the attention page's defaults and check its targets.

    python benchmarks/attention.py [--task reverse] [--skip-sweep] [--sweep-archs attention]

Prints: each seq2seq variant's training time at the page default (target <= 60 s), the
accuracy-by-length table of both (target: with attention >= 95% exact at the longest training
length), the self-attention model's score at each default horizon lag (target: solves every
lag that fits its positional encoding; sinusoidal fits all), its cost per sequence beside the
other architectures (measured ms per training sequence and forward FLOPs), and the time of the
horizon sweep with all five architectures (target <= 120 s). Everything runs on one torch
thread, as the page does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memviz.attention import selfattn  # noqa: E402
from memviz.attention import train as s2s  # noqa: E402
from memviz.horizon import report  # noqa: E402
from memviz.horizon import sweep as hz  # noqa: E402

TRAIN_BUDGET, EXACT_TARGET, SWEEP_BUDGET = 60.0, 0.95, 120.0


def seq2seq_part(task: str) -> None:
    """Train both variants at the page default; print times and the accuracy table."""
    cfg = s2s.Seq2SeqConfig.for_task(task)
    both = s2s.train_both(cfg)
    for name, run in (("plain", both.plain), ("attention", both.attn)):
        t = run.history.seconds
        print(f"seq2seq {task} {name:>9}: trained {cfg.steps} steps in {t:.1f} s "
              f"(budget {TRAIN_BUDGET:.0f} s) {'OK' if t <= TRAIN_BUDGET else 'OVER BUDGET'}")
    print("length | plain exact  per-token | attention exact  per-token")
    for n in cfg.test_lengths:
        p, a = both.plain.accuracy[n], both.attn.accuracy[n]
        seen = "" if n <= cfg.max_len else "  (longer than training)"
        print(f"{n:>6} | {p[0]:11.1%} {p[1]:10.1%} | {a[0]:15.1%} {a[1]:10.1%}{seen}")
    exact = both.attn.accuracy[cfg.max_len][0]
    print(f"attention exact at the longest training length {cfg.max_len}: {exact:.1%} "
          f"(target {EXACT_TARGET:.0%}) {'OK' if exact >= EXACT_TARGET else 'MISSED'}")


def sweep_part(archs: tuple[str, ...]) -> None:
    """Run the default horizon sweep for `archs`; print time, table and cost per sequence."""
    cfg = hz.HorizonConfig(archs=archs)
    start = time.perf_counter()
    results = list(hz.sweep(cfg))
    total = time.perf_counter() - start
    label = "full 5-architecture" if set(archs) == set(hz.ARCHS) else "+".join(archs)
    print(f"horizon sweep ({label}, lags {','.join(map(str, cfg.lags))}): {total:.1f} s"
          + (f" (budget {SWEEP_BUDGET:.0f} s) {'OK' if total <= SWEEP_BUDGET else 'OVER'}"
             if label.startswith("full") else ""))
    print(report.results_table(results).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    att = [r for r in results if r.arch == "attention"]
    if att:
        ok = all(hz.solved(cfg.task, r.value) for r in att)
        print(f"self-attention (sinusoidal, fits every lag) solved: "
              f"{', '.join(str(r.lag) for r in att if hz.solved(cfg.task, r.value)) or 'none'}"
              f" of {', '.join(str(r.lag) for r in att)} {'OK' if ok else 'MISSED'}")
    print("cost per sequence at lag 200: measured training ms (forward+backward+update, one "
          "thread) and forward FLOPs")
    for r in (r for r in results if r.lag == max(cfg.lags)):
        ms = 1000 * r.train_seconds / max(1, r.steps_run * cfg.batch)
        flops = selfattn.flops_per_sequence(r.arch, r.lag, cfg.n_symbols + 1, cfg.hidden,
                                            cfg.n_symbols, cfg.kernel, cfg.depth,
                                            cfg.receptive_field)
        print(f"  {r.arch:>9}: {ms:7.3f} ms   {flops:>10,d} FLOPs")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", choices=("reverse", "dates"), default="reverse")
    p.add_argument("--skip-seq2seq", action="store_true")
    p.add_argument("--skip-sweep", action="store_true")
    p.add_argument("--sweep-archs", default=",".join(hz.ARCHS),
                   help="a subset when the machine is too busy to time the full sweep")
    a = p.parse_args()
    if not a.skip_seq2seq:
        seq2seq_part(a.task)
    if not a.skip_sweep:
        sweep_part(tuple(a.sweep_archs.split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
