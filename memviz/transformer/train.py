"""Train the character Transformer through memviz.trainer.fit, and the Text lesson's LSTM on the
same split beside it; score both in bits per character on the same held-out characters, and
record each one's held-out score against its training seconds as it trains.

Held-out scoring matches memviz.text.train.bits_per_char: the held-out text is cut into the same
EVAL_STREAMS streams and the same characters are predicted. The LSTM carries its state through
its stream; the Transformer sees at most its window, so it reads each stream in windows that
slide by a quarter window: the first window scores all its positions, every later one only its
last quarter, so each character is scored once, seeing between 3/4 of the window and the whole
window of the characters before it in its stream (all of them near the stream's start).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from memviz import devices, i18n, runs, trainer
from memviz.config import ConfigError
from memviz.progress import History, OnStep
from memviz.text import corpus as C
from memviz.text import ngram
from memviz.text import train as text_train
from memviz.text.model import CharModel, corpus_of
from memviz.text.model import build as build_lstm
from memviz.transformer import recall
from memviz.transformer.model import CharTransformer, TransformerConfig, build

LN2 = math.log(2)
CURVE_CHARS = 8_000  # held-out characters scored at each point of the curves (all at the end)
CURVE_POINTS = 10  # points per curve, besides the untrained one


@dataclass(frozen=True)
class TransformerRun:
    """Both trained models (CPU, eval mode), their scores and curves. Do not mutate.
    curve / lstm_curve: ((training seconds, held-out bits/char on CURVE_CHARS), ...)."""

    config: TransformerConfig
    corpus: C.Corpus
    split: C.Split
    model: CharTransformer
    history: History
    bits_per_char: float
    curve: tuple[tuple[float, float], ...]
    lstm: CharModel
    lstm_history: History
    lstm_bits_per_char: float
    lstm_curve: tuple[tuple[float, float], ...]
    baselines: tuple[ngram.Score, ...]  # the 3-gram and 5-gram
    probe: recall.Probe
    device_label: str

    @property
    def baseline(self) -> ngram.Score:
        return self.baselines[-1]


def streams(ids: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets (EVAL_STREAMS, n): exactly the cut text_train.bits_per_char makes."""
    k = text_train.EVAL_STREAMS
    n = (len(ids) - 1) // k
    if n < 1:
        raise ValueError("too little held-out text to score")
    t = torch.as_tensor(ids[: n * k + 1])
    return (torch.stack([t[j * n: (j + 1) * n] for j in range(k)]),
            torch.stack([t[j * n + 1: (j + 1) * n + 1] for j in range(k)]))


