"""One translation mechanism: complete catalogues, Chinese that reads as Chinese, exports with
CJK fonts."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import threading

import pytest

from memviz import export, fonts, i18n

from .conftest import ROOT

FIELD = re.compile(r"\{(\w+)[^}]*\}")
NO_CJK = pytest.mark.skipif(fonts.cjk_family() is None,
                            reason="no CJK font (apt-get install fonts-noto-cjk)")
KEY_IN_CODE = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def test_every_message_has_both_languages_and_the_same_fields():
    for key, entry in i18n.catalogue().items():
        assert entry.get("en", "").strip() and entry.get("zh", "").strip(), key
        assert set(FIELD.findall(entry["en"])) == set(FIELD.findall(entry["zh"])), key


def test_chinese_prose_is_mostly_chinese():
    """A fair rule: an English message of four words or more must be at least half CJK in
    Chinese (letters only: symbols, numbers and {fields} excepted)."""
    for key, entry in i18n.catalogue().items():
        words = re.findall(r"[A-Za-z]{2,}", FIELD.sub("", entry["en"]))
        if len(words) >= 4:
            assert fonts.cjk_share(FIELD.sub("", entry["zh"])) >= 0.5, (key, entry["zh"])


def test_every_key_used_in_the_code_exists():
    used = {(path.relative_to(ROOT), key)
            for path in [*ROOT.glob("memviz/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
            for key in KEY_IN_CODE.findall(path.read_text())}
    missing = sorted((str(p), k) for p, k in used if not i18n.has(k))
    assert missing == []


def _code_trees():
    for path in [*ROOT.glob("memviz/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        yield path.relative_to(ROOT), ast.parse(path.read_text())


def test_every_catalogue_key_is_named_in_the_code():
    """Each key is written out in full somewhere in the code (a mapping of names to keys is
    fine), so grep finds it and a message nobody shows fails here; only the tables read whole
    (i18n.TABLES, each read by the code) are exempt. No key is built with an f-string."""
    named, elsewhere, built = set(), set(), []
    for path, tree in _code_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
                if path.as_posix() != "memviz/i18n.py":  # where TABLES is declared
                    elsewhere.add(node.value)
            if (isinstance(node, ast.Call) and node.args
                    and isinstance(node.args[0], ast.JoinedStr)
                    and ast.unparse(node.func).split(".")[-1] in ("t", "has", "Message")):
                built.append(f"{path}:{node.lineno}")
    assert built == []
    assert set(i18n.TABLES) <= elsewhere  # each table is read by the code that shows it
    unused = sorted(k for k in i18n.catalogue() if k not in named
                    and not k.startswith(i18n.TABLES))
    assert unused == []


def test_the_glossary_uses_the_documents_terms():
    zh = {e["zh"] for k, e in i18n.catalogue().items() if k.startswith("glossary.")}
    for term in ("遗忘门", "输入门", "输出门", "细胞状态", "隐藏状态", "重置门", "更新门",
                 "卷积核", "感受野", "突触可塑性"):
        assert term in zh


def test_language_follows_the_context_and_never_leaks_between_threads():
    assert i18n.t("common.lecturer_mode", lang="zh") == "讲课模式"
    with i18n.using("zh"):
        assert i18n.t("common.lecturer_mode") == "讲课模式"
        seen = []
        worker = threading.Thread(target=lambda: seen.append(i18n.t("common.lecturer_mode")))
        worker.start()
        worker.join()
        assert seen == ["Lecturer mode"]  # another session's thread keeps its own language
    assert i18n.t("common.training_on", device="CPU") == "Training on: CPU"
    with pytest.raises(i18n.MissingMessage):
        i18n.t("common.no_such_message")
    with pytest.raises(ValueError, match="language must be one of en, zh"):
        i18n.use("fr")


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("zh-TW", "zh"), ("en-US", "en"),
                                              ("fr-FR", "en"), (None, "en")])
def test_the_first_visit_follows_the_browser(locale, lang):
    assert i18n.from_locale(locale) == lang


def _chinese_bar():
    import plotly.graph_objects as go

    return go.Figure(go.Bar(x=["遗忘门", "输入门"], y=[0.9, 0.1]),
                     layout={"title": {"text": "门的平均值"}})


@NO_CJK
def test_a_chinese_pdf_embeds_a_cjk_font(tmp_path):
    if not shutil.which("pdffonts"):
        pytest.skip("no pdffonts (apt-get install poppler-utils)")
    (tmp_path / "zh.pdf").write_bytes(export.render(_chinese_bar(), "pdf"))
    listing = subprocess.run(["pdffonts", str(tmp_path / "zh.pdf")], capture_output=True,
                             text=True, check=True).stdout
    assert "CJK" in listing


@NO_CJK
def test_a_chinese_png_is_not_tofu():
    """Boxes (tofu) draw every missing glyph alike; real glyphs differ, so the two titles'
    PNGs differ when the characters differ."""
    import plotly.graph_objects as go

    a = export.render(go.Figure(go.Bar(x=["遗忘门"], y=[1])), "png", scale=1)
    b = export.render(go.Figure(go.Bar(x=["输出门"], y=[1])), "png", scale=1)
    assert a != b


def test_no_cjk_font_refuses_with_the_reason(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    with pytest.raises(export.MissingFont, match="fonts-noto-cjk"):
        export.render(_chinese_bar(), "svg")
    assert export.render(_chinese_bar(), "csv")  # the data needs no font
