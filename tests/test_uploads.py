"""Uploads reach the worker by value, on the pool the class runs (worker processes), and the
places where that pool and the tests' thread pool could differ: the upload itself, seeded
results, and the language of a message a worker sends back."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pandas as pd
import pytest

from memviz import i18n, jobs, runs, workers
from memviz.sentences import grammar
from memviz.sentences import model as sentiment
from memviz.sentences import text as sentences
from memviz.series import data, forecast
from memviz.series import model as series
from memviz.text import train as text_train
from memviz.text.model import TextConfig
from memviz.uploads import Upload


def series_csv(rows: int = 80) -> bytes:
    """A clean daily series with a weekly swing, as a student's CSV."""
    days = pd.date_range("2024-01-01", periods=rows)
    values = [10 + (i % 7) + 0.1 * i for i in range(rows)]
    return pd.DataFrame({"day": days.astype(str), "value": values}).to_csv(index=False).encode()


def sentences_csv() -> bytes:
    """Labelled sentences (text,label), as a student's CSV."""
    rows = [(f"the film was {w}", int(w in grammar.POSITIVE))
            for w in (*grammar.POSITIVE, *grammar.NEGATIVE)] * 3
    return pd.DataFrame(rows, columns=["text", "label"]).to_csv(index=False).encode()


def text_file() -> bytes:
    """A small UTF-8 text file for the Text page (above its 1,000-character minimum)."""
    return ("the cell keeps what the gates let in, and forgets what they let go.\n" * 20).encode()


def _series_cfg():
    name = data.load_upload(series_csv(), "value", "day", 7).name
    return series.train, forecast.ForecastConfig(data=name, target="value", window=4, hidden=4,
                                                 epochs=2, batch=16)


def _sentences_cfg():
    name = sentences.load_csv(sentences_csv()).name
    return sentiment.train_both, sentiment.SentimentConfig(data=name, hidden=4, embed=4,
                                                           steps=10)


def _text_cfg():
    from memviz.text import corpus

    body = corpus.from_bytes(text_file(), "notes.txt").text
    return text_train.run, TextConfig(source="text", text=body, text_name="notes.txt",
                                      hidden=8, seq_len=8, steps=10, batch=4)


CASES = {"series": _series_cfg, "sentences": _sentences_cfg, "text": _text_cfg}


def _losses(result) -> list[float]:
    """Every training loss in a result (both cells' for Sentences)."""
    if isinstance(result, dict):
        return [x for arch in sorted(result) for x in result[arch].history.losses]
    return list(result.history.losses)


@pytest.fixture(scope="module")
def pools():
    """One worker of each kind: processes as `streamlit run app.py` trains, threads as the
    tests used to."""
    return {"process": workers.Pool(1, "process"), "thread": workers.Pool(1, "thread")}


def _train(pool: workers.Pool, fn, cfg) -> tuple[jobs.Board, jobs.Job]:
    board = jobs.Board(runs.RunStore(), pool)
    job = board.submit(runs.kind_of(fn), cfg, fn)
    assert board.wait(job, 180), "the run did not finish in 180 s"
    return board, job


@pytest.mark.parametrize("lesson", CASES)
def test_an_upload_trains_on_the_process_pool_and_seeds_agree_with_threads(pools, lesson):
    """The class's path: a worker process trains what the server was given (it used to say
    "that uploaded file is no longer in memory"); the same config gives the same losses on a
    worker process and on a thread, so the tests' threads stand for the class's processes."""
    fn, cfg = CASES[lesson]()
    losses = {}
    for kind in ("process", "thread"):
        board, job = _train(pools[kind], fn, cfg)
        assert job.state == "done", (kind, job.status, str(job.error))
        result = board.store.get(runs.kind_of(fn), cfg)
        losses[kind] = _losses(result)
    assert len(losses["process"]) >= 2 and all(x == x for x in losses["process"])
    assert losses["process"] == losses["thread"]


