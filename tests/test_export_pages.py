"""Every figure every page registers exports to PNG, SVG, PDF and CSV with what the screen shows.

Each page runs headless (AppTest) with tiny settings; the figures it drew are read from the
registry that memviz.ui.show keeps for the lecture pack, then written in every format.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from memviz import export
from memviz.ui import show, training

from .conftest import ROOT

RECURRENT = {"lstm": {"seq_len": 5, "hidden": 3, "steps": 10},
             "gru": {"seq_len": 5, "hidden": 3, "steps": 10},
             "rnn": {"seq_len": 5, "hidden": 3, "steps": 10},
             "gates": {"seq_len": 5, "hidden": 3, "steps": 10}}
# page -> (widget values by key, button to press)
TINY = {
    **{p: ({f"{p}_{k}": v for k, v in s.items()}, f"{p}_train") for p, s in RECURRENT.items()},
    "cnn": ({"cnn_c1": 2, "cnn_c2": 4, "cnn_steps": 10}, "cnn_train"),
    "horizon": ({"hz_archs": ["cnn"], "hz_lags": [5], "hz_steps": 50, "hz_hidden": 8}, "hz_run"),
    "synapses": ({"syn_n": 4, "syn_steps": 8}, None),
    "documents": ({"docs_seq_len": 4, "docs_hidden": 2, "docs_steps": 10}, "docs_train"),
}
UNNAMED = {"x", "y", "z", "trace"}


def _set(at: AppTest, key: str, value) -> None:
    for kind in ("slider", "select_slider", "multiselect", "number_input"):
        try:
            getattr(at, kind)(key=key).set_value(value)
            return
        except KeyError:
            continue
    raise KeyError(key)


@pytest.fixture(scope="module", params=sorted(TINY))
def page(request):
    """(name, the pack registry) after a tiny run of the page."""
    training.store.clear()
    name = request.param
    values, button = TINY[name]
    at = AppTest.from_file(str(ROOT / f"pages/{name}.py"), default_timeout=180).run()
    for key, value in values.items():
        _set(at, key, value)
    at.run()
    if button:
        at.button(key=button).click().run()
    assert not at.exception, at.exception
    pack = at.session_state[show.PACK]
    assert pack["figures"], f"{name} registered no figures"
    return name, pack


def _shows_what_the_screen_shows(fig, svg: str) -> None:
    """The boxes and written-in numbers of a plotly figure are in its SVG."""
    if not hasattr(fig, "layout"):
        return
    for s in fig.layout.shapes or ():
        if s.type == "rect":
            assert s.line.color.lower() in svg.lower(), f"box {s.line.color} missing"
    for tr in fig.data:
        text = getattr(tr, "text", None)
        if getattr(tr, "texttemplate", None) and text is not None:
            first = str(list(text)[0][0] if hasattr(text[0], "__len__") else text[0])
            assert f">{first}<" in svg, f"cell label {first!r} missing"


def test_every_figure_of_the_page_exports_in_every_format(page):
    name, pack = page
    for key, fig in pack["figures"].items():
        fig = export.resolve(fig)  # the stepper's figures are built on the first click
        for fmt in export.FORMATS:
            data = export.render(fig, fmt, scale=1)
            assert len(data) > (20 if fmt == "csv" else 200), (key, fmt)
        svg = export.render(fig, "svg").decode()
        assert ET.fromstring(svg).tag.endswith("svg")
        _shows_what_the_screen_shows(fig, svg)
        rows = list(csv.DictReader(io.StringIO(export.render(fig, "csv").decode())))
        assert rows, key
        cols = set(rows[0])
        assert not cols & UNNAMED and not any(re.fullmatch(r"(trace|series) \d+", c)
                                              for c in cols), (key, cols)


def test_the_lecture_pack_has_config_and_equations(page):
    name, pack = page  # the figures' files are checked above; here the rest of the pack
    data = export.lecture_pack({}, list(pack["equations"].values()), pack["config"],
                               pack["title"])
    z = zipfile.ZipFile(io.BytesIO(data))
    assert "config.json" in z.namelist(), name
    assert json.loads(z.read("config.json"))
    tex = z.read("equations.tex").decode()
    assert tex.count(r"\[") == len(pack["equations"])
    if name == "documents":
        assert len(pack["equations"]) >= 20  # every document's equation, both forms
    if name == "lstm":
        assert re.search(r"time step \d+ and unit \d+", tex)
    _compiles(tex)


def _compiles(tex: str) -> None:
    """pdflatex accepts the .tex where it is installed; else the structure is checked."""
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert tex.count(r"\[") == tex.count(r"\]")
    for eq in re.findall(r"\\\[(.*?)\\\]", tex, re.S):
        assert eq.count("{") == eq.count("}"), eq
    if shutil.which("pdflatex") is None:
        return
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "eq.tex").write_text(tex)
        p = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "eq.tex"],
                           cwd=d, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stdout[-2000:]
