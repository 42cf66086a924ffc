"""The disk codec of the sentences lesson (memviz.runs): both classifiers of train_both, each
with its config, vocabulary, history, scores and weights."""

from __future__ import annotations

import numpy as np

from memviz import runs, stored
from memviz.sentences import model, text

ARCHS = ("lstm", "gru")


def save(both: dict[str, model.SentimentRun]) -> tuple[dict, dict[str, np.ndarray]]:
    data, arrays = {}, {}
    for arch, r in both.items():
        data[arch] = {"config": stored.config_data(r.config), "words": list(r.vocab.words),
                      "history": stored.history_data(r.history), "accuracy": r.accuracy,
                      "by_distance": r.by_distance}
        arrays.update(stored.weights(r.model, f"{arch}.w."))
        arrays[f"{arch}.losses"] = np.asarray(r.history.losses, dtype=np.float64)
        arrays.update(stored.upload_arrays(data[arch]["config"], r.config, f"{arch}."))
    return data, arrays


def load(data: dict, arrays: dict[str, np.ndarray]) -> dict[str, model.SentimentRun]:
    both = {}
    for arch, d in data.items():
        cfg = stored.config_of(model.SentimentConfig, d["config"], arrays, f"{arch}.")
        vocab = text.Vocab(tuple(d["words"]))
        net = stored.built(model.Classifier, cfg.arch, len(vocab.words), cfg.embed, cfg.hidden)
        both[arch] = model.SentimentRun(
            cfg, stored.loaded(net, arrays, f"{arch}.w."), vocab,
            stored.history_of(d["history"], arrays[f"{arch}.losses"]), d["accuracy"],
            d["by_distance"])
    return both


KIND = runs.kind_of(model.train_both)
runs.register_codec(KIND, save, load)
