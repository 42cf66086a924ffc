"""Streamlit panels of the Text lesson: corpus and settings (kept in the URL), generation,
the softmax at a step of the passage, and the cells that read."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import streamlit as st

from memviz import uploads
from memviz.config import Choice, ConfigError, Int
from memviz.text import cellfinder as CF
from memviz.text import corpus as C
from memviz.text import features as F
from memviz.text import figures as FG
from memviz.text import generate as G
from memviz.text.model import TextConfig
from memviz.text.train import TextRun
from memviz.ui import lang, show, steppanel, training, urlstate
from memviz.ui.lang import t

# message keys written out, so that grep and the catalogue test see each one
CORPUS_KEYS = {"label": "text.corpus.label", "stdlib": "text.corpus.stdlib",
    "paste": "text.corpus.paste", "upload": "text.corpus.upload", "pasted": "text.corpus.pasted",
    "the_pasted": "text.corpus.the_pasted", "text_area": "text.corpus.text_area",
    "uploader": "text.corpus.uploader", "choose_file": "text.corpus.choose_file",
    "unusable": "text.corpus.unusable"}

RATES = (0.001, 0.002, 0.005, 0.01, 0.02)
SOURCES = ("stdlib", "paste", "upload")
# corpus names kept in configs and files (identifiers), shown in the reader's language
SHOWN_NAMES = {C.STDLIB_NAME: "text.corpus.stdlib", C.PASTED_NAME: "text.corpus.pasted"}


def corpus_text(page: str) -> tuple[str, str] | None:
    """(text, name) of a pasted or uploaded corpus, None for the stdlib; errors shown here."""
    source = st.radio(t("text.corpus.label"), SOURCES,
                      format_func=lambda s: t(CORPUS_KEYS[s]), horizontal=True,
                      key=f"{page}_source")
    try:
        if source == "paste":
            raw = st.text_area(t("text.corpus.text_area"), height=150, key=f"{page}_paste")
            return C.from_text(raw, t("text.corpus.the_pasted")).text, C.PASTED_NAME
        if source == "upload":
            up = st.file_uploader(t("text.corpus.uploader"), type=["txt"], key=f"{page}_upload",
                                  max_upload_size=uploads.widget_mb(C.MAX_UPLOAD_BYTES))
            if up is None:
                st.info(t("text.corpus.choose_file"))
                return None
            return C.from_bytes(up.getvalue(), up.name).text, up.name
    except ConfigError as e:
        st.error(t("text.corpus.unusable", error=show.literal(e)))  # it names the file
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
        *steppanel.step_settings(),  # the step-through's t and unit stay in a shared link
    ])


def settings(page: str) -> tuple[TextConfig | None, bool]:
    """The corpus and training widgets as a validated config (None, with a message, if not),
    and whether it is the setup a shared link opened (which then trains at once)."""
    tb = table(page)
    tb.start()
    with st.expander(t("text.settings.title"), expanded=not show.lecturer()):
        found = corpus_text(page)
        c = st.columns(3)
        arch = tb.choice(c[0], t("text.settings.cell"), "arch", format_func=str.upper)
        hidden = tb.slider(c[1], t("text.settings.hidden"), "hidden")
        seq_len = tb.slider(c[2], t("text.settings.seq_len"), "seq_len")
        c = st.columns(3)
        steps = tb.slider(c[0], t("text.settings.steps"), "steps")
        lr = tb.slider(c[1], t("text.settings.lr"), "lr")
        seed = tb.number(c[2], t("text.settings.seed"), "seed")
    tb.save()
    cfg = None if found is None else _config(found, arch, hidden, seq_len, steps, lr, seed)
    if cfg is not None:
        show.note_config(cfg.to_dict())
    # a link names no corpus: it trains the standard library's, never a pasted or uploaded one
    return cfg, tb.from_link() and cfg is not None and cfg.source == "stdlib"


def _config(found: tuple[str, str], arch, hidden, seq_len, steps, lr, seed) -> TextConfig | None:
    text, name = found
    try:
        cfg = TextConfig(source="stdlib" if name == "stdlib" else "text", arch=arch,
                         hidden=hidden, seq_len=seq_len, steps=steps, lr=lr, seed=int(seed),
                         text=None if name == "stdlib" else text,
                         text_name="" if name == "stdlib" else name)
    except ConfigError as e:
        st.error(t("text.settings.untrainable", error=e))
        return None
    return cfg


def cached(kind: str, key: Any, compute):
    """A derived result kept in the shared run store (computed once per key)."""
    return training.store().get_or_compute(kind, key, compute)


def summary(run: TextRun) -> None:
    """Held-out bits/char beside the n-gram, time, alphabet; the training curve."""
    from memviz.engine.figures import loss_curve

    c = st.columns(4)
    base = t("text.summary.ngram", n=run.baseline.n, k=f"{run.baseline.k:g}")
    c[0].metric(t("text.summary.bits"), f"{run.bits_per_char:.3f}")
    c[1].metric(t("text.summary.baseline", n=run.baseline.n),
                f"{run.baseline.bits_per_char:.3f}", help=base)
    c[2].metric(t("text.summary.time"), f"{run.history.seconds:.1f} s")
    c[3].metric(t("text.summary.alphabet"), t("text.summary.chars", n=run.split.vocab.size),
                help=t("text.summary.source", chars=f"{len(run.corpus.text):,}",
                       name=show.literal(shown_name(run.corpus.name)),
                       sha=run.corpus.sha256[:12]))
    beats = run.bits_per_char < run.baseline.bits_per_char
    show.caption(t("text.summary.beats" if beats else "text.summary.not_yet",
                   n=f"{len(run.split.held_text):,}", baseline=base))
    uniform = math.log2(run.split.vocab.size)  # guessing among the distinct characters
    if run.bits_per_char >= uniform:
        st.warning(t("text.small.worse", bits=f"{run.bits_per_char:.2f}", V=run.split.vocab.size,
                     uniform=f"{uniform:.2f}"))
    with st.expander(t("text.summary.loss")):
        show.plotly(loss_curve(run.history.losses, run.baseline.bits_per_char, _loss_words()),
                    "text_loss", t("text.summary.loss_caption"))


def shown_name(name: str) -> str:
    """A corpus's name for the reader: the standard library and pasted text in their words."""
    return t(SHOWN_NAMES[name]) if name in SHOWN_NAMES else name


