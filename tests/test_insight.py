"""'What to look for' is read off the trained model, and the LSTMVis view shows one unit across
many held-out inputs; the cell-state colours are clipped robustly; one field, one long bar."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from memviz import export
from memviz.engine import cells, figures, lesson, trace
from memviz.recurrent import across, insight
from memviz.ui import stepper

from .conftest import tiny_config


@pytest.fixture(scope="module")
def recall():
    les = lesson.prepare(tiny_config("lstm", "recall", seq_len=8, hidden=6, steps=80))
    return les, insight.held_out(les.run.model, les.run.config.task, 0)


@pytest.fixture(scope="module")
def brackets():
    les = lesson.prepare(tiny_config("lstm", "brackets", seq_len=12, hidden=4, steps=60))
    return les, insight.held_out(les.run.model, les.run.config.task, 0)


def test_held_out_states_are_the_cells_own_and_grouped_by_symbol(recall):
    les, ho = recall
    assert ho.fields["c"].shape == (insight.HELD_OUT, 8, 6)
    assert set(ho.group) <= set(range(4)) and ho.group_names[1] == "symbol 1"
    np.testing.assert_array_equal(ho.group, ho.x[:, 0, :4].argmax(-1))  # the symbol shown
    b = int(np.flatnonzero(ho.group == int(les.trace.target))[0])  # the example's symbol
    np.testing.assert_allclose(ho.fields["h"][b], les.trace["h"], atol=1e-6)


def test_separation_picks_the_unit_whose_groups_sit_apart():
    group = np.array([0, 0, 1, 1, 2, 2])
    v = np.zeros((6, 3))
    v[:, 1] = [0, 0, 1, 1, 2, 2]  # every group at its own value
    v[:, 2] = [0, 0, 5, 5, 5, 5]  # two groups merged, however large
    sep = insight.separation(v, group)
    assert np.argmax(sep) == 1 and sep[2] == 0 and sep[0] == 0


def test_correlations_match_numpy():
    rng = np.random.default_rng(0)
    s, q = rng.normal(size=(5, 7, 3)), rng.normal(size=(5, 7))
    r = insight.correlations(s, q)
    for j in range(3):
        assert r[j] == pytest.approx(np.corrcoef(s[..., j].ravel(), q.ravel())[0, 1])


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"[+-]\d+\.\d+", text)]


def test_recall_guidance_quotes_the_models_own_numbers(recall):
    _, ho = recall
    j = insight.memory_unit(ho)
    text = insight.describe(ho, j)
    if insight.recall_separation(ho)[j] >= insight.SEPARATES:  # c and h both tell them apart
        assert text.startswith(f"Unit {j} separates the symbols best")
    else:
        assert text.startswith("No single unit keeps all 4 symbols apart") and \
            f"Unit {j} comes closest" in text
    c = ho.fields["c"][:, insight.memory_step(8), j]
    expected = [round(float(c[ho.group == g].mean()), 2) for g in np.unique(ho.group)]
    assert _numbers(text)[:len(expected)] == pytest.approx(expected, abs=0.006)
    f = ho.fields["f"][:, 1:7, j]
    assert f"forget gate averages {f.mean():.2f} (lowest {f.min():.2f})" in text
    textbook = f.min() > 0.9 and ho.fields["i"][:, 1:7, j].max() < 0.1
    assert ("textbook memory cell" in text) == textbook
    other = (j + 1) % 6
    assert "separates the symbols best" not in insight.describe(ho, other)


def test_bracket_guidance_speaks_of_depth_not_recall(brackets):
    _, ho = brackets
    j = insight.memory_unit(ho)
    text = insight.describe(ho, j)
    assert "nesting depth" in text and "'('" in text
    assert "cue" not in text and "symbol" not in text
    r = np.corrcoef(ho.fields["c"][..., j].ravel(), ho.y.ravel())[0, 1]
    assert f"correlation {r:+.2f}" in text


def test_unit_across_inputs_draws_c_and_h_coloured_by_symbol(recall):
    _, ho = recall
    fig = across.unit_across_inputs(ho, 2)
    go.Figure(fig.to_dict())  # valid plotly
    drawn = across.drawn_sequences(ho)
    assert len(drawn) == len(np.unique(ho.group))  # recall: one distinct sequence per symbol
    assert len(fig.data) == 2 * len(drawn)
    for tr in fig.data:
        b = next(b for b in drawn if ho.group_names[ho.group[b]] == tr.meta["group"])
        np.testing.assert_allclose(tr.y, ho.fields[tr.meta["field"]][b, :, 2])
        assert tr.line.color == across.GROUP_COLORS[ho.group[b]]
    assert sum(bool(tr.showlegend) for tr in fig.data) == len(drawn)


def test_unit_across_inputs_exports_with_named_columns(recall):
    _, ho = recall
    fig = across.unit_across_inputs(ho, 1)
    for fmt in export.FORMATS:
        assert len(export.render(fig, fmt, scale=1)) > 200
    rows = list(csv.DictReader(io.StringIO(export.render(fig, "csv").decode())))
    assert {"panel", "group", "time step t"} <= set(rows[0])
    assert not {"x", "y", "trace"} & set(rows[0])
    assert {r["group"] for r in rows} == {ho.group_names[g] for g in np.unique(ho.group)}


def test_a_counting_unit_is_drawn_against_the_depth(brackets):
    _, ho = brackets
    fig = across.unit_across_inputs(ho, 1)
    go.Figure(fig.to_dict())
    assert [tr.meta["field"] for tr in fig.data] == ["c", "h"]
    np.testing.assert_array_equal(fig.data[0].x, ho.y.ravel())  # the true depth, every step
    np.testing.assert_array_equal(fig.data[0].y, ho.fields["c"][..., 1].ravel())
    assert fig.layout.xaxis.title.text == "nesting depth"
    rows = list(csv.DictReader(io.StringIO(export.render(fig, "csv").decode())))
    assert {"nesting depth", "c", "h"} <= set(rows[0]) and len(rows) == 2 * ho.y.size


def test_a_drifting_unit_is_clipped_so_the_others_keep_their_colour():
    c = np.zeros((10, 5))
    c[:, :4] = np.linspace(-2, 2, 10)[:, None] * np.array([1.0, 0.5, 0.8, 0.3])
    c[:, 4] = np.linspace(0, 40, 10)  # one unit drifts to 40
    r, clipped = figures.cell_range(c)
    assert r == pytest.approx(2.0) and clipped == [4]
    assert figures.cell_range(c[:, :4]) == (pytest.approx(2.0), [])  # nothing out of line


def test_heatmaps_and_stepper_use_the_clipped_range_and_say_so(brackets):
    les, _ = brackets
    tr = les.trace
    c = np.array(tr["c"], copy=True)
    c[:, 0] = 40.0  # as in the counting preset: one unit far out of line
    fields = {**tr.fields, "c": c}
    drifting = type(tr)(tr.arch, tr.x, fields, tr.output, tr.target, tr.max_abs_diff)
    r, clipped = figures.cell_range(c)
    assert clipped == [0] and r < 40
    fig = figures.state_heatmaps(drifting, cells.FIELDS["lstm"], 1, 0)
    assert fig.layout.coloraxis3.cmax == pytest.approx(r)
    assert fig.layout.coloraxis3.colorbar.title.text == "cell (clipped)"
    assert stepper.scales(drifting)[0]["cell"]["hi"] == pytest.approx(r)
    assert "unit 0 reaches up to ±40" in figures.cell_note(drifting)
    assert (figures.cell_note(tr) is None) == (not figures.cell_range(tr["c"])[1])


def test_one_field_gets_one_long_colour_bar(trained_runs):
    run = trained_runs["rnn"]
    tr = trace.record(run.model, torch.zeros(6, 5))
    fig = figures.state_heatmaps(tr, cells.FIELDS["rnn"], 1, 0)
    axes = [k for k in fig.layout.to_plotly_json() if k.startswith("coloraxis")]
    assert axes == ["coloraxis2"]  # tanh only: no empty gate or cell bars
    bar = fig.layout.coloraxis2.colorbar
    assert bar.len >= 0.9 and fig.layout.height >= 300
    lstm = figures.state_heatmaps(
        trace.record(trained_runs["lstm"].model, torch.zeros(6, 5)),
        cells.FIELDS["lstm"], 1, 0)
    bars = [lstm.layout[k].colorbar for k in ("coloraxis", "coloraxis2", "coloraxis3")]
    assert all(b.len > 0.25 for b in bars) and len({b.y for b in bars}) == 3
