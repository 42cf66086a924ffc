"""CNN lesson core (document 000): kernels as short-term memory, on scikit-learn's 8x8 digits.

A small CNN (conv -> ReLU -> max-pool, twice, then one linear layer) trains on a seeded split of
the 1797 handwritten digits scikit-learn ships. Around it: the convolution at one output position
written out number by number, the receptive field of every layer, and the output-size arithmetic
floor((n + 2p - k) / s) + 1, including document 000's network whose 16x5x5 does not follow.
No streamlit here; figures live in cnn_figures.py.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from memviz import devices, runs
from memviz.cnn.arithmetic import out_size
from memviz.config import Training, check_device
from memviz.i18n import t
from memviz.lessons import Run
from memviz.progress import OnStep
from memviz.specs import Choice, ConfigError, Flag, Float, Int, check_range
from memviz.trainer import Settings, fit

SIDE = 8  # the digits are 8x8 pixels
CLASSES = 10
TEST_FRACTION = 0.25  # 450 of 1797 images held out; fixed so accuracies stay comparable
KERNELS = (3, 5)
CHANNELS_RANGE = (1, 32)
STEPS_RANGE = (1, 3000)
BATCH_RANGE = (8, 512)
LR_RANGE = (1e-4, 0.5)


@dataclass(frozen=True)
class CNNConfig(Training):
    """Network size and training settings (steps 300, batch 64, lr 0.01, seed 0: the defaults
    of memviz.config.Training, here with this lesson's bounds); the seed fixes the split, the
    weights and the batches."""

    STEPS = Int("training steps", *STEPS_RANGE)
    BATCH = Int("batch size", *BATCH_RANGE)
    LR = Float("learning rate", *LR_RANGE)

    channels1: int = 8  # kernels in the first conv layer
    channels2: int = 16  # kernels in the second
    kernel: int = 3  # k x k kernels, padded by k // 2 so a conv keeps the side length
    pool: bool = True  # 2x2 max-pool after each conv
    device: str = "auto"  # auto | cpu | cuda | mps

    def __post_init__(self) -> None:
        super().__post_init__()
        # the settings' names in the current language: the message may reach a student's page
        Choice(t("cnn.spec.kernel"), KERNELS).check(self.kernel)
        Flag(t("cnn.spec.pool")).check(self.pool)
        check_range(t("cnn.spec.channels1"), self.channels1, CHANNELS_RANGE)
        check_range(t("cnn.spec.channels2"), self.channels2, CHANNELS_RANGE)
        check_device(self.device)


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Digits:
    """A seeded stratified split; images (N, 1, 8, 8) float32 in [0, 1], labels (N,) int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=8)
