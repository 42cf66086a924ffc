"""memviz.fastgru: FastGRU computes what nn.GRU computes, forward and backward, on the CPU."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from memviz import config as C
from memviz.engine import models, tasks, train
from memviz.engine.fastgru import FastGRU, gru_layer

from .conftest import tiny_config

PARAMS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One intra-op thread, as training uses (spin-waiting threads are slow under load)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def pair(n_in: int, H: int, seed: int = 0, dtype=torch.float32) -> tuple[nn.GRU, FastGRU]:
    """nn.GRU and FastGRU with the same weights, both initialised from `seed`."""
    torch.manual_seed(seed)
    ref = nn.GRU(n_in, H, batch_first=True).to(dtype)
    torch.manual_seed(seed)
    fast = FastGRU(n_in, H).to(dtype)
    return ref, fast


def run_both(ref, fast, x, grad_h, grad_hn):
    """Outputs and gradients (input first, then PARAMS) of both modules for one backward."""
    results = []
    for mod in (ref, fast):
        mod.zero_grad(set_to_none=True)
        xi = x.clone().requires_grad_(True)
        out, h_n = mod(xi)
        ((out * grad_h).sum() + (h_n * grad_hn).sum()).backward()
        results.append((out.detach(), h_n.detach(),
                        [xi.grad] + [getattr(mod, p).grad for p in PARAMS]))
    return results


def test_same_parameters_names_and_initialisation():
    ref, fast = pair(5, 7, seed=3)
    assert isinstance(fast, nn.GRU) and fast.batch_first
    assert fast.input_size == 5 and fast.hidden_size == 7
    assert list(fast.state_dict()) == list(ref.state_dict()) == list(PARAMS)
    for p in PARAMS:
        assert torch.equal(getattr(fast, p), getattr(ref, p))
    fast.load_state_dict(ref.state_dict())  # interchangeable state dicts


@pytest.mark.parametrize("H", [1, 7, 64])
@pytest.mark.parametrize("T", [1, 200])
def test_forward_matches_nn_gru(H, T):
    ref, fast = pair(5, H, seed=H + T)
    x = torch.randn(3, T, 5, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        out_r, hn_r = ref(x)
        out_f, hn_f = fast(x)
    assert out_f.shape == out_r.shape and hn_f.shape == hn_r.shape == (1, 3, H)
    assert (out_f - out_r).abs().max() <= 1e-5
    assert (hn_f - hn_r).abs().max() <= 1e-5
    # The same numbers with autograd recording (the training path).
    out_g, _ = fast(x.clone().requires_grad_(True))
    assert (out_g.detach() - out_r).abs().max() <= 1e-5


@pytest.mark.parametrize("H", [1, 7, 64])
@pytest.mark.parametrize("T", [1, 200])
def test_gradients_match_autograd_through_nn_gru(H, T):
    ref, fast = pair(5, H, seed=10 + H + T)
    g = torch.Generator().manual_seed(2)
    x = torch.randn(3, T, 5, generator=g)
    grad_h, grad_hn = torch.randn(3, T, H, generator=g), torch.randn(1, 3, H, generator=g)
    (_, _, grads_r), (_, _, grads_f) = run_both(ref, fast, x, grad_h, grad_hn)
    for name, a, b in zip(("input",) + PARAMS, grads_r, grads_f, strict=True):
        assert b.shape == a.shape, name
        scale = max(a.abs().max().item(), 1.0)
        assert (a - b).abs().max().item() <= 2e-5 * scale, name


def test_gradients_float64_agree_to_rounding():
    ref, fast = pair(4, 6, seed=7, dtype=torch.float64)
    g = torch.Generator().manual_seed(4)
    x = torch.randn(5, 30, 4, generator=g, dtype=torch.float64)
    grad_h = torch.randn(5, 30, 6, generator=g, dtype=torch.float64)
    grad_hn = torch.randn(1, 5, 6, generator=g, dtype=torch.float64)
    (out_r, _, grads_r), (out_f, _, grads_f) = run_both(ref, fast, x, grad_h, grad_hn)
    torch.testing.assert_close(out_f, out_r, rtol=0, atol=1e-13)
    for a, b in zip(grads_r, grads_f, strict=True):
        torch.testing.assert_close(b, a, rtol=1e-11, atol=1e-12)


def test_gradcheck_float64():
    g = torch.Generator().manual_seed(5)
    B, T, n_in, H = 2, 4, 3, 3
    args = [torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True)
            for s in ((B, T, n_in), (3 * H, n_in), (3 * H, H), (3 * H,), (3 * H,))]
    assert torch.autograd.gradcheck(gru_layer, args, eps=1e-6, atol=1e-7)


def test_only_some_inputs_need_gradients():
    ref, fast = pair(5, 8, seed=1)
    x = torch.randn(4, 9, 5)  # data: no gradient wanted
    out_r, _ = ref(x)
    out_f, _ = fast(x)
    out_r.sum().backward()
    out_f.sum().backward()
    for p in PARAMS:
        torch.testing.assert_close(getattr(fast, p).grad, getattr(ref, p).grad)
    fast.zero_grad(set_to_none=True)
    fast.requires_grad_(False)  # frozen weights, gradient to the input only
    xi = x.clone().requires_grad_(True)
    fast(xi)[0].sum().backward()
    xr = x.clone().requires_grad_(True)
    ref(xr)[0].sum().backward()
    torch.testing.assert_close(xi.grad, xr.grad)
    assert all(getattr(fast, p).grad is None for p in PARAMS)


def test_other_uses_fall_back_to_nn_gru():
    """A given h0 or a non-contiguous input still give nn.GRU's answer."""
    ref, fast = pair(3, 5, seed=2)
    g = torch.Generator().manual_seed(6)
    h0 = torch.randn(1, 2, 5, generator=g)
    x = torch.randn(2, 7, 3, generator=g)
    with torch.no_grad():
        torch.testing.assert_close(fast(x, h0), ref(x, h0))
        xt = torch.randn(7, 2, 3, generator=g).transpose(0, 1)  # (B, T, I), not contiguous
        torch.testing.assert_close(fast(xt), ref(xt), rtol=0, atol=1e-6)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_runs_torchs_kernel():
    ref, fast = pair(3, 5, seed=2)
    x = torch.randn(2, 7, 3)
    with torch.no_grad():
        out_c, _ = fast.cuda()(x.cuda())
        out_r, _ = ref(x)
    torch.testing.assert_close(out_c.cpu(), out_r, rtol=1e-4, atol=1e-5)


def _train_losses(cls, cfg: C.RunConfig) -> list[float]:
    saved = models.MODULES["gru"]
    models.MODULES["gru"] = cls
    try:
        s = tasks.spec(cfg.task)
        model = models.build(cfg.model, s.input_size, s.output_size, cfg.train.seed,
                             cfg.task.seq_len)
        assert type(model.rnn) is cls
        return train.train(model, cfg.task, cfg.train, device="cpu").losses
    finally:
        models.MODULES["gru"] = saved


@pytest.mark.parametrize("task", ["recall", "adding"])
def test_seeded_training_follows_nn_gru(task):
    """20 Adam steps of SeqModel (chrono init, clipping) give the same losses either way
    (measured: within 3e-7 relative)."""
    cfg = tiny_config("gru", task=task, seq_len=12, hidden=16, steps=20, seed=3)
    ref = _train_losses(nn.GRU, cfg)
    fast = _train_losses(FastGRU, cfg)
    assert len(ref) == len(fast) == 20
    torch.testing.assert_close(torch.tensor(fast), torch.tensor(ref), rtol=1e-5, atol=1e-6)
