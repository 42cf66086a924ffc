"""The disk codec of the Why-gates study (memviz.runs): the three lessons (as the recurrent
lessons keep theirs) and every measurement made on them, as arrays, exactly as computed."""

from __future__ import annotations

import numpy as np

from memviz import runs
from memviz.config import RunConfig
from memviz.engine import lesson
from memviz.gates import gradients as G


def save(study: G.Study) -> tuple[dict, dict[str, np.ndarray]]:
    data = {"config": study.config.to_dict(), "lessons": {}, "saturation": {}, "reach": {}}
    arrays: dict[str, np.ndarray] = {}
    for arch, les in study.lessons.items():
        data["lessons"][arch], more = lesson.encode(les, f"{arch}.")
        arrays.update(more)
        f = study.flows[arch]
        arrays[f"{arch}.flow.loss_grad"], arrays[f"{arch}.flow.jacobian"] = f.loss_grad, f.jacobian
        if f.forget_product is not None:
            arrays[f"{arch}.flow.forget_product"] = f.forget_product
        data["saturation"][arch] = list(study.saturation[arch])
        for g, (lo, hi) in study.saturation[arch].items():
            arrays[f"{arch}.sat.{g}.lo"], arrays[f"{arch}.sat.{g}.hi"] = lo, hi
        data["reach"][arch] = list(study.reach.get(arch, {}))
        for step, r in study.reach.get(arch, {}).items():
            arrays[f"{arch}.reach.{step}"] = r
    return data, arrays


def load(data: dict, arrays: dict[str, np.ndarray]) -> G.Study:
    lessons = {a: lesson.decode(d, arrays, f"{a}.") for a, d in data["lessons"].items()}
    flows = {a: G.Flow(a, arrays[f"{a}.flow.loss_grad"], arrays[f"{a}.flow.jacobian"],
                       arrays.get(f"{a}.flow.forget_product")) for a in lessons}
    sat = {a: {g: (arrays[f"{a}.sat.{g}.lo"], arrays[f"{a}.sat.{g}.hi"]) for g in gates}
           for a, gates in data["saturation"].items()}
    reach = {a: {int(s): arrays[f"{a}.reach.{s}"] for s in steps}
             for a, steps in data["reach"].items()}
    return G.Study(RunConfig.from_dict(data["config"]), lessons, flows, sat, reach)


KIND = runs.kind_of(G.study)
runs.register_codec(KIND, save, load)
