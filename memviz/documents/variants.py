"""The documents' forms of the cells, written as runnable variants of the canonical ones.

Every step function has exactly the signature of its canonical twin in `cells.py`
(`lstm_step(xp_t, h, c, w)`, `gru_step(xp_t, h, w)`), reads torch's weights in torch's layout
(`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`; gate order i, f, g, o and r, z, n), and runs
through `cells.lstm(x, w, step=...)` / `cells.gru(x, w, step=...)`. So a document's form can be
fed the trained model's own weights and compared, number by number, with what the model computes.
Which document writes what, and what is wrong with it, is listed in shared/equations.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import torch

from memviz.engine import cells
from memviz.engine.models import reference_forward

Weights = cells.Weights
Trace = Mapping[str, "torch.Tensor | np.ndarray"]


def _summed_bias(w: Weights, k: int, H: int) -> torch.Tensor:
    """b_ih + b_hh of gate block k, (H,): the documents write one bias per gate."""
    return w["bias_ih"][k * H:(k + 1) * H] + w["bias_hh"][k * H:(k + 1) * H]


def _block(m: torch.Tensor, k: int, H: int) -> torch.Tensor:
    """Rows of gate block k of a stacked weight (G*H, n) -> (H, n)."""
    return m[k * H:(k + 1) * H]


# ---------------------------------------------------------------- document 001: RNN and readout

def rnn_doc001(x: torch.Tensor, w: Weights) -> dict[str, torch.Tensor]:
    """h_t = f(W x_t + U h_{t-1} + b) with one bias b = b_ih + b_hh; x (B, T, I) -> h (B, T, H).

    Document 001 writes the bias as a second argument, f(Wx_t + Uh_{t-1}, b); read as a sum it
    is the same function torch computes (torch merely stores b in two halves).
    """
    W, U = w["weight_ih"], w["weight_hh"]
    b = w["bias_ih"] + w["bias_hh"]
    h = x.new_zeros(x.shape[0], U.shape[1])
    hs = []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ W.T + h @ U.T + b)
        hs.append(h)
    return {"h": torch.stack(hs, dim=1)}


def readout_canonical(h: torch.Tensor, V: torch.Tensor, c: torch.Tensor,
                      g: Callable[[torch.Tensor], torch.Tensor] | None = None) -> torch.Tensor:
    """y_t = g(V h_t + c), the usual readout: h (..., H), V (O, H), c (O,) -> (..., O)."""
    y = h @ V.T + c
    return y if g is None else g(y)


def readout_doc001(h: torch.Tensor, x: torch.Tensor, v: torch.Tensor | float,
                   g: Callable[[torch.Tensor], torch.Tensor] | None = None) -> torch.Tensor:
    """Document 001's y_t = g(h_t · x_t + v): h (..., H), x (..., I) -> one number per step (...,).

    The dot product needs H = I. When the sizes differ it is taken over the first min(H, I)
    coordinates (the rest have no partner to multiply), which is what a zero-padded shorter
    vector would give. Whatever the sizes, the output is one number per step, built from the
    current input rather than read out of the memory: it cannot name one of K classes.
    """
    k = min(h.shape[-1], x.shape[-1])
    y = (h[..., :k] * x[..., :k]).sum(-1) + v
    return y if g is None else g(y)


# ---------------------------------------------------------------- document 001: LSTM

def lstm_doc001_step(xp_t: torch.Tensor, h: torch.Tensor, c: torch.Tensor,
                     w: Weights) -> dict[str, torch.Tensor]:
    """Document 001's LSTM step: the candidate goes through tanh twice; shapes as cells.lstm_step.

    It names the candidate tanh(W_c x_t + U_c h_{t-1} + b_c) h_t and then writes
    c_t = f_t c_{t-1} + i_t tanh(h_t), so the cell receives tanh(tanh(a_g)). `g` is the
    candidate as torch computes it, `g_written` what this form actually adds to the cell.
    """
    a = xp_t + h @ w["weight_hh"].T + w["bias_hh"]
    a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    g_written = torch.tanh(g)  # the second tanh: |tanh(tanh(a))| < |tanh(a)| for a != 0
    c = f * c + i * g_written
    h = o * torch.tanh(c)
    return {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h, "g_written": g_written,
            "a_i": a_i, "a_f": a_f, "a_g": a_g, "a_o": a_o}


# ---------------------------------------------------------------- document 004: LSTM

def _as_size(m: torch.Tensor, n: int) -> torch.Tensor:
    """m (B, H) cut or zero-padded to (B, n): how the hidden state enters x's space."""
    if m.shape[-1] >= n:
        return m[..., :n]
    return torch.nn.functional.pad(m, (0, n - m.shape[-1]))


