"""The sequence to run through a user's model: from a CSV, a `.npy` or typed text.

Each reader returns what `check_input` returns: float32 (T, input_size) vectors, or int64 (T,)
token ids when the model has an embedding in front; T is bounded and every value finite.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np

from memviz.yours.model import Found, check_steps
from memviz.yours.weights import check_size, refuse, suffix

MAX_INPUT_BYTES = 10 * 2**20
INPUT_SUFFIXES = (".csv", ".txt", ".npy")
_ROWS = re.compile(r"[;\n]+")
_CELLS = re.compile(r"[,\s]+")


def read_input(data: bytes, name: str, found: Found) -> np.ndarray:
    """An input file's bytes and name -> the checked sequence (WeightsError if refused)."""
    check_size(len(data), MAX_INPUT_BYTES)
    ext = suffix(name)
    if ext == ".npy":
        return parse_npy(data, found)
    if ext in (".csv", ".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise refuse("yours.error.input_text") from None
        return parse_csv(text, found)
    raise refuse("yours.error.input_kind", name=name, kinds=", ".join(INPUT_SUFFIXES))


def parse_npy(data: bytes, found: Found) -> np.ndarray:
    """A `.npy` array (never unpickled) of shape (T, input_size), or (T,) ids."""
    try:
        x = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise refuse("yours.error.input_npy", why=str(e).splitlines()[0][:120]) from None
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "biuf":
        raise refuse("yours.error.input_npy", why=str(getattr(x, "dtype", type(x).__name__)))
    return check_input(x, found)


def _number(cell: str, row: int, col: int) -> float:
    try:
        return float(cell)
    except ValueError:
        raise refuse("yours.error.input_cell", row=row, col=col, cell=cell[:20]) from None


def parse_csv(text: str, found: Found) -> np.ndarray:
    """CSV text, one row a step, one column an input; a first row that is not numbers is a
    header and skipped."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if rows and not _all_numbers(rows[0]):
        rows = rows[1:]
    return check_input(_table(rows), found)


def parse_typed(text: str, found: Found) -> np.ndarray:
    """Typed text: steps separated by ';' or new lines, values by ',' or spaces
    ("0.1, 0.2; 0.3, 0.4" is two steps of two inputs). With an embedding, a single line
    of whole numbers ("3 1 4 1 5") is token ids."""
    rows = [[c for c in _CELLS.split(r.strip()) if c] for r in _ROWS.split(text or "")]
    return check_input(_table([r for r in rows if r]), found)


def _all_numbers(row: list[str]) -> bool:
    try:
        [float(c) for c in row]
    except ValueError:
        return False
    return True


def _table(rows: list[list[str]]) -> np.ndarray:
    """Rows of text cells -> a (T, width) float64 array; refusals for a ragged table."""
    if not rows:
        raise refuse("yours.error.input_empty")
    check_steps("rnn", 1, 1, min(len(rows), 10**9))  # T bound before converting anything
    width = len(rows[0])
    for r, row in enumerate(rows, 1):
        if len(row) != width:
            raise refuse("yours.error.input_ragged", row=r, n=len(row), width=width)
    return np.array([[_number(c.strip(), r, k) for k, c in enumerate(row, 1)]
                     for r, row in enumerate(rows, 1)], dtype=np.float64)


def _as_ids(x: np.ndarray, found: Found) -> np.ndarray | None:
    """x as (T,) token ids if it reads as ids for this model's embedding, else None."""
    if not found.embedding:
        return None
    if x.ndim == 2 and 1 in x.shape and x.shape[1] != found.input_size:
        x = x.reshape(-1)
    if x.ndim != 1 or not np.all(np.isfinite(x)) or np.any(x != np.round(x)):
        return None
    bad = (x < 0) | (x >= found.vocab_size)
    if bad.any():
        raise refuse("yours.error.input_ids", k=int(np.flatnonzero(bad)[0]) + 1,
                     v=x[bad][0].item(), vocab=found.vocab_size)
    return x.astype(np.int64)


def check_input(x: np.ndarray, found: Found) -> np.ndarray:
    """`x` as the model takes it: int64 (T,) ids, or float32 (T, input_size); WeightsError for
    a width that does not match, too many steps, a trace over the budget, or NaN/inf."""
    x = np.asarray(x)
    if x.ndim == 3 and x.shape[0] == 1:  # one sequence saved with its batch axis
        x = x[0]
    elif x.ndim == 3:
        raise refuse("yours.error.input_batch", shape=tuple(x.shape))
    ids = _as_ids(x, found)
    if ids is not None:
        check_steps(found.cell, found.num_layers, found.hidden_size, len(ids))
        return ids
    if x.ndim == 1 and found.input_size == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != found.input_size:
        key = "yours.error.input_width_ids" if found.embedding else "yours.error.input_width"
        raise refuse(key, shape=tuple(x.shape), I=found.input_size, vocab=found.vocab_size)
    check_steps(found.cell, found.num_layers, found.hidden_size, x.shape[0])
    if not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(x))[0]
        raise refuse("yours.error.input_nonfinite", row=int(bad[0]) + 1, col=int(bad[1]) + 1)
    return x.astype(np.float32)
