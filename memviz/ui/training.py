"""Train on a button press with a progress bar and a live loss curve; keep results by config."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

import pandas as pd
import streamlit as st

from memviz.config import ConfigError
from memviz.progress import OnStep, TrainingDiverged
from memviz.runs import RunStore

R = TypeVar("R")
REDRAW_SECONDS = 0.2  # drawing the curve costs more than a training step: redraw ~5 times/s


@st.cache_resource(show_spinner=False)
def store() -> RunStore:
    """The one RunStore shared by every session and tab of this server."""
    return RunStore(max_entries=64)


def _live_progress() -> tuple[OnStep, Callable[[], None]]:
    """An on_step callback drawing a progress bar and loss curve, and a function to clear them."""
    bar = st.progress(0.0, text="Training…")
    chart = st.empty()
    losses: list[float] = []
    last = [0.0]

    def on_step(step: int, total: int, loss: float) -> None:
        losses.append(loss)
        now = time.perf_counter()
        if now - last[0] >= REDRAW_SECONDS or step == total:
            last[0] = now
            bar.progress(step / total, text=f"step {step} of {total} · loss {loss:.4f}")
            chart.line_chart(pd.DataFrame({"training loss": losses}), x_label="step",
                             y_label="loss", height=220)

    def clear() -> None:
        bar.empty()
        chart.empty()

    return on_step, clear


def trained(page: str, cfg: Hashable, train_fn: Callable[[Hashable, OnStep], R],
            label: str = "Train", auto: bool = False) -> R | None:
    """The result of train_fn(cfg, on_step): from the shared store, or trained on a click
    (or at once when `auto`, e.g. for a page opened from a shared link).

    Returns None until there is a result (the page then shows only its controls). A training
    run that diverges or a bad setting shows a message instead of a traceback.
    """
    kind = f"{train_fn.__module__}.{train_fn.__qualname__}"
    found = store().get(kind, cfg)
    if found is not None:
        return found
    if not st.button(label, key=f"{page}_train", type="primary") and not auto:
        st.info(f"Press **{label}**: the model for these settings has not been trained yet.")
        return None
    on_step, clear = _live_progress()
    try:
        result = store().get_or_compute(kind, cfg, lambda: train_fn(cfg, on_step))
    except TrainingDiverged as e:
        clear()
        st.error(f"Training stopped: {e}")
        return None
    except ConfigError as e:
        clear()
        st.error(f"Those settings cannot be trained: {e}")
        return None
    clear()
    return result
