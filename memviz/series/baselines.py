"""What a forecaster must beat, on the same test windows: persistence, seasonal persistence and
a linear autoregression on the same window (least squares)."""

from __future__ import annotations

import numpy as np

from memviz.series.forecast import Prepared


def persistence(p: Prepared, idx: np.ndarray) -> np.ndarray:
    """Every step ahead = the last observed value (tomorrow = today). (N, k)"""
    k = p.Y.shape[1]
    last = p.raw[p.start[idx] - 1, 0]  # (N,)
    return np.repeat(last[:, None], k, axis=1)


def seasonal(p: Prepared, idx: np.ndarray) -> np.ndarray | None:
    """Each step ahead = the value one season earlier (None without a season or history)."""
    s, k = p.season, p.Y.shape[1]
    if s <= 0:
        return None
    ahead = p.start[idx][:, None] + np.arange(k)  # (N, k) rows being forecast
    back = ahead - s * np.ceil((np.arange(k) + 1) / s).astype(int)  # only already-seen rows
    if back.min() < 0:
        return None
    return p.raw[back, 0]


def _design(X: np.ndarray) -> np.ndarray:
    """Flattened window plus a constant column: (N, W*C + 1)."""
    return np.hstack([X.reshape(len(X), -1), np.ones((len(X), 1), dtype=X.dtype)])


def fit_linear(p: Prepared) -> np.ndarray:
    """Least-squares weights (W*C + 1, k) from the training windows to their targets."""
    X, Y = p.part("train")
    coef, *_ = np.linalg.lstsq(_design(X).astype(np.float64), Y.astype(np.float64), rcond=None)
    return coef


def linear(p: Prepared, idx: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
    """The linear autoregression's forecasts (N, k), fitted on the training part."""
    coef = fit_linear(p) if coef is None else coef
    return _design(p.X[idx]).astype(np.float64) @ coef


def mae(pred: np.ndarray | None, truth: np.ndarray) -> float | None:
    """Mean absolute error in the series' own units (None when there is no forecast)."""
    return None if pred is None else float(np.abs(pred - truth).mean())


def all_maes(p: Prepared, part: str = "test") -> dict[str, float | None]:
    """MAE of each baseline on one part of the series."""
    idx = p.parts[part]
    truth = p.Y[idx]
    return {"persistence": mae(persistence(p, idx), truth),
            "seasonal": mae(seasonal(p, idx), truth),
            "linear": mae(linear(p, idx), truth)}
