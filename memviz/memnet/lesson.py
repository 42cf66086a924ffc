"""One story read by a trained memory network, laid out for the shared stepper: columns are
the sentences in memory (the stepper's steps), rows are the hops (its units), and every number
of the read equations is an array of that shape, so the browser fills them in as it steps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memviz import i18n, stepdata
from memviz import plotting as P
from memviz.engine.equations import slots
from memviz.memnet import stories
from memviz.memnet.train import VOCAB, MemNetRun


@dataclass(frozen=True)
class Walk:
    """A story's reading: arrays (n sentences, K hops) by name, the model's answer, and
    what each hop read most (its sentence, 0-based, and the weight)."""

    story: stories.Story
    arrays: dict[str, np.ndarray]
    answer: str
    top: tuple[tuple[int, float], ...]

    @property
    def right(self) -> bool:
        return self.answer == self.story.answer


def walk(run: MemNetRun, story: stories.Story) -> Walk:
    """Every number of the read equations for `story`, as (sentence, hop) arrays."""
    r = run.reading(story)
    n = len(story.sentences)
    s = r.s[0, :, :n].numpy().T  # (n, K) u^k . m_i
    p = r.p[0, :, :n].numpy().T
    u = r.u[0].numpy()  # (K+1, d)
    each = lambda v: np.broadcast_to(v, (n, len(v))).astype(np.float32)  # noqa: E731 (per hop)
    arrays = {"s": s, "p": p, "Z": each(np.exp(s.astype(np.float64)).sum(0)),
              "unorm": each(np.linalg.norm(u[:-1], axis=1)),
              "mnorm": np.linalg.norm(r.m[0, :, :n].numpy(), axis=-1).T,
              "cnorm": np.linalg.norm(r.c[0, :, :n].numpy(), axis=-1).T,
              "onorm": each(np.linalg.norm(r.o[0].numpy(), axis=1)),
              "unext": each(np.linalg.norm(u[1:], axis=1))}
    top = tuple((int(p[:, k].argmax()), float(p[:, k].max())) for k in range(p.shape[1]))
    return Walk(story, arrays, VOCAB[int(r.logits[0].argmax())], top)


def embeddings_read(cfg) -> int:
    """How many embeddings of each sentence the hops read: K+1 when adjacent (A^1, C^1 = A^2,
    ..., C^K), two (A, C) when layer-wise."""
    return cfg.hops + 1 if cfg.tying == "adjacent" else 2


def _equations(layerwise: bool) -> dict[str, list[str]]:
    ui, uj = "u<sup>k</sup>", "u<sup>k+1</sup>"
    lines = {
        "s": [f"s<sub>i</sub> = {ui} · m<sub>i</sub>  (‖{ui}‖ = {{unorm}}, "
              "‖m<sub>i</sub>‖ = {mnorm})", "= {s}"],
        "p": ["p<sub>i</sub> = exp(s<sub>i</sub>) / Σ<sub>j</sub> exp(s<sub>j</sub>)",
              "= exp({s}) / {Z} = {p}"],
        "o": ["o<sup>k</sup> = Σ<sub>i</sub> p<sub>i</sub> c<sub>i</sub>",
              "p<sub>i</sub>‖c<sub>i</sub>‖ = {p} · {cnorm};  ‖o<sup>k</sup>‖ = {onorm}"],
        "u": [f"{uj} = {'H ' if layerwise else ''}{ui} + o<sup>k</sup>",
              f"‖{uj}‖ = {{unext}}"],
    }
    return {k: [slots(line) for line in v] for k, v in lines.items()}


def payload(w: Walk, tying: str, t: int, hop: int, lecturer: bool = False) -> dict:
    """The stepper's data for this walk: step t = sentence (1-based), unit = hop (0-based)."""
    share = [c for _, c in P.scale("share")]  # the table's scales, as every heatmap
    signed = [c for _, c in P.scale("signed")]
    top = float(np.abs(w.arrays["s"]).max()) or 1.0
    scales = {"p": dict(colors=share, lo=0.0, hi=1.0, title=i18n.t("memnet.step.scale_p")),
              "s": dict(colors=signed, lo=-top, hi=top, title=i18n.t("memnet.step.scale_s"))}
    meaning = {"s": i18n.t("memnet.step.s"), "p": i18n.t("memnet.step.p"),
               "o": i18n.t("memnet.step.o"), "u": i18n.t("memnet.step.u")}
    words = {"range": i18n.t("memnet.step.range"), "unit": i18n.t("memnet.step.unit"),
             "hint": i18n.t("memnet.step.hint"), "axis": i18n.t("memnet.step.axis"),
             "step_of": i18n.t("memnet.step.step_of"), "first": i18n.t("memnet.step.first"),
             "last": i18n.t("memnet.step.last"), "eq_title": i18n.t("memnet.step.eq_title"),
             "unit_over_time": i18n.t("memnet.step.unit_over_time"),
             "lines_title": i18n.t("memnet.step.lines_title")}
    return stepdata.payload_of(
        "memnet", w.arrays, ["p", "s"], t, hop, lecturer, scales, {"p": "p", "s": "s"},
        {"p": P.ARCH_COLORS["attention"], "s": P.GATE_COLORS["c"]}, meaning,
        _equations(tying == "layerwise"), words=words,
        heat_title=i18n.t("memnet.step.heat_title"), unit_base=1)

