"""The disk codec of the text lesson (memviz.runs): config, history, scores, the corpus's
sha256 and the weights; the corpus and its split are read again from the config."""

from __future__ import annotations

import numpy as np

from memviz import runs, stored
from memviz.text import corpus as C
from memviz.text import ngram
from memviz.text import train as text_train
from memviz.text.model import TextConfig, build, corpus_of


def save(run: text_train.TextRun) -> tuple[dict, dict[str, np.ndarray]]:
    b = run.baseline
    data = {"config": stored.config_data(run.config), "sha256": run.corpus.sha256,
            "history": stored.history_data(run.history), "bits_per_char": run.bits_per_char,
            "baseline": [b.n, b.k, b.bits_per_char], "device_label": run.device_label}
    return data, {**stored.weights(run.model, "w."),
                  "losses": np.asarray(run.history.losses, dtype=np.float64)}


def load(data: dict, arrays: dict[str, np.ndarray]) -> text_train.TextRun:
    """The run again; a corpus that reads differently now (another Python's standard library)
    raises, which the store counts as a miss."""
    cfg = stored.config_of(TextConfig, data["config"])
    corpus = corpus_of(cfg)
    if corpus.sha256 != data["sha256"]:
        raise ValueError(f"the corpus changed since this run (sha256 {corpus.sha256[:12]}, "
                         f"stored {data['sha256'][:12]})")
    sp = C.split(corpus)
    model = stored.loaded(build(cfg, sp.vocab.size), arrays, "w.")
    n, k, bpc = data["baseline"]
    return text_train.TextRun(cfg, corpus, sp, model,
                              stored.history_of(data["history"], arrays["losses"]),
                              data["bits_per_char"], ngram.Score(n, k, bpc), data["device_label"])


KIND = runs.kind_of(text_train.run)
runs.register_codec(KIND, save, load)
