"""Shareable setups (URL), lecture presets and the lecturer mode, run headless with AppTest."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from memviz.engine import figures, lesson
from memviz.recurrent import insight, presets
from memviz.ui import show, training

from .conftest import ROOT, stepper_data


@pytest.fixture(autouse=True)
def fresh_store():
    training.store.clear()


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / f"pages/{name}.py"), default_timeout=120)


def test_a_link_restores_the_settings_trains_and_opens_the_same_step():
    at = _page("gru")
    for k, v in {"task": "brackets", "seq_len": "9", "hidden": "5", "lr": "0.03",
                 "steps": "20", "seed": "4", "t": "3", "unit": "2"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception and not at.warning
    assert at.selectbox(key="gru_task").value == "brackets"
    assert at.slider(key="gru_seq_len").value == 9 and at.slider(key="gru_hidden").value == 5
    assert at.select_slider(key="gru_lr").value == 0.03
    assert at.number_input(key="gru_seed").value == 4
    view = stepper_data(at)
    assert (view["t"], view["unit"]) == (3, 2)  # the stepper opens at the link's step and unit
    assert len(at.get("plotly_chart")) >= 3  # trained without a click: the link shows the model


def test_the_url_follows_the_widgets_round_trip():
    at = _page("rnn").run()
    at.slider(key="rnn_seq_len").set_value(7)
    at.slider(key="rnn_steps").set_value(20).run()
    at.button(key="rnn_train").click().run()
    at.session_state["rnn_t"] = 5  # where the browser's stepper reports the student settled
    at.run()
    params = {k: at.query_params[k][0] if isinstance(at.query_params[k], list)
              else at.query_params[k] for k in ("seq_len", "steps", "t", "task")}
    assert params == {"seq_len": "7", "steps": "20", "t": "5", "task": "recall"}
    again = _page("rnn")  # a second student opens that link
    for k, v in at.query_params.items():
        again.query_params[k] = v[0] if isinstance(v, list) else v
    again.run()
    assert again.slider(key="rnn_seq_len").value == 7 and stepper_data(again)["t"] == 5


@pytest.mark.parametrize("bad", [{"seq_len": "abc"}, {"seq_len": "900"}, {"lr": "0.5"}])
def test_a_broken_link_falls_back_to_defaults_with_a_warning(bad):
    at = _page("lstm")
    for k, v in bad.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert "showing the defaults" in at.warning[0].value
    assert at.slider(key="lstm_seq_len").value == 20


def test_a_preset_sets_the_widgets_and_says_what_to_look_for():
    at = _page("lstm").run()
    name = "A counting cell"
    at.selectbox(key="lstm_preset").set_value(name).run()
    p = presets.for_page("lstm")[name]
    assert at.selectbox(key="lstm_task").value == "brackets"
    assert at.slider(key="lstm_seq_len").value == p.config.task.seq_len
    assert at.slider(key="lstm_hidden").value == p.config.model.hidden
    assert any("counter" in i.value for i in at.info)


def test_lecturer_mode_keeps_figures_and_equations_and_drops_the_rest():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/lstm.py").run()
    at.slider(key="lstm_seq_len").set_value(6)
    at.slider(key="lstm_steps").set_value(20).run()
    at.button(key="lstm_train").click().run()
    prose_before = len(at.markdown)
    downloads = len(at.get("download_button"))
    assert downloads >= 4 * 4  # PNG, SVG, PDF, CSV under each figure (plus the lecture pack)
    at.toggle(key=show.LECTURER).set_value(True).run()
    assert not at.exception
    assert len(at.markdown) < prose_before
    assert len(at.get("download_button")) == 1  # only the lecture pack remains
    assert len(at.get("plotly_chart")) >= 3  # loss, input, prediction
    view = stepper_data(at)  # heatmaps, curves and the six live equations, scaled up
    assert view["lecturer"] and len(view["equations"]) == 6
    assert not any("The numbers below come from" in c.value for c in at.caption)


def test_every_preset_shows_what_its_note_claims():
    """The notes are measurements: re-measure them on the presets' own settings."""
    byname = {p.name: p for p in presets.PRESETS}
    forget = lesson.prepare(byname["A forget gate that saturates"].config)
    f, c = forget.trace["f"], forget.trace["c"]
    assert f[:, 0].min() > 0.95 and forget.run.history.eval_accuracy > 0.95
    assert abs(c[-2, 0] - c[0, 0]) > 1 and np.all(np.diff(np.sign(np.diff(c[:-1, 0]))) == 0)
    assert f.min(axis=0).min() < 0.8  # "a unit whose f row is darker"
    ho = insight.held_out(forget.run.model, forget.run.config.task, 0)
    ends = [ho.fields["c"][ho.group == g, 48, 0].mean() for g in range(4)]
    assert max(ends) > 1 and min(ends) < -1 and min(abs(e) for e in ends) < 0.5  # up/down/0
    count = lesson.prepare(byname["A counting cell"].config)
    depth = count.trace.target.astype(float)
    assert np.corrcoef(count.trace["c"][:, 2], depth)[0, 1] < -0.95  # "the deeper, the lower"
    ho = insight.held_out(count.run.model, count.run.config.task, 0)
    step = np.diff(ho.fields["c"][..., 2], axis=1, prepend=0.0)
    opens = ho.x[..., 0] > 0.5
    assert step[opens].mean() < 0 < step[~opens].mean()  # falls with '(', rises with ')'
    r, clipped = figures.cell_range(count.trace["c"])
    assert clipped and 2 not in clipped  # other units drift further; unit 2 keeps its colour
    assert "nesting depth" in insight.describe(ho, 2) and "cue" not in insight.describe(ho, 2)
    rnn_cfg = byname["The RNN forgets after ~20 steps"].config
    assert lesson.prepare(rnn_cfg).run.history.eval_accuracy < 0.35  # chance is 0.25
    short = rnn_cfg.replace(task={"seq_len": 20})
    assert lesson.prepare(short).run.history.eval_accuracy > 0.95


