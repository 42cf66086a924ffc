"""`python -m memviz prepare`: pre-train lessons into the run store the evening before.

    python -m memviz prepare --page all                     # every lesson's default + presets
    python -m memviz prepare --page text                    # one lesson
    python -m memviz prepare --page lstm --presets "A name" # one preset (recurrent pages)
    MEMVIZ_STORE=/shared/memviz python -m memviz prepare --page all

Each run is stored under exactly the key its page asks for at its defaults (or at a preset's
values), so after a restart the page opens with the result and trains nothing. The configs
below are the pages' defaults, written out; tests/test_prepare.py opens every page at its
defaults and checks that it asks the store for these keys.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from memviz.cli import UsageError, check_out

RECURRENT = ("lstm", "gru", "rnn")
PAGES = (*RECURRENT, "gates", "cnn", "horizon", "text", "transformer", "series", "sentences",
         "attention", "documents")
NOTHING_TO_TRAIN = ("synapses",)  # its simulation is computed on the page in milliseconds


@dataclass(frozen=True)
class Run:
    """One stored result: the page, a label for the progress line, what trains it, its key."""

    page: str
    label: str
    fn: Callable
    cfg: Any


def _recurrent_default(page: str):
    """memviz.ui.recurrent's defaults (DEFAULTS, PAGE_DEFAULTS) as that page builds them."""
    from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig
    from memviz.gates import gradients

    d = {"seq_len": 20, "hidden": 32, "lr": 0.01, "steps": 300,
         **(gradients.DEFAULTS if page == "gates" else {})}
    return RunConfig(TaskConfig("recall", d["seq_len"]),
                     ModelConfig("lstm" if page == "gates" else page, d["hidden"]),
                     TrainConfig(steps=d["steps"], lr=d["lr"], seed=0))


def runs_of(page: str, names: str = "all") -> list[Run]:
    """The runs `prepare --page page` trains: the page's default config, then its presets."""
    if page in RECURRENT:
        from memviz.recurrent import lesson

        return [Run(page, "default", lesson.prepare, _recurrent_default(page)),
                *(Run(page, p.name, lesson.prepare, p.config) for p in _chosen(page, names))]
    _chosen(page, names)  # only the recurrent pages have presets: a name is an error
    if page == "gates":
        from memviz.gates import gradients

        return [Run(page, "default", gradients.study, _recurrent_default(page))]
    if page == "cnn":
        from memviz.cnn import model as cnn

        return [Run(page, "default", cnn.train_cnn, cnn.CNNConfig())]
    if page == "horizon":
        from memviz.horizon import sweep as hz

        return [Run(page, f"{p.arch} at lag {p.lag}", hz.run_pair, p)
                for p in hz.HorizonConfig().pairs()]
    if page == "text":
        from memviz.text import train as text_train
        from memviz.text.model import TextConfig

        return [Run(page, "default", text_train.run, TextConfig())]
    if page == "transformer":
        from memviz.transformer import train as transformer
        from memviz.transformer.model import TransformerConfig

        return [Run(page, "default", transformer.run, TransformerConfig())]
    if page == "series":
        from memviz.series import forecast
        from memviz.series import model as series

        cfg = forecast.ForecastConfig()
        return [Run(page, "default", series.train, cfg),  # and the page's leak comparison:
                Run(page, "scaler fitted on all", series.train,
                    forecast.ForecastConfig(**{**cfg.to_dict(), "scaler": "all"}))]
    if page == "sentences":
        from memviz.sentiment import model as sentiment

        return [Run(page, "default", sentiment.train_both, sentiment.SentimentConfig())]
    if page == "attention":
        from memviz.attention import selfattn
        from memviz.attention import train as s2s

        lengths = s2s.TASK_LENGTHS["reverse"]
        cfg = s2s.Seq2SeqConfig.for_task("reverse", max_len=lengths["max_len"], steps=600,
                                         seed=0, min_len=min(lengths["min_len"],
                                                             lengths["max_len"]))
        return [Run(page, "seq2seq default", s2s.train_both, cfg),
                Run(page, "self-attention default", selfattn.train_recall,
                    selfattn.RecallConfig())]
    if page == "documents":
        from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig
        from memviz.documents import checks

        cfg = RunConfig(TaskConfig("recall", 12), ModelConfig("lstm", 16),
                        TrainConfig(steps=150, seed=0))
        return [Run(page, "default", checks.prepare, checks.configs(cfg))]
    raise UsageError(f"unknown page {page!r}; choose from: {', '.join(PAGES)}, all")


