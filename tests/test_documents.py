"""The documents page: its data, the live checks on trained weights, the figures, the page."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from memviz.documents import checks
from memviz.documents import figures as DF
from memviz.documents import sources as D
from memviz.ui import training

from .conftest import ROOT, tiny_config

TITLES = {"000": "记忆：短期记忆与长期记忆", "001": "短期记忆：利用上下文学习",
          "002": "短期记忆：利用上下文学习", "003": "短期记忆与长期记忆",
          "004": "赋予应用记忆的能力：Memory"}
T, H = 6, 4  # H = 4 < I = 5 for recall with 4 symbols: document 001's dot product sees x[:4]


@pytest.fixture(scope="module")
def study():
    return checks.prepare(checks.configs(tiny_config("lstm", seq_len=T, hidden=H, steps=30)))


# ------------------------------------------------------------------ the data

def test_five_documents_under_their_titles():
    assert {d.number: d.title for d in D.DOCUMENTS} == TITLES


def test_every_equation_has_both_forms_a_verdict_and_balanced_latex():
    for doc in D.DOCUMENTS:
        assert len(doc.summary) > 200 and doc.equations
        for eq in doc.equations:
            assert eq.verdict in D.VERDICTS, (doc.number, eq.label)
            for tex in (eq.doc, eq.canonical):
                assert tex.count("{") == tex.count("}"), (doc.number, eq.label, tex)
            if eq.verdict != "same":
                assert eq.note, (doc.number, eq.label)  # say plainly what is wrong
        for key in doc.demos:
            assert key in D.DEMO_TITLES and key in D.DEMO_TEXT


def test_the_known_errors_are_written_as_the_documents_write_them():
    docs = {d.number: {e.label: e for e in d.equations} for d in D.DOCUMENTS}
    assert r"\tanh(h_t)" in docs["001"]["c"].doc and docs["001"]["c"].verdict == "wrong"
    assert r"h_t \cdot x_t" in docs["001"]["output"].doc
    assert r"w_{ft}m_{t-1}" in docs["004"]["i"].doc and docs["004"]["i"].verdict == "wrong"
    assert r"f_t \odot m_{t-1}" in docs["004"]["c"].doc
    assert r"r_t \odot h_{t-1}" in docs["002"]["h (GRU)"].doc
    assert r"r_t \odot (W_{hn}" in docs["002"]["h (GRU)"].canonical
    assert r"a_i(t) - a_j(t)" in docs["003"]["synapse"].doc
    assert all(e.verdict == "same" for k, e in docs["002"].items() if k != "h (GRU)")


# ------------------------------------------------------------------ the live checks

def test_every_document_form_differs_on_the_trained_weights(study):
    for name, fields in checks.SHOWN.items():
        d = study.cells[name]
        assert d.real["h"].shape == d.doc["h"].shape == (T, H)
        for f in fields:
            assert d.gaps[f] > 1e-4, (name, f)


def test_the_same_function_written_another_way_agrees(study):
    assert study.concat_gap < checks.TOLERANCE
    assert study.rnn_sum_gap < checks.TOLERANCE


def test_verification_rows_pass_for_every_cell(study):
    rows = study.verification
    assert [r["cell"] for r in rows] == ["nn.RNN", "nn.LSTM", "nn.GRU"]
    for r in rows:
        assert r["example sequence"] <= checks.TOLERANCE
        assert r["random batch (16 sequences)"] <= 1e-5
        assert r["pass"] and r["tolerance"] == 1e-5


def test_readout_demo_is_blind_while_the_input_is_zero(study):
    r = study.readout
    assert r.y.shape == (T, 4) and r.y_doc.shape == (T,)
    # Recall: the symbol at step 1 and the cue (channel 4, beyond H) at step T: T - 1 blind steps.
    assert r.blind == T - 1
    bias = study.lessons["rnn"].run.model.readout.bias[0].item()
    assert r.y_doc[1:] == pytest.approx([bias] * (T - 1))


def test_softmax_twice_on_the_trained_lstm(study):
    once, twice = study.softmax
    assert once.sum() == pytest.approx(1) and twice.sum() == pytest.approx(1)
    assert twice.max() < once.max() and twice.argmax() == once.argmax()
    sine = tiny_config("lstm", task="sine", seq_len=T, hidden=H, steps=5)
    from memviz.recurrent import lesson
    assert checks.softmax_demo(lesson.prepare(sine)) is None


def test_training_progress_runs_once_across_the_three_models():
    calls = []
    checks.prepare(checks.configs(tiny_config(seq_len=3, hidden=2, steps=4)),
              lambda s, total, loss: calls.append((s, total)))
    assert [s for s, _ in calls] == list(range(1, 13)) and {t for _, t in calls} == {12}


def test_output_names(study):
    assert checks.output_names(study.lessons["lstm"]) == [f"symbol {k}" for k in range(4)]


def test_figures_are_valid_plotly(study):
    d = study.cells["gru_doc002"]
    once, twice = study.softmax
    figs = [DF.unit_compare(d.real, d.doc, ("n", "h"), 1, "document 002's GRU"),
            DF.readout_lines(study.readout.y, study.readout.y_doc, ["a", "b", "c", "d"]),
            DF.softmax_bars(once, twice, ["a", "b", "c", "d"]),
            DF.delta_heatmap(d.doc["h"] - d.real["h"], "Δh")]
    for fig in figs:
        go.Figure(fig.to_dict())  # raises on any invalid property
    assert len(figs[0].data) == 4 and figs[0].data[1].line.dash == "dash"
    assert figs[3].data[0].zmin == -figs[3].data[0].zmax  # zero sits at the white midpoint


# ------------------------------------------------------------------ the page

@pytest.fixture
def page():
    training.store.clear()  # each test trains fresh
    at = AppTest.from_file(str(ROOT / "pages/documents.py"), default_timeout=120)
    at.run()
    at.slider(key="docs_seq_len").set_value(T)
    at.slider(key="docs_hidden").set_value(H)
    at.slider(key="docs_steps").set_value(30)
    return at.run()


def _metrics(at) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in at.metric:
        out.setdefault(m.label, []).append(m.value)
    return out


def test_page_trains_and_shows_every_document_with_live_numbers(page):
    at = page
    assert not at.exception
    assert "Press **Train RNN, LSTM and GRU**" in at.info[0].value
    assert len(at.get("plotly_chart")) == 0
    at.button(key="docs_train").click().run()
    assert not at.exception and not at.error
    headers = [h.value for h in at.header]
    for n, title in TITLES.items():
        assert f"Document {n}: {title}" in headers
    assert any("Verification" in h for h in headers)
    m = _metrics(at)
    assert len(m["max |Δh| over the sequence"]) == 3  # documents 001, 002 and 004
    assert all(float(v) > 0 for v in m["max |Δh| over the sequence"] + m["max |Δc| over the "
               "sequence"] + m["max |Δn| over the sequence"])
    assert all(float(v) < 1e-5 for v in m["max |Δh|: concatenated form vs nn.LSTM"])
    assert m["outputs per step: V h_t + c vs h_t · x_t + v"] == ["4 vs 1"]
    assert len(at.get("plotly_chart")) == 8  # 3 x (heatmap + curves), readout, softmax
    latex = [e.value for e in at.latex]
    assert any(r"\tanh(h_t)" in v for v in latex) and any("w_{ft}m_{t-1}" in v for v in latex)
    assert any("does not move with the output position" in c.value for c in at.caption)


def test_page_verification_table_shows_values_within_tolerance(page):
    at = page.button(key="docs_train").click().run()
    table = at.dataframe[0].value
    assert list(table["cell"]) == ["nn.RNN", "nn.LSTM", "nn.GRU"]
    for col in ("example sequence", "random batch (16 sequences)"):
        assert (table[col] <= 1e-5).all()
    assert (table["tolerance"] == 1e-5).all() and table["pass"].all()


def test_page_unit_selector_moves_the_curves_without_retraining(page):
    import json
    at = page.button(key="docs_train").click().run()
    trained = len(training.store())

    def titles():
        return [json.loads(c.proto.spec)["layout"]["title"]["text"]
                for c in at.get("plotly_chart")]

    assert sum(t.startswith("Unit 0:") for t in titles()) == 3
    at.number_input(key="docs_unit").set_value(H - 1).run()
    assert not at.exception and len(training.store()) == trained
    assert sum(bool(re.match(rf"Unit {H - 1}:", t)) for t in titles()) == 3


def test_page_on_a_regression_task_explains_the_missing_softmax(page):
    at = page
    at.selectbox(key="docs_task").set_value("sine").run()
    at.button(key="docs_train").click().run()
    assert not at.exception and not at.error
    assert any("predicts numbers, not classes" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 7
