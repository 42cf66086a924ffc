"""Streamlit panels of the Transformer lesson: settings (kept in the URL), the race in bits per
character against training seconds, both models writing, the step-through of attention, and
where each model keeps its memory."""

from __future__ import annotations

import numpy as np
import streamlit as st

from memviz.config import Choice, ConfigError, Int
from memviz.text import figures as TFG
from memviz.transformer import figures as FG
from memviz.transformer import generate as TG
from memviz.transformer import recall, stepview
from memviz.transformer import trace as TR
from memviz.transformer import train as TT
from memviz.transformer.model import HEADS, TransformerConfig, params
from memviz.ui import lang, show, steppanel, stepper, urlstate
from memviz.ui import text as text_ui
from memviz.ui.lang import t

RATES = (0.001, 0.002, 0.003, 0.005, 0.01)
WIDTHS = (32, 48, 64, 96, 128)


def table(page: str) -> urlstate.Table:
    """The lesson's settings kept in the URL (the text is not: a link cannot carry a file)."""
    d, S = TransformerConfig(), urlstate.Setting
    return urlstate.Table(page, [
        S("d_model", Choice("model width d", WIDTHS), d.d_model),
        S("layers", Int("layers", 1, 4), d.layers),
        S("heads", Choice("heads", HEADS), d.heads),
        S("window", Int("context window", 16, 128, 16), d.window),
        S("steps", Int("training steps", 50, 3000, 50), d.steps),
        S("lstm_steps", Int("LSTM training steps", 50, 3000, 50), d.lstm_steps),
        S("lr", Choice("learning rate", RATES), d.lr),
        S("probe_steps", Int("recall probe steps", 50, 2000, 50), d.probe_steps),
        S("seed", Int("seed", 0, 10_000), d.seed),
        *steppanel.step_settings(),
    ])


def settings(page: str) -> tuple[TransformerConfig | None, bool]:
    """The text and training widgets as a validated config (None, with a message, if not), and
    whether it is a shared link's setup (which then trains at once, on the standard library)."""
    tb = table(page)
    tb.start()
    with st.expander(t("transformer.settings.title"), expanded=not show.lecturer()):
        found = text_ui.corpus_text(page)
        c = st.columns(4)
        v = {"d_model": tb.slider(c[0], t("transformer.settings.d_model"), "d_model"),
             "layers": tb.slider(c[1], t("transformer.settings.layers"), "layers"),
             "heads": tb.slider(c[2], t("transformer.settings.heads"), "heads"),
             "window": tb.slider(c[3], t("transformer.settings.window"), "window")}
        c = st.columns(5)
        v |= {"steps": tb.slider(c[0], t("transformer.settings.steps"), "steps"),
              "lstm_steps": tb.slider(c[1], t("transformer.settings.lstm_steps"), "lstm_steps"),
              "lr": tb.slider(c[2], t("transformer.settings.lr"), "lr"),
              "probe_steps": tb.slider(c[3], t("transformer.settings.probe_steps"),
                                       "probe_steps"),
              "seed": int(tb.number(c[4], t("transformer.settings.seed"), "seed"))}
    tb.save()
    cfg = None
    if found is not None:
        text, name = found
        own = name != "stdlib"
        try:
            cfg = TransformerConfig(source="text" if own else "stdlib", text=text if own else None,
                                    text_name=name if own else "", **v)
        except ConfigError as e:
            st.error(t("transformer.settings.untrainable", error=e))
    if cfg is not None:
        show.note_config(cfg.to_dict())
    return cfg, tb.from_link() and cfg is not None and cfg.source == "stdlib"


def summary(run: TT.TransformerRun) -> TT.Equal:
    """Both scores beside the n-gram and the sizes; who is ahead at equal training seconds."""
    c = st.columns(4)
    c[0].metric(t("transformer.summary.tf_bits"), f"{run.bits_per_char:.3f}")
    c[1].metric(t("transformer.summary.lstm_bits"), f"{run.lstm_bits_per_char:.3f}")
    c[2].metric(t("transformer.summary.ngram", n=run.baseline.n),
                f"{run.baseline.bits_per_char:.3f}")
    c[3].metric(t("transformer.summary.params"),  # thousands: both fit the column
                f"{params(run.model) / 1000:.0f}k / {params(run.lstm) / 1000:.0f}k",
                help=f"{params(run.model):,} / {params(run.lstm):,}")
    eq = TT.at_equal_seconds(run.curve, run.lstm_curve)
    show.caption(t("transformer.summary.seconds", tf=f"{run.history.seconds:.1f}",
                   lstm=f"{run.lstm_history.seconds:.1f}", n=f"{len(run.split.held_text):,}",
                   kind=t("transformer.summary.cpu" if run.history.device == "cpu"
                          else "transformer.summary.wall")))
    st.markdown(verdict(eq))
    return eq


