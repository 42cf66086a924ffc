"""Text lesson benchmark: the default model's training time and held-out bits/char against
3- and 5-gram baselines, generation and colouring times, and the best cell per feature.

    python benchmarks/text.py            # median of 3 trainings (~3 minutes)
    python benchmarks/text.py --quick    # one training

The default page model and the default `python -m memviz text` run are the same config
(memviz.text.model.TextConfig()), so its bits/char answers both targets.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memviz.text import cellfinder, ngram  # noqa: E402
from memviz.text import features as F  # noqa: E402
from memviz.text import figures as FG  # noqa: E402
from memviz.text import generate as G  # noqa: E402
from memviz.text import train as T  # noqa: E402
from memviz.text.model import TextConfig  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median seconds of `repeat` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one training instead of three")
    runs = 1 if ap.parse_args().quick else 3
    cfg = TextConfig()
    print(f"config: {cfg.to_dict()}")
    trained, cpu = [], []
    for k in range(runs):
        c0 = time.thread_time()
        trained.append(T.run(cfg))
        cpu.append(time.thread_time() - c0)
        print(f"  run {k + 1}: training loop {trained[-1].history.seconds:.1f} s wall; whole run "
              f"(corpus, training, held-out score, 5-gram) {cpu[-1]:.1f} s of CPU", flush=True)
    secs = [r.history.seconds for r in trained]
    run = trained[-1]
    assert len({r.bits_per_char for r in trained}) == 1, "same config, same seed, same model"
    label = f"median of {runs}" if runs > 1 else "1 run (--quick)"
    print(f"default model training loop: {statistics.median(secs):.1f} s wall ({label}); "
          f"whole run {statistics.median(cpu):.1f} s of CPU time (one thread: what an idle "
          f"core would take)  target <= 60 s")
    b3 = ngram.baseline(run.split, 3)
    b5 = run.baseline
    print(f"held-out bits/char: model {run.bits_per_char:.3f}; 3-gram {b3.bits_per_char:.3f} "
          f"(k={b3.k:g}); 5-gram {b5.bits_per_char:.3f} (k={b5.k:g}); "
          f"beats 5-gram: {run.bits_per_char < b5.bits_per_char}; "
          f"CLI target <= 2.3: {run.bits_per_char <= 2.3}")
    t, g = timed(lambda: G.generate(run.model, run.split.vocab, "def ", 500, 0.8, 0), 5)
    print(f"generate 500 characters: {1000 * t:.0f} ms (median of 5)  target <= 1000 ms")
    passage = run.split.held_text[:5000]
    t_rec, tr = timed(lambda: cellfinder.record(run.model, run.split.vocab, passage), 3)
    feats = F.code_features(passage)
    t_find, rows = timed(lambda: cellfinder.best_cells(tr, feats), 3)
    FG.coloured_text(passage[:10], tr["c"][:10, 0], "warm-up")  # plotly's template, once
    t_col, _ = timed(lambda: FG.coloured_text(passage, tr["c"][:, rows[0].unit], "c"), 5)
    print(f"colour 5,000 characters by a unit: figure {1000 * t_col:.0f} ms (median of 5); "
          f"recording them through the hand-written cell {1000 * t_rec:.0f} ms, finding the "
          f"best cells {1000 * t_find:.0f} ms (medians of 3)  target <= 500 ms")
    for b in rows:
        print(f"best cell for {F.LABELS[b.feature]:<30} {b.field} unit {b.unit:>3}: "
              f"r = {b.corr:+.3f}")
    for temp in (0.5, 1.0):
        s = G.generate(run.model, run.split.vocab, "def ", 300, temp, 0).text
        print(f"--- sample at T = {temp} ---\ndef {s}")
    del g


if __name__ == "__main__":
    main()