def digits(seed: int = 0) -> Digits:
    """The 8x8 digits split by `seed` (read-only arrays: the result is shared)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    raw = load_digits()
    x = (raw.images / 16.0).astype(np.float32)[:, None]  # pixel values are 0..16
    y = raw.target.astype(np.int64)
    parts = train_test_split(x, y, test_size=TEST_FRACTION, random_state=seed, stratify=y)
    for a in parts:
        a.setflags(write=False)
    return Digits(parts[0], parts[2], parts[1], parts[3])


# ---------------------------------------------------------------- model


def build(cfg: CNNConfig) -> nn.Sequential:
    """The seeded CNN: (B, 1, 8, 8) -> logits (B, 10); modules named conv1, relu1, pool1, ..."""
    torch.manual_seed(cfg.seed)
    k, side = cfg.kernel, SIDE
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    c_in = 1
    for n, c in ((1, cfg.channels1), (2, cfg.channels2)):
        layers[f"conv{n}"] = nn.Conv2d(c_in, c, k, padding=k // 2)
        layers[f"relu{n}"] = nn.ReLU()
        if cfg.pool:
            layers[f"pool{n}"] = nn.MaxPool2d(2)
            side = out_size(side, 2, 2)
        c_in = c
    layers["flatten"] = nn.Flatten()
    layers["fc"] = nn.Linear(c_in * side * side, CLASSES)
    return nn.Sequential(layers)


@dataclass(frozen=True)
class CNNRun:
    """A trained CNN (CPU, eval mode) with its config and scores. Shared: do not mutate."""

    config: CNNConfig
    model: nn.Sequential
    losses: tuple[float, ...]
    test_accuracy: float
    test_loss: float
    seconds: float
    device_label: str
    stopped_early: bool = False


def _evaluate(model: nn.Module, data: Digits, device: str) -> tuple[float, float]:
    """(cross-entropy, accuracy) on the held-out images."""
    with torch.no_grad():
        logits = model(torch.tensor(data.x_test).to(device))
        y = torch.tensor(data.y_test).to(device)
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


@runs.trains(1)
def train_cnn(cfg: CNNConfig, on_step: OnStep | None = None) -> CNNRun:
    """Train the CNN of `cfg` with Adam on seeded minibatches; calls on_step(step, total, loss)."""
    dev = devices.pick(cfg.device)
    if dev.kind == "cpu":
        devices.use_cpu_threads()  # an 8x8 conv is too small to split across threads
    data = digits(cfg.seed)
    model = build(cfg).to(dev.kind).train()
    x = torch.tensor(data.x_train).to(dev.kind)  # 1347 tiny images: keep them all on device
    y = torch.tensor(data.y_train).to(dev.kind)
    gen = torch.Generator().manual_seed(cfg.seed)

    def batches() -> Iterator[torch.Tensor]:
        while True:
            yield torch.randint(0, len(x), (cfg.batch,), generator=gen).to(dev.kind)

    def loss(m: nn.Module, idx: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(m(x[idx]), y[idx])

    h = fit(model, batches(), loss, Settings(cfg.steps, cfg.lr, clip=None, device=dev.kind),
            on_step=on_step)
    test_loss, acc = _evaluate(model, data, dev.kind)
    return CNNRun(cfg, model.cpu().eval(), tuple(h.losses), acc, test_loss, h.seconds, dev.label,
                  h.stopped_early)


def activations(model: nn.Sequential, image: np.ndarray) -> OrderedDict[str, np.ndarray]:
    """Every stage's output for one image (8, 8): 'input' and each module name -> (C, H, W)."""
    out: OrderedDict[str, np.ndarray] = OrderedDict()
    h = torch.tensor(np.asarray(image, dtype=np.float32)).reshape(1, 1, SIDE, SIDE)
    out["input"] = h[0].numpy()
    with torch.no_grad():
        for name, module in model.named_children():
            if name == "flatten":
                break
            h = module(h)
            out[name] = h[0].numpy().copy()
    return out


def probabilities(model: nn.Sequential, image: np.ndarray) -> np.ndarray:
    """Softmax class probabilities (10,) for one image (8, 8)."""
    x = torch.tensor(np.asarray(image, dtype=np.float32)).reshape(1, 1, SIDE, SIDE)
    with torch.no_grad():
        return torch.softmax(model(x), 1)[0].numpy()


def conv_names(model: nn.Sequential) -> list[str]:
    """Names of the conv layers, in order."""
    return [n for n, m in model.named_children() if isinstance(m, nn.Conv2d)]


# ---------------------------------------------------------------- convolution written out


@dataclass(frozen=True)
class ConvAt:
    """One conv output y[o, m, n] taken apart; patch, kernel and products are (C, k, k)."""

    layer: str
    out_channel: int
    row: int
    col: int
    patch: np.ndarray  # the input values under the kernel (0 where it hangs over the padding)
    padded: np.ndarray  # (k, k) True where the kernel sits on padding, not on the input
    kernel: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray  # (C,) the products summed per input channel
    total: float  # sum of all products
    bias: float
    z: float  # total + bias: what Conv2d outputs
    a: float  # ReLU(z): what the next layer sees
    torch_z: float  # Conv2d's own output at (o, m, n), for comparison


