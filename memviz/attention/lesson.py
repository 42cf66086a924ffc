"""What the attention page shows, computed without streamlit: one decoded example of each
variant, the numbers of decoding step k as equations, the decoder GRU's steps as a recurrent
Trace (for the shared step-through), and the checks that they are the model's."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from memviz import i18n
from memviz.attention import data, seq2seq
from memviz.attention.figures import token_label
from memviz.attention.train import Both, Seq2SeqConfig, max_steps, test_batch
from memviz.engine import cells
from memviz.engine.models import weights_of
from memviz.engine.trace import Trace, frozen

SCORE = r"e_{k,j} = s_k^{\top} W_a\, h_j"
WEIGHTS = r"\alpha_{k,j} = \frac{\exp(e_{k,j})}{\sum_{j'} \exp(e_{k,j'})}"
CONTEXT = r"c_k = \sum_{j=1}^{S} \alpha_{k,j}\, h_j"
STATE = r"s_k = \mathrm{GRU}(E\,y_{k-1},\ s_{k-1}), \qquad s_0 = h_S"
MIX = r"a_k = \tanh(W_c [s_k; c_k] + b_c)"
OUTPUT = r"p_k = \mathrm{softmax}(W_o a_k + b_o), \quad y_k = \arg\max p_k"
PLAIN = r"c_k = h_S \quad \text{(the same vector at every step)}"


@dataclass(frozen=True)
class Walk:
    """One source decoded greedily: labels of the source and of the output tokens, the
    answer, and the decoding record (batch of one, arrays indexed [0])."""

    source: list[str]
    output: list[str]
    answer: str
    text: str
    decoded: seq2seq.Decoded

    @property
    def steps(self) -> int:
        return len(self.output)

    @property
    def correct(self) -> bool:
        return self.text == self.answer


def walk(model: seq2seq.Seq2Seq, cfg: Seq2SeqConfig, n: int, index: int = 0) -> Walk:
    """Decode held-out example `index` of length n (the same one for both variants)."""
    b = test_batch(cfg, n, count=index + 1)
    S = int(b.src_len[index])
    src, src_len = b.src[index: index + 1, :S], b.src_len[index: index + 1]
    dec = seq2seq.greedy(model, src, src_len, max_steps(cfg.task, n))
    tokens = [int(t) for t in dec.tokens[0]]
    end = tokens.index(data.EOS) + 1 if data.EOS in tokens else len(tokens)
    return Walk([token_label(t) for t in src[0]], [token_label(t) for t in tokens[:end]],
                data.answer(cfg.task, b.texts[index]), data.decode(tokens), dec)


def hand_check(model: seq2seq.Seq2Seq, w: Walk) -> float:
    """Largest difference between the module's numbers and step_by_hand's over every decoding
    step of the walk: |difference| for alpha, c and p; for the scores e, relative to their
    size (a score of 80 in float32 carries only ~1e-5 absolute precision)."""
    weights = seq2seq.weights(model)
    h = w.decoded.enc[0].double().numpy()  # (S, H)
    worst = 0.0
    for k in range(w.steps):
        hand = seq2seq.step_by_hand(weights, w.decoded.s[0, k].double().numpy(), h)
        for name in ("e", "alpha", "c", "p"):
            ours = getattr(w.decoded, name)
            if ours is not None:
                diff = np.abs(ours[0, k].double().numpy() - hand[name]).max()
                scale = max(1.0, float(np.abs(hand[name]).max())) if name == "e" else 1.0
                worst = max(worst, float(diff) / scale)
    return worst


@torch.no_grad()
def decoder_trace(model: seq2seq.Seq2Seq, w: Walk) -> Trace:
    """The decoder GRU over the walk's K output steps, gate by gate, as a recurrent Trace: x_k =
    E y_{k-1} (BOS, then the tokens fed back), from s_0 = h_S; output: the logits (K, V);
    target: the answer's tokens and EOS (-1 past them); max_abs_diff: hand-written h against
    the states s greedy decoding recorded."""
    d, K = w.decoded, w.steps
    fed = [data.BOS, *[int(y) for y in d.tokens[0, : K - 1]]]
    x = model.tgt_embed(torch.tensor([fed]))  # (1, K, E)
    s0 = d.s_prev[0, :1]  # (1, H): s_0 = h_S, the encoder's last state
    states = cells.run("gru", x, weights_of(model.decoder), h0=s0)  # each (1, K, H)
    h = d.enc[:, :len(w.source)]  # (1, S, H)
    mask = torch.ones(1, h.shape[1], dtype=torch.bool)
    logits = model.attend(states["h"], h, mask, s0)["logits"][0]  # (K, V)
    want = (data.encode(w.answer) + [data.EOS])[:K]
    target = torch.tensor(want + [-1] * (K - len(want)))
    return Trace(arch="gru", x=frozen(x[0]), fields={k: frozen(v[0]) for k, v in states.items()},
                 output=frozen(logits), target=frozen(target),
                 max_abs_diff=float((states["h"][0] - d.s[0, :K]).abs().max()),
                 initial={"h": frozen(s0[0])})


def _vec(v: torch.Tensor, shown: int = 3) -> str:
    """(0.12, -0.40, ..., 0.05) with the first `shown` entries and the last."""
    vals = [f"{x:.2f}" for x in v.tolist()]
    body = vals if len(vals) <= shown + 1 else vals[:shown] + [r"\ldots"] + vals[-1:]
    return r"\left(" + r",\ ".join(body) + r"\right)"


def _rows(name: str, vals: list[str], per: int = 5) -> str:
    """name = (v1, ..., vS), broken into lines of `per` entries so it fits a narrow column."""
    lines = [r",\ ".join(vals[i: i + per]) for i in range(0, len(vals), per)]
    body = r",\\ &\quad ".join(lines)
    return rf"\begin{{aligned}} {name} = \big(&{body}\big) \end{{aligned}}"


def step_latex(w: Walk, k: int) -> list[str]:
    """Equations of output step k (0-based) with this run's numbers in them."""
    d, K = w.decoded, k + 1
    out = [rf"s_{{{K}}} = {_vec(d.s[0, k])}"]
    if d.alpha is not None:
        out += [_rows(rf"e_{{{K},\cdot}}", [f"{x:.1f}" for x in d.e[0, k].tolist()]),
                _rows(rf"\alpha_{{{K},\cdot}}", [f"{x:.2f}" for x in d.alpha[0, k].tolist()])]
    out.append(rf"c_{{{K}}} = {_vec(d.c[0, k])}")
    p = d.p[0, k]
    y = int(p.argmax())
    out.append(rf"y_{{{K}}} = \text{{{token_label(y)}}}, \quad p_{{{K}}}(y_{{{K}}}) = "
               rf"{float(p[y]):.3f}")
    return out


