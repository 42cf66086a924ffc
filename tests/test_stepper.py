"""Training checkpoints, what-if re-runs, saliency and the stepper's payload (no browser)."""

from __future__ import annotations

import base64
import threading

import numpy as np
import pytest
import torch

from memviz.config import ModelConfig
from memviz.engine import cells, equations, lesson, models, tasks, trace
from memviz.recurrent import whatif
from memviz.ui import stepper

from .conftest import tiny_config


@pytest.fixture(scope="module")
def les():
    return lesson.prepare(tiny_config("lstm", steps=40, hidden=4, seq_len=6))


def test_checkpoints_are_at_the_promised_steps_and_equal_a_rerun_of_those_weights(les):
    assert lesson.checkpoint_steps(40) == (0, 10, 30, 40)
    assert lesson.checkpoint_steps(1000) == (0, 10, 30, 100, 300, 1000)
    assert [c.step for c in les.checkpoints] == [0, 10, 30, 40]
    for c in les.checkpoints[:-1]:  # a separate run stopped at that step: same weights
        again = lesson.prepare(tiny_config("lstm", steps=max(c.step, 10), hidden=4, seq_len=6))
        if c.step == 0:
            cfg = tiny_config("lstm", hidden=4, seq_len=6)
            s = tasks.spec(cfg.task)
            m = models.build(cfg.model, s.input_size, s.output_size, 0, 6)
            ex = tasks.example(cfg.task, 0)
            want = trace.record(m, ex.x, ex.y)
        else:
            want = again.trace
        for k in want.fields:
            np.testing.assert_allclose(c.trace[k], want[k], atol=1e-6)
    assert les.checkpoints[-1].trace is les.trace
    assert les.checkpoints[-1].loss == les.run.history.eval_loss
    assert les.checkpoints[0].loss > les.checkpoints[-1].loss  # training helped


def test_what_if_trace_equals_the_cell_run_on_the_edited_input(les):
    x = whatif.recall_input(les.run.config.task, symbol=2, cue=4)
    tr = whatif.rerun(les.run.model, x)
    with torch.no_grad():
        want = cells.run("lstm", torch.as_tensor(x)[None], les.run.model.layer0())
        out = les.run.model.readout(want["h"])[0]
    for k in tr.fields:
        np.testing.assert_allclose(tr[k], want[k][0].numpy(), atol=1e-6)
    np.testing.assert_allclose(tr.output, out.numpy(), atol=1e-6)
    assert tr.max_abs_diff < 1e-5  # and torch's fused LSTM agrees
    flipped = whatif.toggle(x, 1, 2)
    assert flipped[0, 2] == 0 and x[0, 2] == 1 and (flipped != x).sum() == 1
    with pytest.raises(ValueError, match="cue"):
        whatif.recall_input(les.run.config.task, 0, 1)


def test_saliency_on_a_hand_built_rnn_has_the_known_answer():
    """h_t = tanh(w x_t[0] + a h_{t-1}), y = v h_T, all inputs 0: dy/dx_t[0] = v w a^(T-t)."""
    m = models.SeqModel(ModelConfig("rnn", 1), 2, 1)
    w, a, v = 0.8, 0.5, 2.0
    with torch.no_grad():
        for p in m.parameters():
            p.zero_()
        m.rnn.weight_ih_l0[0, 0] = w
        m.rnn.weight_hh_l0[0, 0] = a
        m.readout.weight[0, 0] = v
    T = 5
    s = whatif.saliency(m, np.zeros((T, 2), np.float32))
    np.testing.assert_allclose(s, [v * w * a ** (T - t) for t in range(1, T + 1)], rtol=1e-5)
    with torch.no_grad():
        m.rnn.weight_hh_l0.zero_()  # no memory: only the last step can matter
    s = whatif.saliency(m, np.zeros((T, 2), np.float32))
    assert s[-1] == pytest.approx(v * w) and not s[:-1].any()
    # the model is shared by every session on its run: saliency leaves its parameters alone
    assert all(p.grad is None for p in m.parameters())


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
def test_sessions_recording_one_shared_model_at_once_do_not_disturb_it(arch):
    """Thirty students on one run record it from their own script threads at the same time.

    record() used to call model.cpu(), which rebuilds nn.RNN's flat weight list in place: a
    thread inside torch's forward then raised ValueError (8 threads x 200 records here: 37-81
    errors per cell type). Recording must not touch the shared module at all."""
    m = models.SeqModel(ModelConfig(arch, 8), 4, 4, 20).eval()
    refs = m.rnn._flat_weight_refs
    x = torch.randn(20, 4)
    want = trace.record(m, x)
    assert m.rnn._flat_weight_refs is refs  # not moved, not rebuilt
    errors, diffs = [], []

    def student() -> None:
        for _ in range(100):
            try:
                tr = trace.record(m, x)
                diffs.append(float(np.abs(tr["h"] - want["h"]).max()))
            except Exception as e:  # noqa: BLE001 -- every failure is the finding
                errors.append(repr(e))

    threads = [threading.Thread(target=student) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(diffs) == 800 and max(diffs) == 0.0


def test_the_payload_carries_the_exact_recorded_numbers(les):
    tr = les.trace
    data = stepper.payload(tr, 3, 1)
    assert (data["T"], data["H"], data["t"], data["unit"]) == (6, 4, 3, 1)
    for k, b64 in data["arrays"].items():
        got = np.frombuffer(base64.b64decode(b64), dtype="<f4").reshape(tr.T, tr.H)
        assert np.array_equal(got, tr[k])
    slots = "".join(sum(data["equations"].values(), []))
    assert 'data-k="a_f"' in slots and 'data-lag="1"' in slots  # c_{t-1} in the cell state
    assert equations.number(-0.25, paren=True) == "(-0.250)"
    assert data["id"] != stepper.payload(les.checkpoints[0].trace, 3, 1)["id"]


@pytest.mark.parametrize("task", ["recall", "adding"])
def test_what_if_panel_runs_on_the_page(task):
    from streamlit.testing.v1 import AppTest

    from memviz.ui import training

    from .conftest import ROOT

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/rnn.py"), default_timeout=120)
    for k, v in {"task": task, "seq_len": "6", "hidden": "3", "steps": "20"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception and len(at.get("bidi_component")) == 2
    n = len(at.get("plotly_chart"))
    if task == "recall":
        at.slider(key="rnn_wi_cue").set_value(3).run()
    else:
        at.number_input(key="rnn_wi_value").set_value(0.5).run()
    # recall starts unedited (a line instead of an empty Δ figure); the edit adds the Δ figure
    assert not at.exception and len(at.get("plotly_chart")) == n + (task == "recall")
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Saliency of" in t for t in titles)
