"""CNN lesson: the written-out convolution is Conv2d's, the shape arithmetic is torch's, the
default CNN learns the digits, receptive fields are where gradients reach, and the page runs."""

from __future__ import annotations

import dataclasses
import itertools
import json

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest
from torch import nn

from memviz.cnn import arithmetic
from memviz.cnn import figures as CF
from memviz.cnn import model as cnn
from memviz.config import ConfigError
from memviz.progress import TrainingDiverged
from memviz.ui import training

from .conftest import ROOT

TINY = cnn.CNNConfig(channels1=4, channels2=6, steps=25, device="cpu")


@pytest.fixture(scope="module")
def tiny_run() -> cnn.CNNRun:
    """A CNN trained for a few steps: real, non-trivial weights in well under a second."""
    return cnn.train_cnn(TINY)


def test_config_rejects_bad_values_with_a_sentence():
    for bad in ({"kernel": 4}, {"channels1": 0}, {"steps": 0}, {"lr": 2.0}, {"device": "tpu"}):
        with pytest.raises(ConfigError, match="must"):
            cnn.CNNConfig(**bad)
    assert hash(cnn.CNNConfig()) == hash(cnn.CNNConfig())  # usable as a cache key


def test_split_is_seeded_stratified_and_read_only():
    a, b, c = cnn.digits(0), cnn.digits(0), cnn.digits(1)
    assert a.x_train.shape == (1347, 1, 8, 8) and a.x_test.shape == (450, 1, 8, 8)
    assert np.array_equal(a.y_test, b.y_test) and not np.array_equal(a.y_test, c.y_test)
    assert 0.0 <= a.x_train.min() and a.x_train.max() <= 1.0
    assert np.bincount(a.y_test).min() >= 40  # stratified: about 45 of every digit
    with pytest.raises(ValueError):
        a.x_train[0, 0, 0, 0] = 1.0


@pytest.mark.parametrize("layer", ["conv1", "conv2"])
def test_written_out_convolution_equals_conv2d_everywhere(tiny_run, layer):
    image = cnn.digits(0).x_test[3, 0]
    model = tiny_run.model
    out = cnn.activations(model, image)[layer]  # (O, H, W)
    for o, m, n in itertools.product(range(out.shape[0]), range(out.shape[1]), range(out.shape[2])):
        at = cnn.conv_at(model, image, layer, o, m, n)
        assert at.z == pytest.approx(float(out[o, m, n]), abs=1e-5)
        assert at.z == pytest.approx(at.torch_z, abs=1e-5)
        assert at.a == max(at.z, 0.0)
        assert at.total == pytest.approx(float(at.products.sum()), abs=1e-5)
    corner = cnn.conv_at(model, image, layer, 0, 0, 0)
    assert corner.padded[0].all() and corner.padded[:, 0].all() and not corner.padded[1:, 1:].any()
    assert (corner.patch[:, corner.padded] == 0).all()  # padding is zeros


def test_written_out_convolution_with_stride_matches_torch():
    """A strided, padded conv (not in the lesson model) still matches: the index is s m + u - p."""
    torch.manual_seed(1)
    model = nn.Sequential()
    model.add_module("conv1", nn.Conv2d(1, 2, 3, stride=2, padding=1))
    image = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    y = model(torch.tensor(image)[None, None]).detach()[0]
    for o, m, n in itertools.product(range(2), range(4), range(4)):
        assert cnn.conv_at(model, image, "conv1", o, m, n).z == pytest.approx(
            float(y[o, m, n]), abs=1e-5)


def test_conv_at_rejects_positions_outside_the_map(tiny_run):
    with pytest.raises(ConfigError, match="outside"):
        cnn.conv_at(tiny_run.model, cnn.digits(0).x_test[0, 0], "conv2", 0, 9, 0)


