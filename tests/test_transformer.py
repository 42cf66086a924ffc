"""Transformer lesson: the hand-written attention against the model's, held-out scoring in
windows, a tiny run end to end (curves, comparison, store, probe), the stepper payload, the
sentence the run decides, the page in English and Chinese (AppTest) and the command."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from memviz import estimate, runs
from memviz.config import ConfigError
from memviz.text import corpus as C
from memviz.text import train as text_train
from memviz.transformer import recall, stepview
from memviz.transformer import store as codec
from memviz.transformer import trace as TR
from memviz.transformer import train as TT
from memviz.transformer.model import TransformerConfig

from .conftest import ROOT

TINY = "".join(f'def f{k}(x):\n    return "v{k}" + str(x)  # note {k % 7}\n' for k in range(90))


def tiny_cfg(**kw) -> TransformerConfig:
    base = dict(source="text", text=TINY, text_name="tiny", d_model=16, layers=2, heads=2,
                window=16, steps=30, lstm_steps=20, probe_steps=5, batch=8, seed=0)
    return TransformerConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def tiny_run() -> TT.TransformerRun:
    return TT.run(tiny_cfg())


def test_hand_written_attention_equals_the_model(tiny_run):
    passage = tiny_run.split.held_text[:16]
    tr = TR.record(tiny_run.model, tiny_run.split.vocab, passage)
    assert tr.max_abs_diff < 1e-5
    # the weights also match torch's softmax of the model's own q.k / sqrt(d), causal
    block = tiny_run.model.blocks[1]
    with torch.no_grad():
        x = tiny_run.model.stream(torch.as_tensor(tr.ids)[None])[1]
        q, k, _ = block.qkv_heads(x)
        s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        s = s.masked_fill(~torch.ones(16, 16, dtype=torch.bool).tril(), float("-inf"))
        torch_w = torch.softmax(s, -1)[0].double().numpy()
    assert np.abs(tr.weights[1] - torch_w).max() < 1e-5
    assert np.allclose(tr.weights.sum(-1), 1) and np.all(np.triu(tr.weights[0, 0], 1) == 0)
    assert tr.norms.shape == (16, 3) and np.isneginf(tr.scores[0, 0, 0, 1])


def test_windowed_scoring_reads_every_held_out_character_once(tiny_run):
    model, ids = tiny_run.model, tiny_run.split.held_ids
    x, y = TT.streams(ids)
    assert x.shape == (text_train.EVAL_STREAMS, (len(ids) - 1) // text_train.EVAL_STREAMS)
    # a stream no longer than the window is one pass of the model: the same number by hand
    short = ids[: 16 * text_train.EVAL_STREAMS + 1]
    xs, ys = TT.streams(short)
    with torch.no_grad():
        logits = model(xs)
    by_hand = torch.nn.functional.cross_entropy(logits.flatten(0, 1), ys.flatten()) / TT.LN2
    assert TT.bits_per_char(model, short) == pytest.approx(by_hand.item(), rel=1e-6)
    assert TT.bits_per_char(model, ids) < math.log2(tiny_run.split.vocab.size)


def test_tiny_run_records_curves_compares_and_round_trips(tiny_run):
    r = tiny_run
    assert len(r.curve) == len(r.lstm_curve) == TT.CURVE_POINTS + 1
    assert r.curve[0][0] == 0
    assert all(b[0] > a[0] for a, b in zip(r.curve, r.curve[1:], strict=False))
    assert r.curve[-1][1] < r.curve[0][1]  # it learned something
    eq = TT.at_equal_seconds(r.curve, r.lstm_curve)
    assert eq.seconds == min(r.curve[-1][0], r.lstm_curve[-1][0])
    assert eq.better == ("transformer" if eq.transformer < eq.lstm else "lstm")
    assert [b.n for b in r.baselines] == [3, 5]
    data, arrays = codec.save(r)
    back = codec.load(json.loads(json.dumps(data)), arrays)
    assert back.curve == r.curve and back.probe == r.probe
    assert TT.bits_per_char(back.model, r.split.held_ids) == pytest.approx(r.bits_per_char)
    assert runs.kind_of(TT.run) == codec.KIND


def test_equal_seconds_reads_the_longer_curve_between_points():
    eq = TT.at_equal_seconds(((0, 4.0), (10, 2.0)), ((0, 4.0), (4, 3.0), (20, 1.0)))
    assert (eq.seconds, eq.transformer, eq.lstm, eq.better) == (10, 2.0, 2.25, "transformer")
    assert TT.at_equal_seconds(((0, 4.0), (10, 3.0)), ((0, 4.0), (10, 2.9))).better == "lstm"


def test_verdict_sentence_follows_the_numbers():
    from memviz.ui.transformer import verdict

    assert "Transformer is ahead" in verdict(TT.Equal(12.0, 2.1, 2.3))
    said = verdict(TT.Equal(12.0, 2.4, 2.3))
    assert "LSTM is ahead" in said and "2.300" in said and "0.100" in said and "12.0 s" in said


def test_recall_sequences_hold_the_answer_d_back():
    gen = torch.Generator().manual_seed(0)
    d = torch.tensor([1, 5, 31])
    x, answer = recall.sequences(3, d, 33, gen)
    assert torch.equal(x[torch.arange(3), 32 - d], answer) and (answer < recall.K).all()
    assert (x[:, -1] == 2 * recall.K).all()
    marked = (x < recall.K).sum(1)
    assert marked.tolist() == [1, 1, 1]  # the rest is noise


def test_stepper_payload_fields_and_slots(tiny_run):
    tr = TR.record(tiny_run.model, tiny_run.split.vocab, tiny_run.split.held_text[:10])
    data = stepview.payload(tr, 3, 1)
    assert (data["T"], data["H"]) == (10, 10) and data["fields"] == ["a1_1", "a1_2", "a2_1",
                                                                      "a2_2"]
    slots = {s for lines in data["equations"].values() for line in lines
             for s in __import__("re").findall(r'data-k="(\w+)"', line)}
    assert slots <= set(data["arrays"]) and "s2_2" in slots
    assert data["labels"]["axis"] == "query position t"


def test_bounds_estimate_and_bad_settings():
    est = estimate.of(TransformerConfig())
    assert est is not None and est.refused is None
    assert estimate.of(tiny_cfg()).seconds < est.seconds
    with pytest.raises(ConfigError, match="heads"):
        TransformerConfig(d_model=20, heads=8)
    for bad in (dict(window=4), dict(layers=9), dict(heads=3), dict(steps=0)):
        with pytest.raises(ConfigError):
            tiny_cfg(**bad)
    assert TransformerConfig().kv_numbers(1000) == 2 * 2 * 64 * 64


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_trains_and_shows_its_figures(lang):
    from streamlit.testing.v1 import AppTest

    from memviz.ui import training

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/transformer.py"), default_timeout=120)
    at.run()  # set up in English (AppTest formats radio options in its own thread's language)
    at.radio(key="transformer_source").set_value("paste").run()
    at.text_area(key="transformer_paste").input(TINY)
    at.select_slider(key="transformer_d_model").set_value(32)
    for key, value in (("window", 16), ("steps", 50), ("lstm_steps", 50), ("probe_steps", 50)):
        at.slider(key=f"transformer_{key}").set_value(value)
    at.run()
    at.button(key="transformer_train").click().run()
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception and not at.error
    keys = {c.proto.id for c in at.get("plotly_chart")}
    assert len(keys) >= 5  # race, reads, norms, numbers kept, recall (the stepper: browser)
    words = " ".join(m.value for m in at.markdown)
    assert ("ahead" in words) if lang == "en" else ("领先" in words)
    assert len(at.get("bidi_component")) == 1


def test_a_bad_link_is_answered_in_one_line():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/transformer.py"), default_timeout=60)
    at.query_params.update(heads="3", window="7", steps="100")
    at.run()
    said = [w.value for w in at.warning if "link" in w.value]  # (the other: over the budget)
    assert not at.exception and len(said) == 1 and "heads" in said[0] and "\n" not in said[0]
    assert at.session_state["transformer_heads"] == 4  # the default, not the bad value
    assert at.session_state["transformer_steps"] == 100  # the good value is kept


def test_command_writes_metrics(tmp_path):
    from memviz.cli import main

    src = tmp_path / "tiny.txt"
    src.write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["transformer", "--corpus", str(src), "--d-model", "16", "--heads", "2",
               "--window", "16", "--steps", "10", "--lstm-steps", "10", "--probe-steps", "5",
               "--batch", "4", "--length", "20", "--out", str(out)])
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    for k in ("bits_per_char", "lstm_bits_per_char", "baseline_bits_per_char", "train_seconds",
              "params", "kv_numbers_per_step"):
        assert k in m
    assert m["kv_numbers_per_step"] == 2 * 2 * 16 * 16 and m["lstm_numbers_per_step"] == 256
    assert "--- LSTM ---" in (out / "sample.txt").read_text()
    assert main(["transformer", "--heads", "3", "--out", str(tmp_path / "x")]) == 2
    assert C.split(C.from_text(TINY)).vocab.size > 10
