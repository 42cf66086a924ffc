"""The disk codec of the documents page's study (memviz.runs): what it trained (the three
lessons, the CNN, the leak construction's scores) is kept; every check is computed again on
the loaded models (checks.measured): ~0.7 s once imports are done."""

from __future__ import annotations

import dataclasses

import numpy as np

from memviz import runs
from memviz.cnn import store as cnn_store
from memviz.documents import bidirectional, checks
from memviz.engine import lesson


def save(study: checks.Study) -> tuple[dict, dict[str, np.ndarray]]:
    data = {"lessons": {}, "seed": study.lessons["lstm"].run.config.train.seed,
            "leak": dataclasses.asdict(study.evidence.leak)}
    arrays: dict[str, np.ndarray] = {}
    for arch, les in study.lessons.items():
        data["lessons"][arch], more = lesson.encode(les, f"{arch}.")
        arrays.update(more)
    data["cnn"], more = cnn_store.save(study.evidence.cnn, "cnn.")
    arrays.update(more)
    return data, arrays


def load(data: dict, arrays: dict[str, np.ndarray]) -> checks.Study:
    lessons = {a: lesson.decode(d, arrays, f"{a}.") for a, d in data["lessons"].items()}
    return checks.measured(lessons, data["seed"], cnn_store.load(data["cnn"], arrays, "cnn."),
                           bidirectional.Leak(**data["leak"]))


KIND = runs.kind_of(checks.prepare)
runs.register_codec(KIND, save, load)
