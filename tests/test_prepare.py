"""`prepare` stores exactly what each page asks for at its defaults, so after it a page opens
with its result and trains nothing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from memviz import runs
from memviz.cli import main
from memviz.cnn import model as cnn
from memviz.recurrent import prepare_cli
from memviz.ui import training

from .conftest import ROOT

TIMEOUT = 60
FILES = {"attention": "attention", "documents": "documents"}  # page -> pages/<file>.py


@pytest.fixture()
def asked(monkeypatch):
    """Every (kind, config) a page asks the store for, in order."""
    training.store.clear()
    keys = []
    get = runs.RunStore.get

    def spy(self, kind, cfg):
        keys.append((kind, cfg))
        return get(self, kind, cfg)

    monkeypatch.setattr(runs.RunStore, "get", spy)
    yield keys
    training.store.clear()


@pytest.mark.parametrize("page", prepare_cli.PAGES)
def test_prepare_stores_what_the_page_asks_for(page, asked):
    """Open the page at its defaults (nothing trained: it shows its Train button) and compare
    the keys it looks up with the keys prepare would store; presets are not defaults."""
    first = prepare_cli.runs_of(page, "all")[0]
    if page == "series":  # it asks for the leak comparison only below a result: give it one
        tiny = first.fn(first.cfg.__class__(**{**first.cfg.to_dict(), "hidden": 2,
                                              "epochs": 1}))
        training.store().put(runs.kind_of(first.fn), first.cfg, tiny)
    at = AppTest.from_file(str(ROOT / f"pages/{FILES.get(page, page)}.py"),
                           default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    presets = {p.name for p in prepare_cli._chosen(page, "all")}
    defaults = [(runs.kind_of(r.fn), r.cfg) for r in prepare_cli.runs_of(page, "all")
                if r.label not in presets]
    assert defaults and all(runs.codec(kind) is not None for kind, _ in defaults)  # kept on disk
    missing = [k for k in defaults if k not in asked]
    assert not missing, f"{page} never asks for {missing[0]}; it asked for {asked}"


def test_prepare_then_the_page_opens_with_its_result(tmp_path, monkeypatch, capsys):
    """End to end on the cheapest page: prepare --page cnn, then a fresh server (a new
    RunStore on the same folder) opens the CNN page with its result and trains nothing."""
    monkeypatch.setenv("MEMVIZ_STORE", str(tmp_path))
    assert main(["prepare", "--page", "cnn"]) == 0
    out = capsys.readouterr().out
    assert "1 run(s) to train" in out and "[1/1] cnn: default: trained in" in out
    assert main(["prepare", "--page", "cnn"]) == 0  # a second time: already there
    assert "0 run(s) to train" in capsys.readouterr().out
    training.store.clear()
    submitted = []
    monkeypatch.setattr(training.jobs.Board, "submit",
                        lambda *a, **k: submitted.append(a) or pytest.fail("it trained"))
    at = AppTest.from_file(str(ROOT / "pages/cnn.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "cnn_train"]  # no Train button: the result
    stored = runs.DiskStore(tmp_path).load(runs.kind_of(cnn.train_cnn), cnn.CNNConfig())
    assert at.metric[0].value == f"{stored.test_accuracy:.1%}"
    assert not submitted
    assert len(training.store()) >= 1
    training.store.clear()


@pytest.mark.parametrize("page,name", [(page, p.name) for page in prepare_cli.PAGES
                                       for p in prepare_cli._chosen(page, "all")])
def test_prepare_stores_what_a_preset_asks_for(page, name, asked):
    """A lecturer picks a preset from the menu: the page asks for the key prepare stored."""
    at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key=f"{page}_preset").set_value(name).run()
    assert not at.exception, at.exception
    run = next(r for r in prepare_cli.runs_of(page, name) if r.label == name)
    assert (runs.kind_of(run.fn), run.cfg) in asked
