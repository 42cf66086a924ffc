"""The documents' slips that were only described, computed: on the trained CNN, LSTM and GRU, and
on document 003's two-neuron example. Pure functions of trained models; no streamlit here."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from memviz.cnn import model as cnn
from memviz.documents import bidirectional, variants
from memviz.engine import cells
from memviz.synapses import model as syn

# ---------------------------------------------------------------- 000: the convolution index


@dataclass(frozen=True)
class ConvIndex:
    """conv1, channel 0, on one digit: torch's map and the map as document 000 writes it."""

    k: int  # the trained kernel's side
    written_side: int  # 2k + 1: how many values per side the document's sums run over
    torch_map: np.ndarray  # (8, 8) Conv2d's output: the window slides with (m, n)
    written_map: np.ndarray  # (8, 8) the input index fixed at the origin: one number everywhere
    gap: float  # max |torch_map - written_map|


def conv_index(run: cnn.CNNRun, image: np.ndarray) -> ConvIndex:
    """Run the trained conv1 both ways on image (8, 8): windows that move, and a window fixed
    at the top-left output position, as the document's x_{i,j} (no output index) reads."""
    conv = run.model.conv1
    k = conv.kernel_size[0]
    x = torch.tensor(np.array(image, dtype=np.float32)).reshape(1, 1, cnn.SIDE, cnn.SIDE)
    with torch.no_grad():
        y = conv(x)[0, 0].numpy()  # (8, 8)
    written = np.full_like(y, y[0, 0])  # f(x, θ) has no (m, n): the same sum at every position
    return ConvIndex(k, 2 * k + 1, y, written, float(np.abs(y - written).max()))


# ---------------------------------------------------------------- 000 and 001: names


def cell_vs_hidden(trace) -> float:
    """max |c_t - h_t| on the trained LSTM's example: the two states document 000 runs together."""
    return float(np.abs(trace["c"] - trace["h"]).max())


def candidate_vs_hidden(trace) -> float:
    """max |g_t - h_t|: document 001 names both the candidate and the hidden state h_t."""
    return float(np.abs(trace["g"] - trace["h"]).max())


def gate_blocks(model: torch.nn.Module) -> int:
    """How many gate blocks the trained cell's weight_ih holds: 3 for a GRU (r, z, n), 4 for an
    LSTM (i, f, g, o). An output gate would be a fourth block; the GRU has none."""
    w = model.layer0()
    return w["weight_ih"].shape[0] // w["weight_hh"].shape[1]


# ---------------------------------------------------------------- 004: each LSTM slip alone


def lstm_doc004_part(xp_t: torch.Tensor, h: torch.Tensor, c: torch.Tensor, w: cells.Weights,
                     part: str) -> dict[str, torch.Tensor]:
    """torch's LSTM step with one of document 004's three slips put in; shapes as lstm_step.

    borrow: the input gate's recurrent term uses the forget gate's weight W_hf.
    tied: each gate's recurrent term reuses its input weight W_i* on h (cut or padded to I).
    merged: the old cell state c_{t-1} is replaced by h_{t-1}, as m_{t-1} does both jobs.
    """
    H = h.shape[-1]
    Whh = w["weight_hh"].clone()
    if part == "borrow":
        Whh[:H] = Whh[H:2 * H]
    rec = h @ Whh.T
    if part == "tied":
        m_in = variants._as_size(h, w["weight_ih"].shape[1])
        rec = m_in @ w["weight_ih"].T
    a_i, a_f, a_g, a_o = (xp_t + rec + w["bias_hh"]).chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * (h if part == "merged" else c) + i * g
    h = o * torch.tanh(c)
    return {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h}


DOC004_PARTS = ("borrow", "tied", "merged")


def doc004_parts(model: torch.nn.Module, x: np.ndarray) -> dict[str, float]:
    """max |Δh| from torch's LSTM when each of document 004's slips is put in alone, on x (T, I)."""
    w, xb = model.layer0(), variants._batch(x)
    out = {}
    with torch.no_grad():
        real = cells.lstm(xb, w)["h"]
        for part in DOC004_PARTS:
            step = functools.partial(lstm_doc004_part, part=part)
            out[part] = float((cells.lstm(xb, w, step=step)["h"] - real).abs().max())
    return out


# ---------------------------------------------------------------- 004: softmax and its loss


@dataclass(frozen=True)
class Scores:
    """Scores z (K,) from a trained model, their target class, and where they came from."""

    z: np.ndarray
    target: int
    source: str  # "lstm" or "cnn": a key of slips.source (shared by sessions of any language)

    def once(self) -> np.ndarray:
        return torch.softmax(torch.as_tensor(self.z), -1).numpy()

    def twice(self) -> np.ndarray:
        """p = exp(p)/Σ exp(p) read literally: the p on the right is already a probability."""
        return variants.softmax_twice(torch.as_tensor(self.z)).numpy()

    def losses(self) -> tuple[float, float]:
        """Cross-entropy on the target: correct, and as from_logits=True on a softmax output."""
        z, y = torch.as_tensor(self.z)[None], torch.tensor([self.target])
        return (float(F.cross_entropy(z, y)), float(F.cross_entropy(torch.softmax(z, -1), y)))

    def floor(self) -> float:
        """The least that loss can be: log(e + K − 1) − 1, at a one-hot softmax output."""
        return float(np.log(np.e + len(self.z) - 1) - 1)


