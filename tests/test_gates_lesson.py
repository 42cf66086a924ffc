"""Why gates: the page's defaults make its claim true, the reach is shown from initialisation
on (normalised, three cells side by side), and a lucky RNN is explained from its own numbers."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
import torch

from memviz import estimate, export
from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig
from memviz.engine import lesson, models, tasks, train
from memviz.gates import figures as gfigures
from memviz.gates import gradients
from memviz.plotting import ARCH_COLORS
from memviz.runs import kind_of

from .conftest import tiny_config


def _page_defaults() -> dict:
    from memviz.ui import recurrent
    return recurrent.settings_table("gates").defaults()


def _default_cfg(arch: str, seed: int) -> RunConfig:
    d = _page_defaults()
    return RunConfig(TaskConfig(d["task"], d["seq_len"]), ModelConfig(arch, d["hidden"]),
                     TrainConfig(steps=d["steps"], lr=d["lr"], seed=seed))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_at_the_page_defaults_the_vanilla_rnn_stays_at_chance(seed):
    """The lesson says the RNN fails on long lags: at its defaults it must, for seeds 0-3
    (the LSTM and GRU reach 100% there: benchmarks/gates_seeds.py)."""
    d = _page_defaults()
    assert d["seq_len"] >= gradients.LONG_LAG
    acc = train.run(_default_cfg("rnn", seed)).history.eval_accuracy
    assert acc < 0.35  # chance is 0.25


def test_the_default_run_trains_without_a_big_run_warning():
    """The page's first Train must not ask for 'Train it anyway'."""
    cfg = _default_cfg("lstm", 0)
    est = estimate.for_kind(kind_of(gradients.study), cfg)
    assert est is not None and est.over_budget is None


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_at_initialisation_the_error_reaches_step_1_only_through_the_gated_cells(seed):
    """No training needed: the reach at the start is what decides whether a cell can learn."""
    cfg = _default_cfg("rnn", seed)
    spec = tasks.spec(cfg.task)
    batch = tasks.make_batch(cfg.task, 64, torch.Generator().manual_seed(seed + 31))
    reach = {}
    for arch in ("rnn", "lstm", "gru"):
        m = models.build(ModelConfig(arch, 32), spec.input_size, spec.output_size, seed,
                         cfg.task.seq_len)
        r = gradients.relative_reach(m, spec, batch)
        assert r[-1] == pytest.approx(1.0)  # normalised by the last step
        reach[arch] = r[0]
    assert reach["rnn"] < 1e-8 < 1e-4 < reach["lstm"] < reach["gru"]


@pytest.fixture(scope="module")
def tiny_study():
    return gradients.study(tiny_config("lstm", seq_len=12, hidden=6, steps=40))


def test_reach_during_training_has_a_panel_per_checkpoint_from_initialisation(tiny_study):
    st = tiny_study
    assert set(st.reach) == {"rnn", "lstm", "gru"}
    for by_step in st.reach.values():
        assert sorted(by_step) == [0, 10, 30, 40]
        for r in by_step.values():
            assert r.shape == (12,) and r[-1] == pytest.approx(1.0)
    fig = gfigures.reach_during_training(st)
    shown = gfigures.shown_checkpoints(st)
    assert shown == [0, 30, 40]
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["at initialisation", "after 30 steps", "after 40 steps (end)"]
    assert len(fig.data) == 3 * len(shown)  # the three cells in every panel
    for tr in fig.data:
        arch = tr.legendgroup
        assert tr.line.color == ARCH_COLORS[arch]
    first = [tr for tr in fig.data if tr.xaxis == "x"]
    np.testing.assert_allclose(first[0].y, np.maximum(st.reach["rnn"][0], 1e-30))


def test_reach_during_training_exports_one_titled_panel_per_checkpoint(tiny_study):
    fig = gfigures.reach_during_training(tiny_study)
    for fmt in export.FORMATS:
        assert len(export.render(fig, fmt, scale=1)) > 200
    rows = list(csv.DictReader(io.StringIO(export.render(fig, "csv").decode())))
    assert {r["panel"] for r in rows} == {"at initialisation", "after 30 steps",
                                          "after 40 steps (end)"}
    assert {r["series"] for r in rows} == {"vanilla RNN", "LSTM", "GRU"}
    assert "time step t" in rows[0] and not {"x", "y"} & set(rows[0])


def test_product_of_forget_gates_is_drawn_in_the_lstm_colour(tiny_study):
    fig = gfigures.gradient_reach(tiny_study)
    dashed = [tr for tr in fig.data if tr.line.dash == "dash"]
    assert len(dashed) == 1 and "forget" in dashed[0].name
    lstm = next(tr for tr in fig.data if tr.name == "LSTM")
    assert dashed[0].line.color == lstm.line.color == ARCH_COLORS["lstm"]
    assert dashed[0].line.color != ARCH_COLORS["rnn"]


def _rnn_study(cfg: RunConfig) -> gradients.Study:
    les = lesson.prepare(cfg)
    batch = tasks.make_batch(cfg.task, 16, torch.Generator().manual_seed(1))
    return gradients.Study(cfg, {"rnn": les}, {}, {},
                           {"rnn": gradients.reach_during_training(les, batch)})


def test_a_lucky_rnn_is_explained_with_its_own_numbers():
    cfg = RunConfig(TaskConfig("recall", 30), ModelConfig("rnn", 16),
                    TrainConfig(steps=300, lr=0.01, seed=2))
    study = _rnn_study(cfg)
    acc = study.lessons["rnn"].run.history.eval_accuracy
    assert acc > 0.95  # it did learn: the page must say why
    note = gradients.lucky_note(study)
    assert note is not None and f"({acc:.0%})" in note and "attractor" in note
    assert f"only {gradients.sci(study.reach_at_start('rnn'))} of the error" in note
    longer = TaskConfig("recall", 60)
    acc2 = train.evaluate(study.lessons["rnn"].run.model, longer, 2)[1]
    assert f"with 60 steps the same network scores {acc2:.0%}" in note


def test_small_ratios_read_as_powers_of_ten():
    assert gradients.sci(4.2e-11) == "4·10⁻¹¹" and gradients.sci(0.23) == "0.23"
    assert gradients.sci(0.0) == "0" and gradients.sci(3e-3) == "3·10⁻³"


def test_no_lucky_note_when_the_rnn_fails_or_the_lag_is_short():
    failing = _rnn_study(RunConfig(TaskConfig("recall", 30), ModelConfig("rnn", 4),
                                   TrainConfig(steps=10, lr=0.01)))
    assert gradients.lucky_note(failing) is None
    short = _rnn_study(RunConfig(TaskConfig("recall", 8), ModelConfig("rnn", 8),
                                 TrainConfig(steps=150, lr=0.01)))
    assert short.lessons["rnn"].run.history.eval_accuracy > 0.9
    assert gradients.lucky_note(short) is None
