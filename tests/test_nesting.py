"""Pages never fold a fold inside another: no expander in an expander, no popover in a popover.

Streamlit's docs forbid both (1.67 happens to draw them, badly: an inner expander inside the
Settings expander); this walks the element tree of real page runs, normal and lecturer mode.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from memviz.ui import training

from .conftest import ROOT

FOLDS = ("expander", "popover")


def nested_folds(node, inside: tuple[str, ...] = ()) -> list[str]:
    """'outer > inner' for each expander inside an expander or popover inside a popover."""
    found = []
    for child in getattr(node, "children", {}).values():
        kind = getattr(child, "type", None) if isinstance(child, Block) else None
        here = inside
        if kind in FOLDS:
            proto = getattr(child.proto, kind, child.proto)  # a popover is a generic Block
            label = f"{kind} {getattr(child, 'label', None) or getattr(proto, 'label', '')}"
            label = label.strip()
            if any(outer.startswith(kind) for outer in inside):
                found.append(" > ".join([*inside, label]))
            here = (*inside, label)
        found += nested_folds(child, here)
    return found


def test_the_check_finds_a_nested_expander_and_a_nested_popover():
    script = ("import streamlit as st\n"
              "with st.expander('outer'):\n"
              "    st.columns(2)[1].expander('inner').write('x')\n"
              "    with st.popover('menu'):\n"
              "        st.popover('sub').write('y')\n"
              "st.expander('alone').popover('fine').write('z')\n")
    at = AppTest.from_string(script).run()
    assert nested_folds(at._tree) == ["expander outer > expander inner",
                                      "expander outer > popover menu > popover sub"]


def _train_cnn(at: AppTest) -> None:
    at.select_slider(key="cnn_c1").set_value(2)
    at.select_slider(key="cnn_c2").set_value(4)
    at.slider(key="cnn_steps").set_value(10)
    at.run()
    at.button(key="cnn_train").click().run()
    assert at.get("plotly_chart")  # the trained lesson is drawn


def _sweep_one_cnn(at: AppTest) -> None:
    at.multiselect(key="hz_lags").set_value([3])
    at.multiselect(key="hz_archs").set_value(["cnn"])
    at.select_slider(key="hz_hidden").set_value(8)
    at.slider(key="hz_steps").set_value(50)
    at.run()
    at.button(key="hz_run").click().run()
    assert "Sweep finished" in at.success[0].value


@pytest.mark.parametrize("page, train", [("cnn", _train_cnn), ("horizon", _sweep_one_cnn)],
                         ids=["cnn", "horizon"])
def test_page_has_no_fold_inside_a_fold_before_and_after_training_and_on_a_projector(page, train):
    training.store.clear()
    at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=120).run()
    assert not at.exception and nested_folds(at._tree) == []
    train(at)
    assert not at.exception and nested_folds(at._tree) == []
    at.session_state["lecturer_mode"] = True  # the projector: settings folded, no prose
    at.run()
    assert not at.exception and nested_folds(at._tree) == []
    assert not at.expander[0].proto.expanded  # Settings folded away
