"""Cells that read: run a passage through the hand-written cell with the trained weights, and
for each per-character feature find the unit of c or h whose activation follows it best
(Pearson correlation over the passage), as in Karpathy, Johnson & Fei-Fei (2015) and LSTMVis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from memviz.engine import trace as rtrace
from memviz.text import features as F
from memviz.text.corpus import Vocab
from memviz.text.model import CharModel

SEARCH_FIELDS = ("c", "h")


def record(model: CharModel, vocab: Vocab, text: str) -> rtrace.Trace:
    """The passage through the hand-written cell (checked against torch's module): x_t is the
    one-hot (or embedded) character (T, I); output the next-character logits (T, V); target
    the next character's index (T,), -1 after the last character."""
    ids = torch.as_tensor(vocab.encode(text))
    with torch.no_grad():
        x = model.inputs(ids[None])[0]  # (T, I)
    target = torch.cat([ids[1:], torch.tensor([-1])])[None]
    return rtrace.record(model, x, target)


def correlations(feature: np.ndarray, acts: np.ndarray) -> np.ndarray:
    """Pearson correlation of a feature (N,) with every column of acts (N, H); 0 where either
    is constant over the passage (no evidence either way)."""
    f = feature - feature.mean()
    a = acts - acts.mean(0)
    denom = np.sqrt((f * f).sum() * (a * a).sum(0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (f @ a) / denom
    return np.where(denom > 0, r, 0.0)


@dataclass(frozen=True)
class Best:
    """The unit of `field` whose activation correlates most strongly with `feature`."""

    feature: str
    field: str
    unit: int
    corr: float

    def row(self) -> dict:
        return {"feature": self.feature, "label": F.label(self.feature), "field": self.field,
                "unit": self.unit, "correlation": round(self.corr, 4)}


def best_cells(tr: rtrace.Trace, feats: dict[str, np.ndarray],
               fields: tuple[str, ...] = SEARCH_FIELDS) -> list[Best]:
    """For each feature that varies over the passage, the best unit over `fields`."""
    out = []
    for name, f in feats.items():
        if np.ptp(f) == 0:
            continue  # e.g. no comment in the passage: nothing to correlate with
        cands = []
        for fld in fields:
            if fld in tr.fields:
                r = correlations(f.astype(np.float64), tr[fld].astype(np.float64))
                j = int(np.abs(r).argmax())
                cands.append(Best(name, fld, j, float(r[j])))
        out.append(max(cands, key=lambda b: abs(b.corr)))
    return out


def table_csv(rows: list[Best]) -> str:
    """The cell-finder table as CSV text (through the one CSV writer)."""
    from memviz.export import csv_text

    return csv_text(["feature", "label", "field", "unit", "correlation"],
                    ([b.feature, F.label(b.feature), b.field, b.unit, f"{b.corr:.4f}"]
                     for b in rows))
