"""The cell equations in LaTeX, keyed by Trace field names, and with live numbers substituted.

Steps are shown 1-based (t = 1 .. T, with h_0 = c_0 = 0), as in the documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from memviz import i18n
from memviz.engine.trace import Trace
from memviz.plotting import Names

# What PyTorch computes (the form that produced every number on screen).
CANONICAL: dict[str, dict[str, str]] = {
    "rnn": {
        "h": r"h_t = \tanh(W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh})",
    },
    "rnn_relu": {  # nn.RNN(nonlinearity="relu")
        "h": r"h_t = \mathrm{relu}(W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh})",
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

# Names a student reads beside the symbols, in the reader's language (locales/recurrent.toml).
MEANING = Names({"i": "recurrent.meaning.i", "f": "recurrent.meaning.f", "g": "recurrent.meaning.g",
                 "o": "recurrent.meaning.o", "c": "recurrent.meaning.c",
                 "h": "recurrent.meaning.h", "r": "recurrent.meaning.r",
                 "z": "recurrent.meaning.z", "n": "recurrent.meaning.n"})

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
LSTM_CONCAT_TITLES = Names({"000": "recurrent.eq.doc.000", "002": "recurrent.eq.doc.002"})


def concat_note() -> str:
    """How the documents' concatenated form is PyTorch's, in the reader's language."""
    return i18n.t("recurrent.eq.concat_note")


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
        """Value of `name` at step t - lag for unit j (before the first step: the initial
        state, 0 unless the trace starts elsewhere)."""
        return self.trace.value(name, self.t - 1 - lag, self.j)


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


def _rnn_relu(s: Step) -> dict[str, str]:
    return {"h": _gate(s, "h", r"\mathrm{relu}")}


_LIVE = {"lstm": _lstm, "gru": _gru, "rnn": _rnn, "rnn_relu": _rnn_relu}


def live(trace: Trace, t: int, j: int) -> dict[str, str]:
    """Each field's equation with unit j's numbers at step t (1-based) substituted."""
    if not 1 <= t <= trace.T:
        raise ValueError(f"step must be between 1 and {trace.T}, got {t}")
    if not 0 <= j < trace.H:
        raise ValueError(f"unit must be between 0 and {trace.H - 1}, got {j}")
    return _LIVE[trace.arch](Step(trace, t, j))


# The same live equations as HTML templates for the browser-side stepper: `{k}` is field k at
# step t, `{k@1}` one step earlier, `{k|p}` parenthesised when negative (as `_n` does). The
# browser fills them from the recorded trace, so stepping needs no round trip to Python.
_SUB = {"t": "<sub>t</sub>", "t1": "<sub>t−1</sub>"}


def _gate_html(name: str, fn: str, w: str) -> list[str]:
    """A gate's canonical form, then its pre-activation and value."""
    t, t1 = _SUB["t"], _SUB["t1"]
    first = (f"{name}{t} = {fn}(W<sub>i{w}</sub>x{t} + b<sub>i{w}</sub> + W<sub>h{w}</sub>h{t1}"
             f" + b<sub>h{w}</sub>)")
    return [first, f"= {fn}({{a_{name}}}) = {{{name}}}"]


def _html_lstm() -> dict[str, list[str]]:
    t, t1 = _SUB["t"], _SUB["t1"]
    out = {g: _gate_html(g, "tanh" if g == "g" else "σ", g) for g in "ifgo"}
    out["c"] = [f"c{t} = f{t} c{t1} + i{t} g{t}", "= {f|p}·{c@1|p} + {i|p}·{g|p}", "= {c}"]
    out["h"] = [f"h{t} = o{t} tanh(c{t})", "= {o|p}·tanh({c}) = {h}"]
    return out


def _html_gru() -> dict[str, list[str]]:
    t, t1 = _SUB["t"], _SUB["t1"]
    out = {g: _gate_html(g, "σ", g) for g in "rz"}
    out["n"] = [f"n{t} = tanh(W<sub>in</sub>x{t} + b<sub>in</sub> + r{t} ⊙ (W<sub>hn</sub>h{t1}"
                " + b<sub>hn</sub>))", "= tanh({xn} + {r}·{hn|p}) = {n}"]
    out["h"] = [f"h{t} = (1 − z{t}) n{t} + z{t} h{t1}",
                "= (1 − {z})·{n|p} + {z}·{h@1|p} = {h}"]
    return out


def _html_rnn(fn: str = "tanh") -> dict[str, list[str]]:
    t, t1 = _SUB["t"], _SUB["t1"]
    return {"h": [f"h{t} = {fn}(W<sub>ih</sub>x{t} + b<sub>ih</sub> + W<sub>hh</sub>h{t1}"
                  " + b<sub>hh</sub>)", f"= {fn}({{a_h}}) = {{h}}"]}


HTML_TEMPLATES = {"lstm": _html_lstm, "gru": _html_gru, "rnn": _html_rnn,
                  "rnn_relu": lambda: _html_rnn("relu")}


def _slot(m: re.Match) -> str:
    name, lag, paren = m.group(1), m.group(2) or "0", "1" if m.group(3) else "0"
    return f'<span class="v" data-k="{name}" data-lag="{lag}" data-p="{paren}"></span>'


def slots(line: str) -> str:
    """A line of HTML with {name}, {name@lag}, {name|p} turned into the browser's empty number
    slots (`<span class="v" data-k=name data-lag=.. data-p=..>`)."""
    return re.sub(r"\{(\w+)(?:@(\d))?(\|p)?\}", _slot, line)


def html(arch: str) -> dict[str, list[str]]:
    """Each field's live equation as lines of HTML with empty number slots for the browser."""
    return {name: [slots(line) for line in lines]
            for name, lines in HTML_TEMPLATES[arch]().items()}


def number(v: float, paren: bool = False) -> str:
    """How the stepper writes a number: 3 decimals, parenthesised when negative if asked."""
    return _n(v) if paren else f"{v:.3f}"
