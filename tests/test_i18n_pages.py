"""Pages in Chinese: no untranslated English sentence, the documents' terms, the switch and the
glossary in the sidebar, the language kept in the URL and across pages, Chinese exports."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from memviz import export, fonts, i18n

from .conftest import ROOT, tiny_config

MATHS = re.compile(r"\$[^$]*\$|`[^`]*`")
WORD = re.compile(r"[A-Za-z]{2,}")
NO_CJK = pytest.mark.skipif(fonts.cjk_family() is None,
                            reason="no CJK font (apt-get install fonts-noto-cjk)")


def english_words(texts: list[str]) -> list[str]:
    """Short texts (labels, axis titles, legends) of two or more English words and no Chinese;
    a single word may be a name (Oja, sigmoid, LSTM)."""
    return [s for s in texts if len(WORD.findall(MATHS.sub("", s))) >= 2 and not fonts.has_cjk(s)]


def english_sentences(texts: list[str]) -> list[str]:
    """The texts that read as English: four or more English words (maths and code removed)
    and less than half of their letters Chinese. The fair rule of tests/test_i18n.py."""
    bad = []
    for text in texts:
        prose = MATHS.sub("", text)
        if len(WORD.findall(prose)) >= 4 and fonts.cjk_share(prose) < 0.5:
            bad.append(text)
    return bad


def shown_text(at: AppTest) -> list[str]:
    """Everything a student reads as prose: titles, headers, markdown, captions, messages."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
             "success")
    return [e.value for kind in kinds for e in getattr(at, kind)] + [e.label for e in at.expander]


def widget_labels(at: AppTest) -> list[str]:
    """Every widget's label and help, and the options it offers."""
    out = []
    for kind in ("slider", "select_slider", "selectbox", "radio", "number_input", "toggle",
                 "checkbox", "button", "multiselect"):
        for w in getattr(at, kind):
            out += [w.label, getattr(w, "help", None) or ""]
            out += [str(o) for o in getattr(w, "options", [])]
    return [s for s in out if s]


def figure_texts(at: AppTest) -> list[str]:
    """Titles, panel notes, axis and colour-bar titles and trace names of every plotly figure."""
    out = []
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        layout = fig.get("layout", {})
        out.append(layout.get("title", {}).get("text", ""))
        out += [a["text"] for a in layout.get("annotations", [])]
        out += [v["title"]["text"] for k, v in layout.items()
                if k.startswith(("xaxis", "yaxis")) and v.get("title", {}).get("text")]
        out += [v["colorbar"]["title"]["text"] for k, v in layout.items()
                if k.startswith("coloraxis") and "colorbar" in v]
        out += [tr["name"] for tr in fig.get("data", []) if tr.get("name")]
    return [re.sub(r"<[^>]+>", "", s) for s in out if s]


def text_in_latex(at: AppTest) -> list[str]:
    """The words inside the equations (\\text{...})."""
    return [w for e in at.latex for w in re.findall(r"\\text\{([^}]*)\}", e.value)]


def page(name: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / f"pages/{name}.py"), default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


