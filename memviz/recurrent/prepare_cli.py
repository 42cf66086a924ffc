"""`python -m memviz prepare`: pre-train lessons into the run store the evening before.

    python -m memviz prepare --page all                     # every lesson's default + presets
    python -m memviz prepare --page text                    # one lesson
    python -m memviz prepare --page lstm --presets "A name" # one preset (recurrent pages)
    MEMVIZ_STORE=/shared/memviz python -m memviz prepare --page all

Each run is stored under exactly the key its page asks for at its defaults (or at a preset's
values), so after a restart the page opens with the result and trains nothing. Each lesson's
runs come from the prepare entry its row in memviz.lessons names (its defaults, written out in
its own package); tests/test_prepare.py opens every page at its defaults and checks that it
asks the store for these keys.
"""

from __future__ import annotations

import argparse
import inspect
import time
from typing import Any

from memviz import lessons
from memviz.cli import UsageError, check_out
from memviz.lessons import Run

PAGES = tuple(x.name for x in lessons.LESSONS if x.prepare)  # the lessons that train
NOTHING_TO_TRAIN = tuple(x.name for x in lessons.LESSONS if not x.prepare)  # e.g. synapses:
# computed on the page in milliseconds


def _entry(page: str):
    return lessons.entry(lessons.by_name(page).prepare)


def has_presets(page: str) -> bool:
    """Whether a lesson's prepare entry takes presets (the recurrent pages')."""
    return "presets" in inspect.signature(_entry(page)).parameters


def runs_of(page: str, names: str = "all") -> list[Run]:
    """The runs `prepare --page page` trains: the page's default config, then its presets."""
    if page not in PAGES:
        raise UsageError(f"unknown page {page!r}; choose from: {', '.join(PAGES)}, all")
    chosen = _chosen(page, names)  # a lesson without presets: any name is an error
    return _entry(page)(presets=chosen) if has_presets(page) else _entry(page)()


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
    """Seconds, from the run's own estimate or from memviz.estimate where it judges the run;
    None where neither can."""
    from memviz import estimate, runs

    if run.estimate is not None:
        return run.estimate(run.cfg)
    est = estimate.for_kind(runs.kind_of(run.fn), run.cfg)
    return None if est is None else est.seconds


def _train(run: Run) -> Any:
    return run.fn(run.cfg) if run.train is None else run.train(run.cfg)


def _cmd_prepare(a: argparse.Namespace) -> int:
    from memviz import runs  # imports numpy

    store = runs.DiskStore.from_env()
    if store is None:
        raise UsageError(f"no run store: set ${runs.STORE_ENV} to a writable folder")
    check_out(store.folder, f"${runs.STORE_ENV}")  # a read-only store: say so before training
    pages = PAGES if a.page == "all" else (a.page,) if a.page in PAGES else ()
    if a.page != "all" and a.presets != "all" and not has_presets(a.page):
        with_presets = [p for p in PAGES if has_presets(p)]
        raise UsageError(f"only the {', '.join(with_presets)} pages have presets")
    todo = [(page, r) for page in pages
            for r in runs_of(page, a.presets if has_presets(page) else "all")]
    unique = {(runs.kind_of(r.fn), r.cfg): r for _, r in reversed(todo)}  # a preset = default
    todo = [(page, r) for page, r in todo if unique.get((runs.kind_of(r.fn), r.cfg)) is r
            and store.load(runs.kind_of(r.fn), r.cfg) is None]
    guesses = [_estimate(r) for _, r in todo]
    known = [s for s in guesses if s is not None]
    unknown = len(guesses) - len(known)
    unjudged = sorted({page for (page, _), s in zip(todo, guesses, strict=True) if s is None})
    print(f"{len(todo)} run(s) to train into {store.folder}: estimated {sum(known):.0f} s for "
          f"{len(known)} of them" + (f"; {unknown} more (pages: {', '.join(unjudged)}) that "
                                     f"memviz.estimate does not judge" if unknown else ""),
          flush=True)
    failed, start = 0, time.perf_counter()
    for i, ((page, run), guess) in enumerate(zip(todo, guesses, strict=True), 1):
        t0 = time.perf_counter()
        try:
            store.save(runs.kind_of(run.fn), run.cfg, _train(run))
        except Exception as e:  # noqa: BLE001 - one failed run must not lose the others
            failed += 1
            print(f"[{i}/{len(todo)}] {page}: {run.label}: FAILED: {e}", flush=True)
            continue
        said = "" if guess is None else f" (estimated {guess:.0f} s)"
        print(f"[{i}/{len(todo)}] {page}: {run.label}: trained in "
              f"{time.perf_counter() - t0:.1f} s{said}", flush=True)
    if a.page in NOTHING_TO_TRAIN or a.page == "all":
        print(f"{', '.join(NOTHING_TO_TRAIN)}: nothing to train (computed on the page)")
    print(f"{len(todo) - failed} run(s) trained in {time.perf_counter() - start:.0f} s; "
          f"{failed} failed; the store holds {len(store.entries())} run(s) in {store.folder}")
    return 1 if failed else 0