def summary(both: Both) -> str:
    """One sentence: exact accuracy of both variants at the longest training length and beyond."""
    n = both.config.max_len
    a, p = both.attn.accuracy, both.plain.accuracy
    far = max(a)
    return i18n.t("attention.s2s.summary", n=n, attn=f"{a[n][0]:.0%}", plain=f"{p[n][0]:.0%}",
                  far=far, attn_far=f"{a[far][0]:.0%}", plain_far=f"{p[far][0]:.0%}")


def cost_table(T: int, H: int = 32, n_symbols: int = 4):
    """FLOPs per delayed-recall sequence of length T for each horizon model at width H (the
    horizon sweep's CNN: kernel 5, 3 layers, dilation 2, field 29), as a pandas frame."""
    import pandas as pd

    from memviz.attention.selfattn import flops_per_sequence

    n_in, n_out = n_symbols + 1, n_symbols
    rows = {name: flops_per_sequence(arch, T, n_in, H, n_out, kernel=5, depth=3, field=29)
            for name, arch in (("RNN", "rnn"), ("LSTM", "lstm"), ("GRU", "gru"), ("CNN", "cnn"),
                               (i18n.t("attention.cost.last"), "attention"))}
    rows[i18n.t("attention.cost.every")] = flops_per_sequence("attention", T, n_in, H, n_out,
                                                              last_only=False)
    return pd.DataFrame({i18n.t("attention.cost.model"): list(rows),
                         i18n.t("attention.cost.flops", T=T): list(rows.values())})


def cost_reading(T: int, H: int = 32, n_symbols: int = 4) -> str:
    """What cost_table(T) shows, in words: where attention sits against the LSTM at this T, and
    the length from which attention with an output at every step costs more (its T² term)."""
    from memviz.attention.selfattn import MAX_POSITIONS, flops_per_sequence

    n_in, n_out = n_symbols + 1, n_symbols

    def cost(arch: str, n: int, last_only: bool = True) -> int:
        return flops_per_sequence(arch, n, n_in, H, n_out, last_only=last_only)

    cross = next((n for n in range(2, MAX_POSITIONS + 1)
                  if cost("attention", n, False) > cost("lstm", n)), None)
    lstm, last, every = cost("lstm", T), cost("attention", T), cost("attention", T, False)
    side = "attention.cost.below" if every <= lstm else "attention.cost.above"
    text = i18n.t("attention.cost.reading", T=T, lstm=f"{lstm:,}", last=f"{last:,}",
                  every=f"{every:,}", side=i18n.t(side))
    if cross is not None:
        text += i18n.t("attention.cost.crossing", cross=cross)
    return text
