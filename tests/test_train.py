"""Training lowers the loss, is reproducible, and stops with a message when it diverges."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from memviz import config as C
from memviz.engine import lesson, train
from memviz.progress import TrainingDiverged
from memviz.runs import RunStore

from .conftest import tiny_config


def test_training_lowers_the_loss():
    run = train.run(tiny_config("lstm", steps=150))
    first, last = np.mean(run.history.losses[:10]), np.mean(run.history.losses[-10:])
    assert last < 0.5 * first
    assert run.history.eval_accuracy > 0.9  # recall over 8 steps with 4 symbols


@pytest.mark.parametrize("arch", ["rnn", "gru"])
def test_every_architecture_learns_recall(arch):
    run = train.run(tiny_config(arch, steps=80))
    assert run.history.losses[-1] < run.history.losses[0]


def test_same_config_same_trace():
    a = lesson.prepare(tiny_config("gru", steps=15))
    b = lesson.prepare(tiny_config("gru", steps=15))
    assert a.run.history.losses == b.run.history.losses
    for name in a.trace.fields:
        np.testing.assert_array_equal(a.trace[name], b.trace[name])
    c = lesson.prepare(tiny_config("gru", steps=15, seed=1))
    assert not np.array_equal(a.trace["h"], c.trace["h"])


def test_divergence_stops_training_with_a_clear_message():
    cfg = tiny_config("rnn", task="adding", steps=30)
    model = train.models.build(cfg.model, 2, 1, seed=0)
    with torch.no_grad():  # poison a weight: the first loss is NaN
        model.readout.weight.fill_(math.nan)
    with pytest.raises(TrainingDiverged, match="diverged at step 1.*learning rate") as e:
        train.train(model, cfg.task, cfg.train)
    assert e.value.step == 1 and e.value.history.losses == []


def test_a_huge_learning_rate_is_caught_not_returned():
    cfg = C.RunConfig(C.TaskConfig("adding", 20), C.ModelConfig("rnn", 64),
                      C.TrainConfig(steps=200, lr=1.0, clip=1e9, seed=0))
    try:
        run = train.run(cfg)
    except TrainingDiverged as e:
        assert not math.isfinite(e.loss)
    else:  # if it survived, every reported loss is finite
        assert all(math.isfinite(v) for v in run.history.losses)


def test_on_step_reports_every_step_and_can_stop():
    seen = []
    run = train.run(tiny_config(steps=50), on_step=lambda s, n, loss: seen.append(s) or s == 20)
    assert seen == list(range(1, 21)) and run.history.stopped_early
    assert len(run.history.losses) == 20


def test_run_store_computes_once_per_config():
    store, calls = RunStore(max_entries=2), []
    compute = lambda: calls.append(1) or len(calls)
    assert store.get_or_compute("k", "a", compute) == 1
    assert store.get_or_compute("k", "a", compute) == 1
    store.get_or_compute("k", "b", compute)
    store.get_or_compute("k", "c", compute)  # evicts "a"
    assert store.get("k", "a") is None and len(store) == 2 and len(calls) == 3


def test_config_round_trips_and_rejects_unknown_settings():
    cfg = tiny_config("gru")
    assert C.RunConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(C.ConfigError, match="unknown setting"):
        C.RunConfig.from_dict({"model": {"arch": "gru", "layers": 3}})
    with pytest.raises(C.ConfigError, match="hidden size"):
        C.ModelConfig("lstm", 300)
