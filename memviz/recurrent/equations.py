"""The cell equations in LaTeX, keyed by Trace field names, and with live numbers substituted.

Steps are shown 1-based (t = 1 .. T, with h_0 = c_0 = 0), as in the documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from memviz.recurrent.trace import Trace

# What PyTorch computes (the form that produced every number on screen).
CANONICAL: dict[str, dict[str, str]] = {
    "rnn": {
        "h": r"h_t = \tanh(W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh})",
    },
    "lstm": {
        "i": r"i_t = \sigma(W_{ii}x_t + b_{ii} + W_{hi}h_{t-1} + b_{hi})",
        "f": r"f_t = \sigma(W_{if}x_t + b_{if} + W_{hf}h_{t-1} + b_{hf})",
        "g": r"g_t = \tanh(W_{ig}x_t + b_{ig} + W_{hg}h_{t-1} + b_{hg})",
        "o": r"o_t = \sigma(W_{io}x_t + b_{io} + W_{ho}h_{t-1} + b_{ho})",
        "c": r"c_t = f_t \odot c_{t-1} + i_t \odot g_t",
        "h": r"h_t = o_t \odot \tanh(c_t)",
    },
    "gru": {
        "r": r"r_t = \sigma(W_{ir}x_t + b_{ir} + W_{hr}h_{t-1} + b_{hr})",
        "z": r"z_t = \sigma(W_{iz}x_t + b_{iz} + W_{hz}h_{t-1} + b_{hz})",
        "n": r"n_t = \tanh\big(W_{in}x_t + b_{in} + r_t \odot (W_{hn}h_{t-1} + b_{hn})\big)",
        "h": r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}",
    },
}

# Names a student reads beside the symbols.
MEANING = {
    "i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate",
    "c": "cell state", "h": "hidden state", "r": "reset gate", "z": "update gate",
    "n": "candidate",
}

# The concatenated form as each document writes it: 000 uses * and puts the candidate inside
# c_t; 002 uses ⊙ and names the candidate c̃_t.
_J = r"[h_{t-1}, x_t]"
LSTM_CONCAT: dict[str, list[str]] = {
    "000": [
        rf"i_t = \sigma(W_i \cdot {_J} + b_i)",
        rf"f_t = \sigma(W_f \cdot {_J} + b_f)",
        rf"o_t = \sigma(W_o \cdot {_J} + b_o)",
        rf"c_t = f_t * c_{{t-1}} + i_t * \tanh(W_c \cdot {_J} + b_c)",
        r"h_t = o_t * \tanh(c_t)",
    ],
    "002": [
        rf"f_t = \sigma(W_f \cdot {_J} + b_f)",
        rf"i_t = \sigma(W_i \cdot {_J} + b_i)",
        rf"\tilde{{c}}_t = \tanh(W_c \cdot {_J} + b_c)",
        rf"o_t = \sigma(W_o \cdot {_J} + b_o)",
        r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t \qquad h_t = o_t \odot \tanh(c_t)",
    ],
}
LSTM_CONCAT_TITLES = {"000": "Document 000 (记忆：短期记忆与长期记忆)",
                      "002": "Document 002 (短期记忆：利用上下文学习)"}
LSTM_CONCAT_NOTE = (
    "Both write each gate with one matrix acting on the joined vector [h_{t-1}, x_t]. That is "
    "the same function PyTorch computes: split W into the columns that meet h_{t-1} (W_h) and "
    "those that meet x_t (W_x), and take b = b_ih + b_hh. Document 000 writes * for the "
    "element-wise product and puts the candidate tanh(W_c · [h_{t-1}, x_t] + b_c) straight into "
    "c_t; document 002 writes ⊙ and names the candidate c̃_t. Both candidates are PyTorch's g_t."
)


def _n(v: float) -> str:
    """A number for an equation: 3 decimals, a real minus sign, parenthesised when negative."""
    s = f"{v:.3f}"
    return f"({s})" if v < 0 else s


@dataclass(frozen=True)
class Step:
    """Indices into a trace: step t (1-based) and unit j (0-based)."""

    trace: Trace
    t: int
    j: int

    def v(self, name: str, lag: int = 0) -> float:
        """Value of `name` at step t - lag for unit j (0 before the first step)."""
        k = self.t - 1 - lag
        return 0.0 if k < 0 else float(self.trace[name][k, self.j])


def _two_lines(symbolic: str, numeric: str, result: float | None = None) -> str:
    """The equation, its numbers aligned under it, and the result on a third line if given
    (keeps the column narrow)."""
    lhs, rhs = symbolic.split("=", 1)
    tail = "" if result is None else rf"\\&={result:.3f}"
    return rf"\begin{{aligned}}{lhs}&={rhs}\\&={numeric}{tail}\end{{aligned}}"


def _gate(s: Step, name: str, fn: str) -> str:
    """The gate's canonical equation, then its pre-activation and value for this unit."""
    return _two_lines(CANONICAL[s.trace.arch][name],
                      rf"{fn}({s.v('a_' + name):.3f}) = {s.v(name):.3f}")


def _lstm(s: Step) -> dict[str, str]:
    out = {g: _gate(s, g, r"\tanh" if g == "g" else r"\sigma") for g in "ifgo"}
    out["c"] = _two_lines(r"c_t = f_t\,c_{t-1} + i_t\,g_t",
                          rf"{_n(s.v('f'))}\cdot{_n(s.v('c', 1))} + "
                          rf"{_n(s.v('i'))}\cdot{_n(s.v('g'))}", s.v("c"))
    out["h"] = _two_lines(r"h_t = o_t \tanh(c_t)",
                          rf"{_n(s.v('o'))}\cdot\tanh({s.v('c'):.3f})", s.v("h"))
    return out


def _gru(s: Step) -> dict[str, str]:
    out = {g: _gate(s, g, r"\sigma") for g in "rz"}
    out["n"] = _two_lines(CANONICAL["gru"]["n"],
                          rf"\tanh({s.v('xn'):.3f} + {s.v('r'):.3f}\cdot{_n(s.v('hn'))})",
                          s.v("n"))
    out["h"] = _two_lines(r"h_t = (1 - z_t)\,n_t + z_t\,h_{t-1}",
                          rf"(1 - {s.v('z'):.3f})\cdot{_n(s.v('n'))} + {s.v('z'):.3f}\cdot"
                          rf"{_n(s.v('h', 1))}", s.v("h"))
    return out


def _rnn(s: Step) -> dict[str, str]:
    return {"h": _gate(s, "h", r"\tanh")}


_LIVE = {"lstm": _lstm, "gru": _gru, "rnn": _rnn}


def live(trace: Trace, t: int, j: int) -> dict[str, str]:
    """Each field's equation with unit j's numbers at step t (1-based) substituted."""
    if not 1 <= t <= trace.T:
        raise ValueError(f"step must be between 1 and {trace.T}, got {t}")
    if not 0 <= j < trace.H:
        raise ValueError(f"unit must be between 0 and {trace.H - 1}, got {j}")
    return _LIVE[trace.arch](Step(trace, t, j))
