"""The disk codecs of the attention lesson (memviz.runs): the seq2seq pair (plain and with
attention) and the self-attention recall run; weights as arrays, models rebuilt from configs."""

from __future__ import annotations

import numpy as np
import torch

from memviz import runs, stored
from memviz.attention import selfattn, seq2seq
from memviz.attention import train as s2s
from memviz.engine import tasks


def save_both(both: s2s.Both) -> tuple[dict, dict[str, np.ndarray]]:
    data, arrays = {"config": stored.config_data(both.config)}, {}
    for name, tr in (("plain", both.plain), ("attn", both.attn)):
        data[name] = {"attention": tr.attention, "history": stored.history_data(tr.history),
                      "accuracy": [[n, *acc] for n, acc in tr.accuracy.items()]}
        arrays.update(stored.weights(tr.model, f"{name}.w."))
        arrays[f"{name}.losses"] = np.asarray(tr.history.losses, dtype=np.float64)
    return data, arrays


def load_both(data: dict, arrays: dict[str, np.ndarray]) -> s2s.Both:
    cfg = stored.config_of(s2s.Seq2SeqConfig, data["config"])

    def one(name: str) -> s2s.Trained:
        d = data[name]
        net = seq2seq.build(cfg.hidden, cfg.emb, d["attention"], cfg.seed)
        return s2s.Trained(d["attention"], stored.loaded(net, arrays, f"{name}.w."),
                           stored.history_of(d["history"], arrays[f"{name}.losses"]),
                           {int(n): (exact, tok) for n, exact, tok in d["accuracy"]})

    return s2s.Both(cfg, one("plain"), one("attn"))


def save_recall(run: selfattn.RecallRun) -> tuple[dict, dict[str, np.ndarray]]:
    data = {"config": stored.config_data(run.config), "symbol": run.symbol,
            "history": stored.history_data(run.history)}
    return data, {**stored.weights(run.model, "w."), "x": run.x.numpy(), "A": run.A.numpy(),
                  "losses": np.asarray(run.history.losses, dtype=np.float64)}


def load_recall(data: dict, arrays: dict[str, np.ndarray]) -> selfattn.RecallRun:
    cfg = stored.config_of(selfattn.RecallConfig, data["config"])
    s = tasks.spec(cfg.task)
    net = selfattn.build(s.input_size, s.output_size, cfg.d, cfg.seed, cfg.heads, cfg.encoding)
    return selfattn.RecallRun(cfg, stored.loaded(net, arrays, "w."),
                              stored.history_of(data["history"], arrays["losses"]),
                              torch.from_numpy(arrays["x"].copy()), data["symbol"],
                              torch.from_numpy(arrays["A"].copy()))


BOTH_KIND = runs.kind_of(s2s.train_both)
RECALL_KIND = runs.kind_of(selfattn.train_recall)
runs.register_codec(BOTH_KIND, save_both, load_both)
runs.register_codec(RECALL_KIND, save_recall, load_recall)
