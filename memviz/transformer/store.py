"""The disk codec of the Transformer lesson (memviz.runs): config, both histories and curves,
the scores, the corpus's sha256 and both models' weights; the text and its split are read again
from the config."""

from __future__ import annotations

import numpy as np

from memviz import runs, stored
from memviz.text import corpus as C
from memviz.text import ngram
from memviz.text.model import build as build_lstm
from memviz.text.model import corpus_of
from memviz.transformer import recall
from memviz.transformer import train as TT
from memviz.transformer.model import TransformerConfig, build


def save(run: TT.TransformerRun) -> tuple[dict, dict[str, np.ndarray]]:
    data = {"config": stored.config_data(run.config), "sha256": run.corpus.sha256,
            "history": stored.history_data(run.history),
            "lstm_history": stored.history_data(run.lstm_history),
            "bits_per_char": run.bits_per_char, "lstm_bits_per_char": run.lstm_bits_per_char,
            "baselines": [[b.n, b.k, b.bits_per_char] for b in run.baselines],
            "probe": stored.config_data(run.probe.config), "device_label": run.device_label}
    return data, {**stored.weights(run.model, "w."), **stored.weights(run.lstm, "lstm."),
                  "losses": np.asarray(run.history.losses, dtype=np.float64),
                  "lstm_losses": np.asarray(run.lstm_history.losses, dtype=np.float64),
                  "curve": np.asarray(run.curve, dtype=np.float64).reshape(-1, 2),
                  "lstm_curve": np.asarray(run.lstm_curve, dtype=np.float64).reshape(-1, 2),
                  "probe_lstm": np.asarray(run.probe.lstm),
                  "probe_tf": np.asarray(run.probe.transformer)}


def _curve(a: np.ndarray) -> tuple[tuple[float, float], ...]:
    return tuple((float(s), float(b)) for s, b in a)


def load(data: dict, arrays: dict[str, np.ndarray]) -> TT.TransformerRun:
    """The run again; a text that reads differently now raises (the store counts a miss)."""
    cfg = stored.config_of(TransformerConfig, data["config"])
    corpus = corpus_of(cfg.lstm())
    if corpus.sha256 != data["sha256"]:
        raise ValueError(f"the corpus changed since this run (sha256 {corpus.sha256[:12]}, "
                         f"stored {data['sha256'][:12]})")
    sp = C.split(corpus)
    model = stored.loaded(build(cfg, sp.vocab.size), arrays, "w.")
    lstm = stored.loaded(build_lstm(cfg.lstm(), sp.vocab.size), arrays, "lstm.")
    return TT.TransformerRun(
        cfg, corpus, sp, model, stored.history_of(data["history"], arrays["losses"]),
        data["bits_per_char"], _curve(arrays["curve"]), lstm,
        stored.history_of(data["lstm_history"], arrays["lstm_losses"]),
        data["lstm_bits_per_char"], _curve(arrays["lstm_curve"]),
        tuple(ngram.Score(n, k, b) for n, k, b in data["baselines"]),
        recall.Probe(stored.config_of(recall.ProbeConfig, data["probe"]),
                     tuple(arrays["probe_lstm"].tolist()), tuple(arrays["probe_tf"].tolist())),
        data["device_label"])


KIND = runs.kind_of(TT.run)
runs.register_codec(KIND, save, load)
