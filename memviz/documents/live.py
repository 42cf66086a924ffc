"""Each document's own equations with the trained model's numbers substituted at one step and unit.

Every form is fed the same inputs as PyTorch's at step t: x_t and torch's own h_{t-1}, c_{t-1}
from the recorded trace. So wherever a document's number differs from torch's, it is that line
of that document that makes the difference, not an error carried from earlier steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from memviz.documents import variants
from memviz.engine import cells
from memviz.engine.equations import live as torch_live
from memviz.engine.trace import Trace

# Which documents write which cell, in the order shown.
FORMS = {"lstm": ("000", "001", "002", "004"), "gru": ("002",), "rnn": ("001",)}
_CAT = r"[h_{t-1}, x_t]"


@dataclass(frozen=True)
class Form:
    """One document's equations at (t, j), its values there, and where they part from torch's."""

    doc: str
    lines: tuple[str, ...]  # LaTeX, one equation each, numbers substituted
    values: dict[str, float]  # the document's value of each field
    parts: dict[str, float]  # |document − torch| per field it shares with torch


def _n(v: float) -> str:
    return f"({v:.3f})" if v < 0 else f"{v:.3f}"


def _eq(lhs: str, rhs: str, numeric: str, value: float) -> str:
    return rf"\begin{{aligned}}{lhs} &= {rhs}\\ &= {numeric} = {value:.3f}\end{{aligned}}"


def _inputs(trace: Trace, t: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """x_t (1, I) and torch's own h_{t-1}, c_{t-1} (1, H) (zeros before step 1)."""
    x = torch.tensor(np.array(trace.x[t - 1]))[None]
    zero = torch.zeros(1, trace.H)
    h = zero if t == 1 else torch.tensor(np.array(trace["h"][t - 2]))[None]
    has_c = t > 1 and "c" in trace.fields
    c = torch.tensor(np.array(trace["c"][t - 2]))[None] if has_c else zero
    return x, h, c


def _step(trace: Trace, w: cells.Weights, doc: str, t: int) -> dict[str, float]:
    """Run one step of document `doc`'s form of trace.arch from torch's state at t − 1."""
    x, h, c = _inputs(trace, t)
    xp = x @ w["weight_ih"].T + w["bias_ih"]
    with torch.no_grad():
        if trace.arch == "lstm" and doc in ("000", "002"):  # W · [h_{t-1}, x_t] + b, literally
            W = torch.cat([w["weight_hh"], w["weight_ih"]], dim=1)
            a = torch.cat([h, x], dim=-1) @ W.T + w["bias_ih"] + w["bias_hh"]
            a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)
            i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
            c2 = f * c + i * g
            out = dict(a_i=a_i, a_f=a_f, a_g=a_g, a_o=a_o, i=i, f=f, g=g, o=o, c=c2,
                       h=o * torch.tanh(c2))
        elif trace.arch == "lstm":
            step = variants.lstm_doc001_step if doc == "001" else variants.lstm_doc004_step
            out = step(xp, h, c, w)
        elif trace.arch == "gru":
            out = variants.gru_doc002_step(xp, h, w)
        else:  # document 001's f(Wx_t + Uh_{t-1}, b), the bias read as a sum
            a = x @ w["weight_ih"].T + h @ w["weight_hh"].T + w["bias_ih"] + w["bias_hh"]
            out = {"a_h": a, "h": torch.tanh(a)}
    prev = {"h_prev": h, "c_prev": c}
    return {k: v for k, v in {**out, **prev}.items()}


