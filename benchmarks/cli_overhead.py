"""What a whole `python -m memviz train` process costs against a bare torch script doing the
same training (issue 26 §6: each subcommand imports only what it runs; target <= 1.10x).

    python3 benchmarks/cli_overhead.py [--repeats 5] [--steps 300]

Both are whole processes, started fresh, timed from start to exit, interleaved so that both see
the same machine load; prints the median of each and their ratio, in wall time and in CPU time
(user + system: on a machine others load too, wall time mostly measures them). The bare script
is torch and nothing else: the default model (one nn.LSTM layer, H=32, chrono-initialised gate
biases, a linear readout), the recall task (T=20, 4 symbols), Adam, clip 1.0, batch 64, one CPU
thread, the held-out batch of 512, and the weights and a one-example trace written out, as
`train` writes them. It also prints how long `import memviz.cli` plus the `train` command's
imports take.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = r"""
import sys, torch, torch.nn.functional as F
steps, out = int(sys.argv[1]), sys.argv[2]
torch.set_num_threads(1)
T, K, H, B = 20, 4, 32, 64
def batch(b, gen):
    y = torch.randint(0, K, (b,), generator=gen)
    x = torch.zeros(b, T, K + 1)
    x[:, 0, :K] = F.one_hot(y, K).float()
    x[:, T - 1, K] = 1.0
    return x, y
torch.manual_seed(0)
gen = torch.Generator().manual_seed(0)
with torch.random.fork_rng(devices=[]):
    torch.manual_seed(0)
    rnn = torch.nn.LSTM(K + 1, H, batch_first=True)
    readout = torch.nn.Linear(H, K)
    u = torch.empty(H).uniform_(1.0, T - 1.0)
    with torch.no_grad():
        rnn.bias_ih_l0[H:2 * H].copy_(torch.log(u)); rnn.bias_hh_l0[H:2 * H].zero_()
        rnn.bias_ih_l0[:H].copy_(-torch.log(u)); rnn.bias_hh_l0[:H].zero_()
params = [*rnn.parameters(), *readout.parameters()]
opt = torch.optim.Adam(params, lr=0.01)
for _ in range(steps):
    x, y = batch(B, gen)
    loss = F.cross_entropy(readout(rnn(x)[0])[:, -1], y)
    opt.zero_grad(); loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step()
with torch.no_grad():
    x, y = batch(512, torch.Generator().manual_seed(1_000_003))
    out_ = readout(rnn(x)[0])[:, -1]
    print(F.cross_entropy(out_, y).item(), (out_.argmax(1) == y).float().mean().item())
    trace = rnn(batch(1, torch.Generator().manual_seed(7))[0])[0]
torch.save({**rnn.state_dict(), "trace": trace}, out + "/bare.pt")
"""

# memviz's own imports for `train`: the parser (its --help) and the lesson the command runs
IMPORTS = r"""
import contextlib, io, time
t = time.perf_counter()
import memviz.cli
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    memviz.cli.main(["train", "--help"])
import memviz.engine.lesson
print(time.perf_counter() - t)
"""


def _run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one whole process."""
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=300)
    a = ap.parse_args(argv)
    ours, bare = [], []
    with tempfile.TemporaryDirectory() as tmp:
        memviz = [sys.executable, "-m", "memviz", "train", "--steps", str(a.steps),
                  "--device", "cpu", "--out", tmp]
        plain = [sys.executable, "-c", BARE, str(a.steps), tmp]
        _run(plain), _run(memviz)  # warm the file cache for both
        for _ in range(max(a.repeats, 5)):
            ours.append(_run(memviz))
            bare.append(_run(plain))
        imports = [sys.executable, "-c", IMPORTS]
        took = subprocess.run(imports, cwd=ROOT, check=True, capture_output=True, text=True)
    for i, what in enumerate(("wall", "CPU (user + system)")):
        m, b = (statistics.median(x[i] for x in runs) for runs in (ours, bare))
        print(f"{what}: python -m memviz train ({a.steps} steps) {m:.2f} s; bare torch script "
              f"{b:.2f} s (median of {len(ours)}, whole processes); ratio {m / b:.3f} "
              f"(target <= 1.10)")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(CPU time is the steadier figure on a busy machine)")
    print(f"memviz's own imports for `train` (parser + lesson): "
          f"{float(took.stdout.split()[-1]):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
