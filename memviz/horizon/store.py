"""The disk codec of the memory-horizon sweep (memviz.runs): each (architecture, lag) run is
its own entry, so a stopped sweep keeps every run it finished. A Result is a row of numbers."""

from __future__ import annotations

import dataclasses

import numpy as np

from memviz import runs
from memviz.horizon import sweep


def save(result: sweep.Result) -> tuple[dict, dict[str, np.ndarray]]:
    return dataclasses.asdict(result), {}


def load(data: dict, arrays: dict[str, np.ndarray]) -> sweep.Result:
    return sweep.Result(**data)


runs.register_codec(sweep.KIND, save, load)