def test_a_changed_setting_after_opening_a_link_waits_for_the_train_button():
    at = _page("rnn")
    for k, v in {"seq_len": "6", "hidden": "3", "steps": "20"}.items():
        at.query_params[k] = v
    at.run()
    assert len(at.get("plotly_chart")) >= 3  # the link's own setup trained at once
    at.slider(key="rnn_hidden").set_value(4).run()
    assert not at.exception and len(at.get("plotly_chart")) == 0
    assert "Press **Train**" in at.info[0].value


def test_cnn_page_keeps_its_settings_in_the_url():
    at = _page("cnn")
    for k, v in {"c1": "4", "c2": "8", "kernel": "5", "steps": "20", "pool": "false"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert at.select_slider(key="cnn_c1").value == 4 and at.radio(key="cnn_kernel").value == 5
    assert at.checkbox(key="cnn_pool").value is False
    assert len(at.get("plotly_chart")) > 0  # opened from a link: trained without a click
    at.select_slider(key="cnn_c2").set_value(16).run()
    assert at.query_params["c2"] in ("16", ["16"])


def test_documents_page_restores_a_link_and_ignores_bad_values():
    at = _page("documents")
    for k, v in {"seq_len": "8", "hidden": "4", "steps": "20", "seed": "nope"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert at.slider(key="docs_seq_len").value == 8 and at.number_input(key="docs_seed").value == 0


def test_horizon_page_restores_its_sweep_settings_from_a_link():
    at = _page("horizon")
    for k, v in {"task": "adding", "archs": "lstm,cnn", "lags": "5,20,999", "kernel": "3"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert at.radio(key="hz_task").value == "adding"
    assert at.multiselect(key="hz_archs").value == ["lstm", "cnn"]
    assert at.multiselect(key="hz_lags").value == [5, 20]  # an unknown lag is dropped
    assert at.slider(key="hz_kernel").value == 3
    assert at.query_params["archs"] in ("lstm,cnn", ["lstm,cnn"])


def test_synapses_page_restores_its_settings_from_a_link():
    at = _page("synapses")
    for k, v in {"n": "4", "alpha": "0.1", "f": "sigmoid", "pattern": "once", "w0": "7"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert at.slider(key="syn_n").value == 4 and at.select_slider(key="syn_alpha").value == 0.1
    assert at.selectbox(key="syn_f").value == "sigmoid"
    assert at.radio(key="syn_pattern").value == "once"
    assert at.slider(key="syn_w0").value == 0.0  # out of range in the link: the default


def test_a_link_too_big_for_the_shared_server_is_refused_with_a_reason(monkeypatch):
    submitted = []
    monkeypatch.setattr(training.jobs.Board, "submit",
                        lambda self, *a, **k: submitted.append(a) or pytest.fail("trained"))
    at = _page("gru")
    at.query_params.update({"seq_len": "500", "hidden": "256", "steps": "10"})
    at.run()
    assert not at.exception and not submitted
    assert any("too big for a shared server" in e.value and "GB" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "gru_train"]  # no button to press, either
    at.slider(key="gru_hidden").set_value(32).run()  # small enough: the button is back
    assert [b for b in at.button if b.key == "gru_train"] and not at.error
