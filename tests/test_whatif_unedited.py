"""An unedited What-if shows a line asking for an edit, not an all-zero Δ figure with a
±1e-x colour bar (issue 28 §4); the Δ figure comes with the first edit."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from memviz import i18n
from memviz.ui import training

from .conftest import ROOT


def _dh_drawn(at: AppTest) -> bool:
    title = i18n.t("whatif.dh_title")
    return any(title in c.proto.spec for c in at.get("plotly_chart"))


def test_the_what_if_shows_a_line_until_something_is_edited():
    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/rnn.py"), default_timeout=120)
    for k, v in {"task": "recall", "seq_len": "6", "hidden": "3", "steps": "20"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    line = i18n.t("whatif.unedited")
    assert not _dh_drawn(at) and line in [m.value for m in at.info]
    at.slider(key="rnn_wi_cue").set_value(3).run()
    assert not at.exception
    assert _dh_drawn(at) and line not in [m.value for m in at.info]
