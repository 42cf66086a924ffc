"""A lecture pack's config.json for your own model. A link cannot carry weights, so the pack
carries the weights file and the input beside config.json, which names them and the view:
`python -m memviz inspect --config PACK/config.json --out DIR` rebuilds every figure offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memviz.specs import Choice, Int, load_json
from memviz.yours.inputs import INPUT_SUFFIXES
from memviz.yours.model import MAX_HIDDEN, MAX_STEPS, NONLINEARITIES, Found
from memviz.yours.weights import WEIGHT_SUFFIXES, refuse, suffix

LESSON = "yours"
STEP = Int("yours.what.step", 1, MAX_STEPS)
UNIT = Int("yours.what.unit", 0, MAX_HIDDEN - 1)
NONLINEARITY = Choice("yours.what.nonlinearity", NONLINEARITIES)


def config(found: Found, weights: str, input: str, nonlinearity: str | None = None,
           t: int | None = None, unit: int = 0) -> dict[str, Any]:
    """config.json's content: the two files by name (as they lie beside it), the RNN's
    nonlinearity if given, the view (step t 1-based, None for the last; unit), and what was
    found (for a reader; `inspect` reads it all again from the weights)."""
    return {"lesson": LESSON, "weights": Path(weights).name, "input": Path(input).name,
            "nonlinearity": nonlinearity, "view": {"t": t, "unit": unit},
            "found": {"kind": found.kind, "input_size": found.input_size,
                      "hidden": found.hidden_size, "layers": found.num_layers,
                      "bias": found.bias, "readout": found.output_size,
                      "vocab": found.vocab_size}}


@dataclass(frozen=True)
class Sources:
    """What a pack's config.json asks for: the files (beside it), nonlinearity and view."""

    weights: Path
    input: Path
    nonlinearity: str | None = None
    t: int | None = None
    unit: int = 0


def _name(raw: dict, field: str, suffixes: tuple[str, ...]) -> str:
    """A file name from config.json: a bare name (never a path out of the pack's folder) of a
    kind memviz reads."""
    name = raw.get(field)
    if not isinstance(name, str) or not name or Path(name).name != name or name in (".", ".."):
        raise refuse("yours.error.config_file", field=field)
    if suffix(name) not in suffixes:
        raise refuse("yours.error.config_kind", field=field, name=name[:60],
                     kinds=", ".join(suffixes))
    return name


def read_config(data: bytes, folder: Path) -> Sources:
    """A pack's config.json (its bytes; `folder` holds it and the files it names)."""
    raw = load_json(data, "config")
    if not isinstance(raw, dict) or raw.get("lesson") != LESSON:
        raise refuse("yours.error.config_lesson")
    view = raw.get("view", {})
    if not isinstance(view, dict):
        raise refuse("yours.error.config_lesson")
    nonlinearity = raw.get("nonlinearity")
    if nonlinearity is not None:
        NONLINEARITY.check(nonlinearity)
    t = view.get("t")
    if t is not None:
        STEP.check(t)
    return Sources(folder / _name(raw, "weights", WEIGHT_SUFFIXES),
                   folder / _name(raw, "input", INPUT_SUFFIXES), nonlinearity, t,
                   UNIT.check(view.get("unit", 0)))
