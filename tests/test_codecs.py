"""Every kind of result a page trains goes to disk and comes back equal, in a fresh RunStore
(as after a restart); the store key carries the version of what trained it."""

from __future__ import annotations

import dataclasses
import math
from types import MappingProxyType

import numpy as np
import pytest
import torch

from memviz import runs
from memviz.attention import selfattn
from memviz.attention import train as s2s
from memviz.cnn import model as cnn
from memviz.documents import checks
from memviz.gates import gradients
from memviz.horizon import sweep as hz
from memviz.sentences import model as sentiment
from memviz.series import forecast
from memviz.series import model as series
from memviz.text import train as text_train
from memviz.text.model import TextConfig
from tests.conftest import tiny_config

TEXT = "".join(f"line {i}: the cat sat on the mat, {i * 7 % 13} times.\n" for i in range(200))


def same(a, b, where: str = "result") -> None:
    """Fail unless a and b hold the same values: arrays, tensors, weights, numbers, fields."""
    if isinstance(a, torch.nn.Module):
        sa, sb = a.state_dict(), b.state_dict()
        assert list(sa) == list(sb), where
        for k in sa:
            assert torch.equal(sa[k], sb[k]), f"{where}.{k}"
        assert a.training == b.training, where
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict | MappingProxyType):
        assert list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert a == b and type(a) is type(b), f"{where}: {a!r} != {b!r}"


def round_trip(tmp_path, fn, cfg):
    """Train fn(cfg), store it, and read it from a new store on the same folder."""
    kind = runs.kind_of(fn)
    assert runs.codec(kind) is not None, f"{kind} has no disk codec"
    result = fn(cfg)
    runs.RunStore(disk=runs.DiskStore(tmp_path)).put(kind, cfg, result)
    assert len(runs.DiskStore(tmp_path).entries()) == 1
    again = runs.RunStore(disk=runs.DiskStore(tmp_path)).get(kind, cfg)  # after a restart
    assert again is not None and again is not result
    return result, again


CASES = {
    "cnn": (cnn.train_cnn, cnn.CNNConfig(channels1=2, channels2=4, steps=5, device="cpu")),
    "series": (series.train, forecast.ForecastConfig(hidden=4, epochs=1)),
    "sentences": (sentiment.train_both, sentiment.SentimentConfig(
        n_train=60, n_test=60, hidden=4, embed=4, steps=5)),
    "seq2seq": (s2s.train_both, s2s.Seq2SeqConfig(max_len=3, extra=1, hidden=8, emb=4,
                                                  steps=5)),
    "self-attention": (selfattn.train_recall, selfattn.RecallConfig(lag=5, d=8, steps=5)),
    "text": (text_train.run, TextConfig(source="text", text=TEXT, text_name="t.txt",
                                        hidden=8, seq_len=16, steps=5)),
    "horizon pair": (hz.run_pair, hz.HorizonConfig(lags=(5,), archs=("rnn",), hidden=8,
                                                   steps=50).pairs()[0]),
    "gates": (gradients.study, tiny_config(seq_len=6, steps=12)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_round_trip(tmp_path, name):
    fn, cfg = CASES[name]
    result, again = round_trip(tmp_path, fn, cfg)
    same(result, again)


def test_documents_round_trip(tmp_path):
    """The study keeps what it trained; every check computed again on the loaded models
    comes out the same (the CNN trains at the page's size, ~2 s)."""
    result, again = round_trip(tmp_path, checks.prepare,
                               checks.configs(tiny_config(seq_len=6, steps=12)))
    same(result, again)


def test_figures_from_a_stored_result(tmp_path):
    """What a page draws from a stored result is what it drew from the fresh one."""
    from memviz.series import figures

    fn, cfg = CASES["series"]
    result, again = round_trip(tmp_path, fn, cfg)
    assert figures.forecast_vs_truth(again, 1).to_json() == \
        figures.forecast_vs_truth(result, 1).to_json()
    from memviz.gates import figures as gate_figures

    fn, cfg = CASES["gates"]
    result, again = round_trip(tmp_path / "gates", fn, cfg)
    assert gate_figures.reach_during_training(again).to_json() == \
        gate_figures.reach_during_training(result).to_json()


def test_stopped_sweep_keeps_finished_runs(tmp_path):
    """A sweep stopped during its second run keeps the first on disk for the next server."""
    cfg = hz.HorizonConfig(lags=(5,), archs=("rnn", "gru"), hidden=8, steps=50)
    store = runs.RunStore(disk=runs.DiskStore(tmp_path))
    stop = lambda pair, step, total: pair.arch == "gru"  # noqa: E731
    done = list(hz.sweep(cfg, stop, cache=store))
    assert [r.arch for r in done] == ["rnn"]
    fresh = runs.RunStore(disk=runs.DiskStore(tmp_path))
    first, second = cfg.pairs()
    assert fresh.get(hz.KIND, first) == done[0]
    assert fresh.get(hz.KIND, second) is None


def test_a_new_version_misses(tmp_path):
    """Bumping a train function's version changes its kind, so the old result is not served."""
    def make(cfg):
        return np.arange(cfg)

    runs.trains(1)(make)
    old = runs.kind_of(make)
    runs.register_codec(old, lambda r: ({}, {"a": r}), lambda m, a: a["a"])
    runs.RunStore(disk=runs.DiskStore(tmp_path)).put(old, 3, make(3))
    assert runs.RunStore(disk=runs.DiskStore(tmp_path)).get(old, 3) is not None
    runs.trains(2)(make)
    new = runs.kind_of(make)
    runs.register_codec(new, lambda r: ({}, {"a": r}), lambda m, a: a["a"])
    assert new != old
    assert runs.RunStore(disk=runs.DiskStore(tmp_path)).get(new, 3) is None