def lstm_doc004_step(xp_t: torch.Tensor, m: torch.Tensor, c: torch.Tensor,
                     w: Weights) -> dict[str, torch.Tensor]:
    """Document 004's LSTM step made concrete from torch's weights; shapes as cells.lstm_step.

    The document writes i_t = σ(w_it x_t + w_ft m_{t-1} + b_i),
    f_t = σ(w_ft x_t + w_ft m_{t-1} + b_f), o_t = σ(w_ot x_t + w_ot m_{t-1} + b_o),
    g_t = tanh(w_m x_t + w_m m_{t-1} + b_m),
    c_t = f_t m_{t-1} + i_t g_t, h_t = o_t tanh(c_t). Made concrete:

    - w_it, w_ft, w_ot, w_m are the trained *input* weights of torch's i, f, o and g blocks
      (rows of `weight_ih`, each (H, I)); x_t meets them exactly as in torch (through xp_t).
    - The same matrix also multiplies m_{t-1}, as the document writes. It is (H, I), so m_{t-1}
      (size H) enters through its first I coordinates, zero-padded when I > H. When I = H this
      is the literal equation. `weight_hh` is not used: the document's cell has no separate
      recurrent weight.
    - The input gate's recurrent term uses w_ft, the forget gate's weight, as written.
    - Each gate's bias is b_ih + b_hh of that block.
    - m_{t-1} is the only vector carried between steps: the previous hidden state h_{t-1}. It
      serves inside the gates and as the old cell state in c_t; the `c` argument is ignored.
    """
    H = m.shape[-1]
    W = w["weight_ih"]  # (4H, I), blocks i, f, g, o
    m_in = _as_size(m, W.shape[1])  # (B, I)
    x_i, x_f, x_g, x_o = xp_t.chunk(4, dim=-1)  # W_k x_t + b_ih_k
    b_hh = w["bias_hh"]
    a_i = x_i + m_in @ _block(W, 1, H).T + b_hh[:H]  # borrowed: w_ft on m_{t-1}
    a_f = x_f + m_in @ _block(W, 1, H).T + b_hh[H:2 * H]
    a_g = x_g + m_in @ _block(W, 2, H).T + b_hh[2 * H:3 * H]
    a_o = x_o + m_in @ _block(W, 3, H).T + b_hh[3 * H:]
    i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * m + i * g  # m_{t-1} stands in for the old cell state
    h = o * torch.tanh(c)
    return {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h,
            "a_i": a_i, "a_f": a_f, "a_g": a_g, "a_o": a_o}


# ---------------------------------------------------------------- document 002: GRU

def gru_doc002_step(xp_t: torch.Tensor, h: torch.Tensor, w: Weights) -> dict[str, torch.Tensor]:
    """One GRU step with the reset gate before the matrix product (Cho et al. 2014), (B, H):
    n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t-1}) + b_hn), as document 002 writes it
    (W_h · [r_t ⊙ h_{t-1}, x_t]). r, z and z keeping the old state are torch's."""
    return cells.gru_step(xp_t, h, w, reset_first=True)


# ---------------------------------------------------------------- documents 000 and 002: LSTM

def lstm_concat(x: torch.Tensor, w: Weights) -> dict[str, torch.Tensor]:
    """The LSTM as documents 000 and 002 write it, W · [h_{t-1}, x_t] + b; x (B, T, I) -> (B, T, H).

    One matrix per gate acting on the joined vector, built from torch's weights as
    W = [W_hh | W_ih] and b = b_ih + b_hh. The same function as torch's, computed another way.
    """
    W = torch.cat([w["weight_hh"], w["weight_ih"]], dim=1)  # (4H, H + I)
    b = w["bias_ih"] + w["bias_hh"]
    H = w["weight_hh"].shape[1]
    h = c = x.new_zeros(x.shape[0], H)
    hs, cs = [], []
    for t in range(x.shape[1]):
        a_i, a_f, a_g, a_o = (torch.cat([h, x[:, t]], dim=-1) @ W.T + b).chunk(4, dim=-1)
        c = torch.sigmoid(a_f) * c + torch.sigmoid(a_i) * torch.tanh(a_g)
        h = torch.sigmoid(a_o) * torch.tanh(c)
        hs.append(h)
        cs.append(c)
    return {"c": torch.stack(cs, dim=1), "h": torch.stack(hs, dim=1)}


