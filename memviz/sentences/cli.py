"""`python -m memviz sentiment`: train an LSTM or GRU on the grammar's sentences (or a CSV).

Writes metrics.json (accuracy on held-out sentences, accuracy_by_distance) and examples.csv
(a few held-out sentences with their label and the model's answer).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from memviz.cli import add_training, check_out, training
from memviz.sentences.model import SentimentConfig


def register(sub) -> None:
    """Add the `sentiment` subcommand."""
    d = SentimentConfig()
    p = sub.add_parser("sentiment", help="LSTM or GRU sentiment on generated sentences",
                       description="Train a sentence classifier whose labels depend on words "
                                   "far apart; report accuracy by distance.")
    p.add_argument("--arch", choices=("lstm", "gru"), default=d.arch)
    p.add_argument("--csv", type=Path, default=None, help="a (text,label) CSV instead")
    p.add_argument("--max-gap", type=int, default=d.max_gap, help="filler words at most")
    p.add_argument("--train-sentences", type=int, default=d.n_train)
    p.add_argument("--hidden", type=int, default=d.hidden)
    add_training(p, d)
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.set_defaults(func=_cmd)


def config_from_args(a: argparse.Namespace) -> SentimentConfig:
    """The config the arguments describe; a CSV is checked and registered first."""
    name = "grammar"
    if a.csv is not None:
        from memviz.cli import UsageError
        from memviz.sentences import text

        if not a.csv.is_file():
            raise UsageError(f"--csv {a.csv} is not a file")
        name = text.load_csv(a.csv.read_bytes()).name
    return SentimentConfig(data=name, arch=a.arch, max_gap=a.max_gap, n_train=a.train_sentences,
                           hidden=a.hidden, **training(a))


def _cmd(a: argparse.Namespace) -> int:
    from memviz.export import csv_text
    from memviz.sentences import grammar
    from memviz.sentences.model import train

    out = check_out(a.out)  # before any work
    cfg = config_from_args(a)
    run = train(cfg)
    out.mkdir(parents=True, exist_ok=True)
    metrics = {"accuracy": run.accuracy, "accuracy_by_distance": run.by_distance,
               "train_seconds": round(run.history.seconds, 3), "config": cfg.to_dict()}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    if cfg.data == "grammar":
        rows = ([s.text, s.label, s.distance,
                 f"{_p_pos(run.read(run.vocab.encode(s.tokens)[0]).output[-1]):.3f}"]
                for s in grammar.generate(20, cfg.max_gap, cfg.seed + 7))
        (out / "examples.csv").write_text(
            csv_text(["text", "label", "distance", "p_positive"], rows), encoding="utf-8")
    print(f"{cfg.arch}: held-out accuracy {run.accuracy:.1%} "
          f"({run.history.seconds:.1f} s); by distance {run.by_distance}; wrote {out}")
    return 0


def _p_pos(logits) -> float:
    """P(positive) from the two logits."""
    import numpy as np

    e = np.exp(logits - logits.max())
    return float(e[1] / e.sum())
