"""`python -m memviz inspect`: step through your own model's weights without a browser.

    python -m memviz inspect --weights model.pt --input x.csv --out DIR [--lang zh]
    python -m memviz inspect --config PACK/config.json --out DIR    # a lecture pack's files

Writes trace.npz (every gate and state of every layer), config.json, metrics.json (kind,
layers, hidden, max_abs_diff_vs_torch) and the figures. A bad file: one line, exit 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from memviz.cli import UsageError, add_lang, check_out, formats
from memviz.i18n import t


def register(sub) -> None:
    """Add the `inspect` subcommand."""
    p = sub.add_parser("inspect", help="trace your own LSTM/GRU/RNN weights on an input")
    p.add_argument("--weights", type=Path,
                   help=".safetensors, or a .pt/.pth state dict (read weights-only)")
    p.add_argument("--input", type=Path,
                   help=".csv or .npy of shape (T, input_size), or (T,) token ids")
    p.add_argument("--config", type=Path,
                   help="a lecture pack's config.json, instead of --weights and --input: "
                        "the files it names beside it, its nonlinearity and view")
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.add_argument("--nonlinearity", choices=("tanh", "relu"), default=None,
                   help="an RNN's nonlinearity, which the weights cannot tell (default: tanh)")
    p.add_argument("--t", type=int, default=None, help="step the figures mark (default: last)")
    p.add_argument("--unit", type=int, default=None,
                   help="unit the figures follow (default: 0)")
    p.add_argument("--formats", default="svg,csv", help="comma-separated, from svg, pdf, png, csv")
    add_lang(p)
    p.set_defaults(func=_cmd_inspect)


def _read(path: Path, limit: int) -> bytes:
    """At most limit + 1 bytes of the file (the size check then refuses it unparsed)."""
    try:
        with path.open("rb") as f:
            return f.read(limit + 1)
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None


def _sources(a: argparse.Namespace):
    """The files, nonlinearity and view: from --config, or from the flags."""
    from memviz.specs import MAX_CONFIG_BYTES
    from memviz.yours import pack

    if a.config is None:
        if a.weights is None or a.input is None:
            raise UsageError("give --weights and --input, or --config")
        return pack.Sources(a.weights, a.input, a.nonlinearity, a.t, a.unit)
    if a.weights or a.input:
        raise UsageError("--config names the weights and the input; give it alone")
    src = pack.read_config(_read(a.config, MAX_CONFIG_BYTES), a.config.parent)
    return pack.Sources(src.weights, src.input, a.nonlinearity or src.nonlinearity,
                        src.t if a.t is None else a.t, src.unit if a.unit is None else a.unit)


def write_trace(mt, config: dict, out: Path) -> dict:
    """trace.npz, config.json (memviz.yours.pack.config) and metrics.json for a traced
    model; returns the metrics."""
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "trace.npz", **mt.arrays())
    (out / "config.json").write_text(json.dumps(config, indent=2))
    found = config["found"]
    metrics = {"kind": mt.kind, "layers": mt.num_layers, "hidden": mt.H, "steps": mt.T,
               "input_size": found["input_size"],
               "max_abs_diff_vs_torch": mt.max_abs_diff}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics


def _cmd_inspect(a: argparse.Namespace) -> int:
    from memviz import export  # torch and plotly: only when the command runs
    from memviz.yours import figures, inputs, model, pack, tracing, weights

    fmts = formats(a.formats)
    src = _sources(a)
    check_out(a.out)
    if set(fmts) - {"csv"}:
        try:
            export.check_font()  # a Chinese export with no Chinese font: say so first
        except export.MissingFont as e:
            raise UsageError(str(e)) from None
    loaded = model.load(_read(src.weights, weights.MAX_WEIGHTS_BYTES), src.weights.name,
                        src.nonlinearity)
    x = inputs.read_input(_read(src.input, inputs.MAX_INPUT_BYTES), src.input.name, loaded.found)
    print(loaded.found.summary())
    mt = tracing.trace_model(loaded, x)
    unit = src.unit or 0
    metrics = write_trace(mt, pack.config(loaded.found, src.weights.name, src.input.name,
                                          src.nonlinearity, src.t, unit), a.out)
    figs = figures.model_figures(mt, src.t, unit)
    for name, fig in figs.items():
        for fmt in fmts:
            (a.out / f"{name}.{fmt}").write_bytes(export.render(fig, fmt))
    print(t("yours.cli.wrote", T=mt.T, diff=f"{metrics['max_abs_diff_vs_torch']:.2e}",
            n=len(figs), formats=", ".join(fmts), out=a.out))
    return 0
