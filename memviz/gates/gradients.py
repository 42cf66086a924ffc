"""Why gates exist: how far back the gradient reaches, and which gates saturate.

Gradients are taken with autograd through the hand-written cells on the trained weights. To get
the gradient with respect to each hidden state h_t (through every later step, not only the
readout), a zero "probe" is added to h_t after each step: d/d(probe_t) equals d/dh_t, and the
same probes let a test check the result by finite differences.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import torch

from memviz import runs
from memviz.config import SEQ_LEN, RunConfig
from memviz.engine import cells, models, tasks
from memviz.engine.lesson import Lesson, per_arch, prepare_each
from memviz.engine.models import SeqModel
from memviz.engine.train import evaluate
from memviz.i18n import t
from memviz.lessons import Run
from memviz.progress import OnStep
from memviz.recurrent import verdict

SATURATED_LOW, SATURATED_HIGH = 0.1, 0.9
GATES = {"lstm": ("i", "f", "o"), "gru": ("r", "z")}
# The page's defaults (recall, H = 32): measured for seeds 0-3 (benchmarks/gates_seeds.py), the
# vanilla RNN ends at chance (23-27%) while the LSTM and GRU reach 100%. At lr 0.01 the RNN
# sometimes finds an attractor instead, which the page explains. 350 steps keep the three runs
# inside memviz.estimate's 60 s budget (no "big run" click on the page's first Train).
DEFAULTS = {"seq_len": 40, "lr": 0.003, "steps": 350}
LONG_LAG = 30  # shorter delays a vanilla RNN can learn honestly (the RNN page: T = 20)


def probed_run(arch: str, x: torch.Tensor, w: Mapping[str, torch.Tensor],
               probes: torch.Tensor) -> torch.Tensor:
    """Hidden states (B, T, H) of the hand-written cell with probes (T, B, H) added to each h_t."""
    return cells.run(arch, x, w, probes=probes)["h"]


def _weights(model: SeqModel, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    return {k: v.to(dtype) for k, v in model.layer0().items()}


def task_loss(model: SeqModel, spec: tasks.TaskSpec, batch: tasks.Batch,
              probes: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The task loss summed over the batch, as a function of the probes (T, B, H)."""
    h = probed_run(model.arch, batch.x.to(dtype), _weights(model, dtype), probes)
    out = h @ model.readout.weight.T.to(dtype) + model.readout.bias.to(dtype)
    return tasks.loss_fn(spec, out, batch.y if spec.classify else batch.y.to(dtype)) * len(batch.x)


def loss_grad_norms(model: SeqModel, spec: tasks.TaskSpec, batch: tasks.Batch) -> np.ndarray:
    """||dL/dh_t|| for t = 1..T, averaged over the sequences of the batch: (T,)."""
    B, T = batch.x.shape[:2]
    probes = torch.zeros(T, B, model.rnn.hidden_size, requires_grad=True)
    (grad,) = torch.autograd.grad(task_loss(model, spec, batch, probes), probes)
    return grad.norm(dim=-1).mean(dim=1).numpy()  # (T, B, H) -> (T,)


def state_jacobian_norms(model: SeqModel, x: torch.Tensor) -> np.ndarray:
    """||dh_T/dh_t|| (Frobenius) for t = 1..T on one sequence x (T, I): (T,).

    Row k of the Jacobian is the gradient of unit k of h_T; copying the sequence into a batch
    of H gets all rows from one backward pass.
    """
    H, T = model.rnn.hidden_size, x.shape[0]
    probes = torch.zeros(T, H, H, requires_grad=True)
    h = probed_run(model.arch, x[None].expand(H, -1, -1), _weights(model, torch.float32), probes)
    (grad,) = torch.autograd.grad(h[:, -1].diagonal().sum(), probes)
    return grad.pow(2).sum(dim=(1, 2)).sqrt().numpy()


def forget_product(f: np.ndarray) -> np.ndarray:
    """prod_{k=t+1}^{T} f_k per unit: (T, H) -> (T, H); the last row is 1.

    This is dc_T/dc_t along the cell-state path alone. Summed in log space: products of
    hundreds of gates underflow float32.
    """
    logs = np.log(np.clip(f, 1e-30, 1.0))
    suffix = np.cumsum(logs[::-1], axis=0)[::-1]  # sum_{k>=t} log f_k
    return np.exp(np.vstack([suffix[1:], np.zeros((1, f.shape[1]))]))


