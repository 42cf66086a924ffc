"""`python -m memviz prepare`: pre-train a lecture's runs into the run store the evening before.

    python -m memviz prepare --page lstm --presets all      # every LSTM preset
    python -m memviz prepare --page gru --presets "A name"  # one preset
    MEMVIZ_STORE=/shared/memviz python -m memviz prepare --page all --presets all
"""

from __future__ import annotations

import argparse
import time

from memviz.cli import UsageError, check_out

PAGES = ("lstm", "gru", "rnn")


def register(sub) -> None:
    """Add the `prepare` subcommand."""
    p = sub.add_parser("prepare", help="pre-train a page's preset runs into the run store")
    p.add_argument("--page", choices=(*PAGES, "all"), required=True)
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


def _cmd_prepare(a: argparse.Namespace) -> int:
    from memviz import runs  # imports numpy
    from memviz.recurrent import lesson  # imports torch: only when a command needs it

    store = runs.DiskStore.from_env()
    if store is None:
        raise UsageError(f"no run store: set ${runs.STORE_ENV} to a writable folder")
    check_out(store.folder, f"${runs.STORE_ENV}")  # a read-only store: say so before training
    todo = [(page, p) for page in (PAGES if a.page == "all" else (a.page,))
            for p in _chosen(page, a.presets)]
    for page, p in todo:
        cfg = p.config  # exactly what the page builds from the preset's widget values
        if store.load(lesson.KIND, cfg) is not None:
            print(f"{page}: {p.name}: already in the store")
            continue
        start = time.perf_counter()
        store.save(lesson.KIND, cfg, lesson.prepare(cfg))
        print(f"{page}: {p.name}: trained in {time.perf_counter() - start:.1f} s")
    print(f"{len(todo)} run(s) ready in {store.folder}")
    return 0
