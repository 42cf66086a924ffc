"""The five source documents as data: titles, every equation with its verdict, the demos.

For each document: its own title and every equation it gives beside the form the app computes,
with a verdict. The words (summaries, notes, remarks) live in memviz/locales/documents.toml and
are read in the run's language when shown; the LaTeX and the verdicts live here. No streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

from memviz import i18n
from memviz.documents.demotext import DEMO_TEXT, DEMO_TITLES, Messages  # noqa: F401 (re-exported)
from memviz.engine.equations import CANONICAL

# message keys written out, so that grep and the catalogue test see each one
LABEL_KEYS = {"convolution": "documents.label.convolution",
    "output_size": "documents.label.output_size", "rnn_state": "documents.label.rnn_state",
    "output": "documents.label.output", "candidate": "documents.label.candidate",
    "neuron": "documents.label.neuron", "synapse": "documents.label.synapse",
    "memory": "documents.label.memory", "softmax": "documents.label.softmax",
    "h_gru": "documents.label.h_gru"}
NOTE_KEYS = {"d000.convolution": "documents.note.d000.convolution",
    "d000.output_size": "documents.note.d000.output_size", "d000.c": "documents.note.d000.c",
    "d001.rnn_state": "documents.note.d001.rnn_state", "d001.output": "documents.note.d001.output",
    "d001.candidate": "documents.note.d001.candidate", "d001.i": "documents.note.d001.i",
    "d001.c": "documents.note.d001.c", "d002.candidate": "documents.note.d002.candidate",
    "d002.z": "documents.note.d002.z", "d002.h_gru": "documents.note.d002.h_gru",
    "d003.neuron": "documents.note.d003.neuron", "d003.synapse": "documents.note.d003.synapse",
    "d004.memory": "documents.note.d004.memory", "d004.i": "documents.note.d004.i",
    "d004.f": "documents.note.d004.f", "d004.same_weight": "documents.note.d004.same_weight",
    "d004.c": "documents.note.d004.c", "d004.softmax": "documents.note.d004.softmax"}
SUBTITLE_KEYS = {"000": "documents.d000.subtitle", "001": "documents.d001.subtitle",
    "002": "documents.d002.subtitle", "003": "documents.d003.subtitle",
    "004": "documents.d004.subtitle"}
SUMMARY_KEYS = {"000": "documents.d000.summary", "001": "documents.d001.summary",
    "002": "documents.d002.summary", "003": "documents.d003.summary",
    "004": "documents.d004.summary"}
REMARK_KEYS = {"d000_names": "documents.remark.d000_names",
    "d000_cnn": "documents.remark.d000_cnn",
    "d002_output_gate": "documents.remark.d002_output_gate",
    "d003_identity": "documents.remark.d003_identity", "d004_code": "documents.remark.d004_code"}

# Streamlit's bundled material icons (emoji need a font a classroom machine may lack).
VERDICT_ICONS = {
    "same": ":green[:material/check_circle:]",
    "differs": ":blue[:material/compare_arrows:]",
    "ambiguous": ":orange[:material/warning:]",
    "wrong": ":red[:material/cancel:]",
    "missing": ":orange[:material/help:]",
    "general": ":blue[:material/info:]",
}
VERDICTS = Messages({"same": "documents.verdict.same", "differs": "documents.verdict.differs",
                     "ambiguous": "documents.verdict.ambiguous",
                     "wrong": "documents.verdict.wrong", "missing": "documents.verdict.missing",
                     "general": "documents.verdict.general"},
                    lambda key, text: f"{VERDICT_ICONS[key]} {text}")
VERDICT_WORDS = Messages({"same": "documents.verdict_word.same",
                          "differs": "documents.verdict_word.differs",
                          "ambiguous": "documents.verdict_word.ambiguous",
                          "wrong": "documents.verdict_word.wrong",
                          "missing": "documents.verdict_word.missing",
                          "general": "documents.verdict_word.general"})


@dataclass(frozen=True)
class Equation:
    """One equation as a document writes it, the form the app computes, and how they compare."""

    key: str  # a symbol (i, c, h …) or a word's key under documents.label
    doc: str  # LaTeX, as written in the document
    canonical: str  # LaTeX, what the app (torch) computes
    verdict: str  # a key of VERDICTS
    note_key: str = ""  # under documents.note

    @property
    def label(self) -> str:
        """The equation's name on the page: its symbol, or a word in the current language."""
        return i18n.t(LABEL_KEYS[self.key]) if self.key in LABEL_KEYS else self.key

    @property
    def note(self) -> str:
        """What the comparison shows, in the current language ("" when nothing needs saying)."""
        return i18n.t(NOTE_KEYS[self.note_key]) if self.note_key else ""


