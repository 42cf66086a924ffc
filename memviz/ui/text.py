"""Streamlit panels of the Text lesson: corpus and settings (kept in the URL), generation,
the softmax at a step of the passage, and the cells that read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from memviz.config import Choice, ConfigError, Int
from memviz.text import cellfinder as CF
from memviz.text import corpus as C
from memviz.text import features as F
from memviz.text import figures as FG
from memviz.text import generate as G
from memviz.text.model import TextConfig
from memviz.text.train import TextRun
from memviz.ui import show, training, urlstate

RATES = (0.001, 0.002, 0.005, 0.01, 0.02)
SOURCES = {"stdlib": "Python standard library", "paste": "Paste text", "upload": "Upload .txt"}


def _corpus_text(page: str) -> tuple[str, str] | None:
    """(text, name) of a pasted or uploaded corpus, None for the stdlib; errors shown here."""
    source = st.radio("Corpus", list(SOURCES), format_func=SOURCES.get, horizontal=True,
                      key=f"{page}_source")
    try:
        if source == "paste":
            raw = st.text_area("Text to learn (at least 1,000 characters)", height=150,
                               key=f"{page}_paste")
            return C.from_text(raw, "the pasted text").text, "pasted text"
        if source == "upload":
            up = st.file_uploader("A UTF-8 .txt file, at most 2 MB", type=["txt"],
                                  key=f"{page}_upload")
            if up is None:
                st.info("Choose a file to train on.")
                return None
            return C.from_bytes(up.getvalue(), up.name).text, up.name
    except ConfigError as e:
        st.error(f"This text cannot be used: {e}.")
        return None
    return "", "stdlib"


def table(page: str) -> urlstate.Table:
    """The lesson's settings kept in the URL (the corpus is not: a link cannot carry a file)."""
    d, S = TextConfig(), urlstate.Setting
    return urlstate.Table(page, [
        S("arch", Choice("cell", ("lstm", "gru", "rnn")), d.arch),
        S("hidden", Int("hidden size H", 8, 256, 8), d.hidden),
        S("seq_len", Int("sequence length T", 8, 256, 8), d.seq_len),
        S("steps", Int("training steps", 10, 3000, 10), d.steps),
        S("lr", Choice("learning rate", RATES), d.lr),
        S("seed", Int("seed", 0, 10_000), d.seed),
    ])


def settings(page: str) -> tuple[TextConfig | None, bool]:
    """The corpus and training widgets as a validated config (None, with a message, if not),
    and whether it is the setup a shared link opened (which then trains at once)."""
    t = table(page)
    t.start()
    with st.expander("Settings", expanded=not show.lecturer()):
        found = _corpus_text(page)
        c = st.columns(3)
        arch = t.choice(c[0], "Cell", "arch", format_func=str.upper)
        hidden = t.slider(c[1], "Hidden size H", "hidden")
        seq_len = t.slider(c[2], "Sequence length T (characters per training window)", "seq_len")
        c = st.columns(3)
        steps = t.slider(c[0], "Training steps", "steps")
        lr = t.slider(c[1], "Learning rate", "lr")
        seed = t.number(c[2], "Seed", "seed")
    t.save()
    cfg = None if found is None else _config(found, arch, hidden, seq_len, steps, lr, seed)
    if cfg is not None:
        show.note_config(cfg.to_dict())
    # a link names no corpus: it trains the standard library's, never a pasted or uploaded one
    return cfg, t.from_link() and cfg is not None and cfg.source == "stdlib"


def _config(found: tuple[str, str], arch, hidden, seq_len, steps, lr, seed) -> TextConfig | None:
    text, name = found
    try:
        cfg = TextConfig(source="stdlib" if name == "stdlib" else "text", arch=arch,
                         hidden=hidden, seq_len=seq_len, steps=steps, lr=lr, seed=int(seed),
                         text=None if name == "stdlib" else text,
                         text_name="" if name == "stdlib" else name)
    except ConfigError as e:
        st.error(f"These settings cannot be trained: {e}")
        return None
    return cfg


def cached(kind: str, key: Any, compute):
    """A derived result kept in the shared run store (computed once per key)."""
    return training.store().get_or_compute(kind, key, compute)


def summary(run: TextRun) -> None:
    """Held-out bits/char beside the n-gram, time, alphabet; the training curve."""
    from memviz.recurrent.figures import loss_curve

    c = st.columns(4)
    c[0].metric("Held-out bits per character", f"{run.bits_per_char:.3f}")
    c[1].metric(f"{run.baseline.n}-gram baseline", f"{run.baseline.bits_per_char:.3f}",
                help=run.baseline.name)
    c[2].metric("Training time", f"{run.history.seconds:.1f} s")
    c[3].metric("Alphabet", f"{run.split.vocab.size} characters",
                help=f"{len(run.corpus.text):,} characters of {run.corpus.name}; "
                     f"sha256 {run.corpus.sha256[:12]}…")
    verdict = "beats" if run.bits_per_char < run.baseline.bits_per_char else "does not yet beat"
    show.caption(f"On {len(run.split.held_text):,} held-out characters the network {verdict} "
                 f"the {run.baseline.name}.")
    with st.expander("Training loss"):
        show.plotly(loss_curve(run.history.losses, run.baseline.bits_per_char), "text_loss",
                    "Training loss in bits per character (log scale); the dashed line is the "
                    "n-gram's held-out score.")


