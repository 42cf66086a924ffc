"""Each page's URL table (AppTest): a link with bad values warns and trains nothing; leaving a
page and coming back keeps its settings, and the URL follows them."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from memviz.attention import selfattn
from memviz.attention import train as s2s
from memviz.cnn import model as cnn_model
from memviz.documents import checks
from memviz.engine import lesson
from memviz.gates import gradients
from memviz.horizon import sweep as hz
from memviz.memnet import train as memnet_train
from memviz.sentences import model as sentiment_model
from memviz.series import model as series_model
from memviz.text import train as text_train
from memviz.ui import training

from .conftest import ROOT

TRAINERS = [(lesson, "prepare"), (cnn_model, "train_cnn"), (checks, "prepare"),
            (gradients, "study"), (hz, "sweep"), (series_model, "train"),
            (sentiment_model, "train_both"), (s2s, "train_both"), (selfattn, "train_recall"),
            (text_train, "run"), (memnet_train, "train")]

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
    # a target the series does not have: the whole link is set aside, series included
    "series": ({"data": "seattle-temps", "target": "temp_max", "epochs": "5"},
               ("selectbox", "series_data"), "seattle-weather"),
    "sentences": ({"max_gap": "25", "steps": "20"}, ("slider", "sentences_max_gap"), 12),
    # dates are at most 3 long here: the link's task and length are both set aside
    "attention": ({"task": "dates", "max_len": "10", "steps": "20", "lag": "5"},
                  ("slider", "attn_max_len"), 8),
    "text": ({"hidden": "12", "steps": "20"}, ("slider", "text_hidden"), 128),
    "memnet": ({"hops": "4", "steps": "100"}, ("radio", "memnet_hops"), 3),
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
    ("series", "slider", "series_window", 30, "window", "30"),
    ("sentences", "slider", "sentences_max_gap", 5, "max_gap", "5"),
    ("attention", "slider", "attn_lag", 50, "lag", "50"),  # the self-attention section's
    ("attention", "radio", "attn_task", "dates", "task", "dates"),
    ("text", "slider", "text_seq_len", 32, "seq_len", "32"),
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


# --- a good link: the widgets show it and the page trains it at once (and only it) ----------

@pytest.fixture()
def asked(monkeypatch):
    """training.trained replaced by a recorder of (page, config, auto): nothing trains."""
    calls = []

    def trained(page, cfg, train_fn, label="Train", auto=False):
        calls.append((page, cfg, auto))
        return None

    monkeypatch.setattr(training, "trained", trained)
    return calls


# page -> (a link, widgets it must fill, the configs asked for: {store page: {field: value}})
GOOD_LINKS = {
    "series": ({"data": "stocks-aapl", "window": "3", "epochs": "5", "hidden": "4",
                "arch": "gru", "seed": "2"},  # no target: the series' own; any case of name
               {("selectbox", "series_data"): "stocks-AAPL",
                ("selectbox", "series_target"): "price", ("slider", "series_window"): 3,
                ("radio", "series_arch"): "gru", ("number_input", "series_seed"): 2},
               {"series": dict(data="stocks-AAPL", target="price", window=3, epochs=5,
                               hidden=4, arch="gru", seed=2)}),
    "sentences": ({"max_gap": "4", "hidden": "8", "steps": "20", "seed": "3"},
                  {("slider", "sentences_max_gap"): 4, ("select_slider", "sentences_hidden"): 8,
                   ("slider", "sentences_steps"): 20},
                  {"sentences": dict(max_gap=4, hidden=8, steps=20, seed=3, data="grammar")}),
    "attention": ({"task": "dates", "steps": "20", "lag": "5", "heads": "2",
                   "encoding": "learned"},  # no length: the dates' own
                  {("radio", "attn_task"): "dates", ("slider", "attn_max_len"): 2,
                   ("slider", "attn_lag"): 5, ("select_slider", "attn_heads"): 2,
                   ("radio", "attn_encoding"): "learned"},
                  {"attn": dict(task="dates", max_len=2, steps=20),
                   "attn_sa": dict(lag=5, heads=2, encoding="learned")}),
    "text": ({"arch": "gru", "hidden": "16", "seq_len": "24", "steps": "20", "lr": "0.005",
              "seed": "1"},
             {("selectbox", "text_arch"): "gru", ("slider", "text_seq_len"): 24,
              ("select_slider", "text_lr"): 0.005},
             {"text": dict(source="stdlib", arch="gru", hidden=16, seq_len=24, steps=20,
                           lr=0.005, seed=1)}),
}


def _from_link(page: str, asked: list) -> AppTest:
    query, widgets, configs = GOOD_LINKS[page]
    at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception and not at.warning and not at.error
    for (kind, key), value in widgets.items():
        assert getattr(at, kind)(key=key).value == value, key
    assert {p for p, _, _ in asked} == set(configs)
    for page_key, cfg, auto in asked:
        assert auto, f"{page_key} waits for Train although it was opened from a valid link"
        assert {k: getattr(cfg, k) for k in configs[page_key]} == configs[page_key]
    return at


@pytest.mark.parametrize("page", GOOD_LINKS)
def test_a_good_link_fills_the_widgets_and_trains_at_once(page, asked):
    at = _from_link(page, asked)
    canonical = {"data": "stocks-AAPL"} if page == "series" else {}  # the name as listed
    assert all(_q(at, k) == canonical.get(k, v) for k, v in GOOD_LINKS[page][0].items())
    asked.clear()
    at.number_input(key=f"{'attn' if page == 'attention' else page}_seed").increment().run()
    assert asked and not any(auto for _, _, auto in asked)  # the student's change: Train waits


def test_a_fresh_page_waits_for_train(asked):
    for page in GOOD_LINKS:
        AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=120).run()
    assert len(asked) == 5 and not any(auto for _, _, auto in asked)


def test_a_link_never_trains_a_pasted_text_or_extra_columns_by_itself(asked):
    from .test_text import TINY

    at = _from_link("text", asked)
    asked.clear()
    at.radio(key="text_source").set_value("paste").run()
    at.text_area(key="text_paste").input(TINY).run()
    assert asked[-1][1].source == "text" and not asked[-1][2]
    at = AppTest.from_file(str(ROOT / "pages/series.py"), default_timeout=120)
    at.query_params.update({"window": "3", "epochs": "5"})
    at.run()
    assert asked[-1][2]
    at.multiselect(key="series_extra").set_value(["wind"]).run()
    assert asked[-1][1].extra == ("wind",) and not asked[-1][2]
