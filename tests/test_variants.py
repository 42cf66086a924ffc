"""The documents' cell variants: each differs from torch's cell, and agrees where it must."""

from __future__ import annotations

import pytest
import torch

from memviz.documents import variants
from memviz.engine import cells

B, T, I, H = 3, 7, 5, 4  # noqa: E741 (I is the input size, as in torch)


def _weights(arch: str, seed: int = 0, scale: float = 1.0, I: int = I):  # noqa: E741
    """Random weights in torch's layout, and the fused module they come from."""
    torch.manual_seed(seed)
    mod = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[arch](I, H)
    with torch.no_grad():
        for p in mod.parameters():
            p.mul_(scale)
    return {n: getattr(mod, f"{n}_l0").detach() for n in
            ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}, mod


def _x(seed: int = 1, I: int = I) -> torch.Tensor:  # noqa: E741
    return torch.randn(B, T, I, generator=torch.Generator().manual_seed(seed))


# ------------------------------------------------------------------ document 001

def test_rnn_doc001_is_torchs_rnn():
    w, mod = _weights("rnn")
    x = _x()
    fused, _ = mod(x.transpose(0, 1))
    assert torch.allclose(variants.rnn_doc001(x, w)["h"], fused.transpose(0, 1), atol=1e-6)


def test_lstm_doc001_differs_on_random_weights():
    w, _ = _weights("lstm", scale=3.0)
    x = _x()
    diff = variants.compare(cells.lstm(x, w), cells.lstm(x, w, step=variants.lstm_doc001_step))
    assert diff["c"] > 1e-2 and diff["h"] > 1e-2


def test_lstm_doc001_first_step_is_exactly_tanh_of_the_candidate():
    w, _ = _weights("lstm")
    x = _x()
    canon = cells.lstm(x[:, :1], w)
    doc = cells.lstm(x[:, :1], w, step=variants.lstm_doc001_step)
    # From c_0 = 0: canonical c_1 = i g, the document's c_1 = i tanh(g), with the same i and g.
    assert torch.allclose(doc["c"], canon["i"] * torch.tanh(canon["g"]), atol=1e-7)
    assert torch.allclose(doc["g_written"], torch.tanh(canon["g"]))
    assert torch.equal(doc["i"], canon["i"]) and torch.equal(doc["g"], canon["g"])


def test_lstm_doc001_agrees_when_the_candidate_is_near_zero():
    w, _ = _weights("lstm", scale=1e-3)
    x = _x() * 1e-3
    diff = variants.compare(cells.lstm(x, w), cells.lstm(x, w, step=variants.lstm_doc001_step))
    assert diff["h"] < 1e-9  # tanh(tanh(a)) = a - 2a^3/3 + ..., so the gap is O(a^3)


def test_the_second_tanh_always_shrinks_the_candidate():
    a = torch.linspace(-5, 5, 101)
    g = torch.tanh(a)
    assert torch.all(torch.tanh(g).abs() <= g.abs())


def test_readout_canonical_is_a_linear_layer():
    lin = torch.nn.Linear(H, 3)
    h = torch.randn(T, H)
    assert torch.allclose(variants.readout_canonical(h, lin.weight, lin.bias), lin(h))
    y = variants.readout_canonical(h, lin.weight, lin.bias, g=torch.sigmoid)
    assert torch.allclose(y, torch.sigmoid(lin(h)))


def test_readout_doc001_multiplies_state_by_input():
    h = torch.tensor([[1.0, 2.0, 3.0]])
    x = torch.tensor([[4.0, 5.0]])  # I < H: the dot product runs over the first 2 coordinates
    assert variants.readout_doc001(h, x, 0.5).item() == pytest.approx(1 * 4 + 2 * 5 + 0.5)
    assert variants.readout_doc001(x, h, 0.5).item() == pytest.approx(14.5)  # symmetric
    assert variants.readout_doc001(h, torch.zeros(1, 2), 0.5).item() == 0.5  # blind when x = 0
    y = variants.readout_doc001(h, x, 0.0, g=torch.tanh).item()
    assert y == pytest.approx(torch.tanh(torch.tensor(14.0)).item())