# ---------------------------------------------------------------- document 004: softmax twice

def softmax_twice(z: torch.Tensor) -> torch.Tensor:
    """softmax(softmax(z)) over the last axis: what a softmax output read `from_logits` yields.

    Document 004's model ends in a softmax and its loss applies another one. The second one
    sees numbers in [0, 1], so its output is squeezed towards uniform: the top probability
    can be at most e / (e + K - 1) for K classes.
    """
    return torch.softmax(torch.softmax(z, dim=-1), dim=-1)


# ---------------------------------------------------------------- comparing two runs

def _np(v: torch.Tensor | np.ndarray) -> np.ndarray:
    return v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else np.asarray(v)


def compare(a: Trace, b: Trace) -> dict[str, float]:
    """max |a[k] - b[k]| for every field k the two runs share (same shapes), in a's order."""
    return {k: float(np.max(np.abs(_np(a[k]) - _np(b[k])))) for k in a
            if k in b and np.shape(a[k]) == np.shape(b[k])}


def difference(a: Trace, b: Trace, name: str) -> np.ndarray:
    """a[name] - b[name] for one sequence: (1, T, H) or (T, H) -> (T, H), for a heatmap."""
    d = _np(a[name]) - _np(b[name])
    return d[0] if d.ndim == 3 else d


# ---------------------------------------------------------------- on a trained model

# Each document form: (document, cell it replaces, its step function).
VARIANTS: dict[str, tuple[str, str, Callable]] = {
    "lstm_doc001": ("001", "lstm", lstm_doc001_step),
    "lstm_doc004": ("004", "lstm", lstm_doc004_step),
    "gru_doc002": ("002", "gru", gru_doc002_step),
}
_RUNNERS = {"lstm": cells.lstm, "gru": cells.gru}


def _batch(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """x (T, I) or (1, T, I), numpy or torch -> float32 tensor (1, T, I)."""
    # a copy for numpy input: arrays from the run store are read-only, and torch warns on them
    x = x.float() if isinstance(x, torch.Tensor) else torch.tensor(np.asarray(x, np.float32))
    return x if x.dim() == 3 else x[None]


def run_both(name: str, w: Weights, x: torch.Tensor | np.ndarray
             ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The canonical cell and document form `name` on the same weights and input: fields (T, H)."""
    _, arch, step = VARIANTS[name]
    xb = _batch(x)
    with torch.no_grad():
        canon, doc = _RUNNERS[arch](xb, w), _RUNNERS[arch](xb, w, step=step)
    return ({k: v[0].numpy() for k, v in canon.items()}, {k: v[0].numpy() for k, v in doc.items()})


def readouts(h: np.ndarray, x: np.ndarray, V: torch.Tensor, c: torch.Tensor
             ) -> tuple[np.ndarray, np.ndarray]:
    """The trained readout V h_t + c, (T, O), and document 001's h_t · x_t + c_0, (T,), on one run.

    Document 001's form has one bias v; the trained model's first output bias c_0 stands in.
    """
    ht, xt = torch.as_tensor(h).float(), torch.as_tensor(np.asarray(x)).float()
    with torch.no_grad():
        return (readout_canonical(ht, V, c).numpy(),
                readout_doc001(ht, xt, c[0]).numpy())


def fused_gap(model: torch.nn.Module, x: torch.Tensor | np.ndarray) -> float:
    """max |h| difference between the hand-written cell and torch's fused module on x (T, I)."""
    xb = _batch(x)
    with torch.no_grad():
        fused = reference_forward(model.rnn, xb)
        return float((cells.run(model.arch, xb, model.layer0())["h"] - fused).abs().max())