def generation(page: str, run: TextRun) -> None:
    """Prime, length, greedy or temperature; the text and the top-5 at a chosen character."""
    c = st.columns([3, 2, 2, 1])
    first = run.split.held_text.split("\n", 1)[0][:30] or run.split.held_text[:10]
    prime = c[0].text_input("Prime", first, key=f"{page}_prime")
    length = c[1].slider("Characters to write", 20, 1000, 300, 20, key=f"{page}_length")
    temp = c[2].slider("Temperature T (0 = greedy)", 0.0, 2.0, 0.8, 0.1, key=f"{page}_temp")
    seed = c[3].number_input("Sampling seed", 0, 10_000, 0, key=f"{page}_gen_seed")
    try:
        g = cached("text.generate", (run.config, prime, length, temp, int(seed)),
                   lambda: G.generate(run.model, run.split.vocab, prime, length, temp, int(seed)))
    except ConfigError as e:
        st.error(f"Cannot write from this prime: {e}.")
        return
    st.code(g.prime + g.text, language=None, wrap_lines=True)
    k = st.slider("Inspect generated character", 1, len(g.text), 1, key=f"{page}_gen_k")
    ch = g.text[k - 1]
    left, right = st.columns(2)
    with left:
        show.plotly(FG.top5(g.top[k - 1], ch, f"Character {k}: '{FG.visible(ch)}' was drawn "
                            f"with p = {g.chosen_p[k - 1]:.3f}"), f"{page}_top5",
                    "The five likeliest next characters in the distribution this one was "
                    "drawn from; orange is the one written.")
    with right:
        show.plotly(FG.temperature(g.logits[k - 1], run.split.vocab.chars, temp),
                    f"{page}_temperature", "The same logits at three temperatures and yours: "
                    "low T piles the probability on the favourite, high T spreads it out.")


@dataclass(frozen=True)
class StepLesson:
    """What the shared step-through panel reads: a Trace and `.run.config.to_dict()`."""

    trace: Any
    run: Any


def softmax_at(page: str, tr, chars, passage: str, slip_text: str):
    """A step-through extra: the readout's logits at character t, one softmax and two."""
    def panel(t: int, _unit: int) -> None:
        z = tr.output[t - 1]
        now = passage[t - 1]
        nxt = int(tr.target[t - 1])
        p = G.softmax(z)
        st.markdown(f"**At t = {t}** the input is '{FG.visible(now)}'"
                    + (f"; the next character is '{FG.visible(chars[nxt])}', given p = "
                       f"{p[nxt]:.3f}" if nxt >= 0 else "") + ".")
        top = int(p.argmax())
        twice = G.softmax(p)
        st.markdown(f"The likeliest next character is '{FG.visible(chars[top])}' (k = {top}).")
        show.latex(rf"p_k=\frac{{e^{{z_k}}}}{{\sum_j e^{{z_j}}}}:\quad p_{{{top}}}="
                   rf"\frac{{e^{{{z[top]:.3f}}}}}{{\sum_j e^{{z_j}}}}={p[top]:.3f}",
                   key=f"{page}_softmax_live")
        show.latex(rf"\text{{document 004 taken literally: }}p=\frac{{\exp(p)}}{{\sum\exp(p)}}"
                   rf"\;\Rightarrow\;p_{{{top}}}={twice[top]:.4f}"
                   rf"\quad(\text{{uniform: }}{1 / len(p):.4f})", key=f"{page}_softmax_doc")
        show.plotly(FG.softmax_twice(z, chars), f"{page}_softmax_twice", slip_text)
    return panel


def keeping_url(page: str, extra):
    """A step-through extra that then puts this lesson's settings back in the URL: the shared
    step-through writes only the recurrent pages' names there (t, unit) and drops the rest."""
    def panel(t: int, unit: int) -> None:
        extra(t, unit)
        table(page).save()
    return panel


def cells(page: str, run: TextRun) -> None:
    """The cell finder's table, and the passage coloured by a unit of the student's choice."""
    held = run.split.held_text
    n = st.slider("Passage length (held-out characters)", 500, min(5000, len(held)),
                  min(2000, len(held)), 500, key=f"{page}_cells_n")
    passage = held[:n]
    tr = cached("text.cells", (run.config, n),
                lambda: CF.record(run.model, run.split.vocab, passage))
    feats = F.for_corpus(run.corpus.kind, passage)
    rows = CF.best_cells(tr, feats)
    if rows:
        show.plotly(FG.cell_scores(rows), f"{page}_cell_scores",
                    "For each feature, the unit of c or h whose activation follows it best on "
                    "this passage, and the correlation (sign: on or off inside the feature).")
    best = {b.feature: b for b in rows}
    c = st.columns(3)
    order = sorted(feats, key=lambda f: -abs(best[f].corr) if f in best else 0)  # best first
    feat = c[0].selectbox("Feature", order, format_func=F.LABELS.get,
                          key=f"{page}_feature")
    b = best.get(feat)
    fields = [f for f in ("i", "f", "g", "o", "c", "h", "r", "z", "n") if f in tr.fields]
    fld = c[1].selectbox("Colour by", fields, index=fields.index(b.field) if b else 0,
                         key=f"{page}_field_{feat}")
    unit = c[2].number_input("Unit", 0, tr.H - 1, b.unit if b else 0, key=f"{page}_unit_{feat}")
    values = tr[fld][:, int(unit)]
    r = CF.correlations(feats[feat], values[:, None].astype(np.float64))[0]
    show.plotly(FG.coloured_text(passage, values, f"{fld} unit {unit}: r = {r:+.2f} with "
                                 f"{F.LABELS[feat]}", symmetric=fld not in "ifozr"),
                f"{page}_coloured", "Each character coloured by the unit's value after reading "
                "it (red high, blue low); hover for the number.")
    with st.expander(f"The feature itself: {F.LABELS[feat]}"):
        show.plotly(FG.coloured_text(passage, feats[feat], F.LABELS[feat], symmetric=False),
                    f"{page}_feature_fig", "The feature's value at each character.")
