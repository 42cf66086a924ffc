"""GRU, vanilla RNN and 'Why gates' pages run headless: train tiny, step, toggle the variant."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from memviz.ui import training

from .conftest import ROOT, pack, stepper_data


@pytest.fixture(autouse=True)
def fresh_store():
    training.store.clear()


def _tiny(page: str, T: int = 6) -> AppTest:
    at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=120).run()
    at.slider(key=f"{page}_seq_len").set_value(T)
    at.slider(key=f"{page}_hidden").set_value(4)
    at.slider(key=f"{page}_steps").set_value(20)
    at.run()
    at.button(key=f"{page}_train").click().run()
    assert not at.exception and not at.error
    return at


@pytest.mark.parametrize("page, first_gate", [("gru", "r_t"), ("rnn", "h_t")])
def test_page_trains_and_steps_through_its_own_cell(page, first_gate):
    at = _tiny(page)
    data = stepper_data(at)
    assert list(data["equations"])[0] == first_gate[0]  # the stepper shows this cell's equations
    eqs = pack(at)["equations"]
    assert eqs[f"{page}_eq_{first_gate[0]}"].startswith(r"\begin{aligned}" + first_gate)
    before = dict(eqs)
    at.session_state[f"{page}_t"] = 3  # the step the browser's stepper reports
    at.run()
    assert not at.exception and stepper_data(at)["t"] == 3 and pack(at)["equations"] != before


def test_gru_variant_toggle_shows_how_far_document_002_departs():
    at = _tiny("gru")
    n_charts = len(at.get("plotly_chart"))
    at.toggle(key="gru_variant_gru_doc002").set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == n_charts + 1  # the Δh heatmap
    dh = next(m for m in at.metric if m.label == "max |Δh| over the sequence")
    assert float(dh.value) > 0  # trained weights: the two forms disagree


def test_gates_page_trains_three_cells_and_draws_reach_and_saturation():
    at = _tiny("gates", T=10)
    labels = [m.label for m in at.metric]
    assert [lab.split(" (")[0] for lab in labels] == ["vanilla RNN", "LSTM", "GRU"]
    assert len(at.get("plotly_chart")) == 4  # reach in training, after it, 2 saturations
    at.radio(key="gates_which").set_value("jacobian").run()
    assert not at.exception
