"""Document 002's first forecasting example, recomputed in numpy: where its code goes wrong.

Its data are ten made-up temperatures; it scales them with a min-max scaler fitted on all ten,
cuts windows of two, pads them with Keras's `pad_sequences`, trains on every window, and then
predicts from two raw temperatures. Three slips follow from the code as written, each shown here
by computing what the code would hand to its LSTM (no Keras needed: `pad_sequences` is written
out below as Keras defines it, dtype int32 by default). No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# the ten values of its weather example, and the two it finally predicts from (facts: its data)
DATA = np.array([23.5, 24.1, 22.8, 23.3, 23.9, 24.5, 22.9, 23.4, 24.2, 23.7])
PREDICT_FROM = np.array([24.2, 23.7])
WINDOW = 2


def minmax(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """sklearn's MinMaxScaler with its range fitted as (lo, hi): (x − lo) / (hi − lo)."""
    return (np.asarray(x, dtype=float) - lo) / (hi - lo)


def pad_sequences(sequences, maxlen: int, dtype=np.int32) -> np.ndarray:
    """Keras's pad_sequences with its defaults (padding and truncating 'pre', value 0, dtype
    int32): the windows are written into an array of `dtype`, so floats are cut to integers."""
    out = np.zeros((len(sequences), maxlen), dtype=dtype)
    for i, s in enumerate(sequences):
        s = np.asarray(s)[-maxlen:]
        out[i, maxlen - len(s):] = s  # numpy casts silently, as Keras's assignment does
    return out


@dataclass(frozen=True)
class Forecast002:
    """What document 002's weather code computes, step by step."""

    scaled: np.ndarray  # (10,) the data after its scaler
    windows: np.ndarray  # (9, 2) its windows, float
    targets: np.ndarray  # (9,) what it trains each window to give: data_normalized[1:]
    padded: np.ndarray  # (9, 2) the windows after pad_sequences: int32

    @property
    def own_last(self) -> int:
        """Windows whose target is the window's own last value (a copy of its input)."""
        return int(np.sum(self.targets == self.windows[:, -1]))

    @property
    def copy_mse(self) -> float:
        """Training loss of the model that returns its last input: 0 when every target is one."""
        return float(np.mean((self.windows[:, -1] - self.targets) ** 2))

    @property
    def changed(self) -> int:
        """Scaled input values that pad_sequences' int32 changes."""
        return int(np.sum(self.padded != self.windows))

    @property
    def distinct_padded(self) -> int:
        """Different inputs left after the int32 cast (there were as many as windows)."""
        return len({tuple(w) for w in self.padded.tolist()})

    @property
    def zero_windows(self) -> int:
        """Windows that become (0, 0): the same input, asked for different targets."""
        return int(np.sum(~self.padded.any(axis=1)))

    @property
    def zero_targets(self) -> tuple[float, float]:
        """The smallest and largest target among those all-zero windows (scaled)."""
        t = self.targets[~self.padded.any(axis=1)]
        return float(t.min()), float(t.max())

    @property
    def predict_max(self) -> float:
        """The largest value it finally predicts from: raw, not scaled."""
        return float(PREDICT_FROM.max())

    @property
    def train_max(self) -> float:
        """The largest value its LSTM ever saw in training (scaled, then cut to int32)."""
        return float(self.padded.max())

    @property
    def predict_scaled(self) -> np.ndarray:
        """What its scaler would have made of those two values."""
        return minmax(PREDICT_FROM, DATA.min(), DATA.max())


def recompute() -> Forecast002:
    """Its code, step by step: scaler on all ten values, windows of two, targets
    data_normalized[1:], pad_sequences with its default dtype."""
    scaled = minmax(DATA, DATA.min(), DATA.max())
    windows = np.stack([scaled[i:i + WINDOW] for i in range(len(scaled) - 1)])
    targets = scaled[1:]  # its fit(sequences_padded, data_normalized[1:])
    return Forecast002(scaled, windows, targets, pad_sequences(windows, maxlen=WINDOW))
