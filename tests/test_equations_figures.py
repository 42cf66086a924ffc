"""Live equations carry the trace's own numbers; every figure builder yields a valid figure."""

from __future__ import annotations

import base64
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from memviz.documents import figures as doc_figures
from memviz.engine import equations, figures, lesson
from memviz.gates import figures as gradient_figures
from memviz.gates import gradients

from .conftest import tiny_config


@pytest.fixture(scope="module")
def lessons():
    return {a: lesson.prepare(tiny_config(a, steps=20)) for a in ("rnn", "lstm", "gru")}


def _numbers(tex: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d{3}", tex)]


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
def test_each_equation_ends_in_the_recorded_value(arch, lessons):
    tr = lessons[arch].trace
    t, j = 4, 2
    for name, tex in equations.live(tr, t, j).items():
        assert _numbers(tex)[-1] == pytest.approx(tr[name][t - 1, j], abs=6e-4), name


def test_lstm_cell_equation_substitutes_the_previous_cell_state(lessons):
    tr = lessons["lstm"].trace
    nums = _numbers(equations.live(tr, 5, 1)["c"])
    f, c_prev, i, g, c = nums
    assert c_prev == pytest.approx(tr["c"][3, 1], abs=6e-4)
    assert f * c_prev + i * g == pytest.approx(c, abs=3e-3)


def test_the_first_step_uses_zero_initial_state(lessons):
    nums = _numbers(equations.live(lessons["gru"].trace, 1, 0)["h"])
    assert nums[3] == 0.0  # h_0


def test_out_of_range_step_or_unit_raises(lessons):
    with pytest.raises(ValueError, match="step must be between 1 and 8"):
        equations.live(lessons["lstm"].trace, 9, 0)
    with pytest.raises(ValueError, match="unit must be between 0 and 7"):
        equations.live(lessons["lstm"].trace, 1, 8)


@pytest.mark.parametrize("task", ["recall", "adding", "sine", "brackets"])
def test_every_figure_builder_passes_plotly_validation(task):
    les = lesson.prepare(tiny_config("lstm", task=task, steps=5))
    tr = les.trace
    figs = [figures.state_heatmaps(tr, "ifgoch", 3, 1), figures.unit_lines(tr, "ifgoch", 1, 3),
            figures.input_heatmap(tr, les.spec.channels), figures.prediction(tr, les.spec),
            figures.loss_curve(les.run.history.losses, lesson.baseline_loss(les.run.config)),
            doc_figures.delta_heatmap(tr["h"] - tr["c"], "Δ")]
    for fig in figs:
        go.Figure(fig.to_dict())  # raises on any invalid property


def test_gradient_figures_pass_validation():
    st = gradients.study(tiny_config("lstm", seq_len=6, hidden=4, steps=5))
    for fig in (gradient_figures.gradient_reach(st, "loss"),
                gradient_figures.gradient_reach(st, "jacobian"),
                gradient_figures.saturation_scatter(st, "lstm"),
                gradient_figures.saturation_scatter(st, "gru")):
        go.Figure(fig.to_dict())


def test_heatmap_panels_follow_the_fields_and_mark_the_step(lessons):
    tr = lessons["gru"].trace
    fig = figures.state_heatmaps(tr, ("r", "z", "n", "h"), 5, 2).to_dict()
    assert [d["type"] for d in fig["data"]] == ["heatmap"] * 4
    np.testing.assert_array_equal(_decode(fig["data"][1]["z"]), tr["z"].T)
    assert fig["layout"]["shapes"][0]["x0"] == 5


def _decode(z) -> np.ndarray:
    """plotly sends numpy arrays as base64 typed arrays: decode one back."""
    if not isinstance(z, dict):
        return np.asarray(z)
    shape = [int(v) for v in str(z["shape"]).split(",")]
    return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
