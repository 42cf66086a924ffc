"""What if your model's input were different? Edit one value of the sequence, and ask how much
the model's answer depends on each step (saliency). No UI here.

The edited sequence is re-run through memviz.yours.tracing (hand-written cells, checked against
torch), so an edited trace is as trustworthy as the original one.
"""

from __future__ import annotations

import numpy as np
import torch

from memviz.yours.model import Loaded


def edit(x: np.ndarray, step: int, channel: int, value: float) -> np.ndarray:
    """A copy of the sequence with one value changed: x (T, I) at (step, channel), or token ids
    x (T,) at step (channel ignored; value is the new id). `step` is 1-based."""
    y = np.array(x, copy=True)
    if not 1 <= step <= y.shape[0] or (y.ndim == 2 and not 0 <= channel < y.shape[1]):
        raise ValueError(f"no input value at step {step}, channel {channel}")
    if y.ndim == 1:
        y[step - 1] = int(value)
    else:
        y[step - 1, channel] = value
    return y


def saliency(loaded: Loaded, x: np.ndarray, unit: int = 0) -> tuple[np.ndarray, int]:
    """|d answer / d x_t| summed over the input vector at each step t: (T,), and the output or
    unit differentiated. Taken through torch's own modules with your weights (the truth line's
    reference); for token ids, with respect to their embedded vectors."""
    with torch.no_grad():
        v = (loaded.embedding(torch.as_tensor(x, dtype=torch.long))
             if x.ndim == 1 and loaded.embedding is not None else torch.as_tensor(x).float())
    v = v.detach().clone()[None].requires_grad_(True)  # (1, T, I)
    rnn = loaded.rnn
    h = rnn(v if rnn.batch_first else v.transpose(0, 1))[0]
    h = h if rnn.batch_first else h.transpose(0, 1)  # (1, T, H)
    if loaded.readout is not None:
        y = loaded.readout(h[0, -1])
        k = int(y.argmax())
    else:
        y, k = h[0, -1], min(max(int(unit), 0), h.shape[-1] - 1)
    # autograd.grad, not backward(): the modules are shared by every session (cache), and
    # their parameters take no gradient
    (dv,) = torch.autograd.grad(y[k], v)
    return dv[0].abs().sum(-1).numpy(), k
