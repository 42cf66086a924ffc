"""The memory network lesson's figures: accuracy by task x hops, training seconds against the
estimate, and what each hop reads on two-supporting-facts stories.

    python3 benchmarks/memnet.py               # the page's default run at 1, 2 and 3 hops
    python3 benchmarks/memnet.py --per-task    # also one model per task (12 more runs)

Trained jointly (one model on the four tasks mixed, the page's and CLI's default) unless
--per-task; every run on one torch thread, as the app's workers train.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memviz import estimate  # noqa: E402
from memviz.memnet import lesson, stories  # noqa: E402
from memviz.memnet import train as mn  # noqa: E402


def _row(name: str, by_task: dict[str, float], mean: float, seconds: float, est: float) -> str:
    cells = " ".join(f"{100 * by_task[k]:7.1f}" if k in by_task else "      -"
                     for k in stories.TASKS)
    return f"{name:<18} {cells} {100 * mean:7.1f} {seconds:7.1f} {est:6.0f}"


def _facts(st: stories.Story) -> tuple[int, int]:
    """A two-fact story's supporting facts: (the one naming the thing: its pick-up or drop,
    the holder's move)."""
    thing = st.question[-1]
    named = max(i for i in st.support if st.sentences[i][-1] == thing)
    moved = next((i for i in st.support if i != named), -1)
    return named, moved


def _hops_on_two(run: mn.MemNetRun) -> list[str]:
    """How often each hop's most-read sentence is the fact naming the thing, or the move."""
    two = [s for s in mn.test_stories(run.config) if s.task == "two"]
    K = run.config.hops
    named = np.zeros(K)
    moved = np.zeros(K)
    right = 0
    for st in two:
        w = lesson.walk(run, st)
        right += w.right
        thing, move = _facts(st)
        for k, (i, _p) in enumerate(w.top):
            named[k] += i == thing
            moved[k] += i == move
    n = len(two)
    lines = [f"  {K} hop(s), {n} two-fact stories, {100 * right / n:.1f}% right:"]
    for k in range(K):
        lines.append(f"    hop {k + 1}: reads most the fact naming the thing in "
                     f"{100 * named[k] / n:5.1f}% of stories, the holder's move in "
                     f"{100 * moved[k] / n:5.1f}%")
    return lines


def _example(run: mn.MemNetRun, right: bool) -> list[str]:
    """The first two-fact story of 5+ sentences the model gets right (or wrong): each hop's
    attention over its sentences."""
    st, w = next((s, w) for s in mn.test_stories(run.config)
                 if s.task == "two" and len(s.support) == 2 and len(s.sentences) >= 5
                 and (w := lesson.walk(run, s)).right == right)
    out = [f"  {stories.text(st.question, True)}  answer {st.answer}, model {w.answer}"]
    for i, s in enumerate(st.sentences):
        mark = "*" if i in st.support else " "
        ps = "  ".join(f"{w.arrays['p'][i, k]:.2f}" for k in range(run.config.hops))
        out.append(f"   {mark}{i + 1:2d}. {stories.text(s):<32} p by hop: {ps}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-task", action="store_true")
    ap.add_argument("--steps", type=int, default=mn.MemNetConfig().steps)
    a = ap.parse_args()
    torch.set_num_threads(1)
    header = f"{'run':<18} " + " ".join(f"{k:>7}" for k in stories.TASKS) + \
        "    mean  train_s  est_s"
    print(f"held-out accuracy (%) by task, {mn.MemNetConfig().n_test} stories per task; "
          f"default settings, steps={a.steps}")
    print(header)
    joint = {}
    for hops in (1, 2, 3):
        cfg = mn.MemNetConfig(hops=hops, steps=a.steps)
        t0 = time.perf_counter()
        run = mn.train(cfg)
        joint[hops] = run
        print(_row(f"joint, {hops} hop(s)", run.by_task, run.accuracy,
                   time.perf_counter() - t0, estimate.of(cfg).seconds), flush=True)
    if a.per_task:
        for hops in (1, 2, 3):
            by, secs = {}, 0.0
            for task in stories.TASKS:
                t0 = time.perf_counter()
                by.update(mn.train(mn.MemNetConfig(task=task, hops=hops, steps=a.steps)).by_task)
                secs += time.perf_counter() - t0
            print(_row(f"per task, {hops} hop(s)", by, float(np.mean(list(by.values()))), secs,
                       0), flush=True)
    print("\nwhat each hop reads on two-supporting-facts stories (joint models):")
    for hops in (1, 2, 3):
        print("\n".join(_hops_on_two(joint[hops])))
    for right in (True, False):
        print(f"\na two-fact story the 3-hop model gets {'right' if right else 'wrong'} "
              "(* = supporting fact):")
        print("\n".join(_example(joint[3], right)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
