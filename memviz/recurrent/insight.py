"""What a trained cell does, read off the model rather than promised: many held-out sequences
through the hand-written cell, the unit that carries the memory, and what its gates do.

The LSTM page's "What to look for" is written by `describe` from these numbers, and its
LSTMVis-style view (one unit's c and h across many inputs, grouped by what is to be remembered)
is drawn from `held_out`. No streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import torch

from memviz.config import TaskConfig
from memviz.engine import cells, tasks
from memviz.engine.models import SeqModel
from memviz.i18n import Message, t
from memviz.plotting import Names

HELD_OUT = 64  # sequences
SEED_OFFSET = 2_000_003  # a stream that training (seed) and evaluation (seed + 1_000_003) never use
SEPARATES = 1.0  # separation() at least this: every group's mean stands clear of the others'
SUM_EDGES = (0.5, 1.0, 1.5)  # adding: the true sum grouped into four ranges
# in the reader's language (memviz/locales/recurrent.toml [insight.*])
QUANTITY = Names({"brackets": "recurrent.insight.quantity.brackets",
                  "adding": "recurrent.insight.quantity.adding",
                  "sine": "recurrent.insight.quantity.sine"})


@dataclass(frozen=True)
class HeldOut:
    """Held-out sequences through one trained cell: x (B, T, I), target y (B,) or (B, T),
    every recorded field (B, T, H), and a group per sequence (what it has to remember).

    Shared between sessions (the run store), so the groups' names are Messages, read in each
    reader's language."""

    arch: str
    task: TaskConfig
    x: np.ndarray
    y: np.ndarray
    fields: dict[str, np.ndarray]
    group: np.ndarray  # (B,) index into group_names
    group_labels: tuple[Message, ...]

    @property
    def group_names(self) -> tuple[str, ...]:
        """Each group's name in the reader's language."""
        return tuple(str(m) for m in self.group_labels)

    @property
    def T(self) -> int:
        return self.x.shape[1]

    def state(self) -> str:
        """The field that carries the memory: the cell state c, or h for cells without one."""
        return "c" if "c" in self.fields else "h"


def _groups(task: TaskConfig, y: np.ndarray) -> tuple[np.ndarray, tuple[Message, ...]]:
    """Recall: the symbol; brackets: the depth at the end; adding: the sum's range; sine: the
    sign of the last value."""
    if task.name == "recall":
        return y.astype(int), tuple(Message("recurrent.task.symbol", k=k)
                                    for k in range(task.n_symbols))
    if task.name == "brackets":
        return y[:, -1].astype(int), tuple(Message("recurrent.insight.group.depth", k=k)
                                           for k in range(tasks.MAX_DEPTH + 1))
    if task.name == "adding":
        lo = ("0",) + tuple(f"{e:g}" for e in SUM_EDGES)
        hi = tuple(f"{e:g}" for e in SUM_EDGES) + ("2",)
        names = tuple(Message("recurrent.insight.group.sum", a=a, b=b)
                      for a, b in zip(lo, hi, strict=True))
        return np.digitize(y, SUM_EDGES), names
    return (y[:, -1] < 0).astype(int), (Message("recurrent.insight.group.above"),
                                        Message("recurrent.insight.group.below"))


def held_out(model: SeqModel, task: TaskConfig, seed: int, n: int = HELD_OUT) -> HeldOut:
    """Run n seeded held-out sequences of `task` through `model`'s cell, written out."""
    batch = tasks.make_batch(task, n, torch.Generator().manual_seed(seed + SEED_OFFSET))
    with torch.no_grad():
        states = cells.run(model.arch, batch.x, model.layer0())
    y = batch.y.numpy()
    group, names = _groups(task, y)
    fields = {k: states[k].numpy() for k in cells.FIELDS[model.arch]}
    return HeldOut(model.arch, task, batch.x.numpy(), y, fields, group, names)


def quantity(ho: HeldOut) -> np.ndarray | None:
    """What must be tracked at every step (B, T), for the tasks that have one (not recall)."""
    if ho.task.name in ("brackets", "sine"):
        return ho.y.astype(float)
    if ho.task.name == "adding":
        return np.cumsum(ho.x[..., 0] * ho.x[..., 1], axis=1)
    return None


