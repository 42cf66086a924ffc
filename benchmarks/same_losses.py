"""Every lesson's default run gives the same losses through memviz.trainer.fit as through the
loop it had before (issue 26 §1): each lesson's FULL default run, compared to the last digit
with the losses the old loops gave (benchmarks/same_losses.json, recorded before the change).
Prints one line per lesson. `--record` rewrites the JSON from the code as it is now.

tests/test_same_losses.py runs the same lessons, shortened, against tests/same_losses.json.
Everything runs on the CPU with one torch thread: float sums depend on the thread count.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

FULL = Path(__file__).with_suffix(".json")


def _history(h) -> dict:
    return {"losses": list(h.losses), "eval_loss": h.eval_loss,
            "eval_accuracy": h.eval_accuracy, "stopped_early": h.stopped_early}


def recurrent(short: bool) -> dict:
    from memviz import config as C
    from memviz.engine import train
    cfg = C.DEFAULT.replace(train={"steps": 40, "device": "cpu"}) if short else \
        C.DEFAULT.replace(train={"device": "cpu"})
    return _history(train.run(cfg).history)


def text(short: bool) -> dict:
    from memviz.text import train
    from memviz.text.model import TextConfig
    run = train.run(TextConfig(steps=8) if short else TextConfig())
    return {**_history(run.history), "bits_per_char": run.bits_per_char}


def attention(short: bool) -> dict:
    from memviz.attention import train
    both = train.train_both(train.Seq2SeqConfig(steps=30) if short else train.Seq2SeqConfig())
    return {v: {**_history(t.history), "accuracy": {str(n): list(a) for n, a in
                                                     t.accuracy.items()}}
            for v, t in (("plain", both.plain), ("attention", both.attn))}


def selfattn(short: bool) -> dict:
    from memviz.attention import selfattn as sa
    run = sa.train_recall(sa.RecallConfig(steps=30) if short else sa.RecallConfig())
    return _history(run.history)


def sentences(short: bool) -> dict:
    from memviz.sentences import model as sm
    cfg = sm.SentimentConfig(steps=30) if short else sm.SentimentConfig()
    both = sm.train_both(cfg)
    return {arch: {**_history(r.history), "accuracy": r.accuracy, "by_distance": r.by_distance}
            for arch, r in both.items()}


def _forecast(cfg, on_step=None) -> dict:
    from memviz.series import model
    run = model.train(cfg, on_step)
    return {**_history(run.history), "maes": run.maes}


def series(short: bool) -> dict:
    from memviz.series import forecast
    if not short:
        return _forecast(forecast.ForecastConfig())
    cfg = forecast.ForecastConfig(epochs=3)
    # a stop in the middle of an epoch (16 steps per epoch here), and one at an epoch's end:
    # the best-validation weights kept must be the same as before
    return {"epochs3": _forecast(cfg),
            "stop_mid": _forecast(cfg, lambda s, n, loss: s == 20),
            "stop_end": _forecast(cfg, lambda s, n, loss: s == 32)}


def cnn(short: bool) -> dict:
    from memviz.cnn import model
    run = model.train_cnn(model.CNNConfig(steps=40, device="cpu") if short else
                          model.CNNConfig(device="cpu"))
    return {"losses": list(run.losses), "test_loss": run.test_loss,
            "test_accuracy": run.test_accuracy, "stopped_early": run.stopped_early}


def bidirectional(short: bool) -> dict:
    from memviz.documents import bidirectional as bd
    return dataclasses.asdict(bd.leak(steps=20) if short else bd.leak())


LESSONS: dict[str, Callable[[bool], dict]] = {
    "recurrent": recurrent, "text": text, "attention": attention, "selfattn": selfattn,
    "sentences": sentences, "series": series, "cnn": cnn, "bidirectional": bidirectional}


def measure(name: str, short: bool) -> dict:
    """The lesson's run as plain JSON data (a round trip through JSON keeps every float)."""
    torch.set_num_threads(1)
    return json.loads(json.dumps(LESSONS[name](short)))


def _count(d) -> int:
    if isinstance(d, dict):
        return len(d.get("losses", ())) + sum(_count(v) for k, v in d.items() if k != "losses")
    return 0


def main(argv: list[str]) -> int:
    if "--record" in argv:
        FULL.write_text(json.dumps({n: measure(n, False) for n in LESSONS}, indent=1) + "\n")
        print(f"recorded {FULL}")
        return 0
    want, bad = json.loads(FULL.read_text()), 0
    for name in LESSONS:
        start = time.perf_counter()
        got = measure(name, False)
        same = got == want[name]
        bad += not same
        what = (f"{_count(got)} losses ({_count(want[name])} before)" if _count(got) else
                f"{len(got)} results (accuracies, state changes)")
        print(f"{name:14s} {'identical' if same else 'DIFFERENT'}: {what}, "
              f"{time.perf_counter() - start:.1f} s", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
