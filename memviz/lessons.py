"""The lessons, declared once: the router (app.py), the home page, the command line and
`prepare` read this table. Adding a lesson adds one row here (README: "Adding a lesson").

Imports nothing heavy (no torch, no streamlit): modules are named as strings and imported by
whoever needs them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    """One lesson. `name` is its URL path and its key in the catalogues; `nav` and `blurb` are
    the message keys of its sidebar title and its line on the home page; `cli` the module
    whose `register(sub)` adds its subcommands (None: none); `prepare` the "module:function"
    giving the runs `prepare --page name` trains (None: it trains nothing)."""

    name: str
    page: str
    icon: str
    nav: str
    blurb: str
    cli: str | None = None
    prepare: str | None = None


LESSONS: tuple[Lesson, ...] = (
    Lesson("lstm", "pages/lstm.py", ":material/memory:", "common.nav.lstm", "home.lesson.lstm",
           cli="memviz.recurrent.cli"),
    Lesson("gru", "pages/gru.py", ":material/memory_alt:", "common.nav.gru", "home.lesson.gru"),
    Lesson("rnn", "pages/rnn.py", ":material/loop:", "common.nav.rnn", "home.lesson.rnn"),
    Lesson("gates", "pages/gates.py", ":material/trending_down:", "common.nav.gates",
           "home.lesson.gates"),
    Lesson("cnn", "pages/cnn.py", ":material/grid_on:", "common.nav.cnn", "home.lesson.cnn"),
    Lesson("horizon", "pages/horizon.py", ":material/timeline:", "common.nav.horizon",
           "home.lesson.horizon", cli="memviz.horizon.cli"),
    Lesson("text", "pages/text.py", ":material/edit_note:", "common.nav.text",
           "home.lesson.text", cli="memviz.text.cli"),
    Lesson("transformer", "pages/transformer.py", ":material/view_stream:",
           "common.nav.transformer", "home.lesson.transformer", cli="memviz.transformer.cli"),
    Lesson("series", "pages/series.py", ":material/waves:", "common.nav.series",
           "home.lesson.series", cli="memviz.series.cli"),
    Lesson("sentences", "pages/sentences.py", ":material/chat:", "common.nav.sentences",
           "home.lesson.sentences", cli="memviz.sentiment.cli"),
    Lesson("attention", "pages/attention.py", ":material/visibility:", "common.nav.attention",
           "home.lesson.attention", cli="memviz.attention.cli"),
    Lesson("synapses", "pages/synapses.py", ":material/hub:", "common.nav.synapses",
           "home.lesson.synapses"),
    Lesson("documents", "pages/documents.py", ":material/menu_book:", "common.nav.documents",
           "home.lesson.documents"),
)


def by_name(name: str) -> Lesson:
    """The lesson called `name` (KeyError if none)."""
    for lesson in LESSONS:
        if lesson.name == name:
            return lesson
    raise KeyError(name)