@dataclass(frozen=True)
class Document:
    """A source document: its own title, its equations, other remarks, its live demos."""

    number: str
    title: str  # the document's own (Chinese) title, shown as is in every language
    equations: tuple[Equation, ...]
    remark_keys: tuple[str, ...] = ()  # under documents.remark
    demos: tuple[str, ...] = ()  # keys of DEMOS, drawn by the page after the equations

    @property
    def subtitle(self) -> str:
        """A line under the title: its English rendering, or in Chinese what it is about."""
        return i18n.t(SUBTITLE_KEYS[self.number])

    @property
    def summary(self) -> str:
        """The document in a paragraph, in our own words."""
        return i18n.t(SUMMARY_KEYS[self.number])

    @property
    def remarks(self) -> tuple[str, ...]:
        return tuple(i18n.t(REMARK_KEYS[k]) for k in self.remark_keys)


_L = CANONICAL["lstm"]
_G = CANONICAL["gru"]
_CAT = r"[h_{t-1}, x_t]"
_CONV = (r"\begin{aligned}y_{m,n} = b &+ \sum_{c}\sum_{u=0}^{k-1}\sum_{v=0}^{k-1} w_{c,u,v}"
         r"\\ &\cdot x_{c,\,sm+u-p,\,sn+v-p}\end{aligned}")
_SIZE = r"n_{\text{out}} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1"
_READOUT = r"y_t = V h_t + c \quad(\text{then softmax for classes})"


def _lines(*tex: str) -> str:
    """Equations stacked and centred, one per line."""
    return r"\begin{gathered}" + r"\\".join(tex) + r"\end{gathered}"


def _same_concat(gate: str, sym: str, fn: str, note_key: str = "") -> Equation:
    return Equation(f"{sym}", rf"{sym}_t = {fn}(W_{gate} \cdot {_CAT} + b_{gate})",
                    _L[{"c": "g"}.get(gate, gate)], "same", note_key)


DOC000 = Document(
    "000", "记忆：短期记忆与长期记忆",
    (
        Equation("convolution", r"f(x,\theta) = \sum_{i=-k}^{k}\sum_{j=-k}^{k} w_{i,j} * "
                 r"x_{i,j} + b", _CONV, "ambiguous", "d000.convolution"),
        Equation("output_size", r"\text{(none given)}", _SIZE, "missing", "d000.output_size"),
        _same_concat("i", "i", r"\sigma"),
        _same_concat("f", "f", r"\sigma"),
        _same_concat("o", "o", r"\sigma"),
        Equation("c", rf"\begin{{aligned}}c_t = f_t * c_{{t-1}} &+ i_t * \\ &\tanh(W_c \cdot "
                 rf"{_CAT} + b_c)\end{{aligned}}", _lines(_L["g"], _L["c"]), "same", "d000.c"),
        Equation("h", r"h_t = o_t * \tanh(c_t)", _L["h"], "same"),
    ),
    ("d000_names", "d000_cnn"),
    ("concat", "cnn_shapes", "conv_index", "cell_hidden"),
)

DOC001 = Document(
    "001", "短期记忆：利用上下文学习",
    (
        Equation("rnn_state", r"h_t = f(Wx_t + Uh_{t-1}, b)", CANONICAL["rnn"]["h"],
                 "ambiguous", "d001.rnn_state"),
        Equation("output", r"y_t = g(h_t \cdot x_t + v)", _READOUT, "wrong", "d001.output"),
        Equation("candidate", r"h_t = \tanh(W_c x_t + U_c h_{t-1} + b_c)", _L["g"], "wrong",
                 "d001.candidate"),
        Equation("i", r"i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)", _L["i"], "same", "d001.i"),
        Equation("f", r"f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)", _L["f"], "same"),
        Equation("o", r"o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o)", _L["o"], "same"),
        Equation("c", r"c_t = f_t \odot c_{t-1} + i_t \odot \tanh(h_t)", _L["c"], "wrong",
                 "d001.c"),
        Equation("h", r"h_t = o_t \odot \tanh(c_t)", _L["h"], "same"),
    ),
    (),
    ("rnn_sum", "readout", "lstm_doc001"),
)

