"""Shared fixtures: tiny real models, trained once per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from memviz import config as C  # noqa: E402
from memviz.engine import train  # noqa: E402


def tiny_config(arch: str = "lstm", task: str = "recall", seq_len: int = 8, hidden: int = 8,
                steps: int = 40, seed: int = 0) -> C.RunConfig:
    """A config that trains in well under a second."""
    return C.RunConfig(
        task=C.TaskConfig(name=task, seq_len=seq_len),
        model=C.ModelConfig(arch=arch, hidden=hidden),
        train=C.TrainConfig(steps=steps, batch=16, seed=seed, device="cpu"),
    )


@pytest.fixture(scope="session")
def trained_runs():
    """One short-trained model per architecture on delayed recall (trained weights for tests)."""
    return {arch: train.run(tiny_config(arch, steps=60)) for arch in C.ARCHS}


@pytest.fixture(scope="module", autouse=True)
def _no_run_store_at_home(tmp_path_factory):
    """Module-scoped fixtures run before the per-test folder below is set: they too must never
    find (or leave) runs in ~/.cache, nor another module's runs (every lesson's runs reach the
    disk), or a page shows a stored run instead of its Train button. A folder per module."""
    os.environ["MEMVIZ_STORE"] = str(tmp_path_factory.mktemp("module_runs"))


@pytest.fixture(autouse=True)
def _run_store_in_tmp(tmp_path, monkeypatch):
    """Pages keep runs on disk: each test gets its own empty folder, never ~/.cache."""
    monkeypatch.setenv("MEMVIZ_STORE", str(tmp_path / "runs"))


@pytest.fixture(autouse=True)
def _router_after_first_request(monkeypatch):
    """Run AppTests as a server runs after its first request.

    AppTest resets `PagesManager.uses_pages_directory` before every run, so with a pages/ folder
    each run of a switched-to page would start in Streamlit's old multipage mode, which a real
    server leaves for good at its first st.navigation (memviz.ui.router's guard then reruns,
    dropping that run's button click). The first-request guard has its own browser test.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def stepper_data(at) -> dict:
    """What an AppTest page sent to the browser-side stepper (memviz.ui.stepper.payload)."""
    import json

    el = at.get("bidi_component")[0]  # the step-through; the what-if panel's comes after
    return json.loads(el.proto.json)


def pack(at) -> dict:
    """What the page noted for the lecture pack: figures (built, if offered for export only)
    and equations by key."""
    from memviz import export
    from memviz.ui import show

    noted = at.session_state[show.PACK]
    return {**noted, "figures": {k: export.resolve(f) for k, f in noted["figures"].items()}}
