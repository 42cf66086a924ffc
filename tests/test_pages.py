"""The home and LSTM pages run headless (AppTest): train tiny, step, read the equations."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from memviz.ui import training

from .conftest import ROOT, pack, stepper_data

TIMEOUT = 60


@pytest.fixture(autouse=True)
def fresh_store():
    """Each test starts with nothing trained (the store is shared by the whole process)."""
    training.store.clear()
    yield


def _tiny_lstm_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/lstm.py"), default_timeout=TIMEOUT)
    at.run()
    at.slider(key="lstm_seq_len").set_value(6)
    at.slider(key="lstm_hidden").set_value(4)
    at.slider(key="lstm_steps").set_value(30)
    return at.run()


def test_home_page_shows_the_device_without_importing_torch():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('pages/home.py', default_timeout=30).run()\n"
        "assert not at.exception, at.exception\n"
        "print([i.value for i in at.info])\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    lines = out.stdout.strip().splitlines()
    assert "Models will train on" in lines[-2] and re.search(r"CPU|CUDA|MPS", lines[-2])
    assert lines[-1] == "False"


def test_app_routes_to_the_home_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "how neural networks remember" in at.title[0].value


def test_lstm_page_trains_steps_and_shows_live_equations():
    at = _tiny_lstm_page()
    assert "Press **Train**" in at.info[0].value  # nothing trained yet, no figures
    assert len(at.get("plotly_chart")) == 0
    at.button(key="lstm_train").click().run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) >= 3  # loss, input, prediction; the stepper draws the rest
    data = stepper_data(at)
    assert data["fields"] == ["i", "f", "g", "o", "c", "h"] and (data["T"], data["H"]) == (6, 4)
    live = pack(at)["equations"]["lstm_eq_f"]  # the lecture pack keeps the LaTeX at the step
    assert re.search(r"f_t &= \\sigma\(W_\{if\}.*&=\\sigma\(-?\d+\.\d{3}\) = 0\.\d{3}", live)
    before = dict(pack(at)["equations"])
    misses = len(training.store())
    at.session_state["lstm_t"] = 2  # where the browser's stepper reports the student settled
    at.run()
    assert not at.exception
    assert stepper_data(at)["t"] == 2 and at.query_params["t"] in ("2", ["2"])
    assert pack(at)["equations"] != before  # the exported numbers follow the step
    assert len(training.store()) == misses  # stepping never retrains


def test_lstm_page_exported_heatmap_marks_the_selected_step():
    at = _tiny_lstm_page()
    at.button(key="lstm_train").click().run()
    at.session_state["lstm_t"] = 4
    at.run()
    heat = pack(at)["figures"]["lstm_heatmaps"].to_plotly_json()
    assert [d["type"] for d in heat["data"]] == ["heatmap"] * 6
    assert heat["layout"]["shapes"][0]["x0"] == 4


def test_training_step_control_shows_the_checkpoints():
    at = _tiny_lstm_page()
    at.button(key="lstm_train").click().run()
    assert at.select_slider(key="lstm_ckpt").options == ["0", "10", "30"]
    end = stepper_data(at)["id"]
    at.select_slider(key="lstm_ckpt").set_value(0).run()
    assert not at.exception and stepper_data(at)["id"] != end  # the untrained weights' trace
    assert "After 0 training steps" in " ".join(c.value for c in at.caption)


def test_bad_settings_show_a_message_not_a_traceback():
    at = AppTest.from_file(str(ROOT / "pages/lstm.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key="lstm_task").set_value("adding").run()
    assert not at.exception
    assert at.slider(key="lstm_seq_len").min == 2
