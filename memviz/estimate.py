"""How long and how much memory a recurrent run will take, before it is trained.

seconds ~ steps * (a + b*T + c*B*T*H^2) per cell type: a is the per-step overhead (data, optimiser),
b the per-time-step cost of small cells (kernel launches dominate there), c the arithmetic.
Peak memory ~ base + k * B*T*H (the activations autograd keeps for the backward pass).
Constants from `python3 benchmarks/calibrate.py` on the 2-core reference machine, one torch
thread per run, with both workers busy (two calibrations at once, as a class keeps the two
workers busy), then x1.5 for the server's own share: treat the answer as a factor-of-2 guide
that errs long, so a run said to fit the budget does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from memviz.config import RunConfig
from memviz.i18n import t

# (a [s], b [s per time step], c [s per B*T*H^2]) per step, fitted by benchmarks/calibrate.py
# with two calibrations at once, x1.5. (The constants before were fitted at load average ~10,
# 30 chromiums on the same 2 cores, and came out ~10x long: a 7 s run asked for a click.)
TIME = {"rnn": (1.8e-3, 1.7e-4, 2.8e-10),
        "lstm": (0.5e-3, 4.3e-4, 9.0e-10),
        "gru": (1.7e-3, 3.6e-4, 7.0e-10)}
# peak MB of a worker per B*T*H over its base (training, the traces and checkpoints it records),
# measured with benchmarks/load.py's largest settings and ru_maxrss at T=500 (rnn, lstm: H=256;
# gru: H=64, 110): FastGRU keeps more per step for its hand-written backward
MB_PER_BTH = {"rnn": 1.0e-4, "lstm": 8.5e-5, "gru": 2.6e-4}
BASE_MB = 300.0  # a worker with torch (and torch._dynamo) loaded, before its run
BUDGET_SECONDS = 60.0  # longer runs ask for a click: only that student's time
# Memory is everyone's: a run whose worker would peak above this is refused, not confirmed. With
# at most one run above ONE_AT_A_TIME_MB at once (memviz.jobs), the server (~0.45 GB) and two
# workers stay within 1.5 GB: ~0.6 GB idle (PSS) + 0.6 GB + 0.25 GB over the workers' base.
BUDGET_MB = 900.0
ONE_AT_A_TIME_MB = 550.0


@dataclass(frozen=True)
class Estimate:
    """Expected training seconds and peak memory of one worker, with the reason if over budget."""

    seconds: float
    megabytes: float

    @property
    def refused(self) -> str | None:
        """Why this run is not trained on the shared server (too much memory), or None."""
        if self.megabytes > BUDGET_MB:
            return t("estimate.memory", gb=f"{self.megabytes / 1024:.1f}",
                     budget=f"{BUDGET_MB / 1024:.1f}")
        return None

    @property
    def over_budget(self) -> str | None:
        """Why this run needs a confirming click (it is long), or None."""
        if self.seconds > BUDGET_SECONDS:
            return t("estimate.time", seconds=f"{self.seconds:.0f}",
                     budget=f"{BUDGET_SECONDS:.0f}")
        return None

    @property
    def big(self) -> bool:
        """Whether it waits for other big runs to finish before it starts (see BUDGET_MB)."""
        return self.megabytes > ONE_AT_A_TIME_MB

    def __add__(self, other: Estimate) -> Estimate:  # runs one after another in one worker
        return Estimate(self.seconds + other.seconds, max(self.megabytes, other.megabytes))


def features(cfg: RunConfig) -> tuple[float, float, float, float]:
    """(1, T, B*T*H^2, B*T*H) per training step."""
    T, H, B = cfg.task.seq_len, cfg.model.hidden, cfg.train.batch
    return 1.0, float(T), float(B * T * H * H), float(B * T * H)


def recurrent_step_seconds(arch: str, T: int, H: int, B: int) -> float:
    """Seconds of one training step of a recurrent model of this shape."""
    a, b, c = TIME[arch]
    return a + b * T + c * B * T * H * H


def recurrent(cfg: RunConfig) -> Estimate:
    """The estimate for one recurrent run (memviz.engine.lesson.prepare)."""
    one, T, bth2, bth = features(cfg)
    a, b, c = TIME[cfg.model.arch]
    seconds = cfg.train.steps * (a * one + b * T + c * bth2) + 0.2  # + building and evaluating
    return Estimate(seconds, BASE_MB + MB_PER_BTH[cfg.model.arch] * bth)


def of(cfg: object) -> Estimate | None:
    """The estimate for a config, or a tuple of them run in turn; None for kinds it cannot judge."""
    if isinstance(cfg, RunConfig):
        return recurrent(cfg)
    own = getattr(cfg, "estimate", None)  # a config that prices itself (transformer, memnet)
    if callable(own):
        return own()
    if isinstance(cfg, tuple) and cfg and all(isinstance(c, RunConfig) for c in cfg):
        total = recurrent(cfg[0])
        for c in cfg[1:]:
            total = total + recurrent(c)
        return total
    return None


def for_kind(kind: str, cfg: object) -> Estimate | None:
    """The estimate for what `kind` trains on cfg: the gates study trains all three cells."""
    if kind.split("@")[0].endswith("gradients.study") and isinstance(cfg, RunConfig):  # @version
        return of(tuple(cfg.replace(model={"arch": a}) for a in ("rnn", "lstm", "gru")))
    return of(cfg)


def approx_bytes(obj: Any, _seen: set[int] | None = None, _depth: int = 0) -> int:
    """An estimate of the memory a result holds: its arrays and tensors (by their buffers,
    each counted once) plus a little per Python object, through dataclasses, attributes and
    containers. Cheap (no copies); used to bound the in-memory store."""
    seen = set() if _seen is None else _seen
    if id(obj) in seen or _depth > 12:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes if obj.base is None or id(obj.base) not in seen else 0
    if type(obj).__module__.startswith("torch") and hasattr(obj, "untyped_storage"):
        try:
            storage = obj.untyped_storage()
            key = storage.data_ptr()
        except Exception:  # noqa: BLE001 - a tensor kind without storage: count its elements
            return int(obj.numel() * obj.element_size())
        if key in seen:
            return 0
        seen.add(key)
        return int(storage.nbytes())
    if isinstance(obj, str | bytes | bytearray):
        return len(obj) + 49
    if isinstance(obj, int | float | bool | complex) or obj is None:
        return 28
    size, nxt = 64, _depth + 1
    if isinstance(obj, dict):
        return size + sum(approx_bytes(k, seen, nxt) + approx_bytes(v, seen, nxt)
                          for k, v in obj.items())
    if isinstance(obj, list | tuple | set | frozenset):
        return size + 8 * len(obj) + sum(approx_bytes(x, seen, nxt) for x in obj)
    fields = getattr(obj, "__dict__", None)
    if fields is None and hasattr(type(obj), "__slots__"):
        fields = {k: getattr(obj, k) for k in type(obj).__slots__ if hasattr(obj, k)}
    return size + (approx_bytes(fields, seen, nxt) if fields else 0)
