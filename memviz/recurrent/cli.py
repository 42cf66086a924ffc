"""`python -m memviz train` and `export`: the recurrent pages' work without a browser.

    python -m memviz train --arch lstm --task recall --seq-len 20 --hidden 32 --out DIR
    python -m memviz export --config DIR/config.json --out FIGURES [--lang zh]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from memviz.cli import UsageError, add_lang, add_training, check_out, training
from memviz.cli import formats as _formats
from memviz.config import (
    ARCHS,
    DEFAULT,
    DEVICES,
    TASKS,
    ConfigError,
    RunConfig,
    check_view,
)
from memviz.specs import MAX_CONFIG_BYTES, load_json


def register(sub) -> None:
    """Add the `train` and `export` subcommands."""
    _train_parser(sub)
    _export_parser(sub)


def _train_parser(sub) -> None:
    t, m, tr = DEFAULT.task, DEFAULT.model, DEFAULT.train
    p = sub.add_parser("train", help="train a model and write config, trace and metrics")
    p.add_argument("--arch", choices=ARCHS, default=m.arch)
    p.add_argument("--task", choices=TASKS, default=t.name)
    p.add_argument("--seq-len", type=int, default=t.seq_len)
    p.add_argument("--hidden", type=int, default=m.hidden)
    add_training(p, tr)
    p.add_argument("--device", choices=DEVICES, default=tr.device)
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.set_defaults(func=_cmd_train)


def config_from_args(a: argparse.Namespace) -> RunConfig:
    """The RunConfig the train arguments describe (ConfigError if out of range)."""
    return RunConfig.from_dict({
        "task": {"name": a.task, "seq_len": a.seq_len},
        "model": {"arch": a.arch, "hidden": a.hidden},
        "train": {**training(a), "device": a.device},
    })


def write_run(run, tr, out: Path) -> dict:
    """Write config.json, trace.npz and metrics.json for a trained run and its recorded trace;
    return the metrics."""
    out.mkdir(parents=True, exist_ok=True)
    config = {**run.config.to_dict(), "device": run.history.device,
              "device_label": run.device_label}
    (out / "config.json").write_text(json.dumps(config, indent=2))
    arrays = {"x": tr.x, **tr.fields, "output": tr.output, "target": tr.target}
    arrays.update({k: v.numpy() for k, v in run.model.layer0().items()})
    np.savez(out / "trace.npz", **arrays)
    h = run.history
    metrics = {"final_loss": h.eval_loss, "final_train_loss": h.losses[-1],
               "accuracy": h.eval_accuracy, "train_seconds": round(h.seconds, 4),
               "steps": len(h.losses), "device": h.device,
               "max_abs_diff_vs_torch": tr.max_abs_diff}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics


def _cmd_train(a: argparse.Namespace) -> int:
    from memviz.engine import tasks, trace, train  # imports torch: only when a command needs it

    cfg = config_from_args(a)
    check_out(a.out)
    run = train.run(cfg)  # the page's checkpoints (lesson.prepare) are not written: not recorded
    ex = tasks.example(cfg.task, cfg.train.seed)
    metrics = write_run(run, trace.record(run.model, ex.x, ex.y), a.out)
    acc = metrics["accuracy"]
    print(f"trained {cfg.model.arch} on {cfg.task.name} in {metrics['train_seconds']:.2f} s "
          f"on {metrics['device']}: loss {metrics['final_loss']:.4f}"
          + (f", accuracy {acc:.1%}" if acc is not None else "") + f"; wrote {a.out}")
    return 0


def _export_parser(sub) -> None:
    p = sub.add_parser("export", help="regenerate a lesson page's figures from a config.json")
    p.add_argument("--config", type=Path, required=True,
                   help="config.json from a lecture pack or from `python -m memviz train`")
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.add_argument("--formats", default="svg,pdf,png,csv",
                   help="comma-separated, from svg, pdf, png, csv")
    add_lang(p)
    p.set_defaults(func=_cmd_export)


def _read_config(path: Path) -> tuple[RunConfig, tuple[int, int]]:
    """The RunConfig in a config.json and the step t and unit its "view" asks for."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)  # never read a huge file whole
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        raw = load_json(data, "the file")
    except ConfigError as e:
        raise UsageError(f"cannot read {path}: {e}") from None
    if isinstance(raw, dict) and not raw.keys() & {"task", "model", "train"}:
        # every part would be a default: almost surely the wrong file, not a wish for defaults
        raise UsageError(f"{path} sets none of task, model, train; give the config.json of a "
                         "lecture pack or of `python -m memviz train`")
    cfg = RunConfig.from_dict(raw)
    return cfg, check_view(raw.get("view", {}), cfg)


def _cmd_export(a: argparse.Namespace) -> int:
    formats = _formats(a.formats)  # every check before the training
    cfg, (t, unit) = _read_config(a.config)
    check_out(a.out)
    from memviz import export  # imports torch: only when a command needs it
    from memviz.engine import figures, lesson

    if set(formats) - {"csv"}:
        try:
            export.check_font()  # a Chinese export with no Chinese font: say so before training
        except export.MissingFont as e:
            raise UsageError(str(e)) from None

    les = lesson.prepare(cfg)
    figs = figures.lesson_figures(les, t, unit)
    a.out.mkdir(parents=True, exist_ok=True)
    for name, fig in figs.items():
        for fmt in formats:
            (a.out / f"{name}.{fmt}").write_bytes(export.render(fig, fmt))
    (a.out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    print(f"wrote {len(figs)} figures x {len(formats)} formats to {a.out}")
    return 0
