"""The pieces every disk codec is made of (memviz.runs.register_codec): configs, histories and
weights as JSON and numpy arrays, never pickle.

A codec keeps what training made (weights, losses, scores measured during training) and
rebuilds the rest on load from the config: the model from its constructor and weights, the data
from its seeded generator, the measurements from the loaded model. Each lesson package's
`store.py` holds its codec; the train module imports it, so a result can be read wherever its
train function can be named.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

import numpy as np
import torch

from memviz.progress import History
from memviz.uploads import Upload

C = TypeVar("C")


def config_data(cfg: Any) -> dict:
    """A frozen config as JSON-ready data (tuples become lists; an upload as its name)."""
    return dataclasses.asdict(cfg)


def config_of(cls: type[C], data: dict, arrays: dict[str, np.ndarray] | None = None,
              prefix: str = "") -> C:
    """The config back from config_data: lists become the tuples the frozen configs hold, an
    upload saved by upload_arrays gets its bytes back, a nested config (a field whose default is
    a config) is rebuilt the same way, and the config's own checks run again."""
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(f.default) and isinstance(fields.get(f.name), dict):
            fields[f.name] = config_of(type(f.default), fields[f.name])
    for k in list(fields):
        raw = (arrays or {}).get(f"{prefix}upload.{k}")
        how = data.get(f"{_HOW}{k}")
        if raw is not None and how is not None:
            fields[k] = Upload(raw.tobytes(), **how)
    return cls(**{k: v for k, v in fields.items() if not k.startswith(_HOW)})


_HOW = "__upload_how__."  # config_data key beside an upload field: how its bytes are read


def upload_arrays(data: dict, cfg: Any, prefix: str = "") -> dict[str, np.ndarray]:
    """A config's uploaded files as byte arrays (and how each is read, added to `data`, the
    config's config_data), so a run on an upload survives a restart: the name alone has no file."""
    arrays = {}
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if isinstance(value, Upload):
            arrays[f"{prefix}upload.{f.name}"] = np.frombuffer(value.raw, dtype=np.uint8)
            data[f"{_HOW}{f.name}"] = dict(value.how)
    return arrays


def history_data(h: History) -> dict:
    """A History without its losses (they go as an array)."""
    return {"eval_loss": h.eval_loss, "eval_accuracy": h.eval_accuracy, "seconds": h.seconds,
            "device": h.device, "stopped_early": h.stopped_early}


def history_of(data: dict, losses: np.ndarray) -> History:
    return History(losses=np.asarray(losses, dtype=np.float64).tolist(), **data)


def weights(module: torch.nn.Module | dict, prefix: str) -> dict[str, np.ndarray]:
    """A model's state_dict (or a state dict) as arrays named `prefix` + parameter name."""
    state = module.state_dict() if isinstance(module, torch.nn.Module) else module
    return {f"{prefix}{k}": v.detach().cpu().numpy() for k, v in state.items()}


def state(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, torch.Tensor]:
    """The state dict saved by weights(..., prefix)."""
    return {k[len(prefix):]: torch.from_numpy(v.copy()) for k, v in arrays.items()
            if k.startswith(prefix)}


def built(build, *args, **kwargs):
    """build(*args) without touching the process's random state (builders seed torch)."""
    with torch.random.fork_rng(devices=[]):
        return build(*args, **kwargs)


def loaded(model: torch.nn.Module, arrays: dict[str, np.ndarray], prefix: str) -> torch.nn.Module:
    """`model` (freshly built from its config) with the saved weights, in eval mode on the CPU;
    a missing or extra weight raises, so a stale file is never half-loaded."""
    model.load_state_dict(state(arrays, prefix), strict=True)
    return model.eval()