def saturation(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the fraction of values below 0.1 and above 0.9: (B, T, H) -> (H,), (H,)."""
    flat = g.reshape(-1, g.shape[-1])
    return (flat < SATURATED_LOW).mean(axis=0), (flat > SATURATED_HIGH).mean(axis=0)


@dataclass(frozen=True)
class Flow:
    """Gradient reach of one trained model on its task."""

    arch: str
    loss_grad: np.ndarray  # (T,) ||dL/dh_t||, mean over a batch
    jacobian: np.ndarray  # (T,) ||dh_T/dh_t|| on the example sequence
    forget_product: np.ndarray | None  # (T,) mean over units of prod f, LSTM only


@dataclass(frozen=True)
class Study:
    """RNN, LSTM and GRU trained on the same task and length, with their gradient flow, gate
    saturation (gate name -> (below 0.1, above 0.9) per unit) and gradient reach during
    training (training step -> (T,) ||dL/dh_t|| / ||dL/dh_T||, from initialisation on)."""

    config: RunConfig
    lessons: dict[str, Lesson]
    flows: dict[str, Flow]
    saturation: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]
    reach: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)

    def reach_at_start(self, arch: str) -> float:
        """How much of the error at the last step reached step 1 at initialisation."""
        return float(self.reach[arch][min(self.reach[arch])][0])


def flow(les: Lesson, batch: tasks.Batch) -> Flow:
    """Gradient reach of a trained lesson's model over `batch` and its example sequence."""
    model, tr = les.run.model, les.trace
    fp = forget_product(tr["f"]).mean(axis=1) if tr.arch == "lstm" else None
    return Flow(tr.arch, loss_grad_norms(model, les.spec, batch),
                state_jacobian_norms(model, torch.from_numpy(tr.x.copy())), fp)


def relative_reach(model: SeqModel, spec: tasks.TaskSpec, batch: tasks.Batch) -> np.ndarray:
    """||dL/dh_t|| / ||dL/dh_T|| for t = 1..T: how much of the error at the last step is left
    t steps back, whatever the loss is (large at the start, near zero once solved): (T,)."""
    g = loss_grad_norms(model, spec, batch)
    return g / max(float(g[-1]), 1e-30)


def _model_at(les: Lesson, state: dict[str, torch.Tensor]) -> SeqModel:
    """The lesson's model with the weights it had at a checkpoint."""
    cfg = les.run.config
    model = models.build(cfg.model, les.spec.input_size, les.spec.output_size, cfg.train.seed,
                         cfg.task.seq_len)
    model.load_state_dict(state)
    return model.eval()


def reach_during_training(les: Lesson, batch: tasks.Batch) -> dict[int, np.ndarray]:
    """relative_reach at every recorded checkpoint (step 0 is the initialisation)."""
    out = {}
    for c in les.checkpoints:
        model = les.run.model if c.state is None else _model_at(les, c.state)
        out[c.step] = relative_reach(model, les.spec, batch)
    return out


def gate_saturation(les: Lesson, batch: tasks.Batch) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Saturation fractions of every gate of a trained LSTM / GRU over a batch."""
    with torch.no_grad():
        states = cells.run(les.run.model.arch, batch.x, les.run.model.layer0())
    return {g: saturation(states[g].numpy()) for g in GATES.get(les.run.model.arch, ())}


_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(v: float) -> str:
    """A ratio for prose: '0.23', or '4·10⁻¹¹' for small ones (0 stays '0')."""
    if v == 0 or v >= 0.01:
        return f"{v:.2g}"
    m, e = f"{v:.0e}".split("e")
    return f"{m}·10{str(int(e)).translate(_SUPER)}"


def lucky_note(study: Study) -> str | None:
    """Why the vanilla RNN solved delayed recall anyway (None when it did not, or the lag is too
    short to be a test): its memory is an attractor, measured on the trained model."""
    cfg, les = study.config, study.lessons.get("rnn")
    if les is None or cfg.task.name != "recall" or cfg.task.seq_len < LONG_LAG:
        return None
    if not verdict.judge(les.run.config, les.run.history).ok:
        return None
    T, h = cfg.task.seq_len, les.trace["h"]  # (T, H) on the example
    longer = dataclasses.replace(cfg.task, seq_len=min(2 * T, SEQ_LEN.hi))
    acc2 = evaluate(les.run.model, longer, cfg.train.seed)[1]
    move = float(np.linalg.norm(h[-2] - h[-3])) if T >= 3 else 0.0
    size = float(np.linalg.norm(h[-2]))
    how = (t("gates.lucky.swings", move=move, size=size) if move > 0.1 * size
           else t("gates.lucky.settles"))
    reach = study.reach["rnn"]
    start, end = reach[min(reach)][0], reach[max(reach)][0]
    return t("gates.lucky.note", acc=les.run.history.eval_accuracy, start=sci(start),
             end=sci(end), how=how, seq_len=longer.seq_len, acc2=acc2)


FOLLOWS = 1.0  # decades: the LSTM's curve may fall this much further than the dashed line


def dashed_note(study: Study, which: str = "loss") -> str | None:
    """What the after-training figure's dashed line (the LSTM's forget gates multiplied from
    step t to the end) and the LSTM's own curve show, in their numbers: whether the gradient
    follows the open forget path or falls far below it. None without an LSTM."""
    fl = study.flows.get("lstm")
    if fl is None or fl.forget_product is None:
        return None
    fp = np.maximum(fl.forget_product, 1e-30)
    g = np.maximum(fl.loss_grad if which == "loss" else fl.jacobian, 1e-30)  # (T,)
    low = int(np.argmin(g))
    text = t("gates.dashed.range", T=len(g), fmin=sci(float(fp.min())), fmax=sci(float(fp.max())),
             gmin=sci(float(g.min())), gmax=sci(float(g.max())), tmin=low + 1)
    further = np.log10(g.max() / g.min()) - np.log10(fp.max() / fp.min())
    return text + t("gates.dashed.apart" if further > FOLLOWS else "gates.dashed.follows")


@runs.trains(1)
def study(cfg: RunConfig, on_step: OnStep | None = None, batch_size: int = 64) -> Study:
    """Train the three cells on cfg's task (arch in cfg is ignored), then measure them."""
    lessons = prepare_each(per_arch(cfg), on_step)
    gen = torch.Generator().manual_seed(cfg.train.seed + 31)
    batch = tasks.make_batch(cfg.task, batch_size, gen)
    return Study(cfg, lessons, {a: flow(les, batch) for a, les in lessons.items()},
                 {a: gate_saturation(les, batch) for a, les in lessons.items()},
                 {a: reach_during_training(les, batch) for a, les in lessons.items()})


def prepare_runs() -> list[Run]:
    """`prepare --page gates`: the page's study at its defaults."""
    from memviz.recurrent.presets import page_default

    return [Run("default", study, page_default("lstm", **DEFAULTS))]