def conv_at(model: nn.Sequential, image: np.ndarray, layer: str, out_channel: int,
            row: int, col: int) -> ConvAt:
    """Write out conv layer `layer` at output (out_channel, row, col) for one image (8, 8)."""
    acts = activations(model, image)
    names = list(acts)
    conv: nn.Conv2d = getattr(model, layer)
    x = acts[names[names.index(layer) - 1]]  # (C, H, W): the conv's input
    y = acts[layer]  # (O, H', W')
    if not (0 <= out_channel < y.shape[0] and 0 <= row < y.shape[1] and 0 <= col < y.shape[2]):
        raise ConfigError(t("cnn.error.outside", layer=layer, shape=y.shape, o=out_channel,
                            m=row, n=col))
    (k, _), (s, _), (p, _) = conv.kernel_size, conv.stride, conv.padding
    xp = np.pad(x, ((0, 0), (p, p), (p, p)))  # zero padding, as Conv2d does
    r0, c0 = row * s, col * s  # cross-correlation: the window moves with the output position
    patch = xp[:, r0:r0 + k, c0:c0 + k]
    inside = np.zeros(xp.shape[1:], bool)
    inside[p:p + x.shape[1], p:p + x.shape[2]] = True
    w = conv.weight.detach()[out_channel].numpy()  # (C, k, k)
    prod = w * patch
    sums = prod.reshape(len(prod), -1).sum(1, dtype=np.float64)
    total, bias = float(sums.sum()), float(conv.bias.detach()[out_channel])
    z = total + bias
    return ConvAt(layer, out_channel, row, col, patch, ~inside[r0:r0 + k, c0:c0 + k], w, prod,
                  sums, total, bias, z, max(z, 0.0), float(y[out_channel, row, col]))


# ---------------------------------------------------------------- receptive fields


@dataclass(frozen=True)
class Field:
    """Receptive field of one layer's units: `size` input pixels a side, `jump` between units."""

    name: str
    size: int
    jump: int
    offset: int  # input row of the first row of unit 0's field (negative: it starts in padding)
    side: int  # units a side in this layer

    def box(self, m: int, n: int, clip: int = SIDE) -> tuple[int, int, int, int]:
        """Input rows r0..r1 and columns c0..c1 (inclusive, clipped to the image) of unit (m, n)."""
        r0, c0 = self.offset + m * self.jump, self.offset + n * self.jump
        r1, c1 = r0 + self.size - 1, c0 + self.size - 1
        return max(r0, 0), min(r1, clip - 1), max(c0, 0), min(c1, clip - 1)

    def unit_over(self, r: float, c: float) -> tuple[int, int]:
        """The unit whose field is centred nearest to input pixel (r, c)."""
        def one(v: float) -> int:
            m = round((v - self.offset - (self.size - 1) / 2) / self.jump)
            return int(min(max(m, 0), self.side - 1))
        return one(r), one(c)


def geometry(model: nn.Sequential) -> list[tuple[str, int, int, int]]:
    """(name, k, s, p) of every layer that moves a window: the convs and the pools."""
    out = []
    for name, m in model.named_children():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
            k, s, p = (v if isinstance(v, int) else v[0] for v in (m.kernel_size, m.stride,
                                                                   m.padding))
            out.append((name, k, s, p))
    return out


def receptive_fields(layers: list[tuple[str, int, int, int]], side: int = SIDE) -> list[Field]:
    """The field of each layer in turn: it grows by (k - 1) x the jump so far."""
    size, jump, offset, fields = 1, 1, 0, []
    for name, k, s, p in layers:
        size += (k - 1) * jump
        offset -= p * jump
        jump *= s
        side = out_size(side, k, s, p)
        fields.append(Field(name, size, jump, offset, side))
    return fields


# ---------------------------------------------------------------- shape arithmetic


def prepare_runs() -> list[Run]:
    """`prepare --page cnn`: the page's default run."""
    return [Run("default", train_cnn, CNNConfig())]
