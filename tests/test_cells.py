"""The hand-written cells reproduce torch's fused modules to float tolerance."""

from __future__ import annotations

import pytest
import torch

from memviz.config import ModelConfig
from memviz.engine import cells, models, tasks, trace

TOL = 1e-5


def _fused_vs_hand(model: models.SeqModel, x: torch.Tensor) -> float:
    with torch.no_grad():
        fused_h = models.reference_forward(model.rnn, x)  # torch's own kernel
        hand = cells.run(model.arch, x, model.layer0())
    return (hand["h"] - fused_h).abs().max().item()


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("hidden", [1, 7, 64])
@pytest.mark.parametrize("T", [1, 200])
def test_cells_match_fused_modules_on_random_weights(arch, hidden, T):
    model = models.build(ModelConfig(arch=arch, hidden=hidden), 3, 2, seed=hidden + T)
    x = torch.randn(4, T, 3, generator=torch.Generator().manual_seed(T))
    assert _fused_vs_hand(model, x) <= TOL


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
def test_cells_match_fused_modules_on_trained_weights(arch, trained_runs):
    run = trained_runs[arch]
    for T in (1, 200):
        task = run.config.task.__class__(name="recall", seq_len=T)
        x = tasks.make_batch(task, 3, torch.Generator().manual_seed(1)).x
        assert _fused_vs_hand(run.model, x) <= TOL


def test_lstm_cell_state_also_matches(trained_runs):
    """Not only h: the cell state c_T equals the fused module's final c."""
    model = trained_runs["lstm"].model
    x = torch.randn(2, 50, model.rnn.input_size, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        _, (h_n, c_n) = model.rnn(x)
        hand = cells.lstm(x, model.layer0())
    # c is unbounded (it integrates), so float32 rounding scales with its size
    scale = max(1.0, c_n.abs().max().item())
    assert (hand["c"][:, -1] - c_n[0]).abs().max().item() <= TOL * scale
    assert (hand["h"][:, -1] - h_n[0]).abs().max().item() <= TOL


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru"])
def test_trace_records_every_field_with_shape_T_by_H(arch, trained_runs):
    run = trained_runs[arch]
    ex = tasks.example(run.config.task, seed=0)
    tr = trace.record(run.model, ex.x, ex.y)
    T, H = run.config.task.seq_len, run.config.model.hidden
    for name in cells.FIELDS[arch] + cells.EXTRA_FIELDS[arch]:
        assert tr[name].shape == (T, H), name
        assert not tr[name].flags.writeable
    assert tr.max_abs_diff <= TOL
    assert tr.output.shape == (T, tasks.spec(run.config.task).output_size)


def test_gates_are_consistent_with_their_pre_activations(trained_runs):
    tr = trace.record(trained_runs["lstm"].model,
                      tasks.example(trained_runs["lstm"].config.task, 0).x)
    sig = 1 / (1 + torch.exp(-torch.from_numpy(tr["a_f"].copy())))
    assert torch.allclose(sig, torch.from_numpy(tr["f"].copy()), atol=1e-6)
    c_prev = torch.cat([torch.zeros(1, tr.H), torch.from_numpy(tr["c"][:-1].copy())])
    c = torch.from_numpy(tr["f"] * c_prev.numpy() + tr["i"] * tr["g"])
    assert torch.allclose(c, torch.from_numpy(tr["c"].copy()), atol=1e-6)
