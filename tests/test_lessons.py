"""The lesson registry (memviz.lessons) is the one list of lessons: every row is complete, and
the router, the home page, the command line and `prepare` read it (issue 26 §2)."""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys

import pytest

from memviz import cli, codecs, i18n, lessons
from memviz.recurrent import prepare_cli

from .conftest import ROOT

ROWS = lessons.LESSONS


def test_names_are_unique_url_paths_and_pages_exist():
    names = [x.name for x in ROWS]
    assert len(set(names)) == len(names) and all(re.fullmatch(r"[a-z][a-z0-9_]*", n)
                                                  for n in names)
    for x in ROWS:
        assert (ROOT / x.page).is_file(), x.page
        assert x.icon.startswith(":material/") and x.icon.endswith(":"), x.icon
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py")}
    assert pages - {x.page for x in ROWS} == {"pages/home.py"}  # no page outside the registry


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_each_row_has_its_titles_in_both_languages(lang):
    for x in ROWS:
        for key in (x.nav, x.blurb):
            assert i18n.has(key), key
            assert i18n.catalogue()[key].get(lang, "").strip(), (key, lang)


def test_each_cli_module_registers_exactly_its_commands():
    modules = {x.cli for x in ROWS if x.cli}
    for module in modules:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        named = {c for x in ROWS if x.cli == module for c in x.commands}
        assert set(sub.choices) == named, module
    assert all(x.commands == () for x in ROWS if x.cli is None)
    for x in ROWS:
        for command in x.commands:
            assert cli.command_modules(command) == [x.cli]


def test_each_prepare_entry_returns_runs_with_a_store_kind():
    for x in ROWS:
        if x.prepare is None:
            assert x.name in prepare_cli.NOTHING_TO_TRAIN
            continue
        got = prepare_cli.runs_of(x.name)
        assert got and all(isinstance(r, lessons.Run) for r in got), x.name
        assert all(codecs.kind_of(r.fn) and r.cfg is not None for r in got), x.name
    assert set(prepare_cli.PAGES) | set(prepare_cli.NOTHING_TO_TRAIN) == {x.name for x in ROWS}


def test_router_and_home_have_no_list_of_their_own():
    for path in ("app.py", "pages/home.py"):
        text = (ROOT / path).read_text()
        assert "LESSONS" in text and "common.nav.lstm" not in text and '"lstm"' not in text


def test_a_subcommand_imports_only_the_lesson_it_runs():
    code = ("import sys; from memviz import cli; cli.build_parser('train'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandas' or "
            "m.startswith(('memviz.series', 'memviz.horizon', 'memviz.text', 'torch'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "[]"
