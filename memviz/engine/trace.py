"""Record what a trained model computes on one sequence, step by step, as numpy arrays.

`record` re-runs the sequence through the hand-written cell with the model's own weights, so
every gate and state is available by name, and checks the result against torch's fused module
on the spot: `max_abs_diff` is how far the shown hidden states are from what nn.LSTM/GRU/RNN
computed (float32 rounding, ~1e-7).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch

from memviz.engine import cells
from memviz.engine.models import SeqModel, reference_forward


@dataclass(frozen=True)
class Trace:
    """One sequence through one trained model. Arrays are read-only.

    x: (T, I) input; fields: name -> (T, H) for every recorded quantity (cells.FIELDS and
    cells.EXTRA_FIELDS); output: (T, O) readout at every step; target: the task's target for
    this sequence, () or (T,); max_abs_diff: hand-written h vs the fused module's h;
    initial: the state before step 1, name -> (H,), where it is not zero (a decoder starts
    from the encoder's last state).
    """

    arch: str
    x: np.ndarray
    fields: dict[str, np.ndarray]
    output: np.ndarray
    target: np.ndarray
    max_abs_diff: float
    initial: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def T(self) -> int:
        return self.x.shape[0]

    @property
    def H(self) -> int:
        return self.fields["h"].shape[1]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.fields[name]

    def value(self, name: str, k: int, j: int) -> float:
        """Field `name` of unit j at 0-based step k; before step 1 (k < 0) the initial state."""
        if k >= 0:
            return float(self.fields[name][k, j])
        return float(self.initial[name][j]) if name in self.initial else 0.0


def frozen(a: torch.Tensor | np.ndarray) -> np.ndarray:
    """A read-only numpy copy (traces are shared between sessions through the cache)."""
    arr = np.array(a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else a, copy=True)
    arr.setflags(write=False)
    return arr


def record(model: SeqModel, x: torch.Tensor, target: torch.Tensor | None = None) -> Trace:
    """Run x (T, I) or (1, T, I) through `model`'s weights by hand and return its Trace."""
    x = (x if x.dim() == 3 else x[None]).detach().cpu().float()  # (1, T, I)
    if any(p.device.type != "cpu" for p in model.parameters()):
        # a copy: .cpu() moves in place and rebuilds nn.RNN's weight list while other sessions'
        # threads may be running the same shared model (30 students on one run: ValueError)
        model = copy.deepcopy(model).cpu()
    with torch.no_grad():
        states = cells.run(model.arch, x, model.layer0())
        fused_h = reference_forward(model.rnn, x)
        output = model.readout(states["h"])
        diff = (states["h"] - fused_h).abs().max().item()
    return Trace(
        arch=model.arch,
        x=frozen(x[0]),
        fields={k: frozen(v[0]) for k, v in states.items()},
        output=frozen(output[0]),
        target=frozen(target[0] if target is not None else torch.empty(0)),
        max_abs_diff=diff,
    )
