"""The recurrent cells written gate by gate, named as in the equations.

Each function runs a whole batch of sequences x (B, T, I) through one layer with the weights
exactly as torch stores them (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`; gate order
i, f, g, o for the LSTM and r, z, n for the GRU) and returns every quantity per step as a
(B, T, H) tensor. They reproduce nn.RNN / nn.LSTM / nn.GRU to float tolerance (tests prove it)
and are differentiable, so gradients can be taken through them.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

Weights = Mapping[str, torch.Tensor]

# The quantities each cell records, in the order pages show them.
FIELDS = {
    "rnn": ("h",),
    "rnn_relu": ("h",),
    "lstm": ("i", "f", "g", "o", "c", "h"),
    "gru": ("r", "z", "n", "h"),
}
# Pre-activations and partial sums, recorded for the equation panel.
EXTRA_FIELDS = {
    "rnn": ("a_h",),
    "rnn_relu": ("a_h",),
    "lstm": ("a_i", "a_f", "a_g", "a_o"),
    "gru": ("a_r", "a_z", "a_n", "xn", "hn"),
}


def _input_projection(x: torch.Tensor, w: Weights) -> torch.Tensor:
    """W_ih x_t + b_ih for every step at once: (B, T, I) -> (B, T, G*H)."""
    return x @ w["weight_ih"].T + w["bias_ih"]


def _stack(steps: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {k: torch.stack([s[k] for s in steps], dim=1) for k in steps[0]}


def rnn_step(xp_t: torch.Tensor, h: torch.Tensor, w: Weights) -> dict[str, torch.Tensor]:
    """One vanilla RNN step from the input projection xp_t (B, H) and h_{t-1} (B, H)."""
    a_h = xp_t + h @ w["weight_hh"].T + w["bias_hh"]
    return {"h": torch.tanh(a_h), "a_h": a_h}


def rnn_relu_step(xp_t: torch.Tensor, h: torch.Tensor, w: Weights) -> dict[str, torch.Tensor]:
    """One step of nn.RNN(nonlinearity="relu"): h_t = relu(a_h), a_h as in rnn_step."""
    a_h = xp_t + h @ w["weight_hh"].T + w["bias_hh"]
    return {"h": torch.relu(a_h), "a_h": a_h}


def _run_one_state(x: torch.Tensor, w: Weights, h0: torch.Tensor | None,
                   step, probes: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Run a cell whose only state is h (RNN, GRU) over x (B, T, I); each field (B, T, H).

    probes (T, B, H), if given, are added to each h_t before it is used or recorded: zero
    probes leave the run unchanged and their gradient is dL/dh_t (see memviz.gates)."""
    xp = _input_projection(x, w)  # (B, T, G*H)
    h = xp.new_zeros(xp.shape[0], w["weight_hh"].shape[1]) if h0 is None else h0
    steps = []
    for t in range(x.shape[1]):
        s = step(xp[:, t], h, w)
        if probes is not None:
            s["h"] = s["h"] + probes[t]
        h = s["h"]
        steps.append(s)
    return _stack(steps)


def rnn(x: torch.Tensor, w: Weights, h0: torch.Tensor | None = None,
        step=rnn_step, probes: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh); returns h and a_h, each (B, T, H)."""
    return _run_one_state(x, w, h0, step, probes)


def lstm_step(xp_t: torch.Tensor, h: torch.Tensor, c: torch.Tensor,
              w: Weights) -> dict[str, torch.Tensor]:
    """One LSTM step from the input projection xp_t (B, 4H) and the state (h, c), each (B, H)."""
    a = xp_t + h @ w["weight_hh"].T + w["bias_hh"]
    a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * c + i * g
    h = o * torch.tanh(c)
    return {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h,
            "a_i": a_i, "a_f": a_f, "a_g": a_g, "a_o": a_o}


def lstm(x: torch.Tensor, w: Weights, h0: torch.Tensor | None = None,
         c0: torch.Tensor | None = None, step=lstm_step,
         probes: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Run an LSTM (or a variant `step` with lstm_step's signature); each field (B, T, H).
    probes (T, B, H) are added to each h_t as in _run_one_state."""
    xp = _input_projection(x, w)  # (B, T, 4H)
    H = w["weight_hh"].shape[1]
    h = xp.new_zeros(xp.shape[0], H) if h0 is None else h0
    c = xp.new_zeros(xp.shape[0], H) if c0 is None else c0
    steps = []
    for t in range(x.shape[1]):
        s = step(xp[:, t], h, c, w)
        if probes is not None:
            s["h"] = s["h"] + probes[t]
        h, c = s["h"], s["c"]
        steps.append(s)
    return _stack(steps)


def gru_step(xp_t: torch.Tensor, h: torch.Tensor, w: Weights,
             reset_first: bool = False) -> dict[str, torch.Tensor]:
    """One GRU step from the input projection xp_t (B, 3H) and h_{t-1} (B, H).

    As torch computes it the reset gate scales the product, r_t ⊙ (W_hn h_{t-1} + b_hn);
    reset_first=True puts it before the product, W_hn (r_t ⊙ h_{t-1}) + b_hn, as Cho et al.
    (2014) and document 002 write it. `hn` is the recurrent term of n in either form.
    """
    H = h.shape[-1]
    W_hh, b_hh = w["weight_hh"], w["bias_hh"]
    x_r, x_z, xn = xp_t.chunk(3, dim=-1)
    h_r, h_z = (h @ W_hh[:2 * H].T + b_hh[:2 * H]).chunk(2, dim=-1)
    a_r, a_z = x_r + h_r, x_z + h_z
    r, z = torch.sigmoid(a_r), torch.sigmoid(a_z)
    if reset_first:
        hn = (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:]
        a_n = xn + hn
    else:
        hn = h @ W_hh[2 * H:].T + b_hh[2 * H:]
        a_n = xn + r * hn
    n = torch.tanh(a_n)
    h = (1 - z) * n + z * h
    return {"r": r, "z": z, "n": n, "h": h,
            "a_r": a_r, "a_z": a_z, "a_n": a_n, "xn": xn, "hn": hn}


def gru(x: torch.Tensor, w: Weights, h0: torch.Tensor | None = None,
        step=gru_step, probes: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Run a GRU (or a variant `step` with gru_step's signature); each field (B, T, H)."""
    return _run_one_state(x, w, h0, step, probes)


def rnn_relu(x: torch.Tensor, w: Weights, h0: torch.Tensor | None = None,
             probes: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """h_t = relu(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh); returns h and a_h, each (B, T, H)."""
    return _run_one_state(x, w, h0, rnn_relu_step, probes)


RUNNERS = {"rnn": rnn, "rnn_relu": rnn_relu, "lstm": lstm, "gru": gru}


def run(arch: str, x: torch.Tensor, w: Weights, probes: torch.Tensor | None = None,
        h0: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Run the hand-written cell of `arch` over x (B, T, I) from h0 (B, H), zero if None (a
    decoder starts from the encoder's last state); probes: see _run_one_state."""
    return RUNNERS[arch](x, w, h0=h0, probes=probes)
