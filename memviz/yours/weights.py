"""Read a user's weights file into a flat state dict, never running code from it.

A `.safetensors` file holds tensors only. A `.pt`/`.pth` file is a pickle: it is read with
`torch.load(weights_only=True)`, whose unpickler refuses any global outside torch's allow-list,
so a pickle that would call a function is answered with a WeightsError naming it, unrun.
The size budget is checked before a byte is parsed.
"""

from __future__ import annotations

import io
import pickle
import re
from collections.abc import Mapping

import torch

from memviz.config import ConfigError
from memviz.i18n import Message

MAX_WEIGHTS_BYTES = 50 * 2**20  # a classroom model is a few MB; 50 MB bounds the upload
SAFETENSORS = (".safetensors",)
PICKLED = (".pt", ".pth", ".bin", ".ckpt")
WEIGHT_SUFFIXES = SAFETENSORS + PICKLED
NESTED = ("state_dict", "model", "model_state_dict", "net", "module")  # common checkpoint keys
_GLOBAL = re.compile(r"GLOBAL ([\w.]+)|allowlist this global.*?\[([\w.]+)\]", re.S)


class WeightsError(ConfigError):
    """A weights or input file memviz refuses; str() is one translated line saying why."""


def refuse(key: str, **fields: object) -> WeightsError:
    """The WeightsError for catalogue message `key` (rendered in the reader's language)."""
    return WeightsError(Message(key, **fields))


def suffix(name: str) -> str:
    """The file name's extension, lower case, with its dot ('' if none)."""
    m = re.search(r"\.[A-Za-z0-9]+$", name or "")
    return m.group(0).lower() if m else ""


def check_size(n_bytes: int, limit: int = MAX_WEIGHTS_BYTES) -> None:
    """Refuse a file over the budget before it is parsed."""
    if n_bytes > limit:
        raise refuse("yours.error.too_big", mb=f"{n_bytes / 2**20:.1f}",
                   limit=f"{limit / 2**20:.0f}")


def _load_safetensors(data: bytes) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        return load(data)
    except (SafetensorError, ValueError, RuntimeError, OverflowError) as e:
        raise refuse("yours.error.unreadable", why=str(e).splitlines()[0][:120]) from None


def _load_pickled(data: bytes):
    try:
        return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as e:
        found = _GLOBAL.search(str(e))
        if found:  # the weights-only unpickler met a class or function: code, not weights
            raise refuse("yours.error.code", name=found.group(1) or found.group(2)) from None
        raise refuse("yours.error.unreadable", why=_first_line(e)) from None
    except (EOFError, RuntimeError, ValueError, KeyError, AttributeError, TypeError,
            OverflowError, IndexError, MemoryError) as e:  # torch's zip reader and friends
        raise refuse("yours.error.unreadable", why=_first_line(e)) from None


def _first_line(e: BaseException) -> str:
    """The line of torch's message that says what was wrong (not its advice or links)."""
    advice = ("weights_only", "torch.load", "PyTorch", "Weights only", "file an issue")
    lines = [s.strip() for s in str(e).splitlines() if s.strip()]
    useful = [s for s in lines if not any(a in s for a in advice)]
    return (useful or [type(e).__name__])[0][:120]


def _flat(obj, prefix: str = "") -> dict[str, torch.Tensor]:
    """Tensors of a (possibly nested) mapping under dotted names; other values dropped."""
    out: dict[str, torch.Tensor] = {}
    for k, v in obj.items():
        name = f"{prefix}{k}"
        if isinstance(v, torch.Tensor):
            out[name] = v
        elif isinstance(v, Mapping) and len(prefix) < 200:
            out.update(_flat(v, name + "."))
    return out


def state_dict_of(obj) -> dict[str, torch.Tensor]:
    """The state dict in what a file held: a state dict itself, or one under a checkpoint's
    usual key ("state_dict", "model", ...) beside an optimizer's state and step counts."""
    if not isinstance(obj, Mapping):
        raise refuse("yours.error.not_state_dict", what=type(obj).__name__)
    for key in NESTED:
        if isinstance(obj.get(key), Mapping) and _flat(obj[key]):
            return _flat(obj[key])
    state = _flat(obj)
    if not state:
        raise refuse("yours.error.not_state_dict", what=type(obj).__name__)
    return state


def read_state(data: bytes, name: str) -> dict[str, torch.Tensor]:
    """A weights file's bytes and name -> its tensors by name (float ones as float32).
    WeightsError for a file over the budget, of another kind, unreadable, holding code, or
    with a NaN/inf weight."""
    check_size(len(data))
    ext = suffix(name)
    if ext in SAFETENSORS:
        state = state_dict_of(_load_safetensors(data))
    elif ext in PICKLED:
        state = state_dict_of(_load_pickled(data))
    else:
        raise refuse("yours.error.kind", name=name, kinds=", ".join(WEIGHT_SUFFIXES))
    return {k: finite(k, v) for k, v in state.items()}


def finite(name: str, w: torch.Tensor) -> torch.Tensor:
    """A float tensor as float32 on the CPU, refused if any value is NaN or infinite."""
    if not w.is_floating_point():
        return w
    w = w.detach().to("cpu", torch.float32)
    bad = int((~torch.isfinite(w)).sum())
    if bad:
        raise refuse("yours.error.nonfinite", weight=name, n=bad, total=w.numel())
    return w

