"""The home and LSTM pages run headless (AppTest): train tiny, step, read the equations."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from memviz.ui import training

from .conftest import ROOT

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
    assert not at.exception
    assert "Press **Train**" in at.info[0].value  # nothing trained yet, no figures
    assert len(at.get("plotly_chart")) == 0
    at.button(key="lstm_train").click().run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) >= 4  # input, prediction, heatmaps, unit lines
    live = [e.value for e in at.latex if "= " in e.value and re.search(r"\d\.\d{3}", e.value)]
    assert any(re.search(r"f_t &= \\sigma\(W_\{if\}.*&=\\sigma\(-?\d+\.\d{3}\) = 0\.\d{3}", v)
               for v in live)
    before = [e.value for e in at.latex]
    misses = len(training.store())
    at.slider(key="lstm_t").set_value(2).run()
    assert not at.exception
    assert at.slider(key="lstm_t").value == 2
    assert [e.value for e in at.latex] != before  # the numbers follow the step
    assert len(training.store()) == misses  # stepping never retrains


def test_lstm_page_heatmap_marks_the_selected_step():
    import json
    at = _tiny_lstm_page()
    at.button(key="lstm_train").click().run()
    at.slider(key="lstm_t").set_value(4).run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heat = next(s for s in specs if "Every unit" in s["layout"]["title"]["text"])
    assert [d["type"] for d in heat["data"]] == ["heatmap"] * 6
    assert heat["layout"]["shapes"][0]["x0"] == 4


def test_play_advances_the_step():
    at = _tiny_lstm_page()
    at.button(key="lstm_train").click().run()
    at.slider(key="lstm_t").set_value(1).run()
    at.button(key="lstm_play").click().run()
    assert at.session_state["lstm_playing"]
    assert at.slider(key="lstm_t").value >= 2
    at.button(key="lstm_play").click().run()
    assert not at.session_state["lstm_playing"]


def test_bad_settings_show_a_message_not_a_traceback():
    at = AppTest.from_file(str(ROOT / "pages/lstm.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key="lstm_task").set_value("adding").run()
    assert not at.exception
    assert at.slider(key="lstm_seq_len").min == 2
