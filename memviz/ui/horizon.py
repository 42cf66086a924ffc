"""The horizon page's sweep panel: Run/Stop, a progress bar, the chart filling in as models finish.

Each (architecture, lag) result is kept in the shared run store, so a finished pair is never
trained again, by this session or another; widget keys start with hz_.
"""

from __future__ import annotations

import itertools
import time

import streamlit as st

from memviz.horizon import report
from memviz.horizon import sweep as hz
from memviz.horizon.figures import arch_name
from memviz.ui import show
from memviz.ui.lang import t
from memviz.ui.training import store


def sweep_panel(cfg: hz.HorizonConfig) -> None:
    """Buttons, progress, the chart and its verdict, and the results table once there are any."""
    pairs = cfg.pairs()
    results = [r for r in (store().get(hz.KIND, p) for p in pairs) if r is not None]
    b1, b2, _ = st.columns([1, 1, 4])
    go = b1.button(t("horizon.run"), type="primary", key="hz_run",
                   disabled=len(results) == len(pairs))
    b2.button(t("horizon.stop"), key="hz_stop", help=t("horizon.stop_help"))
    progress, chart_slot, note = st.empty(), st.empty(), st.empty()
    draws = itertools.count()  # each redraw in one script run needs its own element key

    def draw(rs: list[hz.Result]) -> None:
        """Redraw the chart and the 'known result' line from the results so far."""
        with chart_slot.container():
            show.altair(report.chart_for(cfg, [r.row() for r in rs]), f"hz_chart_{next(draws)}",
                        t("horizon.how"), name="hz_chart")
        note.markdown(report.describe(cfg, rs))

    draw(results)
    if st.session_state.pop("hz_running", False) and len(results) < len(pairs):
        progress.info(t("horizon.stopped", done=len(results), total=len(pairs)))
    if go:
        results = _run(cfg, progress, draw)
    if results:
        with st.expander(t("horizon.all_results")):
            df = report.results_table(results)
            st.dataframe(df, hide_index=True, column_config={
                c: st.column_config.NumberColumn(format="%.3f") for c in df.columns[1:]})
            st.download_button(t("horizon.download"), report.results_csv(results),
                               "results.csv", "text/csv", key="hz_csv")


def _run(cfg: hz.HorizonConfig, progress, draw) -> list[hz.Result]:
    """Train the pairs not yet stored, redrawing after each; all the results."""
    st.session_state["hz_running"] = True  # still set on the next run if Stop interrupted us
    pairs, results = cfg.pairs(), []
    last, start = [0.0], time.perf_counter()

    def on_step(pair: hz.Pair, step: int, total: int) -> None:
        """Move the overall progress bar at most ~5 times a second."""
        now = time.perf_counter()
        if now - last[0] > 0.2:
            last[0] = now
            frac = (len(results) + step / total) / len(pairs)
            progress.progress(min(frac, 1.0), text=t(
                "horizon.progress", done=len(results), total=len(pairs),
                arch=arch_name(pair.arch), lag=pair.lag, step=step))

    for r in hz.sweep(cfg, on_step, cache=store()):
        results.append(r)
        draw(results)
    progress.empty()
    st.session_state.pop("hz_running", None)
    st.success(t("horizon.finished", s=f"{time.perf_counter() - start:.0f}"))
    return results