def _loss_words() -> dict[str, str]:
    """The shared loss curve in this lesson's words: bits per character against the n-gram
    (not the recurrent lessons' no-memory baseline)."""
    return {"title": t("text.summary.loss"), "x": t("text.summary.loss_step"),
            "y": t("text.summary.loss_axis"), "name": t("text.summary.loss_trace"),
            "baseline": t("text.summary.loss_baseline")}


def generation(page: str, run: TextRun) -> None:
    """Prime, length, greedy or temperature; the text and the top-5 at a chosen character."""
    c = st.columns([3, 2, 2, 1])
    first = run.split.held_text.split("\n", 1)[0][:30] or run.split.held_text[:10]
    prime = c[0].text_input(t("text.generate.prime"), first, key=f"{page}_prime")
    length = c[1].slider(t("text.generate.length"), 20, 1000, 300, 20, key=f"{page}_length")
    temp = c[2].slider(t("text.generate.temperature"), 0.0, 2.0, 0.8, 0.1, key=f"{page}_temp")
    seed = c[3].number_input(t("text.generate.seed"), 0, 10_000, 0, key=f"{page}_gen_seed")
    try:
        g = cached("text.generate", (run.config, prime, length, temp, int(seed)),
                   lambda: G.generate(run.model, run.split.vocab, prime, length, temp, int(seed)))
    except ConfigError as e:
        st.error(t("text.generate.bad_prime", error=show.literal(e)))
        return
    st.code(g.prime + g.text, language=None, wrap_lines=True)
    _honest(run, g)
    k = st.slider(t("text.generate.inspect"), 1, len(g.text), 1, key=f"{page}_gen_k")
    ch = g.text[k - 1]
    left, right = st.columns(2)
    with left:
        show.plotly(FG.top5(g.top[k - 1], ch, t("text.generate.drawn", k=k,
                                                 char=FG.shown(ch),
                                                 p=f"{g.chosen_p[k - 1]:.3f}")),
                    f"{page}_top5", t("text.generate.top5_caption"))
    with right:
        show.plotly(FG.temperature(g.logits[k - 1], run.split.vocab.chars, temp),
                    f"{page}_temperature", t("text.generate.temp_caption"))


def _char(c: str) -> str:
    """A character of the student's text in a sentence: visible, and shown as typed."""
    return show.literal(FG.visible(c))


def _honest(run: TextRun, g: G.Generated) -> None:
    """What the written text is, measured against the training text: recited word for word,
    or one character over and over (a low temperature's loop)."""
    train = run.split.train_text
    cp = cached("text.copying", (run.config, g.prime, g.text), lambda: G.copying(g.text, train))
    said = dict(longest=cp.longest, copied=cp.lines_copied, lines=cp.lines)
    if cp.recited:
        st.warning(t("text.generate.recited", **said))
    else:
        show.caption(t("text.generate.copied", **said))
    loop = G.repeated(g.text, train)
    if loop is not None:
        ch, share, usual = loop
        st.warning(t("text.generate.repeats", char=_char(ch), share=f"{share:.0%}",
                     usual=f"{usual:.0%}", n=len(g.text), T=f"{g.temperature:g}"))


