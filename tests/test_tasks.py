"""Each task's shapes and targets, and seeding."""

from __future__ import annotations

import pytest
import torch

from memviz.config import ConfigError, TaskConfig
from memviz.engine import tasks


def _batch(name: str, T: int = 12, b: int = 32, seed: int = 0) -> tasks.Batch:
    return tasks.make_batch(TaskConfig(name, T), b, torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", ["recall", "adding", "sine", "brackets"])
def test_shapes_match_the_spec(name):
    cfg = TaskConfig(name, 12)
    s, b = tasks.spec(cfg), _batch(name)
    assert b.x.shape == (32, 12, s.input_size) and b.x.dtype == torch.float32
    assert b.y.shape == ((32, 12) if s.per_step else (32,))
    assert b.y.dtype == (torch.long if s.classify else torch.float32)
    assert len(s.channels) == s.input_size


@pytest.mark.parametrize("name", ["recall", "adding", "sine", "brackets"])
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = _batch(name, seed=1), _batch(name, seed=1), _batch(name, seed=2)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x)


def test_recall_symbol_at_step_zero_cue_at_the_end_blanks_between():
    b = _batch("recall", T=10)
    K = 4
    assert torch.equal(b.x[:, 0, :K].argmax(-1), b.y)
    assert torch.all(b.x[:, -1, K] == 1) and torch.all(b.x[:, :-1, K] == 0)
    assert torch.all(b.x[:, 1:-1] == 0)


def test_recall_of_length_one_has_symbol_and_cue_together():
    b = _batch("recall", T=1)
    assert torch.all(b.x[:, 0, 4] == 1) and torch.equal(b.x[:, 0, :4].argmax(-1), b.y)


def test_adding_target_is_the_sum_of_the_two_marked_values():
    b = _batch("adding", T=20)
    values, marks = b.x[..., 0], b.x[..., 1]
    assert torch.all(marks.sum(1) == 2)
    assert torch.all(marks[:, :10].sum(1) == 1)  # one mark in each half
    assert torch.allclose((values * marks).sum(1), b.y)
    assert torch.all((values >= 0) & (values <= 1))


def test_sine_target_is_the_next_input():
    b = _batch("sine", T=30)
    assert torch.allclose(b.y[:, :-1], b.x[:, 1:, 0])


def test_bracket_target_is_the_running_depth():
    b = _batch("brackets", T=40)
    step = b.x[..., 0] - b.x[..., 1]  # +1 for '(' and -1 for ')'
    assert torch.equal(step.cumsum(1).long(), b.y)
    assert b.y.min() >= 0 and b.y.max() <= tasks.MAX_DEPTH


def test_bad_task_settings_raise_config_error():
    with pytest.raises(ConfigError, match="at least 2"):
        TaskConfig("adding", 1)
    with pytest.raises(ConfigError, match="between 1 and 500"):
        TaskConfig("recall", 501)
    with pytest.raises(ConfigError, match="task must be one of"):
        TaskConfig("nope", 5)
