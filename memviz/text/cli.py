"""`python -m memviz text`: train a character model, score it against n-gram baselines, write
a sample and the cell-finder table.

Writes config.json (settings and the corpus's files and sha256), metrics.json (held-out
bits_per_char, baseline_bits_per_char and which baseline, the 3- and 5-gram scores,
train_seconds), sample.txt and cells.csv.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from memviz.cli import UsageError, add_training, check_out, training
from memviz.text import cellfinder, ngram
from memviz.text import corpus as C
from memviz.text import features as F
from memviz.text import generate as G
from memviz.text import train as T
from memviz.text.model import TextConfig

CELL_CHARS = 5_000  # held-out characters the cell finder reads


def register(sub) -> None:
    """Add the `text` subcommand."""
    d = TextConfig()
    p = sub.add_parser("text", help="train a character-level LSTM/GRU/RNN on text",
                       description="Train a character model on Python's standard library "
                                   "source or a UTF-8 text file; score it in bits per character.")
    p.add_argument("--corpus", default="stdlib", help="'stdlib' or a UTF-8 .txt file (<= 2 MB)")
    p.add_argument("--arch", choices=("lstm", "gru", "rnn"), default=d.arch)
    p.add_argument("--hidden", type=int, default=d.hidden)
    p.add_argument("--seq-len", type=int, default=d.seq_len)
    add_training(p, d)
    p.add_argument("--length", type=int, default=500, help="characters to generate")
    p.add_argument("--temperature", type=float, default=0.8, help="0 = greedy")
    p.add_argument("--prime", default=None, help="text to start from (default: the corpus's "
                                                 "first line)")
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.set_defaults(func=_cmd)


def config_from_args(a: argparse.Namespace, corpus: C.Corpus) -> TextConfig:
    """The run the arguments describe (ConfigError if out of range)."""
    text = None if a.corpus == "stdlib" else corpus.text
    return TextConfig(source="stdlib" if text is None else "text", arch=a.arch, hidden=a.hidden,
                      seq_len=a.seq_len, **training(a), text=text,
                      text_name="" if text is None else corpus.name)


def progress(step: int, total: int, loss: float) -> None:
    """A line every tenth of the run (the Transformer's command prints the same)."""
    if step % max(total // 10, 1) == 0 or step == total:
        print(f"step {step}/{total}: training loss {loss:.3f} bits/char", flush=True)


def check_generation(a: argparse.Namespace) -> None:
    """--length and --temperature in range, before any training."""
    for name, lo, hi in (("length", *G.LENGTH_RANGE), ("temperature", *G.TEMPERATURE_RANGE)):
        if not lo <= getattr(a, name) <= hi:
            raise UsageError(f"--{name} must be between {lo:g} and {hi:g}")


def _cmd(a: argparse.Namespace) -> int:
    check_out(a.out)  # before any work
    corpus = C.load(a.corpus)
    cfg = config_from_args(a, corpus)
    if a.prime:  # a prime with unknown characters fails now, not after training
        G.prime_ids(C.split(corpus).vocab, a.prime)
    check_generation(a)
    start = time.perf_counter()
    run = T.run(cfg, progress)
    base3 = ngram.baseline(run.split, 3)
    prime = a.prime or corpus.text.split("\n", 1)[0][:40] or corpus.text[:1]
    sample = G.generate(run.model, run.split.vocab, prime, a.length, a.temperature, a.seed)
    passage = run.split.held_text[:CELL_CHARS]
    tr = cellfinder.record(run.model, run.split.vocab, passage)
    rows = cellfinder.best_cells(tr, F.for_corpus(corpus.kind, passage))
    write(a.out, run, base3, sample, rows, time.perf_counter() - start)
    print(f"held-out {run.bits_per_char:.3f} bits/char; {run.baseline.name}: "
          f"{run.baseline.bits_per_char:.3f}; 3-gram {base3.bits_per_char:.3f}; "
          f"trained in {run.history.seconds:.1f} s; wrote {a.out}")
    return 0


def write(out: Path, run: T.TextRun, base3: ngram.Score, sample: G.Generated, rows,
          total_seconds: float) -> None:
    """config.json, metrics.json, sample.txt and cells.csv in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    config = {"text": run.config.to_dict(), "corpus": run.corpus.describe(),
              "vocab_size": run.split.vocab.size, "device": run.history.device,
              "generate": {"prime": sample.prime, "length": len(sample.text),
                           "temperature": sample.temperature, "seed": run.config.seed}}
    (out / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
    metrics = {"bits_per_char": run.bits_per_char,
               "baseline_bits_per_char": run.baseline.bits_per_char,
               "baseline": run.baseline.name,
               "ngram_bits_per_char": {str(base3.n): base3.bits_per_char,
                                       str(run.baseline.n): run.baseline.bits_per_char},
               "held_out_chars": len(run.split.held_text),
               "train_seconds": run.history.seconds, "total_seconds": total_seconds,
               "steps": len(run.history.losses), "final_training_loss": run.history.losses[-1],
               "cells": [b.row() for b in rows]}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
    (out / "sample.txt").write_text(sample.prime + sample.text, encoding="utf-8")
    (out / "cells.csv").write_text(cellfinder.table_csv(rows), encoding="utf-8")
