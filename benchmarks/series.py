"""Forecasting and sentiment figures: default forecast time and MAEs against persistence and a
linear autoregression (seattle-weather temp_max, test part), the scaler-leakage numbers, and
LSTM vs GRU sentiment accuracy by distance. Prints its figures; timings are wall-clock on this
machine (one torch thread)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memviz.sentences import model as sm  # noqa: E402
from memviz.series import forecast, model  # noqa: E402


def _forecast(cfg: forecast.ForecastConfig) -> model.ForecastRun:
    start = time.perf_counter()
    run = model.train(cfg)
    m = run.maes
    print(f"forecast {cfg.arch} W={cfg.window} H={cfg.hidden} epochs={cfg.epochs} "
          f"scaler={cfg.scaler} seed={cfg.seed}: train {run.history.seconds:.1f} s "
          f"(wall {time.perf_counter() - start:.1f} s); test MAE model {m['model']:.3f}, "
          f"persistence {m['persistence']:.3f}, linear {m['linear']:.3f}, seasonal "
          f"{m['seasonal']:.3f} -> {'beats' if run.beats_persistence else 'does NOT beat'} "
          "persistence", flush=True)
    return run


def main() -> None:
    default = forecast.ForecastConfig()
    honest = _forecast(default)
    for seed in (1, 2):
        _forecast(forecast.ForecastConfig(seed=seed))
    _forecast(forecast.ForecastConfig(window=2))  # document 002's window
    leak = forecast.leakage(default)
    print(f"leakage temp_max: train range {leak['train_min']:.1f}..{leak['train_max']:.1f}, "
          f"test range {leak['test_min']:.1f}..{leak['test_max']:.1f}; test sets the min: "
          f"{leak['min_from_test']}, the max: {leak['max_from_test']}; leaky-scaled training "
          f"range {leak['leaky_train_range'][0]:.3f}..{leak['leaky_train_range'][1]:.3f}")
    leaky = _forecast(forecast.ForecastConfig(scaler="all"))
    print(f"leakage temp_max: MAE honest {honest.maes['model']:.3f} vs fit-on-all "
          f"{leaky.maes['model']:.3f}")
    for name in ("stocks-AAPL",):
        cfg = forecast.ForecastConfig(data=name, target="price", window=6)
        leak = forecast.leakage(cfg)
        a, b = model.train(cfg), model.train(forecast.ForecastConfig(**{**cfg.to_dict(),
                                                                          "scaler": "all"}))
        print(f"leakage {name}: train range {leak['train_min']:.1f}..{leak['train_max']:.1f}, "
              f"test {leak['test_min']:.1f}..{leak['test_max']:.1f}; leaky-scaled training "
              f"range {leak['leaky_train_range'][0]:.3f}..{leak['leaky_train_range'][1]:.3f}; "
              f"{leak['honest_test_outside']}/{leak['test_rows']} test values outside 0..1 "
              f"honestly; MAE honest {a.maes['model']:.2f} vs fit-on-all {b.maes['model']:.2f} "
              f"(persistence {a.maes['persistence']:.2f})", flush=True)
    cfg = sm.SentimentConfig()
    start = time.perf_counter()
    runs = sm.train_both(cfg)
    print(f"sentiment default (max_gap {cfg.max_gap}, H={cfg.hidden}, {cfg.steps} steps, "
          f"{cfg.n_train} sentences): both trained in {time.perf_counter() - start:.1f} s")
    print(f"{'distance':>10} {'LSTM':>7} {'GRU':>7}")
    for b in runs["lstm"].by_distance:
        print(f"{b:>10} {100 * runs['lstm'].by_distance[b]:6.1f}% "
              f"{100 * runs['gru'].by_distance[b]:6.1f}%")
    print(f"{'all':>10} {100 * runs['lstm'].accuracy:6.1f}% {100 * runs['gru'].accuracy:6.1f}% "
          f"(train {runs['lstm'].history.seconds:.1f} s / {runs['gru'].history.seconds:.1f} s)")


if __name__ == "__main__":
    main()
