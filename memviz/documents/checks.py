"""The documents' slips computed on trained models, and the proof that the numbers shown are
torch's own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import torch

from memviz import runs
from memviz.cnn import model as cnn
from memviz.config import ARCHS, RunConfig
from memviz.documents import bidirectional, evidence, variants
from memviz.engine import tasks
from memviz.engine.lesson import Lesson, per_arch, prepare_each
from memviz.engine.models import reference_forward
from memviz.i18n import t
from memviz.lessons import Run
from memviz.progress import OnStep

TOLERANCE = 1e-5  # float32 rounding over a few hundred steps stays far below this
VERIFY_BATCH = 16

# The fields each cell demo compares, in the order shown.
SHOWN = {"lstm_doc001": ("c", "h"), "lstm_doc004": ("c", "h"), "gru_doc002": ("n", "h")}


@dataclass(frozen=True)
class CellDemo:
    """The canonical cell and a document's form on the same trained weights: fields (T, H)."""

    name: str
    real: Mapping[str, np.ndarray]
    doc: Mapping[str, np.ndarray]
    gaps: Mapping[str, float]  # max |doc - real| per shared field


@dataclass(frozen=True)
class ReadoutDemo:
    """The trained readout V h_t + c, (T, O), and document 001's h_t · x_t + v, (T,)."""

    y: np.ndarray
    y_doc: np.ndarray
    blind: int  # steps where the multiplied input is all zero, so y_doc = v


@dataclass(frozen=True)
class Study:
    """The three trained lessons (keyed by arch) and every live check. Shared: do not mutate."""

    lessons: Mapping[str, Lesson]
    cells: Mapping[str, CellDemo]
    concat_gap: float  # documents 000/002's concatenated LSTM vs nn.LSTM, max |Δh|
    rnn_sum_gap: float  # document 001's RNN (bias read as a sum) vs nn.RNN, max |Δh|
    readout: ReadoutDemo
    softmax: tuple[np.ndarray, np.ndarray] | None  # (once, twice), (O,); None for regression
    verification: tuple[dict, ...]
    evidence: evidence.Evidence  # the CNN, the leak construction and the other slips' numbers


def _fused_h(les: Lesson, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return reference_forward(les.run.model.rnn, x)


def _x(les: Lesson) -> torch.Tensor:
    """The lesson's example sequence as a (1, T, I) tensor (the trace's array is read-only)."""
    return torch.from_numpy(les.trace.x.copy())[None]


def cell_demo(les: Lesson, name: str) -> CellDemo:
    """Run document form `name` and the real cell on the lesson's weights and example."""
    real, doc = variants.run_both(name, les.run.model.layer0(), les.trace.x.copy())
    return CellDemo(name, MappingProxyType(real), MappingProxyType(doc),
                    MappingProxyType(variants.compare(real, doc)))


def concat_gap(les: Lesson) -> float:
    """max |h| between the concatenated-form LSTM and nn.LSTM on the example."""
    x = _x(les)
    with torch.no_grad():
        h = variants.lstm_concat(x, les.run.model.layer0())["h"]
    return float((h - _fused_h(les, x)).abs().max())


def rnn_sum_gap(les: Lesson) -> float:
    """max |h| between document 001's RNN, bias read as a sum, and nn.RNN on the example."""
    x = _x(les)
    with torch.no_grad():
        h = variants.rnn_doc001(x, les.run.model.layer0())["h"]
    return float((h - _fused_h(les, x)).abs().max())


def readout_demo(les: Lesson) -> ReadoutDemo:
    """Both readouts on the trained RNN's hidden states and its example input."""
    ro = les.run.model.readout
    x = les.trace.x
    y, y_doc = variants.readouts(les.trace["h"].copy(), x.copy(), ro.weight.detach(),
                                 ro.bias.detach())
    k = min(les.trace.H, x.shape[1])
    return ReadoutDemo(y, y_doc, int((np.abs(x[:, :k]).sum(-1) == 0).sum()))


def softmax_demo(les: Lesson) -> tuple[np.ndarray, np.ndarray] | None:
    """Softmax once and twice of the model's scores at the last step; None if not classes."""
    if not les.spec.classify:
        return None
    z = torch.from_numpy(les.trace.output[-1].copy())
    return torch.softmax(z, -1).numpy(), variants.softmax_twice(z).numpy()


def verification(lessons: Mapping[str, Lesson], batch: int = VERIFY_BATCH) -> tuple[dict, ...]:
    """Per cell type: hand-written vs fused max |Δh| on the example and on a fresh batch (the
    keys are identifiers, shared by every session; the page names the columns in its language)."""
    rows = []
    for arch in ARCHS:
        les = lessons[arch]
        cfg = les.run.config
        xb = tasks.make_batch(cfg.task, batch, torch.Generator().manual_seed(cfg.train.seed + 1))
        g_ex, g_b = variants.fused_gap(les.run.model, _x(les)), variants.fused_gap(les.run.model,
                                                                                   xb.x)
        rows.append({"cell": f"nn.{arch.upper()}", "example sequence": g_ex,
                     f"random batch ({batch} sequences)": g_b, "tolerance": TOLERANCE,
                     "pass": max(g_ex, g_b) <= TOLERANCE})
    return tuple(rows)


configs = per_arch  # the page trains one model per cell type on the student's settings


@runs.trains(1)
def prepare(cfgs: tuple[RunConfig, ...], on_step: OnStep | None = None) -> Study:
    """Train one lesson per config (ARCHS order), the CNN and the leak construction, then
    compute every live check on them."""
    seed = cfgs[0].train.seed
    return measured(prepare_each(cfgs, on_step), seed, cnn.train_cnn(cnn.CNNConfig(seed=seed)),
                    bidirectional.leak(seed))


def measured(lessons: Mapping[str, Lesson], seed: int, cnn_run: cnn.CNNRun,
             leak: bidirectional.Leak) -> Study:
    """Every live check on trained models (the run store rebuilds a study through here)."""
    return Study(
        lessons=MappingProxyType(dict(lessons)),
        cells=MappingProxyType({n: cell_demo(lessons[arch], n)
                                for n, (_, arch, _) in variants.VARIANTS.items()}),
        concat_gap=concat_gap(lessons["lstm"]),
        rnn_sum_gap=rnn_sum_gap(lessons["rnn"]),
        readout=readout_demo(lessons["rnn"]),
        softmax=softmax_demo(lessons["lstm"]),
        verification=verification(lessons),
        evidence=evidence.collect(lessons, seed, cnn_run, leak),
    )


def output_names(les: Lesson) -> list[str]:
    """A name per readout output, in the run's language: the symbol or depth it scores, else
    'output'."""
    s, task = les.spec, les.run.config.task.name
    if task == "recall":
        return [t("documents.output.symbol", k=k) for k in range(s.output_size)]
    if task == "brackets":
        return [t("documents.output.depth", k=k) for k in range(s.output_size)]
    if s.output_size == 1:
        return [t("documents.output.one")]
    return [t("documents.output.numbered", k=k) for k in range(s.output_size)]


def prepare_runs() -> list[Run]:
    """`prepare --page documents`: the page's checks at its defaults."""
    from memviz.config import ModelConfig, TaskConfig, TrainConfig

    cfg = RunConfig(TaskConfig("recall", 12), ModelConfig("lstm", 16),
                    TrainConfig(steps=150, seed=0))
    return [Run("default", prepare, configs(cfg))]