# ------------------------------------------------------------------ document 004

def test_lstm_doc004_differs_and_carries_only_one_vector():
    w, _ = _weights("lstm")
    x = _x()
    doc = cells.lstm(x, w, step=variants.lstm_doc004_step)
    diff = variants.compare(cells.lstm(x, w), doc)
    assert diff["h"] > 1e-2
    # c_t is built from m_{t-1} = h_{t-1}: recompute step 2 from the recorded gates.
    c2 = doc["f"][:, 1] * doc["h"][:, 0] + doc["i"][:, 1] * doc["g"][:, 1]
    assert torch.allclose(doc["c"][:, 1], c2)


def test_lstm_doc004_ignores_the_recurrent_weight_and_the_cell_argument():
    w, _ = _weights("lstm")
    x = _x()
    a = cells.lstm(x, w, step=variants.lstm_doc004_step)
    w2 = dict(w, weight_hh=torch.randn_like(w["weight_hh"]))
    b = cells.lstm(x, w2, step=variants.lstm_doc004_step, c0=torch.randn(B, H))
    assert max(variants.compare(a, b).values()) == 0.0


def test_lstm_doc004_input_gate_borrows_the_forget_weight():
    w, _ = _weights("lstm", I=H)  # I = H: the literal equation
    x, m = _x(I=H)[:, 0], torch.randn(B, H)
    xp = x @ w["weight_ih"].T + w["bias_ih"]
    s = variants.lstm_doc004_step(xp, m, torch.zeros(B, H), w)
    W_i, W_f = w["weight_ih"][:H], w["weight_ih"][H:2 * H]
    b_i = w["bias_ih"][:H] + w["bias_hh"][:H]
    assert torch.allclose(s["a_i"], x @ W_i.T + m @ W_f.T + b_i, atol=1e-6)
    b_f = w["bias_ih"][H:2 * H] + w["bias_hh"][H:2 * H]
    assert torch.allclose(s["a_f"], (x + m) @ W_f.T + b_f, atol=1e-6)  # one weight, both terms


def test_lstm_doc004_pads_the_state_when_the_input_is_wider():
    w, _ = _weights("lstm", I=H + 3)
    doc = cells.lstm(_x(I=H + 3), w, step=variants.lstm_doc004_step)
    assert doc["h"].shape == (B, T, H) and torch.isfinite(doc["h"]).all()


# ------------------------------------------------------------------ documents 000 and 002

def test_lstm_concat_is_torchs_lstm():
    w, mod = _weights("lstm", scale=2.0)
    x = _x()
    with torch.no_grad():
        fused, (h_n, c_n) = mod(x.transpose(0, 1))
    out = variants.lstm_concat(x, w)
    assert torch.allclose(out["h"], fused.transpose(0, 1), atol=1e-6)
    assert torch.allclose(out["c"][:, -1], c_n[0], atol=1e-6)


def test_softmax_twice_flattens_towards_uniform():
    z = torch.tensor([[4.0, 0.0, -1.0, -2.0]])
    once, twice = torch.softmax(z, -1), variants.softmax_twice(z)
    assert torch.allclose(twice.sum(-1), torch.ones(1))
    assert twice.argmax() == once.argmax()  # the ranking survives, the confidence does not
    assert twice.max() < once.max()
    K = z.shape[-1]
    e = torch.e
    assert twice.max() <= e / (e + K - 1) + 1e-6
    big = variants.softmax_twice(torch.tensor([100.0, 0.0, 0.0, 0.0]))
    assert big.max() == pytest.approx(e / (e + K - 1), abs=1e-6)  # the bound is reached


# ------------------------------------------------------------------ document 002

