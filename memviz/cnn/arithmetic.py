"""Output-size arithmetic floor((n + 2p - k) / s) + 1, checked against torch, and document 000's
network, whose 16x5x5 does not follow from its own layers."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from memviz.config import ConfigError
from memviz.i18n import t


def out_size(n: int, k: int, s: int = 1, p: int = 0) -> int:
    """Output side of a conv or pool: floor((n + 2p - k) / s) + 1."""
    return (n + 2 * p - k) // s + 1


@dataclass(frozen=True)
class Stage:
    """One layer of a shape exercise: a conv (with `channels` kernels) or a max-pool."""

    name: str
    kind: str  # "conv" | "pool"
    k: int
    s: int = 1
    p: int = 0
    channels: int = 0  # conv only; a pool keeps the channels it gets


@dataclass(frozen=True)
class ShapeRow:
    """One line of the arithmetic: n_in -> n_out with that layer's k, s, p; c channels out."""

    stage: Stage
    n_in: int
    n_out: int
    c: int


def shape_rows(n: int, c: int, stages: list[Stage]) -> list[ShapeRow]:
    """The side length after each stage; ConfigError where a window no longer fits."""
    rows = []
    for st in stages:
        n_out = out_size(n, st.k, st.s, st.p)
        if n_out < 1:
            raise ConfigError(t("cnn.error.no_fit", layer=st.name, k=st.k, n=n, p=st.p,
                                gap=n + 2 * st.p - st.k))
        c = st.channels if st.kind == "conv" else c
        rows.append(ShapeRow(st, n, n_out, c))
        n = n_out
    return rows


def torch_modules(c: int, stages: list[Stage]) -> list[nn.Module]:
    """The torch layers the stages describe (weights irrelevant: only shapes are read)."""
    mods = []
    for st in stages:
        if st.kind == "conv":
            mods.append(nn.Conv2d(c, st.channels, st.k, st.s, st.p))
            c = st.channels
        else:
            mods.append(nn.MaxPool2d(st.k, st.s, st.p))
    return mods


def torch_shapes(n: int, c: int, stages: list[Stage]) -> list[tuple[int, ...]]:
    """(C, H, W) that torch actually produces after each stage for a c x n x n input."""
    h, shapes = torch.zeros(1, c, n, n), []
    with torch.no_grad():
        for m in torch_modules(c, stages):
            h = m(h)
            shapes.append(tuple(h.shape[1:]))
    return shapes


def exercise(n_convs: int, k: int, s: int, p: int, pool: bool) -> list[Stage]:
    """Identical conv layers (8, 16, 32, ... kernels), each optionally followed by a 2x2 pool."""
    stages = []
    for i in range(1, n_convs + 1):
        stages.append(Stage(f"conv{i}", "conv", k, s, p, 8 * 2 ** (i - 1)))
        if pool:
            stages.append(Stage(f"pool{i}", "pool", 2, 2, 0))
    return stages


# Document 000's network, read from its numbers: Conv2d(3, 16, 5, padding=2), then a 2x2 pool,
# then a Linear layer that expects 16 * 5 * 5 inputs. It does not say the image size.
DOC000 = [Stage("conv1", "conv", 5, 1, 2, 16), Stage("pool", "pool", 2, 2, 0)]
DOC000_CHANNELS = 3
DOC000_FC1_IN = 16 * 5 * 5
DOC000_CLASSES = 10  # its num_classes=10 (it names no data set and no input size)


def doc000_fc1_in(n: int) -> int:
    """How many numbers reach fc1 for an n x n colour image: 16 x side x side."""
    last = shape_rows(n, DOC000_CHANNELS, DOC000)[-1]
    return last.c * last.n_out ** 2


def doc000_sides_giving_400(upto: int = 256) -> list[int]:
    """The input sides n for which the document's 16 x 5 x 5 would be right."""
    return [n for n in range(5, upto + 1) if doc000_fc1_in(n) == DOC000_FC1_IN]


def doc000_forward(n: int, fixed: bool, batch: int = 4) -> str:
    """Run document 000's network on a (batch, 3, n, n) input: the output shape or torch's error."""
    torch.manual_seed(0)
    conv, pool = torch_modules(DOC000_CHANNELS, DOC000)
    fc_in = doc000_fc1_in(n) if fixed else DOC000_FC1_IN
    fc1, fc2, fc3 = nn.Linear(fc_in, 120), nn.Linear(120, 84), nn.Linear(84, DOC000_CLASSES)
    try:
        with torch.no_grad():
            h = pool(F.relu(conv(torch.zeros(batch, DOC000_CHANNELS, n, n))))
            h = F.relu(fc1(h.reshape(batch, -1) if fixed else h.view(-1, DOC000_FC1_IN)))
            if not fixed:
                h = pool(h)  # the document pools again here, on a (B, 120) vector
            return t("cnn.code.output_shape", shape=tuple(fc3(F.relu(fc2(h))).shape))
    except RuntimeError as e:
        return f"RuntimeError: {str(e).splitlines()[0]}"
