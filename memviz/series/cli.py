"""`python -m memviz forecast`: train a forecaster on a series and score it against baselines.

Writes metrics.json (mae, mae_persistence, mae_seasonal, mae_linear on the test part, in the
series' own units; the leakage numbers) and forecast.csv (date, step, truth, forecast,
persistence, linear).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from memviz.cli import check_out
from memviz.series import baselines, data
from memviz.series.forecast import ForecastConfig, leakage


def _columns(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def register(sub) -> None:
    """Add the `forecast` subcommand."""
    d = ForecastConfig()
    p = sub.add_parser("forecast", help="forecast a series with an LSTM/GRU vs baselines",
                       description="Train an LSTM or GRU on the last W steps of a series and "
                                   "compare its test error with persistence and a linear "
                                   "autoregression.")
    p.add_argument("--data", default=d.data,
                   help=f"{', '.join(data.BUILTIN)}, or a CSV file path")
    p.add_argument("--target", default=d.target, help="column to forecast")
    p.add_argument("--date-column", default=None, help="date column of a CSV file")
    p.add_argument("--extra", type=_columns, default=d.extra, help="extra input columns, a,b")
    p.add_argument("--window", type=int, default=d.window, help="W, steps the model reads")
    p.add_argument("--horizon", type=int, default=d.horizon, help="forecast 1..k steps ahead")
    p.add_argument("--arch", choices=("lstm", "gru"), default=d.arch)
    p.add_argument("--hidden", type=int, default=d.hidden)
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--scaler", choices=("train", "all"), default=d.scaler,
                   help="fit the scaler on the training part (right) or all data (leaks)")
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.set_defaults(func=_cmd)


def config_from_args(a: argparse.Namespace) -> ForecastConfig:
    """The config the arguments describe; a CSV path is loaded and registered first."""
    name = a.data
    if name not in data.BUILTIN:
        path = Path(name)
        if not path.is_file():
            from memviz.cli import UsageError

            raise UsageError(f"--data {name!r} is neither a built-in series "
                             f"({', '.join(data.BUILTIN)}) nor a CSV file")
        name = data.load_upload(path.read_bytes(), a.target, a.date_column).name
    return ForecastConfig(data=name, target=a.target, extra=a.extra, window=a.window,
                          horizon=a.horizon, arch=a.arch, hidden=a.hidden, epochs=a.epochs,
                          lr=a.lr, seed=a.seed, scaler=a.scaler)


def write_outputs(run, out: Path) -> dict:
    """metrics.json and forecast.csv for a trained ForecastRun."""
    from memviz.export import csv_text

    out.mkdir(parents=True, exist_ok=True)
    p, test = run.prepared, run.prepared.parts["test"]
    m = run.maes
    metrics = {"mae": m["model"], "mae_persistence": m["persistence"],
               "mae_seasonal": m["seasonal"], "mae_linear": m["linear"],
               "beats_persistence": run.beats_persistence, "test_windows": int(len(test)),
               "train_seconds": round(run.history.seconds, 3),
               "leakage": leakage(run.config), "config": run.config.to_dict()}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    pers, lin = baselines.persistence(p, test), baselines.linear(p, test)
    rows = ([str(p.dates[p.start[i] + k])[:19], k + 1, f"{p.Y[i, k]:.4f}",
             f"{run.forecast[n, k]:.4f}", f"{pers[n, k]:.4f}", f"{lin[n, k]:.4f}"]
            for n, i in enumerate(test) for k in range(p.Y.shape[1]))
    (out / "forecast.csv").write_text(csv_text(
        ["date", "step", "truth", "forecast", "persistence", "linear"], rows), encoding="utf-8")
    return metrics


def _cmd(a: argparse.Namespace) -> int:
    from memviz.series.model import train

    out = check_out(a.out)  # before any work
    cfg = config_from_args(a)
    run = train(cfg)
    m = write_outputs(run, out)
    verdict = "beats" if run.beats_persistence else "does NOT beat"
    print(f"{cfg.arch} W={cfg.window}: test MAE {m['mae']:.3f} vs persistence "
          f"{m['mae_persistence']:.3f}, linear {m['mae_linear']:.3f} ({verdict} persistence, "
          f"{run.history.seconds:.1f} s); wrote {out}")
    return 0