@pytest.mark.parametrize("fn, cfg, key", [
    (series.train, forecast.ForecastConfig(data="upload:0123456789abcdef", target="value"),
     "series.err.upload_gone"),
    (sentiment.train_both, sentiment.SentimentConfig(data="upload:0123456789abcdef"),
     "sentences.err.upload_gone"),
], ids=["series", "sentences"])
@pytest.mark.parametrize("kind", ["process", "thread"])
def test_a_workers_refusal_reads_in_each_pages_language(pools, fn, cfg, key, kind):
    """A config naming an upload it does not carry (read back from a file) is refused in the
    worker; the message is told in the language of the page that reads it, not in the
    worker's (English), on either pool."""
    board, job = _train(pools[kind], fn, cfg)
    assert job.status == "config"
    with i18n.using("zh"):
        zh = board.snapshot(job).error
    with i18n.using("en"):
        en = board.snapshot(job).error
    assert zh == i18n.t(key, "zh") and en == i18n.t(key, "en") and zh != en


def test_the_bytes_travel_to_a_worker_but_never_into_a_key_json_or_link():
    """An Upload pickles with its bytes (renamed from them on arrival) but its config's hash,
    store key, JSON and repr hold only its name; a name read back from JSON finds the same
    stored run."""
    fn, cfg = _series_cfg()
    raw = cfg.data.raw
    arrived = pickle.loads(pickle.dumps(cfg))
    assert arrived == cfg and arrived.data.raw == raw and arrived.data.option("season") == 7
    # pages and train_both rebuild configs from to_dict() (the Forecasting page's leaky run)
    assert forecast.ForecastConfig(**{**cfg.to_dict(), "scaler": "all"}).data.raw == raw
    text = json.dumps(cfg.to_dict()) + runs.config_json(cfg) + repr(cfg)
    assert "2024-01-01" in raw.decode() and "2024-01-01" not in text and len(text) < 1000
    back = forecast.ForecastConfig(**{**json.loads(json.dumps(cfg.to_dict())), "extra": ()})
    assert type(back.data) is str and back == cfg and hash(back) == hash(cfg)
    assert runs.key_hash(runs.kind_of(fn), back) == runs.key_hash(runs.kind_of(fn), cfg)


def test_one_name_means_one_content_and_one_way_of_reading_it():
    """Another season or date column is another series: it used to share the file's name, so a
    changed season served the run trained with the old one."""
    a, b = (data.load_upload(series_csv(), "value", "day", s).name for s in (0, 7))
    c = data.load_upload(series_csv(), "value", None, 0).name
    assert len({a, b, c}) == 3
    assert Upload(series_csv(), date_column="day", season=0) is a  # one copy of the bytes
    assert sentences.load_csv(sentences_csv()).name != sentences.load_csv(
        sentences_csv() + b"the film was good,1\n").name


@pytest.mark.parametrize("lesson", ["series", "sentences"])
def test_a_run_on_an_upload_survives_a_restart_with_its_file(tmp_path, lesson):
    """The store keeps the uploaded bytes beside the weights: after a restart the run loads (its
    config carrying the file again) even when nothing in the new process holds the upload."""
    import gc

    from memviz import uploads

    fn, cfg = CASES[lesson]()
    kind = runs.kind_of(fn)
    runs.RunStore(disk=runs.DiskStore(tmp_path)).put(kind, cfg, fn(cfg))
    name, raw = str.__str__(cfg.data), cfg.data.raw
    bare = dataclasses.replace(cfg, data=name)  # as read back from a link or config.json
    del cfg
    gc.collect()
    assert name not in uploads._LIVE  # nothing in this process carries the file any more
    again = runs.RunStore(disk=runs.DiskStore(tmp_path)).get(kind, bare)
    assert again is not None
    configs = [r.config for r in again.values()] if lesson == "sentences" else [again.config]
    for c in configs:
        assert isinstance(c.data, uploads.Upload) and c.data.raw == raw and c.data == name
