"""What if the example were different? Re-run the trained cell on an edited input, and ask how
much the answer depends on each input step (saliency). No UI here.

Every number comes from the hand-written cell on the trained weights (trace.record checks it
against torch's module), so the edited traces are as trustworthy as the original one.
"""

from __future__ import annotations

import numpy as np
import torch

from memviz.config import TaskConfig
from memviz.engine import cells, tasks, trace
from memviz.engine.models import SeqModel


def recall_input(task: TaskConfig, symbol: int, cue: int) -> np.ndarray:
    """A delayed-recall input (T, K+1): `symbol` at step 1 and the cue at step `cue` (1-based)."""
    T, K = task.seq_len, task.n_symbols
    if not 0 <= symbol < K:
        raise ValueError(f"symbol must be between 0 and {K - 1}, got {symbol}")
    if not 2 <= cue <= T:
        raise ValueError(f"the cue must come between step 2 and step {T}, got {cue}")
    x = np.zeros((T, K + 1), dtype=np.float32)
    x[0, symbol] = 1.0
    x[cue - 1, K] = 1.0
    return x


def toggle(x: np.ndarray, t: int, channel: int) -> np.ndarray:
    """A copy of x (T, I) with cell (step t, 1-based; channel) switched between 0 and 1."""
    if not (1 <= t <= x.shape[0] and 0 <= channel < x.shape[1]):
        raise ValueError(f"no input cell at step {t}, channel {channel}")
    y = np.array(x, dtype=np.float32, copy=True)
    y[t - 1, channel] = 0.0 if y[t - 1, channel] >= 0.5 else 1.0
    return y


def target(task: TaskConfig, x: np.ndarray, original: np.ndarray) -> np.ndarray:
    """The right answer for an edited input x (T, I): the symbol at step 1 (recall), the sum of
    the marked values (adding), the running bracket depth (brackets); sine keeps its own."""
    if task.name == "recall":
        return np.array(int(np.argmax(x[0, :task.n_symbols])))
    if task.name == "adding":
        return np.array(float((x[:, 0] * (x[:, 1] >= 0.5)).sum()), dtype=np.float32)
    if task.name == "brackets":
        steps = np.where(x[:, 0] >= 0.5, 1, -1)
        return np.clip(np.cumsum(steps), 0, tasks.MAX_DEPTH)
    return np.asarray(original)


def rerun(model: SeqModel, x: np.ndarray, y: np.ndarray | None = None) -> trace.Trace:
    """The trained model's trace on the edited input x (T, I), with its target y if given."""
    return trace.record(model, torch.as_tensor(np.asarray(x, dtype=np.float32)),
                        None if y is None else torch.as_tensor(np.asarray(y))[None])


def saliency(model: SeqModel, x: np.ndarray, output: int = 0, step: int | None = None
             ) -> np.ndarray:
    """|d y[step, output] / d x_t| summed over input channels, for every t: (T,).

    Taken through the hand-written cell (differentiable) on the trained weights; `step` is
    1-based and defaults to the last step, where recall and adding answer.
    """
    xt = torch.as_tensor(np.asarray(x, dtype=np.float32))[None].clone().requires_grad_(True)
    states = cells.run(model.arch, xt, model.layer0())
    y = model.readout(states["h"])  # (1, T, O)
    k = y.shape[1] - 1 if step is None else step - 1
    # autograd.grad, not backward(): the model is shared by every session on this run, and
    # backward() would accumulate into its parameters' .grad from several threads at once
    (dx,) = torch.autograd.grad(y[0, k, output], xt)
    return dx[0].abs().sum(-1).detach().numpy()  # (T,)