def bits_per_char(model: CharTransformer, ids: np.ndarray, device: str = "cpu") -> float:
    """Mean -log2 p(next char) over the held-out streams, in sliding windows (module doc)."""
    x, y = (a.to(device) for a in streams(ids))
    W, n = model.window, x.shape[1]
    hop = max(W // 4, 1)
    total, scored = 0.0, 0
    model.eval()
    with torch.no_grad():
        end, first = min(W, n), 0
        while True:
            start = max(end - W, 0)
            logits = model(x[:, start:end])[:, first - start:]
            total += nn.functional.cross_entropy(logits.flatten(0, 1), y[:, first:end].flatten(),
                                                 reduction="sum").item()
            scored += (end - first) * x.shape[0]
            if end == n:
                break
            first, end = end, min(end + hop, n)
    assert scored == x.numel()  # every character once
    return total / scored / LN2


SECONDS_ARE = {True: "CPU seconds of the training thread", False: "wall-clock seconds"}


def clock(device: str):
    """Training seconds: on the CPU the training thread's own CPU time (torch trains on one
    thread there, memviz.devices), which is what an idle core would take and does not grow when
    a class shares the machine, so both models are timed alike; elsewhere wall time."""
    return time.thread_time if device == "cpu" else time.perf_counter


def _clock(curve: list, evaluate, device: str):
    """point(model) adds (seconds, evaluate(model)) to curve, seconds counted from the first
    point and leaving out the time spent scoring; elapsed() reads the same clock."""
    now = clock(device)
    state = {"start": None, "aside": 0.0}

    def point(model) -> None:
        t0 = now()
        if state["start"] is None:
            state["start"] = t0
        curve.append((t0 - state["start"] - state["aside"], evaluate(model)))
        model.train()
        state["aside"] += now() - t0

    def elapsed() -> float:
        return 0.0 if state["start"] is None else now() - state["start"] - state["aside"]
    return point, elapsed


def train_transformer(model: CharTransformer, split: C.Split, cfg: TransformerConfig,
                      on_step: OnStep | None, total: int, device: str, curve: list) -> History:
    """fit() on seeded random windows (the LSTM's batches: memviz.text.train.windows)."""
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    ids = torch.as_tensor(split.train_ids)
    high = len(ids) - cfg.window - 1
    if high < 1:
        raise ConfigError(i18n.t("text.error.short_train", n=f"{len(ids):,}",
                                 seq_len=cfg.window))
    batches = (text_train.windows(ids, torch.randint(0, high, (cfg.batch,), generator=gen),
                                  cfg.window) for _ in range(cfg.steps))

    def loss(m, batch):
        x, y = (a.to(device) for a in batch)
        return nn.functional.cross_entropy(m(x).flatten(0, 1), y.flatten()) / LN2

    held = split.held_ids[:CURVE_CHARS + 1]
    point, _ = _clock(curve, lambda m: bits_per_char(m, held, device), device)
    at = set(np.linspace(0, cfg.steps, CURVE_POINTS + 1).round().astype(int).tolist())
    history = trainer.fit(model, batches, loss, trainer.Settings(cfg.steps, cfg.lr, 1.0, device),
                          on_step=on_step, total=total, at=at,
                          on_checkpoint=lambda step, m: point(m))
    history.seconds = curve[-1][0] if curve else history.seconds
    return history


def train_lstm(model: CharModel, split: C.Split, cfg: TransformerConfig, on_step: OnStep | None,
               total: int, device: str, curve: list) -> History:
    """The Text lesson's own training (memviz.text.train.train), with the curve's points taken
    between its steps."""
    lcfg = cfg.lstm()
    held = split.held_ids[:CURVE_CHARS + 1]
    point, elapsed = _clock(curve, lambda m: text_train.bits_per_char(m, held, device),
                            device)
    at = set(np.linspace(0, lcfg.steps, CURVE_POINTS + 1).round().astype(int).tolist())
    point(model.to(device))

    def step(k: int, _total: int, value: float):
        if k in at:
            point(model)
        stop = on_step(cfg.steps + k, total, value) if on_step is not None else None
        if stop and (not curve or k not in at):
            point(model)  # stopped early: the curve still ends where training did
        return stop
    history = text_train.train(model, split, lcfg, step, device)
    history.seconds = elapsed() if not curve else curve[-1][0]
    return history


@runs.trains(2)  # 2: the LSTM beside it trains as the Text lesson now does (memviz.text.train)
def run(cfg: TransformerConfig, on_step: OnStep | None = None) -> TransformerRun:
    """Load the text, train the Transformer then the LSTM, score both beside the n-grams."""
    corpus = corpus_of(cfg.lstm())
    sp = C.split(corpus)
    dev = devices.pick("auto")
    if dev.kind == "cpu":
        devices.use_cpu_threads()
    total = cfg.steps + cfg.lstm_steps + 2 * cfg.probe_steps  # one progress count over all
    model, curve = build(cfg, sp.vocab.size), []
    history = train_transformer(model, sp, cfg, on_step, total, dev.kind, curve)
    lstm, lstm_curve = build_lstm(cfg.lstm(), sp.vocab.size), []
    lstm_history = train_lstm(lstm, sp, cfg, on_step, total, dev.kind, lstm_curve)
    bpc = bits_per_char(model, sp.held_ids, dev.kind)
    lstm_bpc = text_train.bits_per_char(lstm, sp.held_ids, dev.kind)
    history.eval_loss, lstm_history.eval_loss = bpc, lstm_bpc
    bases = (ngram.baseline(sp, 3), ngram.baseline(sp, 5))
    probe = recall.run(recall.ProbeConfig(steps=cfg.probe_steps, seed=cfg.seed), on_step,
                       cfg.steps + cfg.lstm_steps, total)
    return TransformerRun(cfg, corpus, sp, model.cpu().eval(), history, bpc, tuple(curve),
                          lstm.cpu().eval(), lstm_history, lstm_bpc, tuple(lstm_curve), bases,
                          probe, dev.label)


@dataclass(frozen=True)
class Equal:
    """Both models' held-out bits/char (curve points) at the same training seconds: the end
    of the shorter run, the longer one's curve read there by straight lines between points."""

    seconds: float
    transformer: float
    lstm: float

    @property
    def better(self) -> str:
        return "transformer" if self.transformer < self.lstm else "lstm"


def at_equal_seconds(curve, lstm_curve) -> Equal:
    """Equal from the two curves ((seconds, bits/char), ...)."""
    s = min(curve[-1][0], lstm_curve[-1][0])
    read = [float(np.interp(s, [p[0] for p in c], [p[1] for p in c])) for c in (curve,
                                                                            lstm_curve)]
    return Equal(s, *read)
