"""`python -m memviz transformer`: train the character Transformer and the Text lesson's LSTM on
the same text, score both in bits per character on the same held-out characters beside the
n-grams, and run the recall probe.

Writes config.json and metrics.json (bits_per_char, lstm_bits_per_char, baseline_bits_per_char,
train_seconds, params, kv_numbers_per_step, the comparison at equal training seconds, the recall
probe's accuracy by distance) and sample.txt (both models from the same prime and temperature).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from memviz.cli import add_training, check_out, training
from memviz.text import corpus as C
from memviz.text.cli import check_generation, progress
from memviz.transformer import generate as TG
from memviz.transformer import train as TT
from memviz.transformer.model import TransformerConfig, params


def register(sub) -> None:
    """Add the `transformer` subcommand."""
    d = TransformerConfig()
    p = sub.add_parser("transformer", help="train a small character Transformer beside the "
                                           "character LSTM",
                       description="Train a decoder-only character Transformer and the Text "
                                   "lesson's LSTM on the same text; compare bits per character.")
    p.add_argument("--corpus", default="stdlib", help="'stdlib' or a UTF-8 .txt file (<= 2 MB)")
    for name in ("d_model", "layers", "heads", "window", "lstm_steps", "probe_steps"):
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(d, name))
    add_training(p, d)
    p.add_argument("--length", type=int, default=300, help="characters to generate")
    p.add_argument("--temperature", type=float, default=0.8, help="0 = greedy")
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.set_defaults(func=_cmd)


def config_from_args(a: argparse.Namespace, corpus: C.Corpus) -> TransformerConfig:
    """The run the arguments describe (ConfigError if out of range)."""
    text = None if a.corpus == "stdlib" else corpus.text
    return TransformerConfig(source="stdlib" if text is None else "text", d_model=a.d_model,
                             layers=a.layers, heads=a.heads, window=a.window,
                             lstm_steps=a.lstm_steps, probe_steps=a.probe_steps, **training(a),
                             text=text,
                             text_name="" if text is None else corpus.name)


def _cmd(a: argparse.Namespace) -> int:
    check_out(a.out)  # before any work
    corpus = C.load(a.corpus)
    cfg = config_from_args(a, corpus)
    check_generation(a)
    run = TT.run(cfg, progress)
    prime = corpus.text.split("\n", 1)[0][:40] or corpus.text[:1]
    both = TG.both(run, prime, a.length, a.temperature, cfg.seed)
    write(a.out, run, both)
    eq = TT.at_equal_seconds(run.curve, run.lstm_curve)
    print(f"held-out: Transformer {run.bits_per_char:.3f}, LSTM {run.lstm_bits_per_char:.3f}, "
          f"{run.baseline.name} {run.baseline.bits_per_char:.3f} bits/char; at "
          f"{eq.seconds:.1f} s of training: Transformer {eq.transformer:.3f}, LSTM "
          f"{eq.lstm:.3f}; wrote {a.out}")
    return 0


def metrics(run: TT.TransformerRun) -> dict:
    """The figures metrics.json holds (the page shows the same ones)."""
    eq = TT.at_equal_seconds(run.curve, run.lstm_curve)
    cfg, H = run.config, run.lstm.rnn.hidden_size
    return {"bits_per_char": run.bits_per_char, "lstm_bits_per_char": run.lstm_bits_per_char,
            "baseline_bits_per_char": run.baseline.bits_per_char, "baseline": run.baseline.name,
            "ngram_bits_per_char": {str(b.n): b.bits_per_char for b in run.baselines},
            "held_out_chars": len(run.split.held_text),
            "train_seconds": run.history.seconds, "lstm_train_seconds": run.lstm_history.seconds,
            "seconds_are": TT.SECONDS_ARE[run.history.device == "cpu"],
            "params": params(run.model), "lstm_params": params(run.lstm),
            "kv_numbers_per_step": cfg.kv_numbers(cfg.window), "window": cfg.window,
            "lstm_numbers_per_step": 2 * H,
            "at_equal_seconds": {"seconds": eq.seconds, "transformer": eq.transformer,
                                 "lstm": eq.lstm, "better": eq.better},
            "curve": run.curve, "lstm_curve": run.lstm_curve,
            "recall": {"window": run.probe.config.window, "chance": run.probe.chance,
                       "lstm": run.probe.lstm, "transformer": run.probe.transformer}}


def write(out: Path, run: TT.TransformerRun, both: TG.Both) -> None:
    out.mkdir(parents=True, exist_ok=True)
    config = {"transformer": run.config.to_dict(), "lstm": run.config.lstm().to_dict(),
              "corpus": run.corpus.describe(), "vocab_size": run.split.vocab.size,
              "device": run.history.device,
              "generate": {"prime": both.prime, "temperature": both.temperature}}
    (out / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
    (out / "metrics.json").write_text(json.dumps(metrics(run), indent=2, ensure_ascii=False))
    (out / "sample.txt").write_text(f"--- Transformer ---\n{both.prime}{both.transformer}\n"
                                    f"--- LSTM ---\n{both.prime}{both.lstm}\n", encoding="utf-8")


def prepare_runs() -> list:
    """What `prepare --page transformer` trains: the page's default run (memviz.lessons)."""
    from memviz.lessons import Run
    from memviz.transformer import train
    from memviz.transformer.model import TransformerConfig

    return [Run("default", train.run, TransformerConfig())]