def test_gru_doc002_differs_from_torch_on_random_weights():
    w, _ = _weights("gru", scale=2.0)
    x = _x()
    diff = variants.compare(cells.gru(x, w), cells.gru(x, w, step=variants.gru_doc002_step))
    assert diff["h"] > 1e-2 and diff["n"] > 1e-2


def test_gru_doc002_equals_torch_at_the_first_step_when_b_hn_is_zero():
    w, mod = _weights("gru")
    w = dict(w, bias_hh=torch.cat([w["bias_hh"][:2 * H], torch.zeros(H)]))
    x = _x()
    with torch.no_grad():
        mod.bias_hh_l0.copy_(w["bias_hh"])
        fused, _ = mod(x.transpose(0, 1))
    doc = cells.gru(x, w, step=variants.gru_doc002_step)
    assert torch.allclose(doc["h"][:, 0], fused.transpose(0, 1)[:, 0], atol=1e-6)
    assert (doc["h"][:, 1:] - fused.transpose(0, 1)[:, 1:]).abs().max() > 1e-3  # then they part


def test_gru_doc002_equals_torch_whenever_the_reset_gate_is_open():
    w, mod = _weights("gru")
    b = w["bias_ih"].clone()
    b[:H] = 50.0  # r = sigmoid(50 + ...) = 1 in float32: r ⊙ (W h + b) = W (r ⊙ h) + b
    w = dict(w, bias_ih=b)
    x = _x()
    with torch.no_grad():
        mod.bias_ih_l0.copy_(b)
        fused, _ = mod(x.transpose(0, 1))
    doc = cells.gru(x, w, step=variants.gru_doc002_step)
    assert torch.allclose(doc["h"], fused.transpose(0, 1), atol=1e-6)


def test_canonical_steps_match_torch_so_the_comparisons_are_fair():
    for arch in ("lstm", "gru"):
        w, mod = _weights(arch)
        x = _x()
        fused, _ = mod(x.transpose(0, 1))
        assert torch.allclose(cells.run(arch, x, w)["h"], fused.transpose(0, 1), atol=1e-6)


def test_compare_and_difference():
    a = {"h": torch.zeros(1, 2, 3), "c": torch.ones(1, 2, 3), "only_a": torch.ones(1)}
    b = {"h": torch.full((1, 2, 3), -0.5), "c": torch.ones(1, 2, 3)}
    assert variants.compare(a, b) == {"h": 0.5, "c": 0.0}
    assert variants.difference(a, b, "h").shape == (2, 3)


# ------------------------------------------------------------------ on trained models

def test_every_variant_differs_from_the_trained_cell(trained_runs):
    from memviz.engine import tasks
    for name, (_, arch, _) in variants.VARIANTS.items():
        run = trained_runs[arch]
        ex = tasks.example(run.config.task, 0)
        canon, doc = variants.run_both(name, run.model.layer0(), ex.x)
        assert canon["h"].shape == doc["h"].shape == (ex.x.shape[-2], run.config.model.hidden)
        assert variants.compare(canon, doc)["h"] > 1e-4, name


def test_readouts_on_a_trained_model(trained_runs):
    from memviz.engine import tasks
    run = trained_runs["rnn"]
    ex = tasks.example(run.config.task, 0)
    h = variants.rnn_doc001(ex.x[None] if ex.x.dim() == 2 else ex.x, run.model.layer0())["h"][0]
    V, c = run.model.readout.weight, run.model.readout.bias
    y, y_doc = variants.readouts(h, ex.x.squeeze(0), V, c)
    with torch.no_grad():
        expect = run.model(ex.x if ex.x.dim() == 3 else ex.x[None])[0].numpy()
    assert abs(y - expect).max() < 1e-5
    assert y_doc.shape == (h.shape[0],)


def test_fused_gap_is_float_rounding_for_every_cell(trained_runs):
    from memviz.engine import tasks
    for arch, run in trained_runs.items():
        ex = tasks.example(run.config.task, 0)
        assert variants.fused_gap(run.model, ex.x) < 1e-5, arch