def app(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _title(at: AppTest) -> str:
    return at.title[0].value


def _query(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


# ------------------------------------------------------------------ the pages in Chinese

def test_home_in_chinese_has_no_english_sentence_and_lists_every_lesson():
    at = page("home")
    assert not at.exception, at.exception
    assert english_sentences(shown_text(at)) == []
    text = " ".join(shown_text(at))
    for name in ("LSTM 长短时记忆", "GRU 门控循环单元", "普通 RNN", "注意力", "突触", "原始文档"):
        assert f"**{name}**" in text
    assert "细胞状态" in text and "突触可塑性" in text
    assert "核" in at.info[0].value  # the device line in Chinese too


def test_synapses_in_chinese_has_no_english_sentence_label_figure_or_equation_word():
    at = page("synapses")
    assert not at.exception, at.exception
    assert english_sentences(shown_text(at)) == []
    text = " ".join(shown_text(at))
    assert "突触可塑性" in text and "《短期记忆与长期记忆》" in text and "赫布" in text
    labels, figs = widget_labels(at), figure_texts(at)
    assert len(labels) > 10 and english_words(labels) == []
    assert len(at.get("plotly_chart")) >= 5 and len(figs) > 10 and english_words(figs) == []
    words = text_in_latex(at)
    assert words and all(fonts.has_cjk(w) for w in words), words


def test_a_link_to_the_drawn_grid_with_a_sigmoid_stays_chinese():
    # a link, not clicks: AppTest formats options with str(), not the page's translated labels
    at = AppTest.from_file(str(ROOT / "pages/synapses.py"), default_timeout=60)
    at.query_params.update(lang="zh", pattern="draw", f="sigmoid")
    at.run()
    assert not at.exception, at.exception
    assert (at.session_state["syn_pattern"], at.session_state["syn_f"]) == ("draw", "sigmoid")
    assert english_sentences(shown_text(at)) == []
    grid = at.dataframe[1].value
    assert list(grid.index[:2]) == ["神经元 0", "神经元 1"]


def test_english_stays_english():
    at = page("synapses", "en")
    assert not at.exception, at.exception
    assert _title(at) == "Synapses: how repetition becomes a lasting change"
    assert not any(fonts.has_cjk(s) for s in figure_texts(at))
    assert len(english_sentences(shown_text(at))) > 5  # the rule does find English prose


# ------------------------------------------------------------------ the switch and the sidebar

def test_the_glossary_is_in_the_sidebar_in_both_languages():
    at = app(lang="zh")
    assert not at.exception, at.exception
    box = next(e for e in at.sidebar.expander if e.label == "术语表")
    terms = box.markdown[0].value
    for line in ("- **遗忘门** · forget gate · `f_t`", "- **突触可塑性** · synaptic plasticity",
                 "- **卷积核** · convolution kernel"):
        assert line in terms
    english = next(e for e in app(lang="en").sidebar.expander if e.label == "Glossary")
    assert "- **forget gate** · 遗忘门 · `f_t`" in english.markdown[0].value
    assert at.sidebar.toggle[0].label == "讲课模式"


def test_the_switch_writes_the_url_and_a_page_change_keeps_the_language():
    at = app()  # no link, no browser locale: English
    assert _query(at, "lang") == "en" and _title(at).startswith("memviz: how")
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert _query(at, "lang") == "zh" and _title(at) == "memviz：神经网络是怎样记忆的"
    at.switch_page("pages/synapses.py").run()
    assert not at.exception, at.exception
    assert _query(at, "lang") == "zh" and _title(at) == "突触：重复怎样变成持久的改变"
    # (AppTest sends every widget's value formatted with str(), so no more clicks on a page
    # whose options show translated labels; back to English from a Chinese link instead)
    at = app(lang="zh")
    at.segmented_control(key="lang").set_value("en").run()
    assert _query(at, "lang") == "en" and _title(at).startswith("memviz: how")


def test_a_link_opens_in_its_language_and_a_bad_one_in_english():
    assert _title(app(lang="zh")) == "memviz：神经网络是怎样记忆的"
    at = app(lang="fr")
    assert not at.exception and _query(at, "lang") == "en"


# ------------------------------------------------------------------ Chinese exports

def _synapse_figures() -> dict:
    from memviz.synapses import figures as SF
    from memviz.synapses import model as S

    cfg = S.SynapseConfig(n=3, steps=6)
    sims = S.simulate_all(S.pattern("repeated", cfg), cfg)
    return {"syn_change": SF.change_heatmaps(sims)}


@NO_CJK
def test_a_chinese_lecture_pack_has_chinese_files_and_a_cjk_font(tmp_path):
    with i18n.using("zh"):
        data = export.lecture_pack(_synapse_figures(), [r"w_{ij} + \alpha"],
                                   {"n": 3, "view": {"t": 2, "unit": 1}}, "突触")
    z = zipfile.ZipFile(io.BytesIO(data))
    assert "MISSING.txt" not in z.namelist()
    header = next(csv.reader(io.StringIO(z.read("figures/syn_change.csv").decode())))
    assert "来自的输入线" in header and "连到的神经元" in header
    assert "整个运行中每个突触变化了多少" in z.read("figures/syn_change.svg").decode()
    readme = z.read("README.txt").decode()
    assert readme.startswith("memviz 讲义包：突触") and "--lang zh" in readme
    tex = z.read("equations.tex").decode()
    assert "ctexart" in tex and "第 2 个时间步" in tex
    if shutil.which("pdffonts"):
        (tmp_path / "c.pdf").write_bytes(z.read("figures/syn_change.pdf"))
        fonts_listed = subprocess.run(["pdffonts", str(tmp_path / "c.pdf")],
                                      capture_output=True, text=True, check=True).stdout
        assert "CJK" in fonts_listed


def _in_another_thread(fn):
    """Run fn where a download click is served: a thread with the default language."""
    import threading

    out: list = []

    def run():
        try:
            out.append(fn())
        except Exception as e:  # handed back to the test's thread
            out.append(e)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if isinstance(out[0], Exception):
        raise out[0]
    return out[0]


def test_downloads_made_on_the_click_keep_the_language_of_the_page(monkeypatch):
    from memviz.ui import show

    pack = {"title": "突触", "figures": {}, "equations": {"e": "w"}, "config": {"n": 3}}
    with i18n.using("zh"):
        make_pack = show.pack_maker(pack)
        failures: dict[str, str] = {}
        make_svg = show.exporter(_synapse_figures()["syn_change"], "syn_change", "svg", failures)
    readme = zipfile.ZipFile(io.BytesIO(_in_another_thread(make_pack))).read("README.txt")
    assert readme.decode().startswith("memviz 讲义包：突触")
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)  # a machine with no Chinese font
    with pytest.raises(export.MissingFont):
        _in_another_thread(make_svg)
    assert "中文字体" in failures["syn_change"] and "fonts-noto-cjk" in failures["syn_change"]


def test_an_english_pack_stays_a_pdflatex_document():
    pack = export.lecture_pack({}, [r"h_t"], None, "LSTM")
    z = zipfile.ZipFile(io.BytesIO(pack))
    assert "ctex" not in z.read("equations.tex").decode()
    assert not fonts.has_cjk(z.read("README.txt").decode())


def test_the_cli_builds_its_figures_in_the_language_asked(tmp_path, monkeypatch):
    from memviz.cli import main
    from memviz.engine import figures

    (tmp_path / "config.json").write_text(json.dumps(
        tiny_config("gru", seq_len=5, hidden=3, steps=5).to_dict()))
    seen, build = [], figures.lesson_figures

    def spy(*args, **kwargs):
        seen.append(i18n.current())
        return build(*args, **kwargs)

    monkeypatch.setattr(figures, "lesson_figures", spy)
    for lang in ("zh", "en"):
        assert main(["export", "--config", str(tmp_path / "config.json"), "--out",
                     str(tmp_path / lang), "--formats", "csv", "--lang", lang]) == 0
    assert seen == ["zh", "en"] and i18n.current() == "en"


def test_the_cli_refuses_an_unknown_language(tmp_path, capsys):
    from memviz.cli import main

    assert main(["export", "--config", "x.json", "--out", str(tmp_path), "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert "--lang" in err and "'fr'" in err and "Traceback" not in err


@NO_CJK
def test_a_chinese_cli_export_writes_chinese_svg_csv_and_a_cjk_pdf(tmp_path):
    from memviz.cli import main
    from memviz.engine import figures, lesson

    cfg = tiny_config("lstm", seq_len=5, hidden=3, steps=5)
    with i18n.using("zh"):
        words = json.dumps([f.to_plotly_json()["layout"] for f in
                            figures.lesson_figures(lesson.prepare(cfg)).values()],
                           ensure_ascii=False, default=str)
    assert fonts.has_cjk(words)  # memviz/locales/recurrent.toml
    (tmp_path / "config.json").write_text(json.dumps(cfg.to_dict()))
    assert main(["export", "--config", str(tmp_path / "config.json"), "--out",
                 str(tmp_path / "o"), "--formats", "svg,csv,pdf", "--lang", "zh"]) == 0
    out = tmp_path / "o"
    assert fonts.has_cjk((out / "lstm_heatmaps.svg").read_text())
    assert fonts.has_cjk((out / "lstm_heatmaps.csv").read_text().splitlines()[0])
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(out / "lstm_heatmaps.pdf")],
                                 capture_output=True, text=True, check=True).stdout
        assert "CJK" in listing
