"""The lessons, declared once: the router (app.py), the home page, the command line and
`prepare` read this table. Adding a lesson adds one row here (README: "Adding a lesson").

Imports nothing heavy (no torch, no streamlit): modules are named as strings and imported by
whoever needs them, so `python -m memviz train` imports the one lesson it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Lesson:
    """One lesson. `name` is its URL path, its `prepare --page` name and its key in the
    catalogues; `nav` and `blurb` are the message keys of its sidebar title and its line on the
    home page (a new lesson keeps them in its own catalogue: `<name>.nav`, `<name>.blurb`);
    `cli` the module whose `register(sub)` adds the subcommands `commands` (None: none);
    `prepare` the "module:function" whose call (with `presets=` where the function takes it)
    returns the `Run`s `prepare --page name` trains (None: it trains nothing)."""

    name: str
    page: str
    icon: str
    nav: str
    blurb: str
    cli: str | None = None
    prepare: str | None = None
    commands: tuple[str, ...] = ()  # after the contract's fields: rows may give those by place


@dataclass(frozen=True)
class Run:
    """One result `prepare` stores: a label for its progress line, the train function (its
    store kind, memviz.codecs.kind_of) and the config it is called with. `train` trains it
    where fn(cfg) is not how the page runs it; `estimate` gives its seconds where
    memviz.estimate does not judge fn."""

    label: str
    fn: Callable
    cfg: Any
    train: Callable[[Any], Any] | None = None
    estimate: Callable[[Any], float | None] | None = None


LESSONS: tuple[Lesson, ...] = (
    Lesson("lstm", "pages/lstm.py", ":material/memory:", "common.nav.lstm", "home.lesson.lstm",
           cli="memviz.recurrent.cli", commands=("train", "export"),
           prepare="memviz.recurrent.presets:prepare_lstm"),
    Lesson("gru", "pages/gru.py", ":material/memory_alt:", "common.nav.gru", "home.lesson.gru",
           prepare="memviz.recurrent.presets:prepare_gru"),
    Lesson("rnn", "pages/rnn.py", ":material/loop:", "common.nav.rnn", "home.lesson.rnn",
           prepare="memviz.recurrent.presets:prepare_rnn"),
    Lesson("gates", "pages/gates.py", ":material/trending_down:", "common.nav.gates",
           "home.lesson.gates", prepare="memviz.gates.gradients:prepare_runs"),
    Lesson("cnn", "pages/cnn.py", ":material/grid_on:", "common.nav.cnn", "home.lesson.cnn",
           prepare="memviz.cnn.model:prepare_runs"),
    Lesson("horizon", "pages/horizon.py", ":material/timeline:", "common.nav.horizon",
           "home.lesson.horizon", cli="memviz.horizon.cli", commands=("horizon",),
           prepare="memviz.horizon.sweep:prepare_runs"),
    Lesson("text", "pages/text.py", ":material/edit_note:", "common.nav.text",
           "home.lesson.text", cli="memviz.text.cli", commands=("text",),
           prepare="memviz.text.train:prepare_runs"),
    Lesson("transformer", "pages/transformer.py", ":material/view_stream:",
           "transformer.nav", "transformer.blurb", cli="memviz.transformer.cli",
           commands=("transformer",), prepare="memviz.transformer.cli:prepare_runs"),
    Lesson("series", "pages/series.py", ":material/waves:", "common.nav.series",
           "home.lesson.series", cli="memviz.series.cli", commands=("forecast",),
           prepare="memviz.series.model:prepare_runs"),
    Lesson("sentences", "pages/sentences.py", ":material/chat:", "common.nav.sentences",
           "home.lesson.sentences", cli="memviz.sentences.cli", commands=("sentiment",),
           prepare="memviz.sentences.model:prepare_runs"),
    Lesson("attention", "pages/attention.py", ":material/visibility:", "common.nav.attention",
           "home.lesson.attention", cli="memviz.attention.cli", commands=("seq2seq",),
           prepare="memviz.attention.train:prepare_runs"),
    Lesson("memnet", "pages/memnet.py", ":material/library_books:", "memnet.nav",
           "memnet.blurb", cli="memviz.memnet.cli", commands=("memnet",),
           prepare="memviz.memnet.cli:prepare_runs"),
    Lesson("synapses", "pages/synapses.py", ":material/hub:", "common.nav.synapses",
           "home.lesson.synapses"),
    Lesson("documents", "pages/documents.py", ":material/menu_book:", "common.nav.documents",
           "home.lesson.documents", prepare="memviz.documents.checks:prepare_runs"),
    Lesson("yours", "pages/yours.py", ":material/upload_file:", "yours.nav",
           "yours.blurb", cli="memviz.yours.cli", commands=("inspect",)),
)


def by_name(name: str) -> Lesson:
    """The lesson called `name` (KeyError if none)."""
    for lesson in LESSONS:
        if lesson.name == name:
            return lesson
    raise KeyError(name)


def entry(ref: str) -> Callable:
    """The function a "module:function" reference names (imported now)."""
    module, _, function = ref.partition(":")
    return getattr(importlib.import_module(module), function)


def command_module(command: str) -> str | None:
    """The module that registers the subcommand `command` (None: no lesson's)."""
    return next((x.cli for x in LESSONS if command in x.commands), None)
