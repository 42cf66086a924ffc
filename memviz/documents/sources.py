"""The five source documents as data: titles, summaries, every equation with its verdict.

For each document: its title, a summary in our own words, and every equation it gives beside
the form the app computes, with a verdict. `prepare` trains one small RNN, LSTM and GRU on the
same task and computes, on their weights and one example sequence, every document form that
differs from torch's (see shared/equations.md), plus the proof that the hand-written cells are
torch's fused modules. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

from memviz.documents.demotext import DEMO_TEXT, DEMO_TITLES  # noqa: F401 (re-exported)
from memviz.recurrent.equations import CANONICAL

INTRO = (
    "memviz was built from five documents on memory in neural networks. Below, each one gets a "
    "short summary and **every equation it writes, beside the form this app computes** (the "
    "form PyTorch uses). Where a document's equation is wrong or ambiguous the page says so and "
    "runs the document's version on the weights of a freshly trained model, so you can see how "
    "much it matters in numbers. Train the three small models first (a few seconds)."
)
VERIFY_TEXT = (
    "Every number on this site comes from the cells written out gate by gate (memviz/cells.py). "
    "Here they are run again next to torch's fused modules nn.RNN, nn.LSTM and nn.GRU, on the "
    "example sequence and on a fresh random batch, right now."
)

# Streamlit's bundled material icons (emoji need a font a classroom machine may lack).
VERDICTS = {
    "same": ":green[:material/check_circle:] the same function the app computes",
    "differs": ":blue[:material/compare_arrows:] a different, legitimate convention: not what "
               "the app computes",
    "ambiguous": ":orange[:material/warning:] ambiguous as written",
    "wrong": ":red[:material/cancel:] wrong as written",
    "missing": ":orange[:material/help:] not given in the document",
    "general": ":blue[:material/info:] a general form, not a specific computation",
}


@dataclass(frozen=True)
class Equation:
    """One equation as a document writes it, the form the app computes, and how they compare."""

    label: str
    doc: str  # LaTeX, as written in the document
    canonical: str  # LaTeX, what the app (torch) computes
    verdict: str  # a key of VERDICTS
    note: str = ""


@dataclass(frozen=True)
class Document:
    """A source document: title, our summary, its equations, other remarks, its live demos."""

    number: str
    title: str
    english: str
    summary: str
    equations: tuple[Equation, ...]
    remarks: tuple[str, ...] = ()
    demos: tuple[str, ...] = ()  # keys of DEMOS, drawn by the page after the equations


_L = CANONICAL["lstm"]
_G = CANONICAL["gru"]
_CAT = r"[h_{t-1}, x_t]"
_CONV = (r"\begin{aligned}y_{m,n} = b &+ \sum_{c}\sum_{u=0}^{k-1}\sum_{v=0}^{k-1} w_{c,u,v}"
         r"\\ &\cdot x_{c,\,sm+u-p,\,sn+v-p}\end{aligned}")
_SIZE = r"n_{\text{out}} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1"
_READOUT = r"y_t = V h_t + c \quad(\text{then softmax for classes})"
_U = "U is torch's W_h (the recurrent weight), W its W_i; the two biases add up to b."


def _lines(*tex: str) -> str:
    """Equations stacked and centred, one per line."""
    return r"\begin{gathered}" + r"\\".join(tex) + r"\end{gathered}"


def _same_concat(gate: str, sym: str, fn: str, note: str = "") -> Equation:
    return Equation(f"{sym}", rf"{sym}_t = {fn}(W_{gate} \cdot {_CAT} + b_{gate})",
                    _L[{"c": "g"}.get(gate, gate)], "same", note)


DOC000 = Document(
    "000", "记忆：短期记忆与长期记忆", "Memory: short-term and long-term memory",
    "This document sorts a network's memory into two kinds. A convolution kernel only ever "
    "looks at a small window of its input, so it plays the part of short-term memory; an LSTM "
    "or GRU cell carries a state along a whole sequence, so it plays the part of long-term "
    "memory. It writes down the convolution and the LSTM update, describes how the two kinds "
    "interact while a network trains, gives a small PyTorch CNN and LSTM, and lists uses in "
    "vision, language, speech and recommendation.",
    (
        Equation("convolution", r"f(x,\theta) = \sum_{i=-k}^{k}\sum_{j=-k}^{k} w_{i,j} * "
                 r"x_{i,j} + b", _CONV, "ambiguous",
                 "The kernel is said to be k × k, but the sums run over 2k + 1 values per side; "
                 "and the input index does not move with the output position, so as written "
                 "every output would be the same number. torch's Conv2d slides the window: "
                 "output (m, n) reads the input around (sm − p, sn − p)."),
        Equation("output size", r"\text{(none given)}", _SIZE, "missing",
                 "The stride s and padding p are named, but no formula for the output size; "
                 "without it the document's own network gets its shapes wrong (see below)."),
        _same_concat("i", "i", r"\sigma"),
        _same_concat("f", "f", r"\sigma"),
        _same_concat("o", "o", r"\sigma"),
        Equation("c", rf"\begin{{aligned}}c_t = f_t * c_{{t-1}} &+ i_t * \\ &\tanh(W_c \cdot "
                 rf"{_CAT} + b_c)\end{{aligned}}", _lines(_L["g"], _L["c"]), "same",
                 "Here * means element by element; the tanh term is torch's candidate g_t."),
        Equation("h", r"h_t = o_t * \tanh(c_t)", _L["h"], "same"),
    ),
    (
        "The words under the LSTM equations call h_t the cell state and c_t a 'cell update "
        "state', and the model section counts c as an 'update gate'. In fact h_t is the hidden "
        "state, c_t is the cell state, and c is not a gate: the LSTM has three gates, i, f, o.",
        "Its CNN code cannot run as written: after a 5 × 5 convolution with padding 2 and one "
        "2 × 2 pool, a 32 × 32 colour image leaves 16 × 16 × 16 numbers, not the 16 × 5 × 5 the "
        "first linear layer expects, and it pools again after that layer.",
    ),
    ("concat", "cnn_shapes", "conv_index", "cell_hidden"),
)

DOC001 = Document(
    "001", "短期记忆：利用上下文学习", "Short-term memory: learning from context",
    "This document treats short-term memory as the ability to use context: a model keeps a "
    "running summary of what it has seen and lets it shape the next answer. It compares "
    "multilayer perceptrons, recurrent networks and transformers as context-aware models, with "
    "a detour into reinforcement learning. Its mathematics is a recurrent state update, an "
    "output rule and an LSTM; it then builds a small recurrent network in TensorFlow and "
    "points to translation, speech recognition and text generation.",
    (
        Equation("RNN state", r"h_t = f(Wx_t + Uh_{t-1}, b)", CANONICAL["rnn"]["h"],
                 "ambiguous",
                 "The bias is written as a second argument of f. Read as a sum, "
                 "f(Wx_t + Uh_{t-1} + b), it is exactly torch's RNN (which stores b in two "
                 "halves): checked live below."),
        Equation("output", r"y_t = g(h_t \cdot x_t + v)", _READOUT, "wrong",
                 "This multiplies the state by the current input, giving one number per step "
                 "that equals g(v) whenever the input is zero; a readout maps the state alone "
                 "through a weight matrix V, one output per class."),
        Equation("candidate", r"h_t = \tanh(W_c x_t + U_c h_{t-1} + b_c)", _L["g"], "wrong",
                 "The candidate is given the name h_t, the same name as the hidden state."),
        Equation("i", r"i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)", _L["i"], "same", _U),
        Equation("f", r"f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)", _L["f"], "same"),
        Equation("o", r"o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o)", _L["o"], "same"),
        Equation("c", r"c_t = f_t \odot c_{t-1} + i_t \odot \tanh(h_t)", _L["c"], "wrong",
                 "The candidate h_t already went through tanh, so the cell receives "
                 "tanh(tanh(·)): a shrunken candidate. Measured live below."),
        Equation("h", r"h_t = o_t \odot \tanh(c_t)", _L["h"], "same"),
    ),
    (),
    ("rnn_sum", "readout", "lstm_doc001"),
)

DOC002 = Document(
    "002", "短期记忆：利用上下文学习",
    "Short-term memory: learning from context (the long version)",
    "The long version of the same topic. It starts from psychology and neuroscience — a "
    "short-term span of about seven items, 7 ± 2 (it cites no source; the figure is Miller's, "
    "1956, our citation), and synapses that strengthen or "
    "weaken with use (long-term potentiation and depression) — and then turns to machine "
    "learning: why a plain recurrent network loses long dependencies, how the gates of the LSTM "
    "and GRU help, and refinements such as gradient clipping, layer normalisation and peephole "
    "connections. Its worked examples forecast a series from a window of five past values with "
    "an LSTM and compare an LSTM with a GRU on sentiment classification (it reports the GRU "
    "slightly ahead).",
    (
        _same_concat("f", "f", r"\sigma"),
        _same_concat("i", "i", r"\sigma"),
        Equation("c̃", rf"\tilde c_t = \tanh(W_c \cdot {_CAT} + b_c)", _L["g"], "same",
                 "Its c̃_t is torch's g_t."),
        _same_concat("o", "o", r"\sigma"),
        Equation("c", r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t", _L["c"], "same"),
        Equation("h", r"h_t = o_t \odot \tanh(c_t)", _L["h"], "same"),
        Equation("z", rf"z_t = \sigma(W_z \cdot {_CAT} + b_z)", _G["z"], "same",
                 "Both let z_t keep the old state, so the update gate agrees."),
        Equation("r", rf"r_t = \sigma(W_r \cdot {_CAT} + b_r)", _G["r"], "same"),
        Equation("h (GRU)", r"\begin{aligned}h_t = z_t \odot h_{t-1} &+ (1 - z_t) \odot \\"
                 r"&\tanh(W_h \cdot [r_t \odot h_{t-1}, x_t] + b_h)\end{aligned}",
                 _lines(_G["n"], _G["h"]), "differs",
                 "The document resets h_{t-1} before the matrix product (Cho et al., 2014); "
                 "torch, cuDNN and Keras' default apply the reset gate after it, to "
                 "W_hn h_{t-1} + b_hn. Both are GRUs, but different functions: the numbers on "
                 "this site come from torch's. Measured live below."),
    ),
    ("One passage says the GRU has an update gate and an output gate; it has an update gate "
     "and a reset gate, and no output gate.",),
    ("concat", "gru_doc002"),
)

DOC003 = Document(
    "003", "短期记忆与长期记忆",
    "Short-term and long-term memory: the neuroscience view",
    "This document takes the neuroscientist's view. A neuron adds up its weighted inputs and "
    "fires according to an activation function; memory lives in the synapses, whose strength "
    "changes with activity, and repetition turns a passing trace into a lasting change. It "
    "gives a neuron model and a synapse-update rule, works one step by hand for two neurons, "
    "simulates a few synapses, and draws the path from activation through strengthening or "
    "weakening of synapses to encoding, storage and retrieval.",
    (
        Equation("neuron", r"a(t) = f\Big(\sum_{i=1}^{n} w_i x_i(t)\Big)",
                 r"a_i(t) = f\Big(\sum_j w_{ij}\,x_j(t)\Big)", "ambiguous",
                 "One index i serves for the input and, in the text, for the neuron; the "
                 "Synapses page gives each neuron i its own weights w_ij."),
        Equation("synapse", r"w_{ij}(t+1) = w_{ij}(t) + \alpha\,\big(a_i(t) - a_j(t)\big)",
                 r"\begin{aligned}\text{Hebb: } \Delta w_{ij} &= \alpha\,a_i a_j \\ \text{Oja: } "
                 r"\Delta w_{ij} &= \alpha\,a_i\,(x_j - a_i w_{ij})\end{aligned}", "wrong",
                 "This changes a weight by the difference of two activities, so two neurons "
                 "firing together change nothing; Hebbian learning changes it by their product."),
    ),
    ("The worked example takes f as the identity (both activities 0.2, the weight stays 0.2); "
     "the document's code uses a sigmoid, for which f(0.2) ≈ 0.550.",),
    ("code003", "synapses"),
)

DOC004 = Document(
    "004", "赋予应用记忆的能力：Memory", "Giving applications memory",
    "This document asks how an application can be given memory and surveys the tools: "
    "recurrent networks, LSTMs, GRUs, variational autoencoders, attention and transformers, "
    "each a way to keep past information and use it again. It describes memory as a growing "
    "list of traces M_t with an output that depends on the input and that list, writes an LSTM "
    "in its own notation, and applies it to character-by-character text generation, ending each "
    "step with a softmax over the next character.",
    (
        Equation("memory", r"M_t = [m_1, \dots, m_t] \qquad y_t = f(x_t, M_t)",
                 r"y_t = V h_t + c, \quad h_t \text{ summarises } x_1, \dots, x_t", "general",
                 "A recurrent cell does not keep the list: it compresses it into one state."),
        Equation("i", r"i_t = \sigma(w_{it}x_t + w_{ft}m_{t-1} + b_i)", _L["i"], "wrong",
                 "The recurrent term borrows the forget gate's weight w_ft."),
        Equation("f", r"f_t = \sigma(w_{ft}x_t + w_{ft}m_{t-1} + b_f)", _L["f"], "wrong",
                 "One weight serves the input and the recurrent term (torch has W_if and W_hf)."),
        Equation("o", r"o_t = \sigma(w_{ot}x_t + w_{ot}m_{t-1} + b_o)", _L["o"], "wrong",
                 "The same single weight for both terms."),
        Equation("g", r"g_t = \tanh(w_m x_t + w_m m_{t-1} + b_m)", _L["g"], "wrong",
                 "The same single weight for both terms."),
        Equation("c", r"c_t = f_t \odot m_{t-1} + i_t \odot g_t", _L["c"], "wrong",
                 "m_{t-1} stands for the previous hidden state inside the gates and for the "
                 "previous cell state here: one vector doing two jobs."),
        Equation("h", r"h_t = o_t \odot \tanh(c_t)", _L["h"], "same"),
        Equation("softmax", r"p = \frac{\exp(p)}{\sum \exp(p)}",
                 r"p_k = \frac{\exp(z_k)}{\sum_{k'} \exp(z_{k'})}", "wrong",
                 "The same symbol p on both sides: the scores z that go in are not the "
                 "probabilities p that come out."),
    ),
    ("Its text-generation code wraps the LSTM in a bidirectional layer that returns one output "
     "per input window, and the article never shows its data set, so no leak is shown. What is "
     "true: a bidirectional layer cannot generate text left to right (its backward half needs "
     "characters not yet written), and one trained to predict at every position would see the "
     "very character it is asked for (our construction below). The same code computes its loss "
     "with from_logits=True on an output that is already a softmax, so softmax is applied "
     "twice (measured below).",),
    ("lstm_doc004", "softmax"),
)

DOCUMENTS: tuple[Document, ...] = (DOC000, DOC001, DOC002, DOC003, DOC004)