def test_shape_arithmetic_equals_torch_for_many_settings():
    checked = 0
    for n, k, s, p in itertools.product(range(1, 20), range(1, 8), range(1, 5), range(0, 4)):
        if arithmetic.out_size(n, k, s, p) < 1:
            with pytest.raises(RuntimeError):
                nn.Conv2d(1, 1, k, s, p)(torch.zeros(1, 1, n, n))
            continue
        got = nn.Conv2d(1, 1, k, s, p)(torch.zeros(1, 1, n, n)).shape[-1]
        assert arithmetic.out_size(n, k, s, p) == got, (n, k, s, p)
        if p <= k // 2:  # torch's pools only allow padding up to half the window
            assert arithmetic.out_size(n, k, s, p) == nn.MaxPool2d(k, s, p)(
                torch.zeros(1, 1, n, n)).shape[-1]
        checked += 1
    assert checked > 1500


def test_shape_rows_match_torch_shapes_and_explain_misfits():
    for n, k, s, p, layers, pool in [(28, 5, 1, 0, 2, True), (32, 3, 2, 1, 3, False),
                                     (64, 7, 1, 3, 4, True), (9, 3, 1, 1, 2, True)]:
        stages = arithmetic.exercise(layers, k, s, p, pool)
        rows = arithmetic.shape_rows(n, 1, stages)
        assert [(r.c, r.n_out, r.n_out) for r in rows] == arithmetic.torch_shapes(n, 1, stages)
    with pytest.raises(ConfigError, match="no longer fits"):
        arithmetic.shape_rows(6, 1, arithmetic.exercise(3, 5, 1, 0, True))


def test_document_000_network_does_not_fit_and_the_fix_does():
    assert arithmetic.doc000_fc1_in(32) == 16 * 16 * 16 != arithmetic.DOC000_FC1_IN
    assert arithmetic.doc000_sides_giving_400() == [10, 11]
    assert "RuntimeError" in arithmetic.doc000_forward(32, fixed=False)
    assert "RuntimeError" in arithmetic.doc000_forward(10, fixed=False)  # fits, then pools a vector
    assert arithmetic.doc000_forward(32, fixed=True) == "output shape (4, 10)"
    lenet = [arithmetic.Stage("c1", "conv", 5, 1, 0, 6), arithmetic.Stage("p1", "pool", 2, 2),
             arithmetic.Stage("c2", "conv", 5, 1, 0, 16), arithmetic.Stage("p2", "pool", 2, 2)]
    last = arithmetic.shape_rows(32, 3, lenet)[-1]
    assert last.c * last.n_out ** 2 == 400  # where 16 x 5 x 5 comes from