def register(sub) -> None:
    """Add the `prepare` subcommand."""
    p = sub.add_parser("prepare", help="pre-train lessons (defaults and presets) into the "
                                       "run store")
    p.add_argument("--page", choices=(*PAGES, *NOTHING_TO_TRAIN, "all"), required=True)
    p.add_argument("--presets", default="all",
                   help="'all' or comma-separated preset names (see the page's preset menu)")
    p.set_defaults(func=_cmd_prepare)


def _chosen(page: str, names: str) -> list:
    from memviz.recurrent import presets

    options = presets.for_page(page)
    if names.strip() == "all":
        return list(options.values())
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in options]
    if unknown or not wanted:
        raise UsageError(f"unknown preset {unknown[0] if unknown else names!r} for page {page}; "
                         f"choose from: {', '.join(options) or '(none)'}")
    return [options[n] for n in wanted]


def _estimate(run: Run) -> float | None:
    """Seconds, from memviz.estimate where it judges the run; None where it cannot. A horizon
    pair of a recurrent cell trains exactly the model a recurrent page would (memviz.recurrent
    models.build, its lag as T): its estimate is that run's, an upper bound (a solved pair
    stops early)."""
    from memviz import estimate, runs
    from memviz.config import ARCHS, ModelConfig, RunConfig, TrainConfig

    est = estimate.for_kind(runs.kind_of(run.fn), run.cfg)
    if est is None and run.page == "horizon" and run.cfg.arch in ARCHS:
        p = run.cfg
        est = estimate.recurrent(RunConfig(p.task_cfg, ModelConfig(p.arch, p.hidden),
                                           TrainConfig(steps=p.steps, lr=p.lr, batch=p.batch,
                                                       seed=p.seed)))
    return None if est is None else est.seconds


def _train(run: Run) -> Any:
    if run.page == "horizon":  # one torch thread, as the page runs each pair
        from memviz.horizon import sweep as hz

        return hz._one_thread(run.fn, run.cfg)
    return run.fn(run.cfg)


def _cmd_prepare(a: argparse.Namespace) -> int:
    from memviz import runs  # imports numpy

    store = runs.DiskStore.from_env()
    if store is None:
        raise UsageError(f"no run store: set ${runs.STORE_ENV} to a writable folder")
    check_out(store.folder, f"${runs.STORE_ENV}")  # a read-only store: say so before training
    pages = PAGES if a.page == "all" else (a.page,) if a.page in PAGES else ()
    if a.page != "all" and a.presets != "all" and a.page not in RECURRENT:
        raise UsageError(f"only the {', '.join(RECURRENT)} pages have presets")
    todo = [r for page in pages
            for r in runs_of(page, a.presets if page in RECURRENT else "all")]
    unique = {(runs.kind_of(r.fn), r.cfg): r for r in reversed(todo)}  # a preset = the default
    todo = [r for r in todo if unique.get((runs.kind_of(r.fn), r.cfg)) is r
            and store.load(runs.kind_of(r.fn), r.cfg) is None]
    guesses = [_estimate(r) for r in todo]
    known = [s for s in guesses if s is not None]
    unknown = len(guesses) - len(known)
    unjudged = sorted({r.page for r, s in zip(todo, guesses, strict=True) if s is None})
    print(f"{len(todo)} run(s) to train into {store.folder}: estimated {sum(known):.0f} s for "
          f"{len(known)} of them" + (f"; {unknown} more (pages: {', '.join(unjudged)}) that "
                                     f"memviz.estimate does not judge" if unknown else ""),
          flush=True)
    failed, start = 0, time.perf_counter()
    for i, (run, guess) in enumerate(zip(todo, guesses, strict=True), 1):
        t0 = time.perf_counter()
        try:
            store.save(runs.kind_of(run.fn), run.cfg, _train(run))
        except Exception as e:  # noqa: BLE001 - one failed run must not lose the others
            failed += 1
            print(f"[{i}/{len(todo)}] {run.page}: {run.label}: FAILED: {e}", flush=True)
            continue
        said = "" if guess is None else f" (estimated {guess:.0f} s)"
        print(f"[{i}/{len(todo)}] {run.page}: {run.label}: trained in "
              f"{time.perf_counter() - t0:.1f} s{said}", flush=True)
    if a.page in NOTHING_TO_TRAIN or a.page == "all":
        print(f"{', '.join(NOTHING_TO_TRAIN)}: nothing to train (computed on the page)")
    print(f"{len(todo) - failed} run(s) trained in {time.perf_counter() - start:.0f} s; "
          f"{failed} failed; the store holds {len(store.entries())} run(s) in {store.folder}")
    return 1 if failed else 0
