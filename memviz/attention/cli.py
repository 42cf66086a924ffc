"""`python -m memviz seq2seq`: train one seq2seq variant and write its accuracy by length.

    python -m memviz seq2seq --attention on --task reverse --max-len 8 --out DIR

Writes DIR/metrics.json: the config, training seconds, final loss and accuracy_by_length
{length: {"exact": ..., "per_token": ...}} on held-out sources (greedy decoding), lengths
beyond --max-len included.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from memviz.attention import data
from memviz.attention.train import Seq2SeqConfig, train_one
from memviz.cli import add_training, check_out, training

ON_OFF = {"on": True, "off": False}


def register(sub) -> None:
    """Add the `seq2seq` subcommand."""
    d = Seq2SeqConfig()
    p = sub.add_parser("seq2seq", help="train a seq2seq model with or without attention",
                       description="Train a GRU encoder-decoder on a toy translation and "
                                   "write its accuracy against source length.")
    p.add_argument("--attention", choices=tuple(ON_OFF), required=True)
    p.add_argument("--task", choices=data.TASKS, default=d.task)
    p.add_argument("--max-len", type=int, default=None,
                   help="longest training length (digits, or dates); default 8 / 2")
    p.add_argument("--min-len", type=int, default=None, help="shortest training length")
    p.add_argument("--extra", type=int, default=None,
                   help="test lengths beyond --max-len (default 4 / 1)")
    p.add_argument("--hidden", type=int, default=d.hidden)
    add_training(p, d)
    p.add_argument("--out", type=Path, required=True, help="folder to write metrics.json into")
    p.set_defaults(func=_cmd)


def config_from_args(a: argparse.Namespace) -> Seq2SeqConfig:
    """The config the arguments describe (ConfigError if out of range)."""
    base = Seq2SeqConfig.for_task(a.task)
    chosen = {"max_len": a.max_len, "min_len": a.min_len, "extra": a.extra}
    chosen = {k: v for k, v in chosen.items() if v is not None}
    if "max_len" in chosen and "min_len" not in chosen:
        chosen["min_len"] = min(base.min_len, chosen["max_len"])
    return Seq2SeqConfig(**{**asdict(base), **chosen, "hidden": a.hidden, **training(a)})


def _cmd(a: argparse.Namespace) -> int:
    check_out(a.out)  # before any work
    cfg = config_from_args(a)
    attention = ON_OFF[a.attention]
    print(f"training seq2seq ({'with' if attention else 'without'} attention) on {cfg.task}, "
          f"lengths {cfg.min_len}-{cfg.max_len}, {cfg.steps} steps", flush=True)
    run = train_one(cfg, attention)
    metrics = {"config": asdict(cfg), "attention": attention,
               "train_seconds": round(run.history.seconds, 2),
               "final_loss": run.history.losses[-1],
               "train_lengths": list(cfg.train_lengths),
               "accuracy_by_length": {str(n): {"exact": e, "per_token": t}
                                      for n, (e, t) in run.accuracy.items()}}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    for n, (e, t) in run.accuracy.items():
        seen = "" if n <= cfg.max_len else "  (longer than training)"
        print(f"length {n:>2}: exact {e:6.1%}  per token {t:6.1%}{seen}")
    print(f"trained in {run.history.seconds:.1f} s; wrote {a.out / 'metrics.json'}")
    return 0
