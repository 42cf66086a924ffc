"""memviz benchmark: prints the figures the README quotes (medians over repeats).

    python benchmarks/bench.py            # all figures, ~1 minute on a 2-core CPU
    python benchmarks/bench.py --quick    # fewer repeats

Figures: training time of the default LSTM config and its accuracy; the ratio of memviz's
training loop to a bare torch loop doing the same work; the GRU's and RNN's default training
time against the LSTM's; seconds to record T=200, H=64; the time to build a lecture pack; and
the server-side time of one time-step move on the LSTM page (AppTest reruns the page script).
benchmarks/horizon.py times the memory-horizon sweep, benchmarks/gru_speed.py the GRU kernels.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from memviz import config as C  # noqa: E402
from memviz.engine import models, tasks, trace, train  # noqa: E402


def median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def bare_loop(cfg: C.RunConfig) -> float:
    """Seconds of the same training with nothing but torch: no callbacks, checks or history."""
    s = tasks.spec(cfg.task)
    torch.manual_seed(cfg.train.seed)
    gen = torch.Generator().manual_seed(cfg.train.seed)
    model = models.build(cfg.model, s.input_size, s.output_size, cfg.train.seed, cfg.task.seq_len)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.train.lr)
    t0 = time.perf_counter()
    for _ in range(cfg.train.steps):
        b = tasks.make_batch(cfg.task, cfg.train.batch, gen)
        loss = torch.nn.functional.cross_entropy(model(b.x)[:, -1], b.y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.train.clip)
        opt.step()
    return time.perf_counter() - t0


def bench_training(repeats: int) -> None:
    cfg = C.DEFAULT
    runs = []
    med, _ = median_time(lambda: runs.append(train.run(cfg)), repeats)
    h = runs[-1].history
    print(f"default LSTM ({cfg.task.name}, T={cfg.task.seq_len}, H={cfg.model.hidden}, "
          f"{cfg.train.steps} steps, batch {cfg.train.batch}): train {h.seconds:.2f} s in-loop, "
          f"{med:.2f} s wall (median of {repeats}); held-out accuracy {h.eval_accuracy:.1%}")
    ours, bare = [], []
    for _ in range(repeats):  # interleaved so both see the same machine load
        model = models.build(cfg.model, 5, 4, 0, cfg.task.seq_len)
        ours.append(train.train(model, cfg.task, cfg.train).seconds)  # the loop, not the eval
        bare.append(bare_loop(cfg))
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"memviz train loop {statistics.median(ours):.3f} s vs bare torch loop "
          f"{statistics.median(bare):.3f} s: ratio {ratio:.3f} (target <= 1.10)")


def bench_archs(repeats: int) -> None:
    """Default config per cell type, interleaved: GRU and RNN against the LSTM (target <= 1.5)."""
    times: dict[str, list[float]] = {"lstm": [], "gru": [], "rnn": []}
    for _ in range(repeats):
        for arch in times:
            times[arch].append(train.run(C.DEFAULT.replace(model={"arch": arch})).history.seconds)
    med = {a: statistics.median(v) for a, v in times.items()}
    print("default config per cell (training loop, median of "
          f"{repeats}): LSTM {med['lstm']:.3f} s, GRU {med['gru']:.3f} s "
          f"(x{med['gru'] / med['lstm']:.2f}), RNN {med['rnn']:.3f} s "
          f"(x{med['rnn'] / med['lstm']:.2f}) (target <= 1.5x the LSTM)")


def bench_export(repeats: int) -> None:
    from memviz import export
    from memviz.engine import figures, lesson

    les = lesson.prepare(C.DEFAULT)
    figs = figures.lesson_figures(les)
    med, _ = median_time(lambda: export.lecture_pack(figs, [], None, "bench"), repeats)
    print(f"lecture pack of the LSTM page (5 figures x SVG, PDF, PNG, CSV): {med:.2f} s "
          f"(median of {repeats})")


def bench_record(repeats: int) -> None:
    model = models.build(C.ModelConfig("lstm", 64), 5, 4, seed=0, seq_len=200)
    x = torch.randn(200, 5)
    med, _ = median_time(lambda: trace.record(model, x), repeats)
    print(f"record T=200, H=64 (LSTM, hand-written cell + fused check): {1000 * med:.1f} ms "
          f"(median of {repeats})")


def bench_step_move(moves: int) -> None:
    """A step move reruns only the step-through fragment in the browser; AppTest reruns the
    whole page. Report both: the fragment's own time (what the server does per move) and the
    AppTest round trip (whole page, plus AppTest's polling)."""
    from streamlit.testing.v1 import AppTest

    from memviz.ui import steppanel

    # AppTest sets session state from the main thread and streamlit logs a bare-mode notice
    # for each move (AppTest resets the log level on each run, so a filter, not a level).
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())
    fragment_times: list[float] = []
    panel = steppanel._step_panel

    def timed_panel(*args, **kwargs):
        t0 = time.perf_counter()
        panel(*args, **kwargs)
        fragment_times.append(time.perf_counter() - t0)

    steppanel._step_panel = timed_panel
    at = AppTest.from_file(str(ROOT / "pages/lstm.py"), default_timeout=120)
    at.run()
    at.button(key="lstm_train").click().run()
    T = C.DEFAULT.task.seq_len
    times = []
    for k in range(moves):
        t0 = time.perf_counter()
        at.session_state["lstm_t"] = 1 + (7 * k) % T  # as the browser's stepper reports it
        at.run()
        times.append(time.perf_counter() - t0)
    assert not at.exception, at.exception
    steppanel._step_panel = panel
    frag = fragment_times[-moves:]
    print(f"time-step move on the LSTM page, default config, {moves} moves: step-through "
          f"fragment median {1000 * statistics.median(frag):.1f} ms, max {1000 * max(frag):.1f} ms "
          f"(target <= 50 ms); AppTest whole-page round trip median "
          f"{1000 * statistics.median(times):.1f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    a = p.parse_args()
    r = 3 if a.quick else 5
    # A fresh run store: the step move trains the page's run first, and a run kept from an
    # earlier visit would skip that (and the bench would write into the lecturer's store).
    store = tempfile.TemporaryDirectory(prefix="memviz-bench-")
    os.environ["MEMVIZ_STORE"] = store.name
    print(f"torch {torch.__version__}, {train.devices.CPU_THREADS} training thread(s), "
          f"device {train.devices.pick().label}")
    bench_training(r)
    bench_archs(r)
    bench_record(5 * r)
    bench_export(3)
    bench_step_move(10 if a.quick else 30)


if __name__ == "__main__":
    main()
