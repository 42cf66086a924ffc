"""The one registry of the documents' slips: each with its verdict and a number computed live.

The page iterates SLIPS and a test counts them; every `value` is computed from a trained Study
(never typed in), and `detail` says in a sentence what the number shows: its words come from
memviz/locales/slips.toml (`slips.<key>.title`, `.measure`, `.detail`) in the run's language,
its numbers from `fields`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from memviz import i18n
from memviz.cnn import arithmetic as ar
from memviz.documents import evidence as E
from memviz.documents import forecast002 as F002
from memviz.documents.checks import Study
from memviz.synapses import model as syn

# each slip's title, measure and detail message keys, written out so that grep and the
# catalogue test see each one
KEYS = {
    "conv_index": ("slips.conv_index.title", "slips.conv_index.measure",
        "slips.conv_index.detail"),
    "output_size": ("slips.output_size.title", "slips.output_size.measure",
        "slips.output_size.detail"),
    "fc1": ("slips.fc1.title", "slips.fc1.measure",
        "slips.fc1.detail"),
    "cell_name": ("slips.cell_name.title", "slips.cell_name.measure",
        "slips.cell_name.detail"),
    "bias_argument": ("slips.bias_argument.title", "slips.bias_argument.measure",
        "slips.bias_argument.detail"),
    "output_rule": ("slips.output_rule.title", "slips.output_rule.measure",
        "slips.output_rule.detail"),
    "candidate_name": ("slips.candidate_name.title", "slips.candidate_name.measure",
        "slips.candidate_name.detail"),
    "tanh_twice": ("slips.tanh_twice.title", "slips.tanh_twice.measure",
        "slips.tanh_twice.detail"),
    "reset_placement": ("slips.reset_placement.title", "slips.reset_placement.measure",
        "slips.reset_placement.detail"),
    "gru_output_gate": ("slips.gru_output_gate.title", "slips.gru_output_gate.measure",
        "slips.gru_output_gate.detail"),
    "own_target": ("slips.own_target.title", "slips.own_target.measure",
        "slips.own_target.detail"),
    "pad_int32": ("slips.pad_int32.title", "slips.pad_int32.measure",
        "slips.pad_int32.detail"),
    "unscaled_predict": ("slips.unscaled_predict.title", "slips.unscaled_predict.measure",
        "slips.unscaled_predict.detail"),
    "neuron_index": ("slips.neuron_index.title", "slips.neuron_index.measure",
        "slips.neuron_index.detail"),
    "difference_rule": ("slips.difference_rule.title", "slips.difference_rule.measure",
        "slips.difference_rule.detail"),
    "identity_or_sigmoid": ("slips.identity_or_sigmoid.title", "slips.identity_or_sigmoid.measure",
        "slips.identity_or_sigmoid.detail"),
    "borrowed_weight": ("slips.borrowed_weight.title", "slips.borrowed_weight.measure",
        "slips.borrowed_weight.detail"),
    "tied_weight": ("slips.tied_weight.title", "slips.tied_weight.measure",
        "slips.tied_weight.detail"),
    "merged_state": ("slips.merged_state.title", "slips.merged_state.measure",
        "slips.merged_state.detail"),
    "softmax_symbol": ("slips.softmax_symbol.title", "slips.softmax_symbol.measure",
        "slips.softmax_symbol.detail"),
    "bidirectional": ("slips.bidirectional.title", "slips.bidirectional.measure",
        "slips.bidirectional.detail"),
    "from_logits": ("slips.from_logits.title", "slips.from_logits.measure",
        "slips.from_logits.detail"),
}
SOURCE_KEYS = {"lstm": "slips.source.lstm", "cnn": "slips.source.cnn"}

Fields = Callable[[Study], dict[str, object]]


def _none(s: Study) -> dict[str, object]:
    return {}


@dataclass(frozen=True)
class Slip:
    """One slip of one document: its message key, its verdict, the number that shows it."""

    doc: str
    key: str  # slips.<key>.title / .measure / .detail
    verdict: str  # a key of sources.VERDICTS
    value: Callable[[Study], float]
    fields: Fields = _none  # the numbers its detail sentence quotes
    fmt: str = ".4f"

    @property
    def title(self) -> str:
        return i18n.t(KEYS[self.key][0])

    @property
    def measure(self) -> str:
        """What the number is."""
        return i18n.t(KEYS[self.key][1])

    def detail(self, study: Study) -> str:
        """What the number shows, in a sentence or two with the numbers filled in."""
        return i18n.t(KEYS[self.key][2], **self.fields(study))

    def shown(self, study: Study) -> str:
        """The number as the page shows it."""
        return format(self.value(study), self.fmt)


def _conv(s: Study) -> dict[str, object]:
    c = s.evidence.conv
    return dict(k=c.k, side=c.written_side, side2=c.written_side ** 2, kk=c.k * c.k,
                distinct=len(np.unique(c.torch_map.round(5))), lo=c.torch_map.min(),
                hi=c.torch_map.max(), positions=c.written_map.size, flat=c.written_map[0, 0])


def _cell_vs_hidden(s: Study) -> dict[str, object]:
    tr = s.lessons["lstm"].trace
    return dict(h_max=np.abs(tr["h"]).max(), c_max=np.abs(tr["c"]).max())


def _where(a: np.ndarray) -> tuple[int, int]:
    t, j = np.unravel_index(np.abs(a).argmax(), a.shape)
    return int(t), int(j)


def _name_clash(s: Study) -> dict[str, object]:
    tr = s.lessons["lstm"].trace
    t, j = _where(tr["g"] - tr["h"])
    return dict(step=t + 1, unit=j, g=tr["g"][t, j], h=tr["h"][t, j])


def _readout(s: Study) -> dict[str, object]:
    r, les = s.readout, s.lessons["rnn"]
    return dict(v=float(les.run.model.readout.bias[0].detach()), blind=r.blind, steps=len(r.y),
                cue=r.y_doc[-1], scores=r.y.shape[1])


def _gru_gate(s: Study) -> dict[str, object]:
    tr, m = s.lessons["gru"].trace, s.lessons["gru"].run.model
    return dict(rows=E.gate_blocks(m) * tr.H, H=tr.H, r=tr["r"][-1, 0], z=tr["z"][-1, 0],
                h=tr["h"][-1, 0])


def _neuron(s: Study) -> dict[str, object]:
    n = s.evidence.neuron
    return dict(a=n.written[0], w=n.w_written, a_i=n.meant[0], a_j=n.meant[1], w_meant=n.w_meant)


def _code(s: Study) -> dict[str, object]:
    c = s.evidence.code
    return dict(equal=c.equal_pairs, steps=c.steps, before=np.round(c.before, 3).tolist(),
                hebb=np.round(c.hebb_after, 3).tolist())


def _source(sc: E.Scores) -> str:
    return i18n.t(SOURCE_KEYS[sc.source])


def _softmax(s: Study) -> dict[str, object]:
    sc = s.evidence.scores
    return dict(source=_source(sc), classes=len(sc.z), once=sc.once().max(),
                twice=sc.twice().max(), uniform=1 / len(sc.z))


def _loss(s: Study) -> dict[str, object]:
    sc = s.evidence.scores
    right, wrong = sc.losses()
    return dict(source=_source(sc), target=sc.target, right=right, wrong=wrong, floor=sc.floor())


def _leak(s: Study) -> dict[str, object]:
    k = s.evidence.leak
    return dict(vocab=k.vocab, uni=100 * k.acc_uni, chance=100 * k.chance, bi=100 * k.acc_bi,
                window=100 * k.acc_window, bwd=k.bwd_change, fwd=k.fwd_change)


def _doc004(part: str) -> Fields:
    return lambda s: dict(gap=s.evidence.doc004[part])


def _tied(s: Study) -> dict[str, object]:
    """The gap, and the sizes it rests on: h (H values) meets a weight made for x (I values)."""
    w = s.lessons["lstm"].run.model.layer0()
    return dict(gap=s.evidence.doc004["tied"], I=w["weight_ih"].shape[1],
                H=w["weight_hh"].shape[1])


def _own_target(s: Study) -> dict[str, object]:
    f = F002.recompute()
    return dict(own=f.own_last, windows=len(f.windows), mse=f.copy_mse)


def _int32(s: Study) -> dict[str, object]:
    f = F002.recompute()
    lo, hi = f.zero_targets
    return dict(changed=f.changed, inputs=f.windows.size, windows=len(f.windows),
                distinct=f.distinct_padded, zeros=f.zero_windows, lo=lo, hi=hi)


def _unscaled(s: Study) -> dict[str, object]:
    f = F002.recompute()
    a, b = F002.PREDICT_FROM
    sa, sb = f.predict_scaled
    return dict(a=a, b=b, seen=f.train_max, sa=sa, sb=sb)


def _fc1(s: Study) -> dict[str, object]:
    return dict(arrive=ar.doc000_fc1_in(32), expects=ar.DOC000_FC1_IN,
                torch=ar.doc000_forward(32, fixed=False))


def _f_of_02(s: Study) -> dict[str, object]:
    return dict(identity=syn.worked_example("identity")["a_i"],
                sigmoid=syn.worked_example("sigmoid")["a_i"])


SLIPS: tuple[Slip, ...] = (
    Slip("000", "conv_index", "ambiguous", lambda s: s.evidence.conv.gap, _conv),
    Slip("000", "output_size", "missing",
         lambda s: ar.out_size(ar.out_size(32, 5, 1, 2), 2, 2), fmt=".0f"),
    Slip("000", "fc1", "wrong", lambda s: ar.doc000_fc1_in(32), _fc1, ".0f"),
    Slip("000", "cell_name", "wrong", lambda s: E.cell_vs_hidden(s.lessons["lstm"].trace),
         _cell_vs_hidden),
    Slip("001", "bias_argument", "ambiguous", lambda s: s.rnn_sum_gap, fmt=".1e"),
    Slip("001", "output_rule", "wrong", lambda s: s.readout.blind, _readout, ".0f"),
    Slip("001", "candidate_name", "wrong",
         lambda s: E.candidate_vs_hidden(s.lessons["lstm"].trace), _name_clash),
    Slip("001", "tanh_twice", "wrong", lambda s: s.cells["lstm_doc001"].gaps["c"]),
    Slip("002", "reset_placement", "differs", lambda s: s.cells["gru_doc002"].gaps["h"]),
    Slip("002", "gru_output_gate", "wrong", lambda s: E.gate_blocks(s.lessons["gru"].run.model),
         _gru_gate, ".0f"),
    Slip("002", "own_target", "wrong", lambda s: float(F002.recompute().own_last), _own_target,
         ".0f"),
    Slip("002", "pad_int32", "wrong", lambda s: float(F002.recompute().distinct_padded), _int32,
         ".0f"),
    Slip("002", "unscaled_predict", "wrong", lambda s: F002.recompute().predict_max, _unscaled,
         ".1f"),
    Slip("003", "neuron_index", "ambiguous",
         lambda s: abs(s.evidence.neuron.meant[0] - s.evidence.neuron.meant[1]), _neuron, ".1f"),
    Slip("003", "difference_rule", "wrong",
         lambda s: float(np.abs(s.evidence.code.after - s.evidence.code.before).max()), _code,
         ".1f"),
    Slip("003", "identity_or_sigmoid", "ambiguous",
         lambda s: syn.worked_example("sigmoid")["a_i"], _f_of_02),
    Slip("004", "borrowed_weight", "wrong", lambda s: s.evidence.doc004["borrow"],
         _doc004("borrow")),
    Slip("004", "tied_weight", "wrong", lambda s: s.evidence.doc004["tied"], _tied),
    Slip("004", "merged_state", "wrong", lambda s: s.evidence.doc004["merged"],
         _doc004("merged")),
    Slip("004", "softmax_symbol", "wrong", lambda s: float(s.evidence.scores.twice().max()),
         _softmax, ".3f"),
    Slip("004", "bidirectional", "ambiguous", lambda s: s.evidence.leak.acc_bi, _leak, ".2f"),
    Slip("004", "from_logits", "wrong", lambda s: s.evidence.scores.losses()[1], _loss, ".3f"),
)


def by_document(doc: str) -> tuple[Slip, ...]:
    """The slips of one document, in registry order."""
    return tuple(s for s in SLIPS if s.doc == doc)


def table(study: Study) -> list[dict]:
    """One row per slip: number, document, slip, verdict, what is measured, the number (column
    names are identifiers; the page names them in its language)."""
    return [{"#": n, "document": s.doc, "slip": s.title, "verdict": s.verdict,
             "measured": s.measure, "value": s.shown(study)}
            for n, s in enumerate(SLIPS, 1)]
