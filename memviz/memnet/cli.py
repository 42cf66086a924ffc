"""`python -m memviz memnet`: train a memory network on generated bAbI-style stories.

Writes metrics.json (accuracy on held-out stories, accuracy_by_task, hops) and stories.csv
(a few held-out stories with the model's answer and where each hop looked).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from memviz.cli import add_training, check_out, training
from memviz.memnet.train import CHOICES, MemNetConfig


def register(sub) -> None:
    """Add the `memnet` subcommand."""
    d = MemNetConfig()
    p = sub.add_parser("memnet", help="end-to-end memory network on generated stories",
                       description="Train an end-to-end memory network (Sukhbaatar et al., "
                                   "2015) that reads a story in hops; report accuracy by task.")
    p.add_argument("--hops", type=int, choices=(1, 2, 3), default=d.hops)
    p.add_argument("--task", choices=CHOICES["task"], default=d.task,
                   help="one task, or 'all' to train one model on the four mixed (default)")
    p.add_argument("--encoding", choices=CHOICES["encoding"], default=d.encoding)
    p.add_argument("--tying", choices=CHOICES["tying"], default=d.tying)
    p.add_argument("--no-temporal", action="store_true", help="no temporal encoding")
    p.add_argument("--dim", type=int, default=d.dim, help="embedding size")
    p.add_argument("--train-stories", type=int, default=d.n_train, help="per task")
    add_training(p, d)
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.set_defaults(func=_cmd)


def config_from_args(a: argparse.Namespace) -> MemNetConfig:
    return MemNetConfig(task=a.task, hops=a.hops, dim=a.dim, encoding=a.encoding,
                        temporal=not a.no_temporal, tying=a.tying, n_train=a.train_stories,
                        **training(a))


def _cmd(a: argparse.Namespace) -> int:
    from memviz.export import csv_text
    from memviz.memnet import stories
    from memviz.memnet.train import test_stories, train

    out = check_out(a.out)  # before any work
    cfg = config_from_args(a)
    run = train(cfg)
    out.mkdir(parents=True, exist_ok=True)
    metrics = {"accuracy": run.accuracy, "accuracy_by_task": run.by_task, "hops": cfg.hops,
               "train_seconds": round(run.history.seconds, 3), "config": cfg.to_dict()}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    rows = []
    for st in test_stories(cfg)[:20]:
        p = run.reading(st).p[0]  # (K, N)
        rows.append([st.task, " ".join(stories.text(s) for s in st.sentences),
                     stories.text(st.question, True), st.answer, run.answer(st),
                     " ".join(str(int(p[k, :len(st.sentences)].argmax()) + 1)
                              for k in range(cfg.hops))])
    (out / "stories.csv").write_text(csv_text(
        ["task", "story", "question", "answer", "model", "sentence_each_hop_reads_most"], rows),
        encoding="utf-8")
    print(f"memnet, {cfg.hops} hop(s), task {cfg.task}: held-out accuracy {run.accuracy:.1%} "
          f"({run.history.seconds:.1f} s); by task "
          + ", ".join(f"{k} {v:.1%}" for k, v in run.by_task.items()) + f"; wrote {out}")
    return 0


def prepare_runs() -> list:
    """What `prepare --page memnet` trains: the page's default run (memviz.lessons)."""
    from memviz.lessons import Run
    from memviz.memnet.train import train

    return [Run("default", train, MemNetConfig())]