def verdict(eq: TT.Equal) -> str:
    """The sentence the run decides: which model is ahead at the same training seconds."""
    key = ("transformer.summary.tf_ahead" if eq.better == "transformer"
           else "transformer.summary.lstm_ahead")
    return t(key, seconds=f"{eq.seconds:.1f}", tf=f"{eq.transformer:.3f}",
             lstm=f"{eq.lstm:.3f}", gap=f"{abs(eq.transformer - eq.lstm):.3f}")


def names() -> dict[str, str]:
    """The two models' names in the reader's language."""
    return {"transformer": t("transformer.race.transformer"), "lstm": t("transformer.race.lstm")}


def race(page: str, run: TT.TransformerRun, eq: TT.Equal) -> None:
    words = {**names(), "x": t("transformer.race.x"), "y": t("transformer.race.y"),
             "title": t("transformer.race.title")}
    ngrams = [(t("transformer.race.ngram", n=b.n), b.bits_per_char) for b in run.baselines]
    show.plotly(FG.race(run.curve, run.lstm_curve, ngrams, eq.seconds, words), f"{page}_race",
                t("transformer.race.caption", points=TT.CURVE_CHARS))


def generation(page: str, run: TT.TransformerRun) -> None:
    """Both models from the same prime, temperature and seed."""
    c = st.columns([3, 2, 2, 1])
    first = run.split.held_text.split("\n", 1)[0][:30] or run.split.held_text[:10]
    prime = c[0].text_input(t("text.generate.prime"), first, key=f"{page}_prime")
    length = c[1].slider(t("text.generate.length"), 20, 600, 200, 20, key=f"{page}_length")
    temp = c[2].slider(t("text.generate.temperature"), 0.0, 2.0, 0.8, 0.1, key=f"{page}_temp")
    seed = int(c[3].number_input(t("text.generate.seed"), 0, 10_000, 0, key=f"{page}_gen_seed"))
    try:
        both = text_ui.cached("transformer.generate", (run.config, prime, length, temp, seed),
                              lambda: TG.both(run, prime, length, temp, seed))
    except ConfigError as e:
        st.error(t("text.generate.bad_prime", error=show.literal(e)))
        return
    left, right = st.columns(2)
    for col, name, text in ((left, "transformer", both.transformer), (right, "lstm", both.lstm)):
        col.markdown(f"**{names()[name]}**")
        col.code(both.prime + text, language=None, wrap_lines=True)


def passage(page: str, run: TT.TransformerRun) -> TR.AttnTrace | None:
    """A held-out passage (at most the window), recorded through the hand-written attention."""
    W = run.config.window
    held = run.split.held_text
    start = len(held) - len(held.lstrip())  # from the first character that is not blank
    text = st.text_input(t("transformer.step.passage", W=W), held[start:start + W] or held[:W],
                         key=f"{page}_passage", max_chars=W)
    if not text:
        st.info(t("text.page.type_passage"))
        return None
    try:
        tr = text_ui.cached("transformer.trace", (run.config, text),
                            lambda: TR.record(run.model, run.split.vocab, text))
    except ConfigError as e:
        st.error(t("text.page.bad_passage", error=show.literal(e)))
        return None
    show.caption(t("transformer.step.checked", diff=f"{tr.max_abs_diff:.1e}"))
    return tr


def step_through(page: str, tr: TR.AttnTrace) -> None:
    st.fragment(_step_panel)(page, tr)


def _step_panel(page: str, tr: TR.AttnTrace) -> None:
    """The shared stepper over positions, then the chosen position's live equation."""
    lang.sync()  # a fragment-only run: the session's language
    k = min(max(int(st.session_state.get(f"{page}_t", tr.T)), 1), tr.T)
    j = min(max(int(st.session_state.get(f"{page}_unit", 0)), 0), tr.T - 1)
    view = stepper.element(f"{page}_stepper", stepview.payload(tr, k, j, show.lecturer()))
    if view is not None:
        k, j = min(max(view["t"], 1), tr.T), min(max(view["unit"], 0), tr.T - 1)
    st.session_state[f"{page}_t"], st.session_state[f"{page}_unit"] = k, j
    urlstate.Table(page, steppanel.step_settings()).save(["t", "unit"])
    at_position(page, tr, k)


