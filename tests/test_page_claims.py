"""Issue 28 §1: every sentence a page states about its own run is written from, or checked
against, that run. Tiny real models where the claim is about behaviour; the default runs too
slow for the suite are re-measured by benchmarks/page_claims.py."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig
from memviz.engine import train
from memviz.progress import History
from memviz.recurrent import insight, presets, verdict
from memviz.ui import recurrent

from .conftest import ROOT, tiny_config

# ---------------------------------------------------------------- Vanilla RNN: "memory fades"


def test_the_rnn_page_says_what_its_default_run_does_and_points_to_the_fading_preset():
    """At the page's defaults the RNN recalls every symbol (T = 20): the intro must not promise
    fading there; it names the default delay and the preset that shows the fading."""
    d = recurrent.settings_table("rnn").defaults()
    cfg = RunConfig(TaskConfig(d["task"], d["seq_len"]), ModelConfig("rnn", d["hidden"]),
                    TrainConfig(steps=d["steps"], lr=d["lr"], seed=d["seed"]))
    h = train.run(cfg).history  # the page's own default run (~2 s)
    assert h.eval_accuracy >= verdict.RECALLS
    said = verdict.rnn_memory(cfg, h)
    assert said and "has not faded yet" in said and "T = 20" in said
    at = AppTest.from_file(str(ROOT / "pages/rnn.py"), default_timeout=60).run()
    intro = at.markdown[0].value
    preset = presets.rnn_forgets()
    assert f"T = {d['seq_len']}, it recalls the symbol" in intro
    assert preset.title in intro and f"T = {preset.config.task.seq_len}" in intro


def test_the_rnn_sentence_follows_the_run_it_is_given():
    cfg = tiny_config("rnn", seq_len=50, hidden=32, steps=500)
    for acc, loss in ((0.6, 0.9), (0.25, 1.38)):  # the verdict says it instead, with a fix
        faded = History(losses=[loss], eval_loss=loss, eval_accuracy=acc)
        assert verdict.rnn_memory(cfg, faded) is None and not verdict.judge(cfg, faded).ok
    held = History(losses=[0.01], eval_loss=0.01, eval_accuracy=0.99)
    assert "T = 50 this RNN recalls 99%" in verdict.rnn_memory(cfg, held)
    lstm = cfg.replace(model={"arch": "lstm"})
    assert verdict.rnn_memory(lstm, History(losses=[0.0], eval_loss=0.0,
                                            eval_accuracy=1.0)) is None


# ---------------------------------------------------------------- LSTM: half-learned runs


def test_a_half_learned_recall_run_is_called_failed_with_what_to_change():
    """LSTM T = 100, H = 64 at the defaults: 49.8% (loss 0.809) in the issue, 75% here; both
    are "better than the baseline" but not the task. 1,200 steps or lr 0.003 reach 100%
    (benchmarks/page_claims.py)."""
    cfg = RunConfig(TaskConfig("recall", 100), ModelConfig("lstm", 64),
                    TrainConfig(steps=300, lr=0.01))
    for acc, loss in ((0.498, 0.809), (0.754, 0.342)):
        v = verdict.judge(cfg, History(losses=[loss], eval_loss=loss, eval_accuracy=acc))
        assert not v.ok and "short of the task" in v.problem
        assert "1200 training steps" in v.try_ and "0.003" in v.try_
    done = History(losses=[0.001], eval_loss=0.001, eval_accuracy=1.0)
    assert verdict.judge(cfg, done).ok


def _held_out(c: np.ndarray, h: np.ndarray) -> insight.HeldOut:
    """A hand-made held-out set: 4 symbols x 8 sequences, T = 3, fields (B, T, H)."""
    group = np.repeat(np.arange(4), 8)
    B, H = len(group), c.shape[1]
    full = {k: np.zeros((B, 3, H)) for k in ("i", "f", "g", "o", "c", "h")}
    full["c"][:, 1], full["h"][:, 2], full["f"][:] = c[group], h[group], 0.95
    full["o"][:] = 0.9
    x = np.zeros((B, 3, 5))
    task = TaskConfig("recall", 3)
    names = tuple(insight.Message("recurrent.task.symbol", k=k) for k in range(4))
    return insight.HeldOut("lstm", task, x, group, full, group, names)


def test_the_best_unit_is_one_whose_h_at_the_cue_tells_the_symbols_apart():
    """The issue's case: a unit with c far apart but h +0.94/+0.94/-0.00/+0.94 at the cue
    (tanh flattens c) must not be called the one that separates the symbols best."""
    c = np.array([[31.0, -3.0], [25.0, -1.0], [0.0, 1.0], [40.0, 3.0]])  # (symbols, units)
    h = np.array([[0.94, -0.8], [0.94, -0.3], [0.0, 0.3], [0.94, 0.8]])
    ho = _held_out(c, h)
    assert insight.memory_unit(ho) == 1
    assert "Unit 1 separates the symbols best" in insight.describe(ho, 1)
    about0 = insight.describe(ho, 0)
    assert "separates the symbols best" not in about0
    assert "nearly the same for symbol 0, symbol 1, symbol 3" in about0
    flat = _held_out(c[:, :1], h[:, :1])  # only the squashed unit: nobody separates
    text = insight.describe(flat, 0)
    assert text.startswith("No single unit keeps all 4 symbols apart")


def test_a_tiny_lstm_that_learned_little_names_no_separating_unit():
    run = train.run(tiny_config("lstm", seq_len=6, hidden=4, steps=30))
    ho = insight.held_out(run.model, run.config.task, 0)
    best = insight.memory_unit(ho)
    m, T = insight.memory_step(ho.T), ho.T
    apart = min(insight.separation(ho.fields["c"][:, m], ho.group)[best],
                insight.separation(ho.fields["h"][:, T - 1], ho.group)[best])
    said = insight.describe(ho, best)
    assert ("separates the symbols best" in said) == (apart >= insight.SEPARATES), said


# ---------------------------------------------------------------- Synapses: co-firing weights


def test_the_synapses_page_says_what_the_rule_did_to_its_co_firing_neurons():
    """Default run: neurons 3 and 4 are driven together 12 times and document 003's rule moves
    w_34 by +0.09 (the issue's heatmap). The page says so, from the run's own weights."""
    from memviz.synapses import model as S

    cfg = S.SynapseConfig()
    sims = S.simulate_all(S.pattern("repeated", cfg), cfg)
    i, j, d, k = S.together(sims["doc003"])
    assert (i, j, k) == (3, 4, 12) and abs(d) > 0.05
    at = AppTest.from_file(str(ROOT / "pages/synapses.py"), default_timeout=60).run()
    assert not at.exception
    prose = " ".join(m.value for m in at.markdown)
    assert (f"Neurons 3 and 4 received input together at 12 steps, and document 003's rule "
            f"still moved the synapse 4 → 3 by {d:+.2f}") in prose
    assert "never moves a weight when both fire together" not in prose
    assert "two neurons active together change nothing" not in prose


def test_equal_activities_are_what_keeps_a_weight_not_firing_together():
    """Two lines always on together with the same fixed weights: equal activities, so the
    difference rule keeps the weight; at a_i = 1, a_j = 0.5 it moves by 0.5 alpha."""
    from memviz import i18n
    from memviz.synapses import model as S

    cfg = S.SynapseConfig(n=2, steps=6, alpha=0.1)
    sim = S.simulate(np.ones((6, 2)), "doc003", cfg)
    assert S.together(sim) == (0, 1, 0.0, 6)
    moved = S.rule_doc003(np.array([1.0, 0.5]), np.ones(2), np.zeros((2, 2)), 0.1)
    assert moved[0, 1] == 0.05
    for key in ("documents.note.d003.synapse", "synapses.example.after", "synapses.closing"):
        for lang in ("en", "zh"):
            text = i18n.t(key, lang, sig="0.550") if "after" in key else i18n.t(key, lang)
            # each names the case that moves a weight although both fire (or its mirror image)
            assert ("w_ji" if "closing" in key else "0.5α") in text, (key, lang)


# ---------------------------------------------------------------- Attention: the cost crossing


def test_the_attention_page_explains_where_its_cost_passes_the_lstm():
    """At T = 20 the table shows attention (last step only) at 95,232 against the LSTM's
    189,696 beside prose about quadratic cost: the page says why, and where the every-step
    attention passes the LSTM, from the table's own numbers."""
    from memviz.attention import lesson
    from memviz.attention.selfattn import flops_per_sequence

    def cost(arch, T, last_only=True):
        return flops_per_sequence(arch, T, 5, 32, 4, last_only=last_only)

    cross = next(T for T in range(2, 513) if cost("attention", T, False) > cost("lstm", T))
    assert cost("attention", cross - 1, False) <= cost("lstm", cross - 1)
    assert all(cost("attention", T) < cost("lstm", T) for T in range(2, 513))  # one query
    table = lesson.cost_table(20).set_index("model").iloc[:, 0]
    said = lesson.cost_reading(20)
    for name in ("LSTM", "Attention (last step only)", "Attention (every step)"):
        assert f"{int(table[name]):,}" in said
    assert f"from T = {cross} on" in said and "above the LSTM's" in said
    assert "still below the LSTM's" in lesson.cost_reading(cross - 1)
    at = AppTest.from_file(str(ROOT / "pages/attention.py"), default_timeout=90).run()
    assert not at.exception
    assert any(m.value == said for m in at.markdown)


# ---------------------------------------------------------------- Forecasting: the best baseline


def test_the_forecast_verdict_is_against_the_best_baseline_and_names_a_winning_line():
    """The issue's clean upload: LSTM 1.763, persistence 1.807, linear AR 1.505. The old green
    box praised the LSTM for beating persistence by 0.044; the verdict is now against the best
    baseline shown and says that a straight line wins."""
    import dataclasses

    from memviz.series import model
    from memviz.series.forecast import ForecastConfig

    run = model.train(ForecastConfig(window=5, hidden=4, epochs=5))  # a real tiny run
    wins, said = model.judged(run)
    assert not wins and run.beaten_by[0] == run.best_baseline[0] == "linear"
    assert "A straight line does better than the network" in said
    issue = dataclasses.replace(run, maes={"model": 1.763, "persistence": 1.807,
                                           "seasonal": None, "linear": 1.505})
    assert issue.beats_persistence and issue.beaten_by == ["linear"]
    wins, said = model.judged(issue)
    assert not wins and "does **not** beat the linear autoregression here (1.763 vs 1.505)" in said
    assert "straight line" in said and "beats" not in said.replace("does **not** beat", "")
    best = dataclasses.replace(run, maes={"model": 1.2, "persistence": 1.807,
                                          "seasonal": 1.9, "linear": 1.505})
    wins, said = model.judged(best)
    assert wins and "by 0.305 per forecast against the best of them, the linear" in said
    persistence_best = dataclasses.replace(best, maes={**best.maes, "persistence": 1.3,
                                                       "model": 1.4})
    wins, said = model.judged(persistence_best)
    assert not wins and "straight line" not in said and "beat persistence here" in said


# ---------------------------------------------------------------- Why gates: the dashed line


def test_the_dashed_line_sentence_says_what_the_figure_shows():
    """The issue's run: the forget product stays 0.3-1 while the LSTM's gradient falls to
    ~1e-4. The caption no longer claims the gradient stays high where the dashed line does;
    it gives both ranges and says whether the gradient follows."""
    import dataclasses

    from memviz import i18n
    from memviz.gates import gradients

    st = gradients.study(tiny_config("lstm", seq_len=12, hidden=6, steps=40))
    fl = st.flows["lstm"]
    said = gradients.dashed_note(st)
    assert f"between {gradients.sci(float(fl.forget_product.min()))} and" in said
    assert f"from {gradients.sci(float(fl.loss_grad.min()))} (lowest at t = " in said
    T = 40
    fp = np.linspace(0.3, 1.0, T)
    g = np.concatenate([np.full(20, 1e-2), np.full(15, 1e-4), np.full(5, 1e-2)])
    issue = dataclasses.replace(st, flows={**st.flows, "lstm": dataclasses.replace(
        fl, forget_product=fp, loss_grad=g)})
    said = gradients.dashed_note(issue)
    assert "between 0.3 and 1" in said and "from 1·10⁻⁴ (lowest at t = 21)" in said
    assert "does not by itself keep the gradient high" in said
    follows = dataclasses.replace(issue, flows={**st.flows, "lstm": dataclasses.replace(
        fl, forget_product=fp, loss_grad=fp * 0.01)})
    assert "the error reaches back" in gradients.dashed_note(follows)
    for lang in ("en", "zh"):  # the fixed claim is gone from the caption itself
        assert "dashed" not in i18n.t("gates.after.caption", lang)
        assert "虚线" not in i18n.t("gates.after.caption", lang)


# ---------------------------------------------------------------- Sentences: example and caption

EXAMPLE = "the film was not , to be honest , very good"  # pages/sentences.py's example


def _shape(tokens) -> tuple[str, ...]:
    """A sentence as the grammar's word classes: subject, verb, negator, filler, ..."""
    from memviz.sentences import grammar

    classes = {**{w: "S" for s in grammar.SUBJECTS for w in s.split()},
               **{w: "F" for ps in grammar.FILLERS.values() for p in ps for w in p.split()},
               **{w: "V" for w in grammar.VERBS}, **{w: "N" for w in grammar.NEGATORS},
               **{w: "I" for w in grammar.INTENSIFIERS}, **{w: "A" for w in grammar.POSITIVE},
               **{w: "A" for w in grammar.NEGATIVE}, ",": ",", "but": "C", "although": "C"}
    return tuple(classes[w] for w in tokens)


def test_the_sentences_example_is_one_the_grammar_makes():
    """The example put commas around the filler after 'not'; the grammar never did, so the
    trained models had never seen it (the LSTM at 99.9% answered it positive, P = 0.99)."""
    import random

    from memviz.sentences import grammar, text

    assert f'example = "{EXAMPLE}"' in (ROOT / "pages/sentences.py").read_text()
    made = {_shape(grammar.sentence(random.Random(i), "negation", 3).tokens) for i in range(400)}
    assert _shape(text.tokenize(EXAMPLE)) in made
    s = grammar.sentence(random.Random(0), "negation", 3)
    n = s.tokens.index(next(w for w in s.tokens if w in grammar.NEGATORS))
    assert s.tokens[n + 1] == "," and s.tokens[n + 5] == ","  # not , f f f , ... adjective


class _Read:
    def __init__(self, p):
        p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
        self.output = np.stack([np.zeros_like(p), np.log(p / (1 - p))], axis=1)  # (T, 2)


def test_the_reading_caption_is_written_from_the_curves():
    from memviz.sentences import figures

    tokens = EXAMPLE.split()
    lstm = [0.6, 0.6, 0.6, 0.55, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1]  # flips at ','
    gru = [0.7] * 11  # never flips
    said = figures.reading_note({"lstm": _Read(lstm), "gru": _Read(gru)}, tokens)
    assert "LSTM changes its answer at ',' (word 5)." in said
    assert "It moves most at ',' (word 5: 0.55 → 0.20)." in said
    assert "GRU never changes its answer: positive from the first word to the last." in said
    assert "not'" not in said  # no word is named that the curves do not show
    zigzag = [0.6, 0.4] * 5 + [0.6]  # ten changes of side: four named, six counted
    said = figures.reading_note({"lstm": _Read(zigzag)}, tokens)
    assert "',' (word 5) and 6 more words." in said


def test_a_tiny_trained_pair_reads_the_example_as_its_caption_says():
    from memviz.sentences import figures, model, text

    runs = model.train_both(model.SentimentConfig(steps=30, n_train=200, n_test=100, hidden=8))
    tokens, ids, _ = text.read_sentence(EXAMPLE, runs["lstm"].vocab)
    traces = {a: runs[a].read(ids) for a in ("lstm", "gru")}
    said = figures.reading_note(traces, tokens)
    for arch, tr in traces.items():
        side = figures.p_positive(tr.output) >= 0.5
        flips = [k for k in range(1, len(side)) if side[k] != side[k - 1]]
        if flips:
            assert f"{arch.upper()} changes its answer at '{tokens[flips[0]]}' (word " \
                   f"{flips[0] + 1})" in said
        else:
            assert f"{arch.upper()} never changes its answer" in said


# ---------------------------------------------------------------- Text: too small, recited, loops

SEED003 = ROOT.parent / "shared" / "seeds" / "003_16158d8e4ca11516.txt"


def _chinese(n: int = 2000) -> str:
    return SEED003.read_text(encoding="utf-8")[:n]


def test_a_short_chinese_paste_is_called_too_small_before_training():
    """2,000 Chinese characters (the issue's paste: 344 distinct) are too few to learn from;
    a longer source text is not."""
    from memviz.text import corpus as C
    from memviz.text import ngram

    small = ngram.size(C.split(C.from_text(_chinese())))
    assert small.small and small.per_char < ngram.MIN_PER_CHAR and small.distinct > 300
    assert small.uniform == np.log2(small.distinct)
    code = "".join(p.read_text() for p in sorted((ROOT / "memviz").glob("*.py")))[:120_000]
    big = ngram.size(C.split(C.from_text(code)))
    assert not big.small and big.ngram.bits_per_char < 0.6 * big.uniform


def test_recited_text_and_a_loop_of_spaces_are_detected():
    from memviz.text import generate as G

    train_text = "def f(x):\n    return x + 1\n\nclass A:\n    pass\n" * 3
    piece = "    return x + 1\n\nclass A:\n    pass\n"
    cp = G.copying(piece, train_text)
    assert cp.longest == len(" return x + 1 class A: pass ") and not cp.recited
    assert (cp.lines, cp.lines_copied) == (1, 1)
    long = "def f(x):\n    return x + 1\n\nclass A:\n    pass\n" * 2
    assert G.copying(long, train_text).recited  # 76 characters in a row (spaces squeezed)
    assert not G.copying(" " * 200, train_text).recited  # indentation is not a passage
    fresh = G.copying("zq wv kj\nuu yy pp oo\n", train_text)
    assert fresh.longest <= 2 and fresh.lines_copied == 0 and not fresh.recited
    spaces = " " * 230 + "x = 1\n" * 14  # the issue: ~230 spaces in 300 characters at T = 0.5
    ch, share, usual = G.repeated(spaces[:300], train_text)
    assert ch == " " and share > 0.75 and usual < 0.4
    assert G.repeated("x = f(y)\nreturn x\n", train_text) is None


def test_the_text_page_says_a_short_paste_is_too_small_before_and_after_training():
    """Random characters (300 distinct, 2,000 in all): nothing to learn, so after training the
    held-out score is no better than uniform guessing, and the page says so both times."""
    import random

    from memviz.ui import training

    rng = random.Random(0)
    noise = "".join(chr(0x4E00 + rng.randrange(300)) for _ in range(2000))

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/text.py"), default_timeout=120).run()
    at.radio(key="text_source").set_value("paste").run()
    at.text_area(key="text_paste").input(noise)
    for key, value in (("text_hidden", 8), ("text_seq_len", 16), ("text_steps", 10)):
        at.slider(key=key).set_value(value)
    at.run()
    before = " ".join(c.value for c in at.caption)
    assert "Before training:" in before and "log₂" in before
    assert any("too small to learn from" in w.value for w in at.warning)
    at.button(key="text_train").click().run()
    assert not at.exception
    bits = float(next(m.value for m in at.metric if m.label == "Held-out bits per character"))
    said = " ".join(w.value for w in at.warning)
    V = int(next(m.value for m in at.metric if m.label == "Alphabet").split()[0])
    assert bits >= np.log2(V) and "no better than guessing uniformly" in said
    shown = " ".join(c.value for c in at.caption) + said
    assert "word for word" in shown  # the written text measured against the training text
