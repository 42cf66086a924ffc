"""User text is shown as typed (issue 31 §3): never as HTML in a figure, never as markdown in a
message, numbers in links in ASCII digits only, and uploads capped where the app caps them."""

from __future__ import annotations

import csv
import io
import json
import math
import tomllib

import pytest

from memviz import export, plotting
from memviz.config import ConfigError
from memviz.specs import Choice, Float, Int
from memviz.ui import show

from .conftest import ROOT

HTML = '<a href="https://evil.example">click</a><b>bold</b>'
MARKDOWN = "[click here](https://evil.example) **bold** `code` $x^2$ :red[x] _i_ # h"


def _upload_csv(header: str, rows: int = 80) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["date", header])
    w.writerows([f"2020-{1 + i // 28:02d}-{1 + i % 28:02d}", f"{10 * math.sin(i / 5):.3f}"]
                for i in range(rows))
    return buf.getvalue().encode()


def _live(fig) -> bool:
    """Whether the hostile header's tags reach plotly as tags (it draws <a href>, <b> ...)."""
    return '<a href="https://evil' in json.dumps(fig.to_plotly_json(), default=str)


def test_an_html_column_name_is_text_in_every_forecast_figure_and_its_exports():
    from memviz.series import data, figures, forecast, model

    series = data.load_upload(_upload_csv(HTML), HTML, "date")
    run = model.train(forecast.ForecastConfig(series.name, HTML, window=3, epochs=5))
    for fig in (figures.forecast_vs_truth(run), figures.test_zoom(run)):
        assert not _live(fig)
        assert "&lt;a href" in fig.layout.yaxis.title.text  # plotly draws the entity as "<"
        header = export.render(fig, "csv").decode().splitlines()[0]
        assert HTML.replace('"', '""') in header  # the CSV and images say what the file said


def test_characters_of_the_students_text_are_text_in_the_text_figures():
    import numpy as np

    from memviz.text import figures as FG

    passage = "<b>x</b> & <i>"
    fig = FG.coloured_text(passage, np.linspace(-1, 1, len(passage)), "t")
    cells = [c for row in fig.data[0].text for c in row]
    assert "<" not in "".join(cells) and "&lt;" in cells
    top = FG.top5([("<", 0.4), ("&", 0.3), (">", 0.2), ("a", 0.05), ("b", 0.05)], "<", "t")
    assert list(top.data[0].x) == ["&lt;", "&amp;", "&gt;", "a", "b"]
    rows = list(csv.reader(io.StringIO(export.render(top, "csv").decode())))
    assert [r[1] for r in rows[1:4]] == ["<", "&", ">"]  # the export writes the characters


def test_user_text_helper_escapes_what_plotly_would_draw_as_html():
    assert plotting.user_text(HTML) == (
        '&lt;a href="https://evil.example"&gt;click&lt;/a&gt;&lt;b&gt;bold&lt;/b&gt;')
    assert plotting.user_text("a &amp; b") == "a &amp;amp; b"  # an entity typed stays typed


def test_literal_makes_every_markdown_character_plain_and_keeps_the_text():
    shown = show.literal(MARKDOWN)
    for i, c in enumerate(shown):
        if c in "`*_[]<>$:~&":
            assert shown[i - 1] == "\\", (c, shown)
    assert shown.replace("\\", "").replace("\u2060", "") == MARKDOWN  # what was typed
    assert "https\u2060" in shown  # GFM finds bare links after escapes: a word joiner breaks it
    assert show.literal("www.a.b me@a.b") == "www\u2060.a.b me\u2060@a.b"
    assert show.literal("- a") == "\\- a" and show.literal("3. b") == "3\\. b"  # no list
    assert show.literal("2020-01-01, 1,000") == "2020-01-01, 1,000"  # plain text stays plain
    assert show.literal("two\nlines") == "two lines"  # a message stays one line


@pytest.mark.parametrize("spec, text", [
    (Int("sequence length T", 8, 256, 8), "\uff12\uff15\uff16"),  # full-width 256
    (Int("n", 1, 12), "\u0663"),  # Arabic-Indic 3
    (Float("learning rate", 0.0, 1.0), "\u0660.\u0665"),
    (Float("decay", 0.0, 100.0), "1_0"),  # float() reads 10
    (Choice("hidden size", (4, 8, 16)), "\u0668"),
])
def test_links_take_ascii_digits_only(spec, text):
    with pytest.raises(ConfigError):
        spec.parse(text)


def test_ascii_numbers_still_parse():
    assert Int("n", 1, 300).parse(" 256 ") == 256
    assert Float("lr", 0.0, 1.0).parse("1e-3") == 0.001
    assert Choice("lr", (0.001, 0.01)).parse("0.01") == 0.01


def test_a_link_with_unicode_digits_gets_the_bad_link_line():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/synapses.py"), default_timeout=120)
    at.query_params["n"] = "\u0663"
    at.run()
    assert not at.exception
    assert at.warning and "cannot be used" in at.warning[0].value
    assert at.slider(key="syn_n").value == 6  # the default, not 3


def test_a_link_with_markdown_is_named_as_text():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/lstm.py"), default_timeout=120)
    at.query_params["hidden"] = "[click here](https://evil.example)"
    at.run()
    warning = at.warning[0].value
    assert "\\[click here\\](https\u2060\\://evil.example)" in warning  # no link: as text


def test_an_upload_named_with_markdown_is_named_as_text():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/text.py"), default_timeout=120)
    at.run()
    at.radio(key="text_source").set_value("upload").run()
    at.file_uploader[0].set_value((MARKDOWN + ".txt", b"\xff\xfe\x00bad", "text/plain")).run()
    error = at.error[0].value
    assert "\\[click here\\](" in error and "\\*\\*bold\\*\\*" in error and "\\$x^2\\$" in error


def test_the_server_takes_uploads_no_larger_than_the_app_accepts():
    from memviz.series import data
    from memviz.text import corpus
    from memviz.yours import inputs, weights

    with open(ROOT / ".streamlit/config.toml", "rb") as f:
        mb = tomllib.load(f)["server"]["maxUploadSize"]  # Streamlit's MB: 2**20 bytes
    largest = max(data.MAX_UPLOAD_BYTES, corpus.MAX_UPLOAD_BYTES,  # Sentences reads with data's
                  weights.MAX_WEIGHTS_BYTES, inputs.MAX_INPUT_BYTES)
    assert mb == math.ceil(largest / 2**20)


def test_each_uploader_refuses_in_the_browser_what_its_page_would_refuse():
    """The server takes Your model's weights; a CSV or .txt uploader still says its own limit."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/text.py"), default_timeout=120).run()
    at.radio(key="text_source").set_value("upload").run()
    assert at.file_uploader[0].proto.max_upload_size_mb == 2
