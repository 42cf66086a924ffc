"""The disk codec of the CNN lesson's runs (memviz.runs): config, losses, scores and weights;
the network is rebuilt from the config and given the weights."""

from __future__ import annotations

import numpy as np

from memviz import runs, stored
from memviz.cnn import model as cnn


def save(run: cnn.CNNRun, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
    """The run as meta and arrays (names start with `prefix`: a study may keep one inside)."""
    data = {"config": stored.config_data(run.config), "test_accuracy": run.test_accuracy,
            "test_loss": run.test_loss, "seconds": run.seconds,
            "device_label": run.device_label, "stopped_early": run.stopped_early}
    return data, {**stored.weights(run.model, f"{prefix}w."),
                  f"{prefix}losses": np.asarray(run.losses, dtype=np.float64)}


def load(data: dict, arrays: dict[str, np.ndarray], prefix: str = "") -> cnn.CNNRun:
    cfg = stored.config_of(cnn.CNNConfig, data["config"])
    model = stored.loaded(stored.built(cnn.build, cfg), arrays, f"{prefix}w.")
    return cnn.CNNRun(cfg, model, tuple(arrays[f"{prefix}losses"].tolist()), data["test_accuracy"],
                      data["test_loss"], data["seconds"], data["device_label"],
                      data["stopped_early"])


KIND = runs.kind_of(cnn.train_cnn)
runs.register_codec(KIND, save, load)
