"""What the recurrent pages say matches the cell and the model: no raw TeX in prose, no gates on
the vanilla RNN's page, and the LSTM's 'What to look for' computed from its trained model."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from memviz.engine import equations, lesson
from memviz.recurrent import insight, presets
from memviz.runs import kind_of
from memviz.ui import training

from .conftest import ROOT, pack, stepper_data

TEXT_CALLS = {"prose", "caption", "markdown", "info", "warning", "success", "error", "metric",
              "subheader", "title", "header", "expander", "radio", "toggle", "checkbox",
              "selectbox", "select_slider", "slider", "button", "write", "plotly", "altair"}
TEX = re.compile(r"_\{|\^\{|\\[A-Za-z]+")  # h_{t-1}, x^{2}, \tanh ... written for KaTeX


@pytest.fixture(autouse=True)
def fresh_store():
    training.store.clear()


def raw_tex(text: str) -> list[str]:
    """TeX outside $...$ in a piece of prose (what markdown would print literally)."""
    outside = re.split(r"\$[^$]*\$", text)
    return [m.group(0) for part in outside for m in TEX.finditer(part)]


def _literal(node: ast.AST) -> str | None:
    """The text of a string expression: constants, f-strings (fields as 0) and + of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "0" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    return None


def _prose_strings(path: Path):
    """(line, text) of every string given to a text-drawing call in a source file."""
    for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(call, ast.Call):
            continue
        name = getattr(call.func, "attr", getattr(call.func, "id", ""))
        if name in TEXT_CALLS:
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                for node in ast.walk(arg):
                    text = _literal(node)
                    if text is not None:
                        yield node.lineno, text


def test_the_scanner_finds_tex_outside_maths_only():
    assert raw_tex("the result W_hn h_{t-1} + b_hn") == ["_{"]
    assert raw_tex("keeps $c_{t-1}$ and $\\tanh(c_t)$") == []
    assert raw_tex("c_t = tanh(c_t) + \\odot") == ["\\odot"]


def test_no_page_prose_or_caption_has_raw_tex():
    files = sorted(ROOT.glob("pages/*.py")) + sorted((ROOT / "memviz/ui").glob("*.py"))
    found = [f"{p.relative_to(ROOT)}:{line}: {raw_tex(text)}" for p in files
             for line, text in _prose_strings(p) if raw_tex(text)]
    assert not found, "\n".join(found)


def test_lesson_prose_constants_have_no_raw_tex():
    texts = [equations.concat_note(), *(p.note for p in presets.PRESETS),
             *insight.QUANTITY.values()]
    assert not [t for t in texts if raw_tex(t)]


def test_no_catalogue_has_raw_tex_in_either_language():
    """The pages' prose moved to memviz/locales: the scan above no longer sees it there. (The
    JSON parser's own messages quote backslash escapes: they are not maths.)"""
    from memviz import i18n

    found = [(k, lang) for k, e in i18n.catalogue().items() if not k.startswith("specs.parser.")
             for lang in ("en", "zh") if raw_tex(e[lang])]
    assert not found, found


def _tiny(page: str, task: str = "recall", T: int = 6, steps: int = 20) -> AppTest:
    at = AppTest.from_file(str(ROOT / f"pages/{page}.py"), default_timeout=120).run()
    at.selectbox(key=f"{page}_task").set_value(task).run()
    at.slider(key=f"{page}_seq_len").set_value(T)
    at.slider(key=f"{page}_hidden").set_value(4)
    at.slider(key=f"{page}_steps").set_value(steps)
    at.run()
    at.button(key=f"{page}_train").click().run()
    assert not at.exception and not at.error
    return at


def test_the_vanilla_rnn_page_never_speaks_of_its_gates():
    at = _tiny("rnn")
    said = [c.value for c in at.caption] + [i.value for i in at.info]
    said += [at.select_slider(key="rnn_ckpt").help]
    assert said and not [s for s in said if "gate" in s.lower()], said
    prose = " ".join(m.value for m in at.markdown).replace("**Why gates**", "")
    assert "gate" not in prose.lower()
    view = stepper_data(at)
    assert view["fields"] == ["h"] and view["meaning"] == {"h": "hidden state"}
    heat = pack(at)["figures"]["rnn_heatmaps"]
    assert heat.layout.coloraxis2.colorbar.len >= 0.9  # its one colour bar is not squashed


def test_the_lstm_page_writes_what_to_look_for_from_its_model():
    at = _tiny("lstm", steps=30)
    cfg = at.session_state["_lstm_memory_unit_for"]
    model = training.store().get(kind_of(lesson.prepare), cfg).run.model
    ho = insight.held_out(model, cfg.task, cfg.train.seed)
    best = insight.memory_unit(ho)
    look = next(m.value for m in at.markdown if m.value.startswith("**What to look for.**"))
    assert insight.describe(ho, best) in look and f"row {best} of the c heatmap" in look
    assert at.selectbox(key="lstm_memory_unit").value == best
    assert at.query_params["memory_unit"] in (str(best), [str(best)])
    fig = pack(at)["figures"]["lstm_unit_inputs"]
    assert fig.layout.title.text.startswith(f"Unit {best} across")
    other = (best + 1) % 4
    at.selectbox(key="lstm_memory_unit").set_value(other).run()
    assert not at.exception
    assert at.query_params["memory_unit"] in (str(other), [str(other)])
    assert any(m.value == insight.describe(ho, other) for m in at.markdown)


def test_on_bracket_depth_the_lstm_guidance_is_about_brackets():
    at = _tiny("lstm", task="brackets", T=10, steps=30)
    look = next(m.value for m in at.markdown if m.value.startswith("**What to look for.**"))
    assert "nesting depth" in look and "cue" not in look and "symbol" not in look