def memory_step(T: int) -> int:
    """The 0-based step at which recall's memory is read: the last blank step before the cue."""
    return max(T - 2, 0)


def separation(v: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per unit, the gap between the two closest group means over the spread within groups:
    v (B, H) -> (H,). Large when every group sits at its own value."""
    present = np.unique(group)
    if len(present) < 2:
        return np.zeros(v.shape[1])
    means = np.stack([v[group == g].mean(axis=0) for g in present])  # (K, H)
    gap = np.min([np.abs(a - b) for a, b in combinations(means, 2)], axis=0)
    within = np.sqrt(np.mean([v[group == g].var(axis=0) for g in present], axis=0))
    return gap / (within + 0.05)


def correlations(state: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per unit, the correlation of its state (B, T, H) with q (B, T) over every step: (H,)."""
    s = state.reshape(-1, state.shape[-1])
    s, qq = s - s.mean(axis=0), q.reshape(-1) - q.mean()
    den = np.sqrt((s ** 2).sum(axis=0) * (qq ** 2).sum())
    return np.where(den > 0, (s * qq[:, None]).sum(axis=0) / np.maximum(den, 1e-30), 0.0)


def recall_separation(ho: HeldOut) -> np.ndarray:
    """Per unit, how well recall's symbols stay apart both where the memory is kept (c just
    before the cue) and where the readout reads it (h at the cue): the smaller of the two, (H,).
    A unit whose c holds the symbols apart but whose h squashes them together (tanh flattens c
    beyond about ±2) cannot give the answer alone."""
    state, h, m = ho.fields[ho.state()], ho.fields["h"], memory_step(ho.T)
    return np.minimum(separation(state[:, m], ho.group), separation(h[:, ho.T - 1], ho.group))


def memory_unit(ho: HeldOut) -> int:
    """The unit whose state best separates what is to be remembered (recall: the symbols just
    before the cue and at it), or follows it most closely (the other tasks: |correlation|)."""
    if quantity(ho) is None:
        return int(np.argmax(recall_separation(ho)))
    return int(np.argmax(np.abs(correlations(ho.fields[ho.state()], quantity(ho)))))


def alike(v: np.ndarray, group: np.ndarray) -> list[list[int]]:
    """Groups whose means of v (B,) do not stand clear of each other (separation below
    SEPARATES), as clusters of two or more group indices."""
    present = [int(g) for g in np.unique(group)]
    within = np.sqrt(np.mean([v[group == g].var() for g in present]))
    mean = {g: v[group == g].mean() for g in present}
    root = {g: g for g in present}

    def find(g: int) -> int:
        while root[g] != g:
            g = root[g]
        return g

    for a, b in combinations(present, 2):
        if abs(mean[a] - mean[b]) / (within + 0.05) < SEPARATES:
            root[find(b)] = find(a)
    clusters: dict[int, list[int]] = {}
    for g in present:
        clusters.setdefault(find(g), []).append(g)
    return [c for c in clusters.values() if len(c) > 1]


def _by_group(v: np.ndarray, ho: HeldOut) -> str:
    """'+4.76 (symbol 1), −2.32 (symbol 2)': the mean of v (B,) per group present."""
    names = ho.group_names
    return t("recurrent.insight.separator").join(
        t("recurrent.insight.by_group", mean=f"{v[ho.group == g].mean():+.2f}", group=names[g])
        for g in np.unique(ho.group))


def _gates(ho: HeldOut, unit: int, steps: slice) -> str:
    """The LSTM's forget and input gates of `unit` over `steps` (all held-out sequences)."""
    f, i = ho.fields["f"][:, steps, unit], ho.fields["i"][:, steps, unit]
    return t("recurrent.insight.gates", f_mean=f"{f.mean():.2f}", f_min=f"{f.min():.2f}",
             i_mean=f"{i.mean():.2f}", i_max=f"{i.max():.2f}")


def _recall(ho: HeldOut, unit: int) -> str:
    """What the memory unit does through recall's delay, in numbers."""
    T, m = ho.T, memory_step(ho.T)
    c = ho.fields["c"][:, :, unit]  # (B, T)
    if unit != memory_unit(ho):
        best = "recurrent.insight.recall_chosen"
    else:  # "separates best" only where it really does, at the memory and at the readout
        best = ("recurrent.insight.recall_best" if recall_separation(ho)[unit] >= SEPARATES
                else "recurrent.insight.recall_closest")
    text = t(best, unit=unit, n=len(np.unique(ho.group))) + t(
        "recurrent.insight.before_cue", step=m + 1, values=_by_group(c[:, m], ho))
    if T < 3:
        return text + t("recurrent.insight.no_delay", T=T)
    delay = slice(1, T - 1)  # steps 2..T-1: blanks only
    f, i = ho.fields["f"][:, delay, unit], ho.fields["i"][:, delay, unit]
    text += t("recurrent.insight.through_delay", last=T - 1, gates=_gates(ho, unit, delay))
    lo, hi = f"{float(c[:, delay].min()):+.2f}", f"{float(c[:, delay].max()):+.2f}"
    if f.min() > 0.9 and i.max() < 0.1:
        text += t("recurrent.insight.textbook", lo=lo, hi=hi)
    else:
        drift = c[:, m] - c[:, 0]  # (B,) how far c moved during the delay
        ramps = np.abs(drift).mean() > 0.5 * np.abs(c[:, m]).mean()
        ways = len({np.sign(drift[ho.group == g].mean()) for g in np.unique(ho.group)}) > 1
        text += t("recurrent.insight.not_textbook")
        if ramps:
            text += t("recurrent.insight.ramps", start=_by_group(c[:, 0], ho), lo=lo, hi=hi)
            text += t("recurrent.insight.ways" if ways else "recurrent.insight.same_way")
        else:
            text += t("recurrent.insight.cancel", lo=lo, hi=hi)
    o, h = ho.fields["o"][:, T - 1, unit], ho.fields["h"][:, T - 1, unit]
    text += t("recurrent.insight.at_cue", o=f"{o.mean():.2f}", values=_by_group(h, ho))
    names, sep = ho.group_names, t("recurrent.insight.separator")
    for cluster in alike(h, ho.group):  # the readout cannot tell these apart from this unit
        text += t("recurrent.insight.same_at_cue",
                  groups=sep.join(names[g] for g in cluster))
    return text


def _tracking(ho: HeldOut, unit: int) -> str:
    """What the unit that follows the task's running quantity does, in numbers."""
    state, q = ho.fields[ho.state()], quantity(ho)
    s = state[:, :, unit]  # (B, T)
    r = correlations(state[:, :, unit:unit + 1], q)[0]
    name = t("recurrent.insight.cell_state" if ho.state() == "c"
             else "recurrent.insight.hidden_state")
    how = ("recurrent.insight.follows_best" if unit == memory_unit(ho)
           else "recurrent.insight.follows")
    text = t(how, unit=unit, name=name, quantity=QUANTITY[ho.task.name],
             r=f"{r:+.2f}", n=len(s))
    step = np.diff(s, axis=1, prepend=0.0)  # change at each step (from 0 before step 1)
    if ho.task.name == "brackets":
        opens = ho.x[..., 0] > 0.5
        up, down = step[opens].mean(), step[~opens].mean()
        text += t("recurrent.insight.counter" if up * down < 0 else
                  "recurrent.insight.not_counter", up=f"{up:+.2f}", down=f"{down:+.2f}")
    elif ho.task.name == "adding":
        marked = ho.x[..., 1] > 0.5
        text += t("recurrent.insight.adding", marked=f"{step[marked].mean():+.2f}",
                  other=f"{step[~marked].mean():+.2f}")
    if "f" in ho.fields:
        text += t("recurrent.insight.all_steps", gates=_gates(ho, unit, slice(None)))
    return text + t("recurrent.insight.range", name=name, lo=f"{s.min():+.2f}",
                    hi=f"{s.max():+.2f}")


def describe(ho: HeldOut, unit: int) -> str:
    """'What to look for', written from the trained model's held-out numbers for `unit`."""
    if ho.task.name == "recall" and "c" in ho.fields:
        return _recall(ho, unit)
    if quantity(ho) is not None:
        return _tracking(ho, unit)
    return t("recurrent.insight.fallback", unit=unit)