def size_check(cfg: TextConfig) -> None:
    """Before training a pasted or uploaded text: is it big enough to learn from?"""
    from memviz.text import ngram
    from memviz.text.model import corpus_of

    sz = cached("text.size", (cfg.text_name, cfg.text),
                lambda: ngram.size(C.split(corpus_of(cfg))))
    show.caption(t("text.small.before", train=f"{sz.train:,}", held=f"{sz.held:,}",
                   V=sz.distinct, uniform=f"{sz.uniform:.2f}", n=sz.ngram.n,
                   ngram=f"{sz.ngram.bits_per_char:.2f}"))
    if sz.small:
        st.warning(t("text.small.warn", per=f"{sz.per_char:.0f}", V=sz.distinct,
                     need=f"{ngram.MIN_PER_CHAR * sz.distinct:,}"))


def softmax_at(page: str, tr, chars, passage: str, slip_text: str):
    """A step-through extra: the readout's logits at character t, one softmax and two."""
    def panel(step: int, _unit: int) -> None:
        lang.sync()  # drawn inside the shared step-through's fragment: the session's language
        z = tr.output[step - 1]
        now = passage[step - 1]
        nxt = int(tr.target[step - 1])
        p = G.softmax(z)
        st.markdown(t("text.softmax.at", t=step, char=_char(now))
                    + (t("text.softmax.next", char=_char(chars[nxt]), p=f"{p[nxt]:.3f}")
                       if nxt >= 0 else "") + t("text.softmax.end"))
        top = int(p.argmax())
        twice = G.softmax(p)
        st.markdown(t("text.softmax.likeliest", char=_char(chars[top]), k=top))
        show.latex(rf"p_k=\frac{{e^{{z_k}}}}{{\sum_j e^{{z_j}}}}:\quad p_{{{top}}}="
                   rf"\frac{{e^{{{z[top]:.3f}}}}}{{\sum_j e^{{z_j}}}}={p[top]:.3f}",
                   key=f"{page}_softmax_live")
        show.latex(rf"\text{{{t('text.softmax.literal')}}}p=\frac{{\exp(p)}}{{\sum\exp(p)}}"
                   rf"\;\Rightarrow\;p_{{{top}}}={twice[top]:.4f}"
                   rf"\quad(\text{{{t('text.softmax.uniform')}}}{1 / len(p):.4f})",
                   key=f"{page}_softmax_doc")
        show.plotly(FG.softmax_twice(z, chars), f"{page}_softmax_twice", slip_text)
    return panel


def cells(page: str, run: TextRun) -> None:
    """The cell finder's table, and the passage coloured by a unit of the student's choice."""
    held = run.split.held_text
    n = st.slider(t("text.cells.length"), 500, min(5000, len(held)),
                  min(2000, len(held)), 500, key=f"{page}_cells_n")
    passage = held[:n]
    tr = cached("text.cells", (run.config, n),
                lambda: CF.record(run.model, run.split.vocab, passage))
    feats = F.for_corpus(run.corpus.kind, passage)
    rows = CF.best_cells(tr, feats)
    if rows:
        show.plotly(FG.cell_scores(rows), f"{page}_cell_scores", t("text.cells.scores_caption"))
    best = {b.feature: b for b in rows}
    c = st.columns(3)
    order = sorted(feats, key=lambda f: -abs(best[f].corr) if f in best else 0)  # best first
    feat = c[0].selectbox(t("text.cells.feature"), order, format_func=F.label,
                          key=f"{page}_feature")
    b = best.get(feat)
    fields = [f for f in ("i", "f", "g", "o", "c", "h", "r", "z", "n") if f in tr.fields]
    fld = c[1].selectbox(t("text.cells.colour_by"), fields,
                         index=fields.index(b.field) if b else 0, key=f"{page}_field_{feat}")
    unit = c[2].number_input(t("text.cells.unit"), 0, tr.H - 1, b.unit if b else 0,
                             key=f"{page}_unit_{feat}")
    values = tr[fld][:, int(unit)]
    r = CF.correlations(feats[feat], values[:, None].astype(np.float64))[0]
    title = t("text.cells.coloured", field=fld, unit=unit, r=f"{r:+.2f}", feature=F.label(feat))
    show.plotly(FG.coloured_text(passage, values, title, symmetric=fld not in "ifozr"),
                f"{page}_coloured", t("text.cells.coloured_caption"))
    with st.expander(t("text.cells.feature_itself", feature=F.label(feat))):
        show.plotly(FG.coloured_text(passage, feats[feat], F.label(feat), symmetric=False),
                    f"{page}_feature_fig", t("text.cells.feature_caption"))
