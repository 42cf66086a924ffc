"""Each page's URL table (AppTest): a link with bad values warns and trains nothing; leaving a
page and coming back keeps its settings, and the URL follows them."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from memviz.cnn import model as cnn_model
from memviz.documents import checks
from memviz.gates import gradients
from memviz.horizon import sweep as hz
from memviz.recurrent import lesson
from memviz.ui import training

from .conftest import ROOT

TRAINERS = [(lesson, "prepare"), (cnn_model, "train_cnn"), (checks, "prepare"),
            (gradients, "study"), (hz, "sweep")]

# page -> (a link with bad values, the widget that must show its default, that default)
BAD_LINKS = {
    "lstm": ({"seq_len": "900", "hidden": "8"}, ("slider", "lstm_seq_len"), 20),
    "gru": ({"hidden": "3.5", "steps": "20"}, ("slider", "gru_hidden"), 32),
    "rnn": ({"seq_len": "-5"}, ("slider", "rnn_seq_len"), 20),
    "gates": ({"lr": "true", "task": "sine", "seq_len": "1"}, ("slider", "gates_seq_len"),
              gradients.DEFAULTS["seq_len"]),
    "cnn": ({"c1": "3", "steps": "20.5"}, ("select_slider", "cnn_c1"), 8),
    "documents": ({"hidden": "1000", "steps": "20"}, ("slider", "docs_hidden"), 16),
    "horizon": ({"archs": "lstm,lstm", "lags": "5", "steps": "50"}, ("multiselect", "hz_archs"),
                ["lstm"]),
    "synapses": ({"n": "true", "alpha": "abc"}, ("slider", "syn_n"), 6),
}


@pytest.fixture()
def no_training(monkeypatch):
    """Every page's trainer, replaced by one that records the call and fails."""
    training.store.clear()
    calls = []

    def fail(*args, **kwargs):
        calls.append(args)
        raise AssertionError("a bad link started training")

    for module, name in TRAINERS:
        monkeypatch.setattr(module, name, fail)
    return calls


@pytest.mark.parametrize("page", BAD_LINKS)
def test_a_link_with_bad_values_warns_and_trains_nothing(page, no_training):
    query, (kind, key), default = BAD_LINKS[page]
    at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert any("cannot be used" in w.value and "showing the defaults" in w.value
               for w in at.warning)
    assert getattr(at, kind)(key=key).value == default
    assert no_training == []
    if page != "synapses":  # synapses has nothing to train: it simulates in microseconds
        assert len(at.get("plotly_chart")) == 0


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()


def _q(at: AppTest, name: str) -> str:
    v = at.query_params[name]
    return v[0] if isinstance(v, list) else v


@pytest.mark.parametrize("page, kind, key, value, name, text", [
    ("lstm", "slider", "lstm_seq_len", 7, "seq_len", "7"),
    ("cnn", "select_slider", "cnn_c2", 32, "c2", "32"),
    ("horizon", "multiselect", "hz_archs", ["gru", "cnn"], "archs", "gru,cnn"),
    ("synapses", "select_slider", "syn_alpha", 0.1, "alpha", "0.1"),
    ("documents", "slider", "docs_hidden", 8, "hidden", "8"),
])
def test_leaving_a_page_and_returning_keeps_its_settings(page, kind, key, value, name, text,
                                                         no_training):
    at = _app()
    at.switch_page(f"pages/{page}.py").run()
    getattr(at, kind)(key=key).set_value(value).run()
    assert _q(at, name) == text
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/rnn.py").run()  # another page with widgets of its own
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert getattr(at, kind)(key=key).value == value
    assert _q(at, name) == text  # the URL reflects the kept settings again