def scores(lstm_lesson, cnn_run: cnn.CNNRun) -> Scores:
    """The trained LSTM's last-step scores when its task has classes, else the CNN's for the
    first held-out digit (a regression task has no softmax to get wrong)."""
    if lstm_lesson.spec.classify:
        tr = lstm_lesson.trace
        target = int(np.asarray(tr.target).reshape(-1)[-1])
        return Scores(np.array(tr.output[-1], dtype=np.float32), target, "lstm")
    data = cnn.digits(cnn_run.config.seed)
    with torch.no_grad():
        z = cnn_run.model(torch.tensor(np.array(data.x_test[:1])))[0].numpy()
    return Scores(z, int(data.y_test[0]), "cnn")


# ---------------------------------------------------------------- 003: the neuron and its code


@dataclass(frozen=True)
class Neuron:
    """Document 003's example neurons: one sum for all (as written) or a row each (as meant)."""

    written: tuple[float, float]  # (a_i, a_j) from the one sum f(0.2 × 1 + 0 × 0)
    meant: tuple[float, float]  # (a_i, a_j) with a row of weights each, own line weighted 1
    w_written: float  # w_ij(1) under the document's rule
    w_meant: float


def neuron_example(w_self: float = 1.0) -> Neuron:
    """The worked example both ways (identity f). As meant, neuron i reads its own line with
    w_self (the Synapses page's fixed own-line weight; the document gives none) and line j with
    w_ij; neuron j reads line i with w_ji and its own with w_self."""
    e = syn.WORKED
    x = np.array([e["x_i"], e["x_j"]])
    u = e["w_ij"] * e["x_i"] + e["w_ji"] * e["x_j"]
    written = np.array([u, u])
    W = np.array([[w_self, e["w_ij"]], [e["w_ji"], w_self]])
    meant = syn.activation(W, x)
    rule = e["alpha"] * (written[0] - written[1]), e["alpha"] * (meant[0] - meant[1])
    return Neuron(tuple(map(float, written)), tuple(map(float, meant)),
                  e["w_ij"] + rule[0], e["w_ij"] + rule[1])


@dataclass(frozen=True)
class CodeRun:
    """Document 003's program, re-run: its weights before and after, and Hebb on the same run."""

    before: np.ndarray  # (2, 2)
    after: np.ndarray  # (2, 2)
    hebb_after: np.ndarray  # (2, 2) the same loop with Δw = α a_i a_j
    equal_pairs: int  # inner steps where the two activities were equal
    steps: int


def doc003_code(seed: int = 0, n: int = 2, epochs: int = 10, alpha: float = 0.1) -> CodeRun:
    """Its loop in our words: for every (i, j) both inputs are 1 if i == j else 0, so both are
    the same number; both activities are sigmoid(W · that number); W moves by α (a_i − a_j)."""
    W0 = np.random.default_rng(seed).uniform(size=(n, n))
    W, Wh, equal, steps = W0.copy(), W0.copy(), 0, 0
    for _ in range(epochs):
        for i in range(n):
            for j in range(n):
                x_i = x_j = 1.0 if i == j else 0.0  # its two inputs: the same test twice
                a_i, a_j = syn.ACTIVATIONS["sigmoid"](W * x_i), syn.ACTIVATIONS["sigmoid"](W * x_j)
                equal += bool(np.array_equal(a_i, a_j))
                steps += 1
                W = W + alpha * (a_i - a_j)
                h_i = syn.ACTIVATIONS["sigmoid"](Wh * x_i)
                Wh = Wh + alpha * h_i * h_i  # Hebb on the same activities, for contrast
    return CodeRun(W0, W, Wh, equal, steps)


# ---------------------------------------------------------------- all of it, once per training


@dataclass(frozen=True)
class Evidence:
    """Every computed slip that is not a document-form cell: shared, do not mutate."""

    cnn: cnn.CNNRun
    conv: ConvIndex
    doc004: dict[str, float]
    scores: Scores
    neuron: Neuron
    code: CodeRun
    leak: bidirectional.Leak


def collect(lessons, seed: int, run: cnn.CNNRun | None = None,
            leak: bidirectional.Leak | None = None) -> Evidence:
    """Train the CNN page's network (seeded like the page) and the leak construction (unless
    given, as the run store gives them back), then compute every slip on them and on the
    trained LSTM."""
    run = run or cnn.train_cnn(cnn.CNNConfig(seed=seed))
    image = cnn.digits(seed).x_test[0, 0]  # (8, 8): the first held-out digit
    lstm = lessons["lstm"]
    return Evidence(run, conv_index(run, image), doc004_parts(lstm.run.model, lstm.trace.x),
                    scores(lstm, run), neuron_example(), doc003_code(seed),
                    leak or bidirectional.leak(seed))
