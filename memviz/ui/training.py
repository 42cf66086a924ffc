"""Train on a click, off the page: the run goes to a worker pool and the page polls it.

The button submits a job (memviz.jobs); a fragment on a timer shows its progress, queue place
and estimated wait, and a Stop button for the student who started it. Clicks, toggles and page
switches rerun the script but never touch the job; when it finishes, the page reruns once and
draws the result from the shared store.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from memviz import estimate, jobs
from memviz.plotting import D3_BLUE
from memviz.progress import OnStep
from memviz.runs import DiskStore, RunStore, kind_of
from memviz.ui import lang
from memviz.ui.lang import t

R = TypeVar("R")
POLL_SECONDS = 0.5  # the progress panel redraws at most twice a second
QUICK_WAIT = 1.0  # a run that finishes this fast shows its result without a polling round trip
APPTEST_WAIT = 100.0  # AppTest runs a page once, with no timer: wait for the run to finish
_APPTEST_SESSION = "test session id"  # the session id streamlit.testing.v1.AppTest uses
_boards: weakref.WeakKeyDictionary[RunStore, jobs.Board] = weakref.WeakKeyDictionary()
_boards_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def store() -> RunStore:
    """The one RunStore shared by every session (on disk under $MEMVIZ_STORE)."""
    jobs.shared_pool().warm()  # start the workers now, not on the first click
    return RunStore(max_entries=64, disk=DiskStore.from_env())


def board() -> jobs.Board:
    """The job board of the current store (a cleared store gets a new one)."""
    s = store()
    with _boards_lock:
        if s not in _boards:
            _boards[s] = jobs.Board(s)
        return _boards[s]


def _who() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "local"


def _failure(snap: jobs.Snapshot) -> None:
    if snap.status == "diverged":
        st.error(t("training.diverged", error=snap.error))
    elif snap.status == "config":
        st.error(t("training.bad_config", error=snap.error))
    elif snap.status == "stopped":
        st.info(t("training.stopped"))
    else:
        st.error(t("training.failed", error=snap.error))


def _start_button(page: str, kind: str, cfg: Hashable, label: str, auto: bool,
                  press: bool = True) -> bool:
    """The estimate, the Train button and, over budget, a confirmation; whether to start now."""
    est = estimate.for_kind(kind, cfg)
    over = est.over_budget if est is not None else None
    if est is not None:
        st.caption(t("training.estimate", seconds=f"{est.seconds:.0f}",
                     megabytes=f"{est.megabytes:.0f}"))
        if est.refused:  # memory is the whole class's: no button, from a link or not
            st.error(t("training.refused", why=est.refused))
            return False
    sure = True
    if over:
        st.warning(t("training.big_run", over=over))
        sure = st.checkbox(t("training.anyway"), key=f"{page}_confirm")
    clicked = st.button(label, key=f"{page}_train", type="primary", disabled=not sure)
    if clicked and sure:
        return True
    if auto and not over:  # a link never starts a big run by itself
        return True
    if press:  # (not under the interrupted line, which already says to press it)
        st.info(t("training.press", label=label))
    return False


def trained(page: str, cfg: Hashable, train_fn: Callable[[Hashable, OnStep], R],
            label: str | None = None, auto: bool = False) -> R | None:
    """The result of train_fn(cfg, on_step): from the shared store, or trained off the page on
    a click (or at once when `auto`, e.g. for a page opened from a shared link, within budget).

    Returns None until there is a result (the page then shows its controls and the progress).
    A run that diverges, fails or was stopped shows a message instead of a traceback.
    """
    kind, label = kind_of(train_fn), label or t("training.train")
    found = store().get(kind, cfg)
    if found is not None:
        return found
    b = board()
    job = b.find(kind, cfg)
    first = job is None  # a link trains by itself once, not again after a failure
    if job is not None and job.state in ("failed", "stopped"):
        _failure(b.snapshot(job))
        job = None
    if job is None or job.state == "done":  # done but evicted from memory: train again
        slot = st.empty()
        with slot.container():
            interrupted = job is None and store().interrupted(kind, cfg)  # server died mid-run
            if interrupted:  # offered, not restarted by the link by itself
                st.warning(t("training.interrupted"))
            go = _start_button(page, kind, cfg, label, auto and first and not interrupted,
                               press=not interrupted)
        if not go:
            return None
        slot.empty()  # the progress panel replaces the button at once
        est = estimate.for_kind(kind, cfg)
        job = b.submit(kind, cfg, train_fn, _who(), est.seconds if est else 5.0,
                       big=est is not None and est.big)
    else:
        b.watch(job, _who())
    apptest = _who() == _APPTEST_SESSION
    now = st.empty()  # the queue place or progress at once, not after the quick wait below
    with now.container():
        _status(b.snapshot(job))
    finished = b.wait(job, APPTEST_WAIT if apptest else QUICK_WAIT)
    now.empty()  # the result, or the polled panel in the same place, replaces it
    if finished:
        found = store().get(kind, cfg)
        if found is not None:
            return found
        _failure(b.snapshot(job))
        return None
    st.fragment(_progress, run_every=POLL_SECONDS)(page, kind, cfg)
    return None


def _status(snap: jobs.Snapshot) -> None:
    """The queue place and wait, or the step, loss and wait of a running job."""
    if snap.elsewhere:  # a replica on the same store folder trains it: no step to show here
        st.progress(0.0, text=t("training.elsewhere"))
        return
    if snap.state == "queued":  # a worker may have it already, before its first step
        st.progress(0.0, text=t("training.starting" if snap.starting else "training.queued",
                                 ahead=snap.ahead, seconds=f"{snap.wait_s:.0f}"))
        return
    frac = snap.step / snap.total if snap.total else 0.0
    loss = t("training.loss", loss=f"{snap.loss:.4f}") if snap.loss is not None else ""
    st.progress(frac, text=t("training.progress", step=snap.step, total=snap.total or "…",
                             loss=loss, seconds=f"{snap.wait_s:.0f}"))
    if len(snap.losses) > 1:
        st.html(sparkline(snap.losses))


def _progress(page: str, kind: str, cfg: Hashable) -> None:
    """Polled: progress, loss curve, queue place, wait, Stop; reruns the page when done."""
    lang.sync()  # a fragment-only run: the session's language, not the thread's default
    b = board()
    job = b.find(kind, cfg)
    snap = b.snapshot(job) if job is not None else None
    if snap is None or snap.finished:
        st.rerun()  # the whole page: it draws the result (or the reason there is none)
    _status(snap)
    others = snap.watchers - 1
    mine = snap.owner == _who()
    if others > 0:
        st.caption(t("training.others", others=others))
    if not mine:
        st.caption(t("training.not_mine"))
    elif st.button(t("training.stop"), key=f"{page}_stop", help=t("training.stop_help")):
        outcome = b.stop(job, _who())
        if outcome == "handed on":
            st.info(t("training.handed_on"))


def sparkline(losses: tuple[float, ...], width: int = 320, height: int = 60) -> str:
    """A loss curve as a small inline SVG (log scale): a few hundred bytes, no chart library."""
    import math

    ys = [math.log10(max(v, 1e-8)) for v in losses]
    lo, hi = min(ys), max(ys)
    span = (hi - lo) or 1.0
    n = len(ys) - 1
    pts = " ".join(f"{i * width / n:.1f},{(hi - y) / span * (height - 4) + 2:.1f}"
                   for i, y in enumerate(ys))
    return (f'<svg width="{width}" height="{height}" role="img" '
            f'aria-label="{t("training.loss_aria")}">'
            f'<polyline points="{pts}" fill="none" stroke="{D3_BLUE}" stroke-width="1.5"/></svg>'
            f'<div style="font-size:0.8rem;color:#666">'
            f'{t("training.sparkline", loss=f"{losses[-1]:.4f}")}</div>')
