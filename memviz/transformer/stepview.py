"""The shared stepper's payload for a Transformer trace (memviz.stepdata.payload_of): one
heatmap per layer and head, its (T, T) attention weights (column t: the query position, row j:
the key position it reads), and each head's equation with live numbers at (t, j):
s = q_t . k_j / sqrt(d) and a = softmax_j(s). The stepper's "unit" is the key position j."""

from __future__ import annotations

from memviz import plotting, stepdata
from memviz.engine.equations import slots
from memviz.i18n import t
from memviz.transformer.trace import AttnTrace


def names(tr: AttnTrace) -> list[tuple[int, int, str]]:
    """(layer, head, field name) for every head, layers and heads counted from 1."""
    return [(L + 1, h + 1, f"a{L + 1}_{h + 1}") for L in range(tr.layers)
            for h in range(tr.heads)]


def payload(tr: AttnTrace, t_: int, j: int, lecturer: bool = False) -> dict:
    """Everything the stepper needs: weights drawn, scores for the equations' numbers."""
    arrays, colors, meaning, eqs = {}, {}, {}, {}
    palette = plotting.PALETTE  # one colour per head, as groups are coloured
    dh = tr.q.shape[-1]
    for k, (L, h, name) in enumerate(names(tr)):
        # (T_query, T_key): row t of the recording is query t, so "unit" j is the key position
        arrays[name] = tr.weights[L - 1, h - 1]
        arrays[f"s{L}_{h}"] = tr.scores[L - 1, h - 1]
        colors[name] = palette[k % len(palette)]
        meaning[name] = t("transformer.step.head", layer=L, head=h)
        eqs[name] = [slots(f"s<sub>t,j</sub> = q<sub>t</sub>·k<sub>j</sub> / √{dh} = {{s{L}_{h}}}"),
                     slots(f"a<sub>t,j</sub> = softmax<sub>j</sub>(s<sub>t,·</sub>) = {{{name}}}")]
    drawn = [n for _, _, n in names(tr)]
    return stepdata.payload_of(
        "transformer", arrays, drawn, t_, j, lecturer,
        {"weight": stepdata.unit_scale(t("transformer.step.weight"), "share")},
        {n: "weight" for n in drawn}, colors, meaning, eqs,
        words=words(), heat_title=t("transformer.step.heat_title"))


def words() -> dict[str, str]:
    """The stepper's words for positions and keys instead of steps and units."""
    return {"unit": t("transformer.step.unit"), "hint": t("transformer.step.hint"),
            "axis": t("transformer.step.axis"), "range": t("transformer.step.range"),
            "lines_title": t("transformer.step.lines_title"),
            "eq_title": t("transformer.step.eq_title"),
            "unit_over_time": t("transformer.step.unit_over_time")}
