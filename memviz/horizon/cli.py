"""`python -m memviz horizon`: the memory-horizon sweep from the command line.

Writes results.csv (arch, task, lag, seed, metric, value, train_seconds), summary.json and the
chart as PNG and SVG (through vl-convert; no browser), its words in --lang (en or zh).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

from memviz import fonts, i18n
from memviz.cli import UsageError, check_out
from memviz.horizon.report import baseline, chart_for, known_result, results_csv
from memviz.horizon.sweep import TASKS, HorizonConfig, PairStep, Result, sweep


def _int_list(text: str) -> tuple[int, ...]:
    """'5,10,20' -> (5, 10, 20)."""
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated whole numbers, got {text!r}") from None


def _name_list(text: str) -> tuple[str, ...]:
    """'rnn, lstm' -> ('rnn', 'lstm')."""
    return tuple(v.strip().lower() for v in text.split(",") if v.strip())


def register(sub) -> None:
    """Add the `horizon` subcommand."""
    d = HorizonConfig()
    p = sub.add_parser("horizon", help="sweep lags x architectures and chart the score",
                       description="Train one model per (architecture, lag) and chart the "
                                   "score against the lag.")
    p.add_argument("--task", choices=TASKS, default=d.task)
    p.add_argument("--lags", type=_int_list, default=d.lags, help="e.g. 5,10,20,50,100")
    p.add_argument("--archs", type=_name_list, default=d.archs, help="e.g. rnn,lstm,gru,cnn")
    p.add_argument("--hidden", type=int, default=d.hidden, help="units, or CNN channels")
    p.add_argument("--steps", type=int, default=d.steps, help="at most; stops once solved")
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--batch", type=int, default=d.batch)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--symbols", type=int, default=d.n_symbols, help="K for recall")
    p.add_argument("--kernel", type=int, default=d.kernel, help="CNN kernel size")
    p.add_argument("--depth", type=int, default=d.depth, help="CNN layers")
    p.add_argument("--dilation", type=int, default=d.dilation, help="CNN dilation growth")
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.add_argument("--lang", choices=i18n.LANGS, default="en",
                   help="language of the chart's titles, axes and legend (default: en)")
    p.set_defaults(func=_run)


def _run(a: argparse.Namespace) -> int:
    """The command in the language --lang asks for; every check before the long work."""
    with i18n.using(a.lang):
        cfg, out = config_from_args(a), check_out(a.out)
        if a.lang != "en" and fonts.cjk_family() is None:
            raise UsageError(i18n.t("horizon.no_font"))
        return _cmd(cfg, out)


def config_from_args(a: argparse.Namespace) -> HorizonConfig:
    """The sweep the arguments describe (ConfigError if out of range)."""
    return HorizonConfig(task=a.task, lags=a.lags, archs=a.archs, hidden=a.hidden,
                         steps=a.steps, lr=a.lr, batch=a.batch, seed=a.seed,
                         n_symbols=a.symbols, kernel=a.kernel, depth=a.depth,
                         dilation=a.dilation)


def write_outputs(cfg: HorizonConfig, results: list[Result], out: Path,
                  total_seconds: float) -> None:
    """Write results.csv, summary.json, horizon.png and horizon.svg into `out`."""
    from memviz import export  # vl-convert, with a CJK font when the chart holds Chinese

    out.mkdir(parents=True, exist_ok=True)
    rows = [r.row() for r in results]
    (out / "results.csv").write_text(results_csv(results))
    summary = {"config": asdict(cfg), "baseline": baseline(cfg),
               "cnn_receptive_field": cfg.receptive_field, "total_seconds": total_seconds,
               "known_result": known_result(cfg, results),
               "runs": [asdict(r) for r in results]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    chart = chart_for(cfg, rows)
    (out / "horizon.png").write_bytes(export.render(chart, "png", scale=2))
    (out / "horizon.svg").write_bytes(export.render(chart, "svg"))


def _cmd(cfg: HorizonConfig, out: Path, on_step: PairStep | None = None) -> int:
    """Run the sweep, printing one line and appending one results.csv row per finished run
    (so Ctrl-C keeps them); then write the summary and the chart."""
    start, results = time.perf_counter(), []
    n = len(cfg.pairs())
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "results.csv"
    csv_path.write_text(results_csv([]))  # the header; rows follow as runs finish
    try:
        for r in sweep(cfg, on_step):
            results.append(r)
            with csv_path.open("a") as f:
                f.write(results_csv([r]).split("\n", 1)[1])
            print(f"[{len(results)}/{n}] {r.arch:>4} lag {r.lag:>3}: {r.metric} {r.value:.3f} "
                  f"({r.train_seconds:.1f} s, {r.steps_run} steps)", flush=True)
    except KeyboardInterrupt:
        print(f"stopped: {len(results)} of {n} runs finished and kept in {csv_path}", flush=True)
        raise
    total = time.perf_counter() - start
    write_outputs(cfg, results, out, round(total, 2))
    print(f"{n} runs in {total:.1f} s; wrote {out / 'results.csv'} and horizon.png/.svg")
    return 0
