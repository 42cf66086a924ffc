"""Sentiment: the grammar's labels and distances, text checks and uploads, the classifier
against torch, the page and the command line."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch

from memviz.config import ConfigError
from memviz.sentences import grammar, model, text
from memviz.sentences.model import SentimentConfig

from .conftest import ROOT


def _label_by_reading(tokens: tuple[str, ...]) -> int:
    """An independent reading of a sentence: pick the deciding clause, then negate."""
    if "but" in tokens:
        clause = tokens[tokens.index("but") + 1:]
    elif "although" in tokens:
        clause = tokens[:tokens.index("although")]
    else:
        clause = tokens
    adjectives = [t for t in clause if t in grammar.POSITIVE or t in grammar.NEGATIVE]
    assert len(adjectives) == 1, tokens
    positive = adjectives[0] in grammar.POSITIVE
    negated = any(t in grammar.NEGATORS for t in clause)
    return int(positive != negated)


def test_generated_labels_match_an_independent_reading():
    sentences = grammar.generate(2000, 12, seed=3)
    assert {s.template for s in sentences} == set(grammar.TEMPLATES)
    for s in sentences:
        assert s.label == _label_by_reading(s.tokens), s.text
    labels = [s.label for s in sentences]
    assert 0.4 < np.mean(labels) < 0.6


@pytest.mark.parametrize("sentence, label", [
    ("the film was good", 1),
    ("the film was not , to be honest , very good", 0),
    ("the plot was good , but the acting was awful", 0),
    ("the plot was good , although the acting was awful", 1),
    ("the plot was not bad , but the acting was never good", 0),
])
def test_hand_written_sentences_are_read_as_a_person_reads_them(sentence, label):
    assert _label_by_reading(tuple(text.tokenize(sentence))) == label


def test_distance_is_words_after_the_first_deciding_word_and_grows_with_the_gap():
    rng = random.Random(0)
    s = grammar.sentence(rng, "negation", 5)
    assert s.distance == len(s.tokens) - 1 - s.tokens.index("not" if "not" in s.tokens
                                                            else "never")
    for template in grammar.TEMPLATES:
        short = [grammar.sentence(random.Random(i), template, 0).distance for i in range(50)]
        long = [grammar.sentence(random.Random(i), template, 10).distance for i in range(50)]
        assert np.mean(long) > np.mean(short) + 4, template


def test_generation_is_seeded():
    assert grammar.generate(50, 8, 1) == grammar.generate(50, 8, 1)
    assert grammar.generate(50, 8, 1) != grammar.generate(50, 8, 2)


def test_unknown_words_are_read_as_unk_with_a_message():
    vocab = text.Vocab.of(grammar.vocabulary())
    tokens, ids, note = text.read_sentence("The film was NOT zorgly, but fun", vocab)
    assert tokens[:4] == ["the", "film", "was", "not"] and ids[4] == 1
    assert "zorgly" in note and text.UNK in note
    assert text.read_sentence("the film was fun", vocab)[2] is None
    with pytest.raises(ConfigError, match="at least one word"):
        text.read_sentence("  !! ", vocab)


def _csv(rows) -> bytes:
    return ("text,label\n" + "\n".join(f'"{t}",{y}' for t, y in rows)).encode()


@pytest.mark.parametrize("raw, words", [
    (b"\x00\x01binary", "not a CSV"),
    (b"", "empty"),
    (b"text,label\n", "no data rows"),
    (_csv([("good film", 1)]), "at least 20"),
    (b"words,score\n" + b"a,1\n" * 30, "'text' column"),
    (_csv([("good film", "maybe")] * 30), "labels must be"),
    (_csv([("good film", 1)] * 30), "same label"),
    (b"text,label\n" + b"a,1\n" * 30 + b"x" * 2_100_000, "limit is 2 MB"),
])
def test_every_bad_sentence_upload_raises(raw, words):
    with pytest.raises(ConfigError, match=words):
        text.load_csv(raw)


def test_an_uploaded_csv_trains():
    rows = [(f"the film was {w}", int(w in grammar.POSITIVE))
            for w in (*grammar.POSITIVE, *grammar.NEGATIVE)] * 3
    name = text.load_csv(_csv(rows)).name
    run = model.train(SentimentConfig(data=name, steps=30, hidden=8))
    assert 0.0 <= run.accuracy <= 1.0 and run.by_distance == {}


@pytest.mark.parametrize("arch", ["lstm", "gru"])
def test_reading_a_sentence_equals_torch_word_by_word(arch):
    run = model.train(SentimentConfig(arch=arch, steps=20, hidden=8, n_train=200, n_test=100))
    ids = run.vocab.encode(text.tokenize("the film was not , i think , good"))[0]
    tr = run.read(ids)
    with torch.no_grad():
        logits = run.model(torch.tensor([ids]))[0]  # (T, 2): torch's module, every word
    assert tr.max_abs_diff < 1e-5 and tr.T == len(ids)
    assert np.allclose(tr.output, logits.numpy(), atol=1e-5)


def test_figures_name_both_cells_mark_chance_and_tick_the_words():
    from memviz.sentences import figures

    runs = model.train_both(SentimentConfig(steps=10, hidden=8, n_train=200, n_test=100))
    tokens = text.tokenize("the film was not good")
    traces = {arch: run.read(run.vocab.encode(tokens)[0]) for arch, run in runs.items()}
    figs = [figures.accuracy_by_distance(runs), figures.reading(traces, tokens),
            figures.hidden_heatmap(traces["gru"], tokens, "gru")]
    assert [d.name for d in figs[0].data] == ["LSTM", "GRU"]
    assert figs[0].layout.shapes[0].y0 == 50  # chance
    assert list(figs[1].layout.xaxis.ticktext) == tokens


def test_lstm_and_gru_learn_short_distances():
    runs = model.train_both(SentimentConfig(steps=150, max_gap=4, n_train=1500, n_test=400))
    for arch, run in runs.items():
        assert run.by_distance["0-3"] >= 0.9, (arch, run.by_distance)
        assert run.config.arch == arch


def test_cli_writes_accuracy_by_distance(tmp_path, capsys):
    from memviz.cli import main

    assert main(["sentiment", "--arch", "gru", "--steps", "20", "--hidden", "8",
                 "--out", str(tmp_path)]) == 0
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert 0 <= m["accuracy"] <= 1 and "0-3" in m["accuracy_by_distance"]
    assert (tmp_path / "examples.csv").read_text().startswith("text,label,distance")
    assert main(["sentiment", "--arch", "rnn", "--out", str(tmp_path)]) == 2
    assert main(["sentiment", "--max-gap", "99", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(e.startswith("memviz sentiment: error:") for e in err)


def test_page_trains_both_and_reads_the_students_sentence():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/sentences.py"), default_timeout=120)
    at.query_params.update({"steps": "20", "hidden": "8"})
    at.run()  # a valid link trains at once, with no click
    assert not at.exception and not at.error
    assert [m.label for m in at.metric][:2] == ["LSTM held-out accuracy", "GRU held-out accuracy"]
    # the shared step-through writes its own URL names; the page's must still be there
    assert {k: at.query_params[k] for k in ("max_gap", "hidden", "steps")} == {
        "max_gap": "12", "hidden": "8", "steps": "20"}
    at.text_input(key="sentences_text").input("the zorg was not good").run()
    assert not at.exception
    assert any("zorg" in w.value for w in at.warning)