def _lstm_lines(doc: str, v: dict[str, float]) -> list[str]:
    """The document's LSTM lines, its own symbols, with the values v of one unit."""
    star = "*" if doc == "000" else r"\odot"
    if doc in ("000", "002"):
        gates = [_eq(f"{g}_t", rf"\sigma(W_{g} \cdot {_CAT} + b_{g})",
                     rf"\sigma({_n(v['a_' + g])})", v[g]) for g in "ifo"]
        cand = rf"\tanh(W_c \cdot {_CAT} + b_c)"
    elif doc == "001":
        gates = [_eq(f"{g}_t", rf"\sigma(W_{g} x_t + U_{g} h_{{t-1}} + b_{g})",
                     rf"\sigma({_n(v['a_' + g])})", v[g]) for g in "ifo"]
        cand = r"\tanh(h_t)"
    else:
        rec = {"i": "w_{ft}", "f": "w_{ft}", "o": "w_{ot}"}
        gates = [_eq(f"{g}_t", rf"\sigma(w_{{{g}t}}x_t + {rec[g]}m_{{t-1}} + b_{g})",
                     rf"\sigma({_n(v['a_' + g])})", v[g]) for g in "ifo"]
        gates.append(_eq("g_t", r"\tanh(w_m x_t + w_m m_{t-1} + b_m)", rf"\tanh({_n(v['a_g'])})",
                         v["g"]))
        cand = "g_t"
    if doc == "002":
        gates.append(_eq(r"\tilde c_t", cand, rf"\tanh({_n(v['a_g'])})", v["g"]))
        cand = r"\tilde c_t"
    if doc == "001":
        gates.insert(0, _eq("h_t", r"\tanh(W_c x_t + U_c h_{t-1} + b_c)",
                            rf"\tanh({_n(v['a_g'])})", v["g"]))
    old = "m_{t-1}" if doc == "004" else "c_{t-1}"
    cval = v["h_prev"] if doc == "004" else v["c_prev"]
    inner = {"000": rf"\tanh({_n(v['a_g'])})", "001": rf"\tanh({_n(v['g'])})"}.get(doc, _n(v["g"]))
    c = _eq("c_t", rf"f_t {star} {old} + i_t {star} {cand}",
            rf"{_n(v['f'])}\cdot{_n(cval)} + {_n(v['i'])}\cdot{inner}", v["c"])
    h = _eq("h_t", rf"o_t {star} \tanh(c_t)", rf"{_n(v['o'])}\cdot\tanh({_n(v['c'])})", v["h"])
    return gates + [c, h]


def _gru_lines(v: dict[str, float]) -> list[str]:
    gates = [_eq(f"{g}_t", rf"\sigma(W_{g} \cdot {_CAT} + b_{g})", rf"\sigma({_n(v['a_' + g])})",
                 v[g]) for g in "zr"]
    n = _eq(r"\tilde h_t", r"\tanh(W_h \cdot [r_t \odot h_{t-1}, x_t] + b_h)",
            rf"\tanh({_n(v['xn'])} + {_n(v['hn'])})", v["n"])
    h = _eq("h_t", r"z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t",
            rf"{_n(v['z'])}\cdot{_n(v['h_prev'])} + (1 - {_n(v['z'])})\cdot{_n(v['n'])}", v["h"])
    return gates + [n, h]


def document_form(trace: Trace, w: cells.Weights, doc: str, t: int, j: int) -> Form:
    """Document `doc`'s form of trace.arch at step t (1-based), unit j, beside torch's values."""
    if not 1 <= t <= trace.T or not 0 <= j < trace.H:
        raise ValueError(f"step must be in 1..{trace.T} and unit in 0..{trace.H - 1}")
    v = {k: float(a[0, j]) for k, a in _step(trace, w, doc, t).items()}
    if trace.arch == "lstm":
        lines = _lstm_lines(doc, v)
    elif trace.arch == "gru":
        lines = _gru_lines(v)
    else:
        lines = [_eq("h_t", r"f(Wx_t + Uh_{t-1},\, b)", rf"\tanh({_n(v['a_h'])})", v["h"])]
    parts = {k: abs(v[k] - float(trace[k][t - 1, j])) for k in cells.FIELDS[trace.arch]}
    return Form(doc, tuple(lines), v, parts)


def torch_form(trace: Trace, t: int, j: int) -> tuple[str, ...]:
    """PyTorch's equations at the same step and unit (memviz.engine.equations.live)."""
    return tuple(torch_live(trace, t, j).values())