def at_position(page: str, tr: TR.AttnTrace, k: int) -> None:
    """Position k: every head's weights over the context, one head's equation in numbers, and
    the residual stream's norm per layer."""
    heads = stepview.names(tr)
    labels = [t("transformer.step.head", layer=L, head=h) for L, h, _ in heads]
    rows = np.stack([tr.weights[L - 1, h - 1, k - 1, :k] for L, h, _ in heads])
    show.plotly(FG.attention_row(rows, tr.text[:k], labels,
                                 t("transformer.step.reads", t=k,
                                   char=show.literal(TFG.visible(tr.text[k - 1])))),
                f"{page}_reads", t("transformer.step.reads_caption"))
    pick = st.selectbox(t("transformer.step.which"), range(len(heads)),
                        format_func=lambda i: labels[i], key=f"{page}_head")
    L, h, _ = heads[pick]
    for n, tex in enumerate(equation(tr, L, h, k)):
        show.latex(tex, key=f"{page}_eq_{n}")
        show.note_equation(tex, key=f"{page}_note_{n}")
    bars = [t("transformer.norms.embed"), *(t("transformer.norms.layer", n=n)
                                           for n in range(1, tr.layers + 1))]
    words = {"y": t("transformer.norms.y"), "title": t("transformer.norms.title", t=k)}
    show.plotly(FG.norms(tr.norms[k - 1], bars, words), f"{page}_norms",
                t("transformer.norms.caption"))


def equation(tr: TR.AttnTrace, L: int, h: int, k: int, top: int = 3) -> list[str]:
    """Scaled dot-product attention of head (L, h) at position k with its numbers: the scores
    of the `top` keys it weighs most, their softmax weights, and the first output components."""
    q, keys = tr.q[L - 1, h - 1], tr.k[L - 1, h - 1]
    s, a, o = tr.scores[L - 1, h - 1, k - 1, :k], tr.weights[L - 1, h - 1, k - 1, :k], \
        tr.o[L - 1, h - 1, k - 1]
    dh = q.shape[-1]
    best = np.argsort(-a)[:top]
    j = int(best[0])
    dot = float(q[k - 1] @ keys[j])
    lines = [r"\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d}}\right)V",
             rf"s_{{{k},{j + 1}}}=\frac{{q_{{{k}}}\cdot k_{{{j + 1}}}}}{{\sqrt{{{dh}}}}}"
             rf"=\frac{{{dot:.3f}}}{{{np.sqrt(dh):.3f}}}={s[j]:.3f}"]
    terms = "+".join(rf"e^{{{s[i]:.2f}}}" for i in best) + (r"+\dots" if k > top else "")
    lines.append(rf"a_{{{k},{j + 1}}}=\frac{{e^{{{s[j]:.3f}}}}}{{{terms}}}={a[j]:.3f}")
    mix = "+".join(rf"{a[i]:.3f}\,v_{{{i + 1}}}" for i in best) + (r"+\dots" if k > top else "")
    comps = ",\\;".join(f"{x:.3f}" for x in o[:3])
    lines.append(rf"o_{{{k}}}=\sum_j a_{{{k},j}}v_j={mix}=({comps},\dots)")
    return lines


def memory(page: str, run: TT.TransformerRun) -> None:
    """Numbers kept per step by each model, and the recall probe."""
    cfg, H = run.config, run.lstm.rnn.hidden_size
    per = cfg.kv_numbers(1)
    show.caption(t("transformer.memory.counts", H=H, lstm=2 * H, L=cfg.layers, d=cfg.d_model,
                   per=per, W=cfg.window, full=f"{cfg.kv_numbers(cfg.window):,}"))
    words = {**names(), "x": t("transformer.memory.x"), "y": t("transformer.memory.y"),
             "title": t("transformer.memory.title")}
    show.plotly(FG.kept(2 * H, per, cfg.window, words), f"{page}_kept",
                t("transformer.memory.kept_caption"))
    p = run.probe
    words = {**names(), "x": t("transformer.recall.x"), "y": t("transformer.recall.y"),
             "title": t("transformer.recall.title")}
    show.plotly(FG.recall(p.lstm, p.transformer, p.config.window, p.chance, words),
                f"{page}_recall", t("transformer.recall.caption"))
    inside, beyond = recall.accuracy_inside(p, True), recall.accuracy_inside(p, False)
    show.caption(t("transformer.recall.result", W=p.config.window, inside=f"{inside:.0%}",
                   beyond=f"{beyond:.0%}", chance=f"{p.chance:.0%}",
                   lstm=f"{np.mean(p.lstm):.0%}", steps=p.config.steps,
                   max_d=p.config.max_d))
