"""What a sweep found: baseline, solved or forgot, the known result in words, CSV and chart."""

from __future__ import annotations

from memviz.config import (
    TaskConfig,
)
from memviz.engine import tasks
from memviz.horizon.figures import arch_name
from memviz.horizon.sweep import CSV_COLUMNS, HorizonConfig, Result, solved
from memviz.i18n import t


def baseline(cfg: HorizonConfig) -> float:
    """The no-memory score: chance 1/K for recall, MSE 1/6 of answering the mean for adding."""
    return tasks.chance(TaskConfig(cfg.task, max(cfg.lags), cfg.n_symbols))



def forgot(task: str, value: float, base: float) -> bool:
    """Whether a score is no better than no memory: within 10 points of chance, or MSE >= 90%."""
    return value <= base + 0.10 if task == "recall" else not value < 0.9 * base


def known_result(cfg: HorizonConfig, results: list[Result]) -> dict:
    """Lags where LSTM and GRU remember while the RNN forgot; where the CNN remembered."""
    by = {(r.arch, r.lag): r.value for r in results}
    base, lags = baseline(cfg), sorted(set(cfg.lags))
    gated = [lag for lag in lags
             if all((a, lag) in by and solved(cfg.task, by[a, lag]) for a in ("lstm", "gru"))
             and ("rnn", lag) in by and forgot(cfg.task, by["rnn", lag], base)]
    cnn = {lag: solved(cfg.task, by["cnn", lag]) for lag in lags if ("cnn", lag) in by}
    rf = cfg.receptive_field
    return {"gated_beat_rnn": gated, "cnn_solved": [k for k, v in cnn.items() if v],
            "cnn_only_inside_field": bool(cnn) and all(v == (k <= rf) for k, v in cnn.items())}


def _fmt(task: str, v: float) -> str:
    return f"{v:.0%}" if task == "recall" else f"MSE {v:.3f}"


def describe(cfg: HorizonConfig, results: list[Result]) -> str:
    """A sentence or two (markdown) saying what the results so far show."""
    if not results:
        return t("horizon.describe.nothing", run=t("horizon.run"))
    k, by = known_result(cfg, results), {(r.arch, r.lag): r.value for r in results}
    out = []
    if k["gated_beat_rnn"]:
        lag = k["gated_beat_rnn"][-1]
        out.append(t("horizon.describe.long_term", lags=", ".join(map(str, k["gated_beat_rnn"])),
                     lag=lag, lstm=_fmt(cfg.task, by["lstm", lag]),
                     gru=_fmt(cfg.task, by["gru", lag]), rnn=_fmt(cfg.task, by["rnn", lag]),
                     base=_fmt(cfg.task, baseline(cfg))))
    cnn = sorted(lag for (a, lag) in by if a == "cnn")
    if cnn:
        key = {(True, True): "horizon.describe.cnn_inside", (True, False): "horizon.describe.cnn",
               (False, True): "horizon.describe.cnn_none_inside",
               (False, False): "horizon.describe.cnn_none"}[
            bool(k["cnn_solved"]), bool(k["cnn_only_inside_field"])]
        out.append(t(key, lags=", ".join(map(str, cnn)), rf=cfg.receptive_field,
                     ok=", ".join(map(str, k["cnn_solved"]))))
    return " ".join(out) or t("horizon.describe.undecided")


def results_csv(results: list[Result]) -> str:
    """results.csv as text (columns CSV_COLUMNS), through the one CSV writer."""
    from memviz.export import csv_text

    return csv_text(CSV_COLUMNS, ([r.row()[c] for c in CSV_COLUMNS] for r in results))


def results_table(results: list[Result]):
    """A pandas frame: one row per architecture, one column per lag, the score in each cell."""
    import pandas as pd

    df = pd.DataFrame([r.row() for r in results])
    table = df.pivot(index="arch", columns="lag", values="value")
    # string names (arrow-friendly) in the current language
    table.columns = [t("horizon.table.lag", lag=lag) for lag in table.columns]
    table.index = [arch_name(a) for a in table.index]  # names, as in the chart
    return table.rename_axis(t("horizon.table.arch")).reset_index()


def chart_for(cfg: HorizonConfig, rows: list[dict]):
    """The altair chart of a sweep's rows."""
    from memviz.horizon.figures import horizon_chart  # altair/pandas only when drawing

    rf = cfg.receptive_field if "cnn" in cfg.archs else None
    return horizon_chart(rows, cfg.task, cfg.lags, baseline(cfg), rf, cfg.archs)
