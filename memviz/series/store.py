"""The disk codec of the forecasting lesson's runs (memviz.runs): config, history, scores, the
test forecast and the weights; the windows are prepared again from the config's series."""

from __future__ import annotations

import numpy as np

from memviz import runs, stored
from memviz.series import model
from memviz.series.forecast import ForecastConfig, prepare


def save(run: model.ForecastRun) -> tuple[dict, dict[str, np.ndarray]]:
    data = {"config": stored.config_data(run.config), "maes": run.maes,
            "history": stored.history_data(run.history)}
    return data, {**stored.weights(run.model, "w."), "forecast": run.forecast,
                  **stored.upload_arrays(data["config"], run.config),
                  "losses": np.asarray(run.history.losses, dtype=np.float64)}


def load(data: dict, arrays: dict[str, np.ndarray]) -> model.ForecastRun:
    """The run again, an uploaded series with its bytes (kept beside the weights)."""
    cfg = stored.config_of(ForecastConfig, data["config"], arrays)
    net = stored.built(model.Forecaster, cfg.arch, len(cfg.columns), cfg.hidden, cfg.horizon)
    return model.ForecastRun(cfg, stored.loaded(net, arrays, "w."), prepare(cfg),
                             stored.history_of(data["history"], arrays["losses"]),
                             arrays["forecast"], data["maes"])


KIND = runs.kind_of(model.train)
runs.register_codec(KIND, save, load)
