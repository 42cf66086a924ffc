"""Issue 14: one colour per architecture, task names in one place, what the class sees is true."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from memviz import plotting
from memviz.engine import figures, lesson, train
from memviz.gates import figures as gate_figures
from memviz.gates import gradients
from memviz.horizon import figures as horizon_figures
from memviz.recurrent import verdict

from .conftest import ROOT, tiny_config


def test_each_architecture_has_one_colour_on_every_page():
    assert gate_figures.ARCH_COLORS is plotting.ARCH_COLORS
    for arch, short in plotting.ARCH_SHORT.items():
        assert horizon_figures.COLORS[short] == plotting.ARCH_COLORS[arch]
    assert "attention" in plotting.ARCH_COLORS
    assert len(set(plotting.ARCH_COLORS.values())) == len(plotting.ARCH_COLORS)


def test_forget_product_line_is_drawn_in_the_lstms_colour():
    st = gradients.study(tiny_config(seq_len=4, hidden=2, steps=10))
    fig = gate_figures.gradient_reach(st)
    dashed = [tr for tr in fig.data if tr.line.dash == "dash"]
    assert dashed and dashed[0].line.color == plotting.ARCH_COLORS["lstm"]
    lstm = next(tr for tr in fig.data if tr.name == plotting.ARCH_NAMES["lstm"])
    assert lstm.line.color == dashed[0].line.color


def test_task_labels_live_in_one_place():
    from memviz.ui import recurrent

    assert recurrent.TASK_LABELS is plotting.TASK_LABELS
    assert plotting.task_label("recall", goal=True).startswith(plotting.TASK_LABELS["recall"])
    assert "TASK_NAMES = {t: plotting.task_label" in (ROOT / "pages/horizon.py").read_text()


def test_sine_input_is_a_line_and_heatmaps_tick_whole_units():
    les = lesson.prepare(tiny_config("rnn", task="sine", seq_len=1 + 5, hidden=1, steps=10))
    fig = figures.input_heatmap(les.trace, les.spec.channels)
    assert fig.data[0].type == "scatter" and fig.data[0].mode == "lines"
    heat = figures.state_heatmaps(les.trace, ["h"], 1, 0)
    assert heat.layout.yaxis.dtick == 1 and heat.layout.xaxis.dtick == 1


def test_a_run_no_better_than_chance_says_so_with_a_setting_to_try():
    bad = train.run(tiny_config("rnn", task="recall", seq_len=30, hidden=4, steps=10))
    msg = verdict.failed(bad.config, bad.history)
    assert msg and "no better than a model with no memory" in msg and "Try" in msg
    good = train.run(tiny_config("lstm", task="recall", seq_len=2, hidden=8, steps=200))
    assert good.history.eval_accuracy > 0.9 and verdict.failed(good.config, good.history) is None
    assert "better than the baseline" in verdict.baseline_sentence(good.config, good.history)


def test_adding_accuracy_is_defined_and_compared_with_the_baseline():
    run = train.run(tiny_config("lstm", task="adding", seq_len=4, hidden=4, steps=10))
    assert "within 0.04" in verdict.ACCURACY_MEANING["adding"]
    assert "0.167" in verdict.baseline_sentence(run.config, run.history)


def test_lecturer_mode_is_kept_in_the_url():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lecturer"] = "1"
    at.run()
    assert not at.exception and at.session_state["lecturer_mode"] is True
    assert at.query_params["lecturer"] == ["1"] or at.query_params["lecturer"] == "1"
    at.toggle(key="lecturer_mode").set_value(False).run()
    assert "lecturer" not in at.query_params


def test_a_failed_export_is_recorded_and_raised():
    from memviz.ui import show

    failures: dict[str, str] = {}
    make = show.exporter(np.zeros(3), "broken", "svg", failures)
    try:
        make()
    except Exception:
        pass
    else:
        raise AssertionError("a broken figure exported")
    # recorded as the translated line (issue 28 §4), never the raw exception text
    assert "broken" in failures and "SVG" in failures["broken"]
    assert "ndarray" not in failures["broken"] and "Error" not in failures["broken"]
