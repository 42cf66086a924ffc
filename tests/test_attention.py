"""Attention lesson: toy data, the seq2seq models and their hand-written step, greedy decoding,
self-attention on delayed recall, the fifth horizon architecture, the CLI and the page."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from memviz.attention import data, lesson, selfattn, seq2seq
from memviz.attention import train as s2s
from memviz.cli import main
from memviz.config import ConfigError, TaskConfig
from memviz.engine import tasks
from memviz.horizon import sweep as hz

from .conftest import ROOT

TINY = s2s.Seq2SeqConfig(max_len=4, extra=1, hidden=8, emb=4, steps=15, batch=8)


@pytest.fixture(scope="module")
def tiny_both():
    """Both variants, trained a few steps (real weights that are not the initial ones)."""
    return s2s.train_both(TINY)


def test_answers_are_checkable_and_seeded():
    assert data.answer("reverse", "4071") == "1704"
    assert data.answer("dates", "23 nov 2026") == "2026-11-23"
    assert data.answer("dates", "3 jan 1999 14 feb 2001") == "1999-01-03 2001-02-14"
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    a, b = data.make_batch("dates", (1, 2), 16, g1), data.make_batch("dates", (1, 2), 16, g2)
    assert a.texts == b.texts and torch.equal(a.tgt, b.tgt)
    for task, lengths in (("reverse", (3, 7)), ("dates", (1, 2))):
        batch = data.make_batch(task, lengths, 32, torch.Generator().manual_seed(0))
        for i, text in enumerate(batch.texts):
            assert data.decode(batch.src[i]) == text
            assert data.decode(batch.tgt[i]) == data.answer(task, text)
            assert int(batch.n[i]) in lengths
        if task == "reverse":
            assert sorted(set(len(t) for t in batch.texts)) == [3, 7]
    assert batch.dec_in[0, 0] == data.BOS and torch.equal(batch.dec_in[:, 1:], batch.tgt[:, :-1])


def test_config_rejects_bad_lengths_with_a_sentence():
    with pytest.raises(ConfigError, match="longest training length for dates"):
        s2s.Seq2SeqConfig(task="dates", max_len=9)
    with pytest.raises(ConfigError, match="task must be one of"):
        s2s.Seq2SeqConfig(task="french")


def test_attention_weights_sum_to_one_and_skip_padding(tiny_both):
    b = data.batch_of("dates", ["3 jan 1999", "23 nov 2026 1 feb 2000"], [1, 2])
    dec = seq2seq.greedy(tiny_both.attn.model, b.src, b.src_len, 12)
    assert torch.allclose(dec.alpha.sum(-1), torch.ones(dec.alpha.shape[:2]), atol=1e-6)
    assert float(dec.alpha[0, :, int(b.src_len[0]):].abs().max()) == 0.0  # PAD gets nothing
    assert torch.allclose(dec.p.sum(-1), torch.ones(dec.p.shape[:2]), atol=1e-5)


@pytest.mark.parametrize("variant", ["attn", "plain"])
def test_hand_written_step_equals_the_model(tiny_both, variant):
    model = getattr(tiny_both, variant).model
    walk = lesson.walk(model, TINY, 4)
    assert lesson.hand_check(model, walk) < 1e-5
    w = seq2seq.weights(model)
    hand = seq2seq.step_by_hand(w, walk.decoded.s[0, 0].double().numpy(),
                                walk.decoded.enc[0].double().numpy())
    np.testing.assert_allclose(hand["p"], walk.decoded.p[0, 0].numpy(), atol=1e-5)
    np.testing.assert_allclose(hand["c"], walk.decoded.c[0, 0].numpy(), atol=1e-5)
    if variant == "attn":
        np.testing.assert_allclose(hand["alpha"], walk.decoded.alpha[0, 0].numpy(), atol=1e-5)
        np.testing.assert_allclose(hand["e"], walk.decoded.e[0, 0].numpy(), rtol=1e-5,
                                   atol=1e-5)
    assert (hand["alpha"] is None) == (variant == "plain")


def test_greedy_decoding_feeds_its_own_output_back(tiny_both):
    model = tiny_both.attn.model
    b = data.make_batch("reverse", (4,), 6, torch.Generator().manual_seed(3))
    dec = seq2seq.greedy(model, b.src, b.src_len, 5)
    # teacher forcing on its own outputs must reproduce them (it fed each one back in)
    fed = torch.cat([torch.full((6, 1), data.BOS), dec.tokens[:, :-1]], dim=1)
    with torch.no_grad():
        logits = model(b.src, b.src_len, fed)
    alive = torch.cumsum((dec.tokens == data.EOS).long(), 1) - (dec.tokens == data.EOS).long()
    keep = alive == 0  # up to and including the first EOS
    assert torch.equal(logits.argmax(-1)[keep], dec.tokens[keep])


def test_greedy_decoding_of_a_forced_decoder():
    """Output layer forced to '7' then, once that is fed back, to EOS: decodes exactly '7'."""
    model = seq2seq.build(8, 4, attention=True, seed=0)
    seven = data.INDEX["7"]
    with torch.no_grad():
        model.out.weight.zero_()
        model.out.bias.fill_(-10.0)
        model.out.bias[seven] = 10.0
    b = data.batch_of("reverse", ["123"], [3])
    assert data.decode(seq2seq.greedy(model, b.src, b.src_len, 6).tokens[0]) == "777777"
    with torch.no_grad():
        model.out.bias[data.EOS] = 20.0
    dec = seq2seq.greedy(model, b.src, b.src_len, 6)
    assert dec.tokens.tolist() == [[data.EOS]] and data.decode(dec.tokens[0]) == ""


@pytest.fixture(scope="module")
def long_walk(tiny_both):
    """The trained attention model made never to stop early (EOS's bias far down), so greedy
    decoding runs its whole budget: several output steps of a really trained decoder."""
    model = copy.deepcopy(tiny_both.attn.model)
    with torch.no_grad():
        model.out.bias[data.EOS] -= 100.0
    return model, lesson.walk(model, TINY, 4)


def test_decoder_trace_is_the_decoders_states_and_torchs_gates(long_walk):
    model, walk = long_walk
    tr = lesson.decoder_trace(model, walk)
    d, K = walk.decoded, s2s.max_steps("reverse", 4)
    assert (tr.arch, tr.T, tr.H, walk.steps) == ("gru", K, 8, K)
    np.testing.assert_allclose(tr["h"], d.s[0].numpy(), atol=1e-6)  # the states greedy recorded
    assert tr.max_abs_diff < 1e-6
    np.testing.assert_array_equal(tr.initial["h"], d.enc[0, -1].numpy())  # s_0 = h_S
    fed = [data.BOS, *d.tokens[0, :-1].tolist()]  # BOS, then each emitted token fed back
    with torch.no_grad():
        E = model.tgt_embed.weight.double()
        np.testing.assert_allclose(tr.x, E[fed].numpy(), atol=1e-7)
        g = {n: getattr(model.decoder, f"{n}_l0").double() for n in
             ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}  # torch's own, rerun in float64
        gi = E[fed] @ g["weight_ih"].T + g["bias_ih"]  # (K, 3H)
        gh = d.s_prev[0].double() @ g["weight_hh"].T + g["bias_hh"]  # from greedy's s_{k-1}
        (i_r, i_z, i_n), (h_r, h_z, h_n) = gi.chunk(3, -1), gh.chunk(3, -1)
        r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
    for name, want in (("r", r), ("z", z), ("n", n)):
        np.testing.assert_allclose(tr[name], want.numpy(), atol=1e-5, err_msg=name)
    np.testing.assert_allclose(torch.softmax(torch.tensor(tr.output), -1).numpy(),
                               d.p[0].numpy(), atol=1e-6)  # logits of the shown steps
    want = [*data.encode(walk.answer), data.EOS][:K]
    assert tr.target.tolist() == want + [-1] * (K - len(want))


def test_decoder_equations_start_from_the_encoders_last_state(long_walk):
    """At k = 1 the live GRU equation reads s_0 = h_S (not zero) and its numbers add up, in
    Python's equations and in what the browser's stepper is sent."""
    import base64

    from memviz.engine import equations
    from memviz.ui import stepper

    model, walk = long_walk
    tr = lesson.decoder_trace(model, walk)
    j = int(np.abs(tr.initial["h"]).argmax())
    step = equations.Step(tr, 1, j)
    h0 = step.v("h", 1)
    assert h0 == pytest.approx(float(tr.initial["h"][j])) and h0 != 0.0
    z, n = step.v("z"), step.v("n")
    assert (1 - z) * n + z * h0 == pytest.approx(step.v("h"), abs=1e-6)
    assert f"{h0:.3f}".lstrip("-") in equations.live(tr, 1, j)["h"]
    sent = stepper.payload(tr, 1, j)["initial"]["h"]
    np.testing.assert_array_equal(np.frombuffer(base64.b64decode(sent), "<f4"), tr.initial["h"])


def test_accuracy_by_length_covers_longer_sources(tiny_both):
    acc = tiny_both.attn.accuracy
    assert sorted(acc) == list(TINY.test_lengths) == [2, 3, 4, 5]
    assert all(0 <= e <= t <= 1 for e, t in acc.values())  # exact never beats per token


def test_self_attention_solves_tiny_recall_and_looks_at_step_one():
    run = selfattn.train_recall(selfattn.RecallConfig(lag=6, d=16, steps=80, lr=0.01))
    assert run.history.eval_accuracy > 0.9
    A = run.A[0]
    assert torch.allclose(A.sum(-1), torch.ones(6), atol=1e-6)
    assert float(torch.triu(A, diagonal=1).abs().max()) == 0.0  # causal
    assert int(A[-1].argmax()) == 0  # the cue reads step 1


def test_last_only_matches_the_full_layer_and_learned_table_limits():
    torch.manual_seed(0)
    full = selfattn.SelfAttention(5, 4, d=8, heads=2, encoding="learned", max_len=10)
    x = torch.randn(3, 9, 5)
    last = full.attend(x, last_only=True)[0][:, -1]
    assert torch.allclose(full(x)[:, -1], last, atol=1e-6)
    with pytest.raises(ConfigError, match="cannot encode a sequence of 11"):
        full(torch.randn(1, 11, 5))
    assert (selfattn.flops_per_sequence("attention", 400, 5, 8, 4, last_only=False)
            > 3.5 * selfattn.flops_per_sequence("attention", 200, 5, 8, 4, last_only=False))


def test_horizon_sweep_accepts_attention():
    cfg = hz.HorizonConfig(lags=(3,), archs=("lstm", "attention"), hidden=4, steps=10,
                           batch=8)
    results = list(hz.sweep(cfg))
    assert [r.arch for r in results] == ["lstm", "attention"]
    model = hz.build(hz.Pair.of(cfg, "attention", 3))
    assert isinstance(model, selfattn.SelfAttention)
    x = tasks.make_batch(TaskConfig("recall", 3), 2, torch.Generator().manual_seed(0)).x
    assert model(x).shape == (2, 1, 4)


def test_cli_writes_metrics(tmp_path):
    code = main(["seq2seq", "--attention", "off", "--task", "reverse", "--max-len", "3",
                 "--extra", "1", "--hidden", "8", "--steps", "5", "--out", str(tmp_path)])
    assert code == 0
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert set(m["accuracy_by_length"]) == {"2", "3", "4"}
    assert set(m["accuracy_by_length"]["4"]) == {"exact", "per_token"}
    assert m["attention"] is False


@pytest.mark.parametrize("args", [["--attention", "maybe"], ["--attention", "on", "--task",
                                  "dates", "--max-len", "9"]])
def test_cli_bad_args_exit_2_with_one_line(args, tmp_path, capsys):
    assert main(["seq2seq", *args, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("memviz seq2seq: error:")
    assert not (tmp_path / "metrics.json").exists()


def test_cli_entry_point_exits_2():
    out = subprocess.run([sys.executable, "-m", "memviz", "seq2seq", "--attention", "on",
                          "--task", "dates", "--max-len", "9", "--out", "/tmp/unused"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


def test_figures_export_offline():
    """Every figure of the page renders to PNG and CSV through memviz.export (no browser)."""
    from memviz import export
    from memviz.attention import figures

    alpha = np.full((3, 2), 0.5)
    figs = [figures.alignment_heatmap(alpha, ["1", "2"], ["2", "1", "EOS"], 1),
            figures.accuracy_lines({"plain": {2: (1.0, 1.0)}, "attention": {2: (1.0, 1.0)}}, 2),
            figures.self_attention_map(np.tril(np.ones((4, 4))) / np.arange(1, 5)[:, None]),
            figures.step_panel(alpha[0], ["1", "2"], np.full(len(data.VOCAB), 1 / 41),
                               np.zeros(4), np.zeros(4)),
            figures.step_panel(None, ["1", "2"], np.full(len(data.VOCAB), 1 / 41),
                               np.zeros(4), np.zeros(4))]
    for fig in figs:
        assert export.unsupported_reason(fig) is None
        assert export.render(fig, "csv")


def test_page_trains_and_steps_through():
    from streamlit.testing.v1 import AppTest

    from memviz.ui import training

    from .conftest import stepper_data

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/attention.py"), default_timeout=180)
    at.query_params.update(task="reverse", max_len="3", steps="20", lag="5", t="1")
    at.run()
    assert not at.exception, at.exception
    keys = {c.key for c in at.get("plotly_chart")}
    assert {"attn_accuracy", "attn_alignment", "attn_step", "attn_selfmap"} <= keys
    data_ = stepper_data(at)  # the shared step-through, over the decoder GRU's output steps
    assert data_["fields"] == ["r", "z", "n", "h"] and data_["t"] == 1 and "h" in data_["initial"]
    latex = " ".join(el.value for el in at.get("latex") if hasattr(el, "value"))
    assert r"\alpha_{1,\cdot}" in latex and "largest difference" in " ".join(
        c.value for c in at.caption)
    assert data_["T"] >= 2
    at.session_state["attn_t"] = 2  # where the browser's stepper reports the student settled
    at.run()
    assert not at.exception
    assert r"\alpha_{2,\cdot}" in " ".join(el.value for el in at.get("latex")
                                           if hasattr(el, "value"))
    assert at.query_params["t"] in ("2", ["2"]) and at.query_params["lag"] in ("5", ["5"])