def test_receptive_fields_grow_and_contain_every_gradient(tiny_run):
    fields = cnn.receptive_fields(cnn.geometry(tiny_run.model))
    assert [(f.name, f.size) for f in fields] == [("conv1", 3), ("pool1", 4), ("conv2", 8),
                                                  ("pool2", 10)]
    x = torch.tensor(cnn.digits(0).x_test[:1]).requires_grad_(True)
    h, outs = x, {}
    for name, module in tiny_run.model.named_children():
        if name == "flatten":
            break
        h = module(h)
        outs[name] = h
    for f in fields:
        for m, n in [(0, 0), (f.side - 1, f.side // 2)]:
            (g,) = torch.autograd.grad(outs[f.name][0, 0, m, n], x, retain_graph=True)
            rows, cols = np.nonzero(g[0, 0].numpy())
            r0, r1, c0, c1 = f.box(m, n)
            assert ((rows >= r0) & (rows <= r1) & (cols >= c0) & (cols <= c1)).all()


def test_receptive_field_of_a_plain_conv_stack_is_exactly_the_box():
    """With positive weights and no ReLU or pool, every pixel in the box reaches the unit."""
    convs = [nn.Conv2d(1, 1, 3, padding=1), nn.Conv2d(1, 1, 5, stride=2, padding=2)]
    for c in convs:
        nn.init.constant_(c.weight, 1.0)
    field = cnn.receptive_fields([("a", 3, 1, 1), ("b", 5, 2, 2)], side=12)[-1]
    x = torch.ones(1, 1, 12, 12, requires_grad=True)
    y = convs[1](convs[0](x))
    (g,) = torch.autograd.grad(y[0, 0, 2, 3], x)
    r0, r1, c0, c1 = field.box(2, 3, clip=12)
    expected = np.zeros((12, 12), bool)
    expected[r0:r1 + 1, c0:c1 + 1] = True
    assert np.array_equal(g[0, 0].numpy() != 0, expected)
    assert field.unit_over((r0 + r1) / 2, (c0 + c1) / 2) == (2, 3)


def test_default_cnn_reaches_95_percent_and_is_reproducible():
    cfg = cnn.CNNConfig(device="cpu")
    steps: list[int] = []
    first = cnn.train_cnn(cfg, lambda s, t, loss: steps.append(s))
    assert first.test_accuracy >= 0.95
    assert steps == list(range(1, cfg.steps + 1))
    again = cnn.train_cnn(cfg)
    assert again.losses == first.losses and again.test_accuracy == first.test_accuracy
    assert not first.model.training and next(first.model.parameters()).device.type == "cpu"


def test_training_stops_when_asked_and_raises_on_a_non_finite_loss(monkeypatch):
    run = cnn.train_cnn(dataclasses.replace(TINY, steps=50), lambda s, t, loss: s == 5)
    assert run.stopped_early and len(run.losses) == 5
    monkeypatch.setattr(cnn.F, "cross_entropy", lambda *a, **k: torch.tensor(float("nan"),
                                                                              requires_grad=True))
    with pytest.raises(TrainingDiverged) as e:
        cnn.train_cnn(TINY)
    assert e.value.step == 1


def test_figures_build_from_a_trained_run(tiny_run):
    image = cnn.digits(0).x_test[0, 0]
    at = cnn.conv_at(tiny_run.model, image, "conv2", 1, 2, 3)
    fields = cnn.receptive_fields(cnn.geometry(tiny_run.model))
    figs = [CF.kernels(tiny_run.model.conv2.weight.detach().numpy(), "conv2"),
            CF.feature_maps(cnn.activations(tiny_run.model, image)),
            CF.conv_written_out(at, 2), CF.receptive_fields(image, fields, [(1, 1)] * 4)]
    assert all(len(f.data) >= 1 for f in figs)
    texts = figs[2].data[2].text  # the products panel carries the numbers
    assert texts[0][0] == f"{at.products[2, 0, 0]:.2f}"
    tex = "".join(CF.conv_latex(at, 2))
    assert f"{at.z:.3f}" in tex and f"{at.bias:.3f}" in tex


# ---------------------------------------------------------------- the page


@pytest.fixture
def page() -> AppTest:
    """The CNN page with a tiny network and few steps set through its own widgets."""
    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/cnn.py"), default_timeout=60).run()
    at.select_slider(key="cnn_c1").set_value(4)
    at.select_slider(key="cnn_c2").set_value(8)
    at.slider(key="cnn_steps").set_value(20)
    return at.run()


def test_page_before_training_shows_controls_and_shape_lesson(page):
    assert not page.exception
    assert "Press **Train**" in page.info[0].value
    assert not page.get("plotly_chart")  # no model, no model figures
    assert any("RuntimeError" in c.value for c in page.code)  # document 000 worked through
    assert any("does not match" in m.value for m in page.markdown)
    page.slider(key="cnn_sh_n").set_value(3).run()  # a window that no longer fits
    assert not page.exception and "no longer fits" in page.error[0].value


def test_page_trains_and_shows_figures_and_the_written_out_numbers(page):
    page.button(key="cnn_train").click().run()
    assert not page.exception
    keys = {json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
            for c in page.get("plotly_chart")}
    assert {"conv1: 4 kernels of 1x3x3", "conv2: 8 kernels of 4x3x3"} <= keys
    assert len(page.get("plotly_chart")) == 5  # 2 kernels, maps, written out, receptive field
    assert "PyTorch's Conv2d gives" in page.success[0].value
    assert any(r"\operatorname{ReLU}" in t.value for t in page.latex)
    page.selectbox(key="cnn_layer").set_value("conv2").run()
    page.slider(key="cnn_row_conv2").set_value(0).run()
    assert not page.exception
    assert "at (0, 0, 2)" in page.success[0].value
    page.slider(key="cnn_image").set_value(7).run()
    assert not page.exception and "This image shows a" in "".join(m.value for m in page.markdown)
