"""Train a character model on the training text read as parallel streams, the state carried from
one window to the next (truncated backpropagation through time, as char-rnn trains); score it
in bits per character on the held-out text, read the same way. One CPU thread
(memviz.devices), seeded, no UI inside."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from memviz import devices, i18n, runs
from memviz.config import ConfigError
from memviz.lessons import Run
from memviz.progress import History, OnStep
from memviz.text import corpus as C
from memviz.text import ngram
from memviz.text.model import CharModel, TextConfig, build, corpus_of
from memviz.trainer import Settings, fit

EVAL_STREAMS = 16  # the held-out text is read as this many consecutive streams at once
EVAL_CHUNK = 256
LN2 = math.log(2)
# Measured on the default run (training-thread CPU s; TextConfig's comment has the figures):
# the state carried between windows, a small clip and the learning rate falling over the last
# steps together took held-out 2.112 to 2.041..2.076 bits/char (seeds 0-2) at the same 1,400
# steps and seconds; alone, the carried state gave 2.102, the fall 2.101, a clip of 0.25 2.113.
# With the state carried, a clip of 0.1 was best of 0.05..5 (1: 2.102, 0.1: 2.067): it keeps
# Adam's steps even when a window's gradient is large; the fall (the last DECAY of the steps,
# linearly to a tenth) lets the weights settle instead of ending on a noisy step.
CLIP = 0.1
DECAY = 0.3


@dataclass(frozen=True)
class TextRun:
    """A trained model (CPU, eval mode) with its data, scores and baseline. Do not mutate."""

    config: TextConfig
    corpus: C.Corpus
    split: C.Split
    model: CharModel
    history: History
    bits_per_char: float
    baseline: ngram.Score
    device_label: str


def windows(ids: torch.Tensor, starts: torch.Tensor, T: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (B, T) and next-character targets (B, T) of the windows starting at `starts`."""
    idx = starts[:, None] + torch.arange(T + 1)  # (B, T+1)
    w = ids[idx]
    return w[:, :-1], w[:, 1:]


def bits_per_char(model: CharModel, ids: np.ndarray, device: str = "cpu") -> float:
    """Mean -log2 p(next char) over `ids`, read as EVAL_STREAMS streams with the state carried
    (so each character sees everything before it in its stream, as the n-gram does)."""
    n = (len(ids) - 1) // EVAL_STREAMS
    if n < 1:
        raise ValueError("too little held-out text to score")
    t = torch.as_tensor(ids[: n * EVAL_STREAMS + 1])
    x = torch.stack([t[k * n: (k + 1) * n] for k in range(EVAL_STREAMS)]).to(device)
    y = torch.stack([t[k * n + 1: (k + 1) * n + 1] for k in range(EVAL_STREAMS)]).to(device)
    total, state = 0.0, None
    model.eval()
    with torch.no_grad():
        for s in range(0, n, EVAL_CHUNK):
            logits, state = model(x[:, s: s + EVAL_CHUNK], state)
            total += nn.functional.cross_entropy(
                logits.flatten(0, 1), y[:, s: s + EVAL_CHUNK].flatten(), reduction="sum").item()
    return total / (n * EVAL_STREAMS) / LN2


def lr_factor(steps: int) -> Callable[[int], float]:
    """The learning rate's factor at step k: 1, then over the last DECAY of the steps linearly
    down to 0.1 at the last step."""
    start = round(steps * (1 - DECAY))
    return lambda k: 1.0 - 0.9 * max(0, k - start) / max(1, steps - start)


def _detached(state):
    """The recurrent state without its graph (the LSTM's is a pair (h, c))."""
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def train(model: CharModel, split: C.Split, cfg: TextConfig, on_step: OnStep | None = None,
          device: str = "cpu") -> History:
    """The training text read as cfg.batch streams, each starting at its own place (spread
    evenly) and moving on seq_len characters a step, wrapping round at the end; the state is
    carried from one window to the next and detached (truncated backpropagation through time,
    as the held-out text is read). Through memviz.trainer.fit; the loss is in bits per char."""
    torch.manual_seed(cfg.seed)
    if device == "cpu":
        devices.use_cpu_threads()
    ids = torch.as_tensor(split.train_ids)
    high = len(ids) - cfg.seq_len - 1
    if high < 1:
        raise ConfigError(i18n.t("text.error.short_train", n=f"{len(ids):,}",
                                 seq_len=cfg.seq_len))
    starts = torch.arange(cfg.batch) * high // cfg.batch

    def batches() -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for k in itertools.count():
            yield windows(ids, (starts + k * cfg.seq_len) % high, cfg.seq_len)

    carried = {"state": None}

    def loss(m: CharModel, b: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        logits, state = m(b[0].to(device), carried["state"])
        carried["state"] = _detached(state)
        return nn.functional.cross_entropy(logits.flatten(0, 1), b[1].to(device).flatten()) / LN2

    return fit(model, batches(), loss, Settings(cfg.steps, cfg.lr, CLIP, device,
                                                lr_at=lr_factor(cfg.steps)), on_step=on_step)


@runs.trains(2)  # 2: streams with the state carried, clip 0.1, the learning rate's fall
def run(cfg: TextConfig, on_step: OnStep | None = None, baseline_order: int = 5) -> TextRun:
    """Load the corpus, train, score on held-out text beside the n-gram baseline."""
    corpus = corpus_of(cfg)
    sp = C.split(corpus)
    dev = devices.pick("auto")
    model = build(cfg, sp.vocab.size)
    history = train(model, sp, cfg, on_step, dev.kind)
    bpc = bits_per_char(model, sp.held_ids, dev.kind)
    history.eval_loss = bpc
    model.cpu().eval()
    base = ngram.baseline(sp, baseline_order)
    return TextRun(cfg, corpus, sp, model, history, bpc, base, dev.label)


def prepare_runs() -> list[Run]:
    """`prepare --page text`: the page's default run."""
    return [Run("default", run, TextConfig())]
