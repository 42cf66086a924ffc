"""The one registry of the documents' slips: each with its verdict and a number computed live.

The page iterates SLIPS and a test counts them; every `value` is computed from a trained Study
(never typed in), and `detail` says in a sentence what the number shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from memviz.cnn import arithmetic as ar
from memviz.documents import evidence as E
from memviz.documents.checks import Study
from memviz.synapses import model as syn


@dataclass(frozen=True)
class Slip:
    """One slip of one document: what it is, its verdict, the number that shows it."""

    doc: str
    title: str
    verdict: str  # a key of sources.VERDICTS
    measure: str  # what the number is
    value: Callable[[Study], float]
    detail: Callable[[Study], str]
    fmt: str = ".4f"

    def shown(self, study: Study) -> str:
        """The number as the page shows it."""
        return format(self.value(study), self.fmt)


def _conv(s: Study) -> str:
    c = s.evidence.conv
    return (f"The trained kernel is {c.k} × {c.k}; with that k the written sums run over "
            f"{c.written_side} × {c.written_side} = {c.written_side ** 2} weights, and only "
            f"{c.k * c.k} exist. On a held-out digit, torch's conv1 (channel 0) gives "
            f"{len(np.unique(c.torch_map.round(5)))} different values from "
            f"{c.torch_map.min():.3f} to {c.torch_map.max():.3f}; with the input index fixed, "
            f"all 64 positions get {c.written_map[0, 0]:.3f}.")


def _cell_vs_hidden(s: Study) -> str:
    tr = s.lessons["lstm"].trace
    return (f"On the trained LSTM's example, max |h_t| = {np.abs(tr['h']).max():.3f} (h is "
            f"o · tanh(c), so never beyond 1) while max |c_t| = {np.abs(tr['c']).max():.3f}: "
            "two different vectors, and only c_t is the cell state.")


def _where(a: np.ndarray) -> tuple[int, int]:
    t, j = np.unravel_index(np.abs(a).argmax(), a.shape)
    return int(t), int(j)


def _name_clash(s: Study) -> str:
    tr = s.lessons["lstm"].trace
    t, j = _where(tr["g"] - tr["h"])
    return (f"At step {t + 1}, unit {j}, the candidate tanh(W_c x_t + U_c h_{{t-1}} + b_c) is "
            f"{tr['g'][t, j]:.3f} and the hidden state is {tr['h'][t, j]:.3f}: two numbers "
            "that the document calls h_t.")


def _readout(s: Study) -> str:
    r, les = s.readout, s.lessons["rnn"]
    v = float(les.run.model.readout.bias[0].detach())
    return (f"The rule's output equals v = {v:.3f} on {r.blind} of {len(r.y)} steps (those "
            f"where the input it multiplies is zero); at the last step (the cue, in delayed "
            f"recall) it is {r.y_doc[-1]:.3f}, one number where the trained readout gives "
            f"{r.y.shape[1]} scores.")


def _gru_gate(s: Study) -> str:
    tr, m = s.lessons["gru"].trace, s.lessons["gru"].run.model
    H = tr.H
    return (f"The trained nn.GRU's weight_ih has {E.gate_blocks(m) * H} rows = 3 blocks of "
            f"H = {H}: r, z and the candidate n; nn.LSTM's has 4 (i, f, g, o). At the last step, "
            f"unit 0: r = {tr['r'][-1, 0]:.3f}, z = {tr['z'][-1, 0]:.3f}, and h_t = "
            f"{tr['h'][-1, 0]:.3f} leaves unscaled: no o exists to multiply it.")


def _neuron(s: Study) -> str:
    n = s.evidence.neuron
    return (f"As written, one sum with no neuron index: a_i = a_j = {n.written[0]:.1f} and the "
            f"rule keeps w_ij at {n.w_written:.1f}. As meant, a row of weights per neuron (own "
            f"line weighted 1, our assumption): a_i = {n.meant[0]:.1f}, a_j = {n.meant[1]:.1f}, "
            f"and the same rule gives w_ij(1) = {n.w_meant:.1f}. The number is |a_i − a_j| as "
            "meant; as written it is 0.")


def _code(s: Study) -> str:
    c = s.evidence.code
    return (f"Its program re-run (our words): the two activities were equal in "
            f"{c.equal_pairs} of {c.steps} updates, so W stays {np.round(c.before, 3).tolist()} "
            f"throughout; Hebb's product on the same activities ends at "
            f"{np.round(c.hebb_after, 3).tolist()}.")


def _softmax(s: Study) -> str:
    sc = s.evidence.scores
    return (f"On {sc.source} ({len(sc.z)} classes): softmax once gives a top probability of "
            f"{sc.once().max():.3f}; reading the right-hand p as the probabilities (the same "
            f"symbol) gives {sc.twice().max():.3f}, towards the uniform {1 / len(sc.z):.3f}.")


def _loss(s: Study) -> str:
    sc = s.evidence.scores
    right, wrong = sc.losses()
    return (f"Cross-entropy on {sc.source}, target class {sc.target}: {right:.3f} from the scores, "
            f"{wrong:.3f} when the softmax output is treated as scores (from_logits=True), "
            f"which can never fall below {sc.floor():.3f}.")


def _leak(s: Study) -> str:
    k = s.evidence.leak
    return (f"Our construction: random strings over {k.vocab} characters, next character "
            f"predicted at every position. Left to right: {100 * k.acc_uni:.0f}% (chance "
            f"{100 * k.chance:.0f}%); bidirectional: {100 * k.acc_bi:.0f}%. Changing only "
            f"x_{{t+1}} moves the backward state at t by up to {k.bwd_change:.3f} and the "
            f"forward state by {k.fwd_change:.1g}: the answer is read, not predicted, and the "
            "state at t cannot be computed before x_{t+1} is written.")


def _doc004(part: str, what: str) -> Callable[[Study], str]:
    return lambda s: (f"Only this slip put into torch's LSTM, on its trained weights: {what} "
                      f"h moves by up to {s.evidence.doc004[part]:.4f} over the example.")


SLIPS: tuple[Slip, ...] = (
    Slip("000", "the convolution's index", "ambiguous", "max |Δ| over positions, fixed index",
         lambda s: s.evidence.conv.gap, _conv),
    Slip("000", "no output-size formula", "missing", "side after its conv and pool (n = 32)",
         lambda s: ar.out_size(ar.out_size(32, 5, 1, 2), 2, 2),
         lambda s: "⌊(32 + 2·2 − 5)/1⌋ + 1 = 32 after its 5 × 5 conv with padding 2, halved "
                   "to 16 by the 2 × 2 pool: 16 × 16 per channel, which the formula gives at "
                   "once.", ".0f"),
    Slip("000", "its CNN's first linear layer", "wrong", "numbers arriving at fc1 (n = 32)",
         lambda s: ar.doc000_fc1_in(32),
         lambda s: f"16 channels × 16 × 16 = {ar.doc000_fc1_in(32)} arrive; the layer expects "
                   f"16 × 5 × 5 = {ar.DOC000_FC1_IN}. torch says: "
                   f"{ar.doc000_forward(32, fixed=False)}", ".0f"),
    Slip("000", "h_t called the cell state", "wrong", "max |c_t − h_t| on the trained LSTM",
         lambda s: E.cell_vs_hidden(s.lessons["lstm"].trace), _cell_vs_hidden),
    Slip("001", "the bias as a second argument", "ambiguous", "max |Δh|, read as a sum",
         lambda s: s.rnn_sum_gap,
         lambda s: "Read as f(Wx_t + Uh_{t-1} + b) it is torch's nn.RNN on the trained weights, "
                   "to float rounding.", ".1e"),
    Slip("001", "the output h_t · x_t + v", "wrong", "steps where its output is just v",
         lambda s: s.readout.blind, _readout, ".0f"),
    Slip("001", "the candidate named h_t", "wrong", "max |g_t − h_t| on the trained LSTM",
         lambda s: E.candidate_vs_hidden(s.lessons["lstm"].trace), _name_clash),
    Slip("001", "tanh applied twice", "wrong", "max |Δc| on the trained LSTM",
         lambda s: s.cells["lstm_doc001"].gaps["c"],
         lambda s: "The cell receives tanh(g_t) for g_t; see the live demo below."),
    Slip("002", "reset gate before the product", "differs", "max |Δh| on the trained GRU",
         lambda s: s.cells["gru_doc002"].gaps["h"],
         lambda s: "Cho et al.'s placement on weights trained with torch's; live demo below."),
    Slip("002", "a GRU 'output gate'", "wrong", "gate blocks in the trained nn.GRU",
         lambda s: E.gate_blocks(s.lessons["gru"].run.model), _gru_gate, ".0f"),
    Slip("003", "one neuron equation for two neurons", "ambiguous", "|a_i − a_j| as meant",
         lambda s: abs(s.evidence.neuron.meant[0] - s.evidence.neuron.meant[1]), _neuron, ".1f"),
    Slip("003", "Δw = α (a_i − a_j): its code never learns", "wrong",
         "max |ΔW| after its program's 10 epochs",
         lambda s: float(np.abs(s.evidence.code.after - s.evidence.code.before).max()), _code,
         ".1f"),
    Slip("003", "identity in the text, sigmoid in the code", "ambiguous", "f(0.2) with a sigmoid",
         lambda s: syn.worked_example("sigmoid")["a_i"],
         lambda s: f"Its text's f is the identity, f(0.2) = "
                   f"{syn.worked_example('identity')['a_i']:.1f}; its code's sigmoid gives "
                   f"{syn.worked_example('sigmoid')['a_i']:.4f}. The rule stays silent "
                   "either way."),
    Slip("004", "the input gate borrows w_ft", "wrong", "max |Δh|, this slip alone",
         lambda s: s.evidence.doc004["borrow"],
         _doc004("borrow", "the input gate's recurrent weight replaced by the forget gate's;")),
    Slip("004", "one weight for x_t and m_{t-1}", "wrong", "max |Δh|, this slip alone",
         lambda s: s.evidence.doc004["tied"],
         _doc004("tied", "each gate's input weight also multiplying the state;")),
    Slip("004", "m_{t-1} as hidden and cell state", "wrong", "max |Δh|, this slip alone",
         lambda s: s.evidence.doc004["merged"],
         _doc004("merged", "h_{t-1} standing in for c_{t-1};")),
    Slip("004", "p = exp(p) / Σ exp(p)", "wrong", "top probability, right-hand p as p",
         lambda s: float(s.evidence.scores.twice().max()), _softmax, ".3f"),
    Slip("004", "a bidirectional LSTM for generation", "wrong",
         "next-character accuracy, bidirectional (ours)",
         lambda s: s.evidence.leak.acc_bi, _leak, ".2f"),
    Slip("004", "from_logits=True on a softmax", "wrong", "its loss on the target",
         lambda s: s.evidence.scores.losses()[1], _loss, ".3f"),
)


def by_document(doc: str) -> tuple[Slip, ...]:
    """The slips of one document, in registry order."""
    return tuple(s for s in SLIPS if s.doc == doc)


def table(study: Study) -> list[dict]:
    """One row per slip: number, document, slip, verdict, what is measured, the number."""
    return [{"#": n, "document": s.doc, "slip": s.title, "verdict": s.verdict,
             "measured": s.measure, "value": s.shown(study)}
            for n, s in enumerate(SLIPS, 1)]