DOC002 = Document(
    "002", "短期记忆：利用上下文学习",
    (
        _same_concat("f", "f", r"\sigma"),
        _same_concat("i", "i", r"\sigma"),
        Equation("c̃", rf"\tilde c_t = \tanh(W_c \cdot {_CAT} + b_c)", _L["g"], "same",
                 "d002.candidate"),
        _same_concat("o", "o", r"\sigma"),
        Equation("c", r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t", _L["c"], "same"),
        Equation("h", r"h_t = o_t \odot \tanh(c_t)", _L["h"], "same"),
        Equation("z", rf"z_t = \sigma(W_z \cdot {_CAT} + b_z)", _G["z"], "same", "d002.z"),
        Equation("r", rf"r_t = \sigma(W_r \cdot {_CAT} + b_r)", _G["r"], "same"),
        Equation("h_gru", r"\begin{aligned}h_t = z_t \odot h_{t-1} &+ (1 - z_t) \odot \\"
                 r"&\tanh(W_h \cdot [r_t \odot h_{t-1}, x_t] + b_h)\end{aligned}",
                 _lines(_G["n"], _G["h"]), "differs", "d002.h_gru"),
    ),
    ("d002_output_gate",),
    ("concat", "gru_doc002"),
)

DOC003 = Document(
    "003", "短期记忆与长期记忆",
    (
        Equation("neuron", r"a(t) = f\Big(\sum_{i=1}^{n} w_i x_i(t)\Big)",
                 r"a_i(t) = f\Big(\sum_j w_{ij}\,x_j(t)\Big)", "ambiguous", "d003.neuron"),
        Equation("synapse", r"w_{ij}(t+1) = w_{ij}(t) + \alpha\,\big(a_i(t) - a_j(t)\big)",
                 r"\begin{aligned}\text{Hebb: } \Delta w_{ij} &= \alpha\,a_i a_j \\ \text{Oja: } "
                 r"\Delta w_{ij} &= \alpha\,a_i\,(x_j - a_i w_{ij})\end{aligned}", "wrong",
                 "d003.synapse"),
    ),
    ("d003_identity",),
    ("code003", "synapses"),
)

DOC004 = Document(
    "004", "赋予应用记忆的能力：Memory",
    (
        Equation("memory", r"M_t = [m_1, \dots, m_t] \qquad y_t = f(x_t, M_t)",
                 r"y_t = V h_t + c, \quad h_t \text{ summarises } x_1, \dots, x_t", "general",
                 "d004.memory"),
        Equation("i", r"i_t = \sigma(w_{it}x_t + w_{ft}m_{t-1} + b_i)", _L["i"], "wrong",
                 "d004.i"),
        Equation("f", r"f_t = \sigma(w_{ft}x_t + w_{ft}m_{t-1} + b_f)", _L["f"], "wrong",
                 "d004.f"),
        Equation("o", r"o_t = \sigma(w_{ot}x_t + w_{ot}m_{t-1} + b_o)", _L["o"], "wrong",
                 "d004.same_weight"),
        Equation("g", r"g_t = \tanh(w_m x_t + w_m m_{t-1} + b_m)", _L["g"], "wrong",
                 "d004.same_weight"),
        Equation("c", r"c_t = f_t \odot m_{t-1} + i_t \odot g_t", _L["c"], "wrong", "d004.c"),
        Equation("h", r"h_t = o_t \odot \tanh(c_t)", _L["h"], "same"),
        Equation("softmax", r"p = \frac{\exp(p)}{\sum \exp(p)}",
                 r"p_k = \frac{\exp(z_k)}{\sum_{k'} \exp(z_{k'})}", "wrong", "d004.softmax"),
    ),
    ("d004_code",),
    ("lstm_doc004", "softmax"),
)

DOCUMENTS: tuple[Document, ...] = (DOC000, DOC001, DOC002, DOC003, DOC004)

# The words inside the equations above (\text{...}), each with its message under documents.tex.
_TEX_WORDS = {"(none given)": "documents.tex.none_given",
              "then softmax for classes": "documents.tex.then_softmax",
              " summarises ": "documents.tex.summarises"}


def localized(tex: str) -> str:
    """An equation with its words (\\text{...}) in the current language; the maths unchanged."""
    for words, key in _TEX_WORDS.items():
        tex = tex.replace(rf"\text{{{words}}}", rf"\text{{{i18n.t(key)}}}")
    return tex
