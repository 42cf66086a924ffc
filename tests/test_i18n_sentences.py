"""Sentences in Chinese: the page's own texts, its figures and its upload and sentence errors.
The generated sentences stay English (the grammar's words); the page says so in Chinese."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from memviz import fonts, i18n
from memviz.config import ConfigError
from memviz.sentences import grammar, model, text

from .conftest import pack
from .test_i18n_series import SYMBOLS, check_chinese_page, check_english_page, figure_words, run_in

TINY = {"steps": "20", "hidden": "8", "max_gap": "4"}


@pytest.fixture(scope="module")
def zh_page() -> AppTest:
    at = run_in("zh", "sentences", TINY)
    at.text_input(key="sentences_text").input("the zorg was not good").run()  # one unknown word
    return at


def test_the_sentences_page_speaks_chinese(zh_page):
    texts = check_chinese_page(zh_page, "sentences", [
        "sentences.title", "sentences.intro", "sentences.examples_note", "sentences.cap_distance",
        "sentences.yours_header", "sentences.unknown_one", "sentences.cap_reading",
        "sentences.cap_hidden", "sentences.step_header", "sentences.cap_steps"])
    joined = "\n".join(texts)
    for term in ("情感分析", "否定", "转折", "隐藏状态", "英文", "《短期记忆：利用上下文学习》"):
        assert term in joined, term
    assert [m.label for m in zh_page.metric][:2] == ["LSTM 留出集准确率", "GRU 留出集准确率"]
    verdict = next(m.value for m in zh_page.markdown if m.value.startswith("**LSTM**："))
    assert "P(正面)" in verdict and ("正面（" in verdict or "负面（" in verdict)
    assert zh_page.radio(key="sentences_source").format_func("grammar") == "语法生成"


def test_the_examples_table_names_its_columns_and_kinds_in_chinese(zh_page):
    df = zh_page.dataframe[0].value
    assert list(df.columns) == ["句子", "标签", "距离", "句型"]
    assert set(df["标签"]) <= {"正面", "负面"}
    assert set(df["句型"]) == {"单句", "否定", "转折（but）", "让步（although）"}
    assert all(fonts.cjk_share(s) == 0 for s in df["句子"])  # the grammar's sentences: English


def test_the_sentences_figures_speak_chinese(zh_page):
    figs = pack(zh_page)["figures"]
    for key in ("sentences_distance", "sentences_reading", "sentences_h_lstm", "sentences_h_gru"):
        fig = figs[key]
        assert fonts.cjk_share(fig.layout.title.text) >= 0.5, (key, fig.layout.title.text)
        for word in figure_words(fig):
            assert word in SYMBOLS or fonts.cjk_share(word) > 0, (key, word)
    assert figs["sentences_reading"].layout.yaxis.title.text == "P(正面)"
    assert figs["sentences_distance"].layout.xaxis.title.text == "距离（词数）"


def test_the_english_page_keeps_its_english():
    at = run_in("en", "sentences", TINY)
    check_english_page(at, "sentences", ["sentences.title", "sentences.intro",
                                         "sentences.cap_reading", "sentences.step_header"])
    assert list(at.dataframe[0].value.columns) == ["sentence", "label", "distance", "kind"]


def _csv(rows) -> bytes:
    return ("text,label\n" + "\n".join(f'"{t}",{y}' for t, y in rows)).encode()


@pytest.mark.parametrize("raw, words", [
    (b"\x00\x01binary", "二进制"),
    (_csv([("good film", 1)]), "至少需要 20 行"),
    (b"words,score\n" + b"a,1\n" * 30, "需要一列 text"),
    (_csv([("good film", "maybe")] * 30), "标签只能是 0 或 1"),
    (_csv([("good film", 1)] * 30), "标签都一样"),
], ids=["binary", "too short", "no text column", "bad label", "one label"])
def test_upload_errors_in_chinese(raw, words):
    with i18n.using("zh"), pytest.raises(ConfigError, match=words):
        text.load_csv(raw)


def test_sentence_messages_and_config_errors_in_chinese():
    vocab = text.Vocab.of(grammar.vocabulary())
    with i18n.using("zh"):
        many = text.read_sentence("the zorg was not blorp", vocab)[2]
        assert "'blorp', 'zorg'" in many and "它们" in many and fonts.cjk_share(many) >= 0.5
        with pytest.raises(ConfigError, match="至少包含一个单词"):
            text.read_sentence(" !! ", vocab)
        with pytest.raises(ConfigError, match="只能是 lstm 或 gru"):
            model.SentimentConfig(arch="rnn")
        for kind in grammar.TEMPLATES:  # keys built at run time: every template has its name
            assert i18n.has(f"sentences.kind.{kind}")
