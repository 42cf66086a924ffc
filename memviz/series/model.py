"""The forecaster: an LSTM or GRU reads a window, a linear head forecasts k steps ahead.

Trained with Adam on the training windows; the weights kept are those of the epoch with the
lowest validation error (the test part is never looked at until the end).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from memviz import devices, runs
from memviz.engine import trace as rtrace
from memviz.engine.models import MODULES, weights_of
from memviz.i18n import t
from memviz.lessons import Run
from memviz.progress import History, OnStep
from memviz.series import baselines
from memviz.series.forecast import ForecastConfig, Prepared, prepare
from memviz.trainer import Settings, fit

# message keys written out, so that grep and the catalogue test see each one
BASELINE_KEYS = {"persistence": "series.baseline.persistence", "linear": "series.baseline.linear",
    "seasonal": "series.baseline.seasonal"}


class Forecaster(nn.Module):
    """x (B, W, C) -> forecasts (B, k) from the last hidden state.

    `rnn`, `readout` and `layer0` have the names memviz.engine.trace.record expects, so one
    window can be re-run through the hand-written cells and checked against torch.
    """

    def __init__(self, arch: str, inputs: int, hidden: int, horizon: int) -> None:
        super().__init__()
        self.arch = arch
        self.rnn = MODULES[arch](inputs, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(x)  # (B, W, H)
        return self.readout(h[:, -1])

    def layer0(self) -> dict[str, torch.Tensor]:
        """The recurrent weights exactly as torch stores them (detached, on the CPU)."""
        return weights_of(self.rnn)


@dataclass(frozen=True)
class ForecastRun:
    """A trained forecaster, its data and its scores. Shared between sessions: do not mutate."""

    config: ForecastConfig
    model: Forecaster
    prepared: Prepared
    history: History
    forecast: np.ndarray  # (N_test, k) original units
    maes: dict[str, float | None]  # model, persistence, seasonal, linear on the test part

    @property
    def run(self) -> ForecastRun:
        """Itself: the step-through panel reads `les.run.config`."""
        return self

    @property
    def beats_persistence(self) -> bool:
        return self.maes["model"] < self.maes["persistence"]

    @property
    def best_baseline(self) -> tuple[str, float]:
        """The baseline shown with the lowest test MAE: (its key in maes, its MAE)."""
        shown = {k: v for k, v in self.maes.items() if k != "model" and v is not None}
        name = min(shown, key=shown.get)
        return name, float(shown[name])

    @property
    def beaten_by(self) -> list[str]:
        """The baselines whose test MAE is below the network's, best first."""
        shown = {k: v for k, v in self.maes.items() if k != "model" and v is not None}
        return sorted((k for k, v in shown.items() if v < self.maes["model"]), key=shown.get)

    def window_trace(self, i: int = -1) -> rtrace.Trace:
        """Test window i through the hand-written cell (gates, c, h), checked against torch."""
        idx = self.prepared.parts["test"][i]
        x = torch.from_numpy(self.prepared.X[idx])  # (W, C)
        y_scaled = self.prepared.scaler.scale_target(self.prepared.Y[idx])  # (k,)
        return rtrace.record(self.model, x, torch.from_numpy(y_scaled[None]))


def _predict(model: Forecaster, p: Prepared, idx: np.ndarray) -> np.ndarray:
    """Forecasts (N, k) in original units."""
    with torch.no_grad():
        out = model(torch.from_numpy(p.X[idx])).numpy()
    return p.scaler.inverse(out)


def _fit(model: Forecaster, p: Prepared, cfg: ForecastConfig, on_step: OnStep | None,
         gen: torch.Generator) -> History:
    """Minibatch Adam on MSE (scaled units), epoch by epoch; keep the best-validation weights
    (judged after each epoch, and after the part of one that a stop left)."""
    Xtr, Ytr = p.part("train")
    X = torch.from_numpy(Xtr)
    Y = torch.from_numpy(p.scaler.scale_target(Ytr))  # (N, k) scaled like the input
    per_epoch = math.ceil(len(X) / cfg.batch)
    best: dict[str, Any] = {"mae": math.inf, "state": None}

    def batches() -> Iterator[torch.Tensor]:
        for _ in range(cfg.epochs):
            order = torch.randperm(len(X), generator=gen)
            for b in range(per_epoch):
                yield order[b * cfg.batch:(b + 1) * cfg.batch]

    def loss(m: Forecaster, sel: torch.Tensor) -> torch.Tensor:
        return nn.functional.mse_loss(m(X[sel]), Y[sel])

    def judge(_step: int, m: Forecaster) -> None:
        val = baselines.mae(_predict(m, p, p.parts["val"]), p.Y[p.parts["val"]])
        if val < best["mae"]:
            best["mae"], best["state"] = val, {k: v.clone() for k, v in m.state_dict().items()}

    start = time.perf_counter()
    ends = range(per_epoch, cfg.epochs * per_epoch + 1, per_epoch)
    history = fit(model, batches(), loss, Settings(cfg.epochs * per_epoch, cfg.lr),
                  on_step=on_step, on_checkpoint=judge, at=ends)
    if len(history.losses) % per_epoch:  # stopped inside an epoch: judge what it reached
        judge(len(history.losses), model)
    model.load_state_dict(best["state"])
    history.seconds, history.eval_loss = time.perf_counter() - start, best["mae"]
    return history


def judged(run: ForecastRun) -> tuple[bool, str]:
    """Whether the network beats every baseline shown, and the sentence that says so, written
    against the best of them (not persistence alone) and naming each baseline that wins."""
    arch, m = run.config.arch.upper(), run.maes["model"]
    name, base = run.best_baseline
    if not run.beaten_by:
        return True, t("series.beats", arch=arch, by=base - m, best=t(BASELINE_KEYS[name]),
                       seconds=run.history.seconds)
    text = t("series.not_beats", arch=arch, model=m, best=t(BASELINE_KEYS[name]),
             base=base)
    if "linear" in run.beaten_by:  # a line beats the network: say so in so many words
        text += t("series.line_wins", arch=arch, W=run.config.window,
                  linear=run.maes["linear"])
    return False, text + t("series.try")


@runs.trains(1)
def train(cfg: ForecastConfig, on_step: OnStep | None = None) -> ForecastRun:
    """Prepare cfg's series, train its forecaster on the CPU, score it and the baselines."""
    devices.use_cpu_threads()  # a small model: one thread, no spin-waiting under load
    p = prepare(cfg)
    gen = torch.Generator().manual_seed(cfg.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        model = Forecaster(cfg.arch, len(cfg.columns), cfg.hidden, cfg.horizon)
        history = _fit(model, p, cfg, on_step, gen)
    model.eval()
    test = p.parts["test"]
    forecast = _predict(model, p, test)
    maes = {"model": baselines.mae(forecast, p.Y[test]), **baselines.all_maes(p)}
    return ForecastRun(cfg, model, p, history, forecast, maes)


def prepare_runs() -> list[Run]:
    """`prepare --page series`: the default run and the page's leak comparison."""
    cfg = ForecastConfig()
    return [Run("default", train, cfg),
            Run("scaler fitted on all", train, ForecastConfig(**{**cfg.to_dict(),
                                                                 "scaler": "all"}))]
