"""GRU training speed on the CPU: nn.GRU vs memviz.fastgru.FastGRU, against nn.LSTM and nn.RNN.

    python benchmarks/gru_speed.py            # ~1 minute on a 2-core CPU
    python benchmarks/gru_speed.py --quick    # fewer repeats

Prints medians, all timed interleaved in this one process (round-robin, so load from other
processes hits every variant alike), with 1 intra-op thread as training uses:
  1. one forward+backward of the recurrent layer alone, B=64, T=20, I=5, H=32 (the default
     config's shapes), per call;
  2. the full default-config training (memviz.train.run of config.DEFAULT, 300 steps), for the
     LSTM (the default) and with arch gru (nn.GRU and FastGRU) and rnn.
The GRU variant is chosen by setting models._MODULES["gru"] for the duration of each run, so
the figures are the same whichever class models.py names.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from memviz import config as C  # noqa: E402
from memviz import devices  # noqa: E402
from memviz.engine import models, train  # noqa: E402
from memviz.engine.fastgru import FastGRU  # noqa: E402

B, T, I, H = 64, 20, 5, 32  # noqa: E741 - the shapes as the docs name them


@contextlib.contextmanager
def gru_class(cls):
    saved = models._MODULES["gru"]
    models._MODULES["gru"] = cls
    try:
        yield
    finally:
        models._MODULES["gru"] = saved


def layer_step(module: nn.Module, x: torch.Tensor, g: torch.Tensor):
    """One forward + backward of the layer (gradient g on its outputs), as training does it."""
    def step() -> None:
        out, _ = module(x)
        module.zero_grad(set_to_none=True)
        out.backward(g)
    return step


def bench_layers(rounds: int, calls: int) -> dict[str, float]:
    torch.manual_seed(0)
    x, g = torch.randn(B, T, I), torch.randn(B, T, H)
    fns = {
        "nn.LSTM": layer_step(nn.LSTM(I, H, batch_first=True), x, g),
        "nn.GRU": layer_step(nn.GRU(I, H, batch_first=True), x, g),
        "FastGRU": layer_step(FastGRU(I, H), x, g),
        "nn.RNN": layer_step(nn.RNN(I, H, batch_first=True), x, g),
    }
    times: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():  # warm up
        for _ in range(5):
            fn()
    for _ in range(rounds):
        for name, fn in fns.items():
            for _ in range(calls):
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def bench_training(repeats: int) -> dict[str, float]:
    base = C.DEFAULT.replace(train={"device": "cpu"})
    runs = {
        "LSTM": (base, nn.GRU),
        "GRU (nn.GRU)": (base.replace(model={"arch": "gru"}), nn.GRU),
        "GRU (FastGRU)": (base.replace(model={"arch": "gru"}), FastGRU),
        "RNN": (base.replace(model={"arch": "rnn"}), nn.GRU),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    losses: dict[str, float] = {}
    for cfg, cls in runs.values():  # warm up (imports, first allocations)
        with gru_class(cls):
            train.run(cfg.replace(train={"steps": 10}))
    for _ in range(repeats):
        for name, (cfg, cls) in runs.items():
            with gru_class(cls):
                t0 = time.perf_counter()
                r = train.run(cfg)
                times[name].append(time.perf_counter() - t0)
            losses[name] = r.history.eval_loss
    for name in runs:
        print(f"  {name:<14} {statistics.median(times[name]):6.3f} s   "
              f"(runs {', '.join(f'{t:.2f}' for t in times[name])}; eval loss "
              f"{losses[name]:.4f})")
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    devices.use_cpu_threads()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op thread(s)")

    rounds, calls, repeats = (10, 10, 3) if args.quick else (30, 20, 7)
    print(f"\nper-call forward+backward, B={B} T={T} I={I} H={H} "
          f"(median of {rounds * calls} calls each, interleaved):")
    lay = bench_layers(rounds, calls)
    for name, t in lay.items():
        print(f"  {name:<8} {t * 1e3:6.2f} ms   ({t / lay['nn.LSTM']:.2f}x nn.LSTM)")
    print(f"  ratios: nn.GRU/LSTM {lay['nn.GRU'] / lay['nn.LSTM']:.2f}, "
          f"FastGRU/LSTM {lay['FastGRU'] / lay['nn.LSTM']:.2f}, "
          f"RNN/LSTM {lay['nn.RNN'] / lay['nn.LSTM']:.2f}, "
          f"nn.GRU/FastGRU {lay['nn.GRU'] / lay['FastGRU']:.2f}")

    cfg = C.DEFAULT
    print(f"\nfull training, train.run(DEFAULT): {cfg.task.name}, T={cfg.task.seq_len}, "
          f"H={cfg.model.hidden}, batch {cfg.train.batch}, {cfg.train.steps} steps "
          f"(median of {repeats}, interleaved):")
    tr = bench_training(repeats)
    lstm = tr["LSTM"]
    print(f"  ratios: GRU/LSTM {tr['GRU (nn.GRU)'] / lstm:.2f} with nn.GRU, "
          f"{tr['GRU (FastGRU)'] / lstm:.2f} with FastGRU; RNN/LSTM {tr['RNN'] / lstm:.2f}")


if __name__ == "__main__":
    main()
