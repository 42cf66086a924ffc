"""Windows, a time-ordered split and a scaler fitted on the training part only.

Document 002's example fits MinMaxScaler on all the data before splitting; `leakage` shows in
numbers what that lets the training data know about the test period.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from memviz.config import ConfigError, check_range
from memviz.i18n import t
from memviz.series import data

WINDOW_RANGE = (1, 60)
HORIZON_RANGE = (1, 14)
HIDDEN_RANGE = (1, 128)
EPOCHS_RANGE = (1, 500)
SCALERS = ("train", "all")  # "all" is document 002's fit-on-everything, kept to show the leak
TRAIN_FRACTION, VAL_FRACTION = 0.7, 0.15  # the test part is the last 15% of the series


@dataclass(frozen=True)
class ForecastConfig:
    """Everything that determines a trained forecaster (same config + seed = same model)."""

    data: str = "seattle-weather"
    target: str = "temp_max"
    extra: tuple[str, ...] = ()  # extra input columns (multivariate)
    window: int = 14  # W: the model reads the last W steps (document 002 uses 2)
    horizon: int = 1  # forecast steps 1..k ahead
    arch: str = "lstm"
    hidden: int = 16
    epochs: int = 100
    lr: float = 0.003
    batch: int = 64
    seed: int = 0
    scaler: str = "train"

    def __post_init__(self) -> None:
        check_range("window W", self.window, WINDOW_RANGE)
        check_range("forecast horizon", self.horizon, HORIZON_RANGE)
        check_range("hidden size", self.hidden, HIDDEN_RANGE)
        check_range("epochs", self.epochs, EPOCHS_RANGE)
        check_range("learning rate", self.lr, (1e-5, 1.0))
        check_range("batch size", self.batch, (1, 1024))
        check_range("seed", self.seed, (0, 2**31 - 1))
        if self.arch not in ("lstm", "gru"):
            raise ConfigError(t("series.err.arch", arch=repr(self.arch)))
        if self.scaler not in SCALERS:
            raise ConfigError(t("series.err.scaler", scaler=repr(self.scaler)))
        if self.target in self.extra:
            raise ConfigError(t("series.err.target_in_extra", target=repr(self.target)))
        twice = sorted({c for c in self.extra if self.extra.count(c) > 1})
        if twice:  # the same input fed twice would only look like more information
            raise ConfigError(t("series.err.extra_twice", column=", ".join(map(repr, twice))))

    @property
    def columns(self) -> list[str]:
        """Input columns: the target first, then the extra inputs."""
        return [self.target, *self.extra]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Scaler:
    """Min-max scaling per column to [0, 1], with the rows it was fitted on."""

    lo: np.ndarray  # (C,)
    hi: np.ndarray  # (C,)
    fitted_rows: int

    @classmethod
    def fit(cls, values: np.ndarray) -> Scaler:
        """Fit on `values` (N, C); a constant column scales by 1 instead of dividing by 0."""
        lo, hi = values.min(axis=0), values.max(axis=0)
        return cls(lo, np.where(hi > lo, hi, lo + 1), len(values))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return ((values - self.lo) / (self.hi - self.lo)).astype(np.float32)

    def scale_target(self, y: np.ndarray) -> np.ndarray:
        """Target values (column 0) in original units -> scaled units."""
        return ((y - self.lo[0]) / (self.hi[0] - self.lo[0])).astype(np.float32)

    def inverse(self, scaled: np.ndarray, column: int = 0) -> np.ndarray:
        return scaled * (self.hi[column] - self.lo[column]) + self.lo[column]


@dataclass(frozen=True)
class Prepared:
    """A series cut into windows. X (N, W, C) scaled; Y (N, k) in original units."""

    X: np.ndarray
    Y: np.ndarray
    start: np.ndarray  # (N,) row index of each window's first target step
    parts: dict[str, np.ndarray]  # "train"/"val"/"test" -> window indices
    bounds: tuple[int, int]  # first row of validation, first row of test
    scaler: Scaler
    raw: np.ndarray = field(repr=False)  # (rows, C) original units
    dates: np.ndarray = field(repr=False)
    season: int = 0

    def part(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        idx = self.parts[name]
        return self.X[idx], self.Y[idx]


def split_rows(n: int) -> tuple[int, int]:
    """First row of the validation part and first row of the test part (time order)."""
    return int(n * TRAIN_FRACTION), int(n * (TRAIN_FRACTION + VAL_FRACTION))


def windows(n: int, W: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Input row indices (N, W) and target row indices (N, k) of every full window."""
    start = np.arange(W, n - k + 1)  # (N,) the first target row
    return start[:, None] + np.arange(-W, 0), start[:, None] + np.arange(k)


def prepare(cfg: ForecastConfig, series: data.Series | None = None) -> Prepared:
    """Windows of cfg's series, split in time order, scaled by a scaler fitted on training rows.

    A window belongs to a part when all its target steps lie in that part; windows whose
    targets straddle a boundary are dropped. Inputs may reach back into an earlier part: those
    values have already been observed when the forecast is made.
    """
    series = series or data.load(cfg.data)
    raw = data.as_array(series, cfg.columns)  # (rows, C)
    n = len(raw)
    val0, test0 = split_rows(n)
    if val0 - cfg.window - cfg.horizon < 10 or n - test0 < cfg.horizon + 1:
        raise ConfigError(t("series.err.too_short", rows=n, window=cfg.window,
                            horizon=cfg.horizon))
    fit_rows = raw[:val0] if cfg.scaler == "train" else raw
    scaler = Scaler.fit(fit_rows)
    scaled = scaler.transform(raw)
    rows_in, rows_out = windows(n, cfg.window, cfg.horizon)
    first, last = rows_out[:, 0], rows_out[:, -1]
    parts = {"train": np.flatnonzero(last < val0),
             "val": np.flatnonzero((first >= val0) & (last < test0)),
             "test": np.flatnonzero(first >= test0)}
    return Prepared(scaled[rows_in], raw[rows_out, 0], first, parts, (val0, test0), scaler,
                    raw, series.frame.index.to_numpy(), series.season)


def leakage(cfg: ForecastConfig, series: data.Series | None = None) -> dict[str, Any]:
    """What fitting the scaler on all the data (document 002) tells the training part.

    Returns the target's range in each part, the two scalers' ranges, where training data lands
    under each, and how many test values fall outside [0, 1] under the honest scaler.
    """
    honest = prepare(cfg, series)
    leaky = prepare(ForecastConfig(**{**cfg.to_dict(), "scaler": "all"}), series)
    y = honest.raw[:, 0]
    val0, test0 = honest.bounds
    train_y, test_y = y[:val0], y[test0:]
    leaky_train = leaky.scaler.transform(honest.raw[:val0])[:, 0]
    honest_test = honest.scaler.transform(honest.raw[test0:])[:, 0]
    return {
        "train_min": float(train_y.min()), "train_max": float(train_y.max()),
        "test_min": float(test_y.min()), "test_max": float(test_y.max()),
        "all_min": float(y.min()), "all_max": float(y.max()),
        "min_from_test": bool(test_y.min() < y[:test0].min()),
        "max_from_test": bool(test_y.max() > y[:test0].max()),
        "leaky_train_range": [float(leaky_train.min()), float(leaky_train.max())],
        "honest_test_outside": int(((honest_test < 0) | (honest_test > 1)).sum()),
        "test_rows": int(len(test_y)),
    }
