"""The disk codec of the memory network lesson (memviz.runs): config, history, scores and
weights as JSON and arrays; the model is rebuilt from its config."""

from __future__ import annotations

import numpy as np

from memviz import runs, stored
from memviz.memnet import train


def save(run: train.MemNetRun) -> tuple[dict, dict[str, np.ndarray]]:
    data = {"config": stored.config_data(run.config), "history": stored.history_data(run.history),
            "accuracy": run.accuracy, "by_task": run.by_task}
    arrays = {**stored.weights(run.model, "w."),
              "losses": np.asarray(run.history.losses, dtype=np.float64)}
    return data, arrays


def load(data: dict, arrays: dict[str, np.ndarray]) -> train.MemNetRun:
    cfg = stored.config_of(train.MemNetConfig, data["config"])
    net = stored.loaded(stored.built(train.build, cfg), arrays, "w.")
    return train.MemNetRun(cfg, net, stored.history_of(data["history"], arrays["losses"]),
                           data["accuracy"], data["by_task"])


KIND = runs.kind_of(train.train)
runs.register_codec(KIND, save, load)
