"""The one validator (memviz.specs): every config, wherever it comes from, table-driven."""

from __future__ import annotations

import json

import pytest
import torch

from memviz import config as C
from memviz import specs as S
from memviz.cnn.model import CNNConfig
from memviz.horizon.sweep import HorizonConfig
from memviz.synapses.model import SynapseConfig

D = C.DEFAULT.to_dict()


def _from(part: str, **changes):
    """RunConfig.from_dict of the defaults with one part's settings changed, as a config.json."""
    d = json.loads(json.dumps(D))
    d[part].update(changes)
    return lambda: C.RunConfig.from_dict(d)


CASES = {
    # exact types: true is not 1, 20.5 and "20" are not whole numbers
    "seq_len 20.5": (_from("task", seq_len=20.5), "length must be a whole number, got 20.5"),
    "seq_len '20'": (_from("task", seq_len="20"), "got the text '20' (write 20 without quotes)"),
    "seq_len true": (_from("task", seq_len=True), "must be a whole number, got true"),
    "seq_len null": (_from("task", seq_len=None), "got nothing (null)"),
    "seq_len list": (_from("task", seq_len=[20]), "got a list"),
    "hidden 3.5": (_from("model", hidden=3.5), "hidden size must be a whole number, got 3.5"),
    "hidden true": (_from("model", hidden=True), "hidden size must be a whole number, got true"),
    "steps 20.7": (_from("train", steps=20.7), "training steps must be a whole number"),
    "seed 1.5": (_from("train", seed=1.5), "seed must be a whole number, got 1.5"),
    "lr text": (_from("train", lr="0.01"), "learning rate must be a number, got the text"),
    "lr true": (_from("train", lr=True), "learning rate must be a number, got true"),
    "lr nan": (lambda: C.TrainConfig(lr=float("nan")), "learning rate must be a number"),
    "lr inf": (lambda: C.TrainConfig(lr=float("inf")), "learning rate must be a number"),
    # ranges
    "seq_len 0": (_from("task", seq_len=0), "sequence length must be between 1 and 500, got 0"),
    "seq_len 501": (_from("task", seq_len=501), "between 1 and 500, got 501"),
    "sine T=1": (_from("task", name="sine", seq_len=1), "needs a sequence length of at least 2"),
    "symbols 1": (_from("task", n_symbols=1), "number of symbols must be between 2 and 16"),
    "hidden 0": (_from("model", hidden=0), "hidden size must be between 1 and 256"),
    "hidden 257": (_from("model", hidden=257), "hidden size must be between 1 and 256"),
    "steps 0": (_from("train", steps=0), "training steps must be between 1 and 5000"),
    "lr 2": (_from("train", lr=2.0), "learning rate must be between 1e-05 and 1"),
    "batch 0": (_from("train", batch=0), "batch size must be between 1 and 1024"),
    "seed -1": (_from("train", seed=-1), "seed must be between 0 and 2147483647"),
    "clip 0": (_from("train", clip=0), "gradient clip must be between"),
    # choices
    "task copy": (_from("task", name="copy"), "task must be one of recall, adding"),
    "task 1": (_from("task", name=1), "task must be one of"),
    "arch cnn": (_from("model", arch="cnn"), "architecture must be one of rnn, lstm, gru"),
    "arch LSTM": (_from("model", arch="LSTM"), "architecture must be one of"),
    "init zeros": (_from("model", init="zeros"), "initialisation must be one of chrono, torch"),
    "device tpu": (_from("train", device="tpu"), "device must be one of auto, cpu, cuda, mps"),
    # structure of a config.json
    "config list": (lambda: C.RunConfig.from_dict([]), "the config must be a group of settings"),
    "task 5": (lambda: C.RunConfig.from_dict({"task": 5}), "task must be a group of settings"),
    "unknown key": (lambda: C.RunConfig.from_dict({"model": {"layers": 3}}),
                    "model has an unknown setting 'layers'"),
    "unknown top": (lambda: C.RunConfig.from_dict({"extra": 1}), "unknown setting 'extra'"),
    # bytes: encoding, size, nesting, syntax
    "not utf-8": (lambda: S.load_json(b'{"task": "\xff\xfe"}'), "is not UTF-8 text"),
    "100,000 deep": (lambda: S.load_json(b"[" * 100_000 + b"]" * 100_000), "nests more than 16"),
    "deep objects": (lambda: S.load_json(b'{"a":' * 100_000), "nests more than 16"),
    "too big": (lambda: S.load_json(b" " * (S.MAX_CONFIG_BYTES + 1)), "a config is at most"),
    "bad json": (lambda: S.load_json(b"{"), "is not valid JSON"),
    "NaN": (lambda: S.load_json(b'{"lr": NaN}'), "is not valid JSON"),
    # the view of an exported figure
    "view abc": (lambda: C.check_view("abc", C.DEFAULT), "view must be a group of settings"),
    "view.t abc": (lambda: C.check_view({"t": "abc"}, C.DEFAULT), "view.t (the time step) must"),
    "view.t null": (lambda: C.check_view({"t": None}, C.DEFAULT), "got nothing (null)"),
    "view.t 0": (lambda: C.check_view({"t": 0}, C.DEFAULT), "between 1 and 20, got 0"),
    "view.unit 32": (lambda: C.check_view({"unit": 32}, C.DEFAULT), "between 0 and 31"),
    "view.x": (lambda: C.check_view({"x": 1}, C.DEFAULT), "view has an unknown setting 'x'"),
    # horizon: duplicates, sizes, kinds
    "archs twice": (lambda: HorizonConfig(archs=("lstm", "lstm")),
                    "architectures: lstm listed more than once"),
    "lags twice": (lambda: HorizonConfig(lags=(5, 5)), "lags: 5 listed more than once"),
    "no lags": (lambda: HorizonConfig(lags=()), "give between 1 and 12 lags, got 0"),
    "13 lags": (lambda: HorizonConfig(lags=tuple(range(2, 15))), "give between 1 and 12 lags"),
    "lag 5.5": (lambda: HorizonConfig(lags=(5.5,)), "lag must be a whole number, got 5.5"),
    "lag 1": (lambda: HorizonConfig(lags=(1,)), "lag must be between 2 and 500"),
    "arch mlp": (lambda: HorizonConfig(archs=("mlp",)), "architecture must be one of rnn"),
    "archs text": (lambda: HorizonConfig(archs="lstm"), "architectures must be a list"),
    "dilation 6": (lambda: HorizonConfig(kernel=5, dilation=6), "CNN dilation must be between"),
    "hz hidden true": (lambda: HorizonConfig(hidden=True), "hidden size must be a whole number"),
    # synapses and CNN go through the same specs
    "syn n true": (lambda: SynapseConfig(n=True), "number of neurons must be a whole number"),
    "syn n 9": (lambda: SynapseConfig(n=9), "number of neurons must be between 2 and 8"),
    "syn alpha text": (lambda: SynapseConfig(alpha="0.1"), "learning rate must be a number"),
    "syn f relu": (lambda: SynapseConfig(f="relu"), "activation must be one of identity"),
    "syn decay 1": (lambda: SynapseConfig(decay=1.0), "trace decay must be between 0 and 0.99"),
    "cnn kernel 4": (lambda: CNNConfig(kernel=4), "kernel size must be one of 3, 5"),
    "cnn pool yes": (lambda: CNNConfig(pool="yes"), "max-pool must be true or false"),
    "cnn channels 2.0": (lambda: CNNConfig(channels1=2.0), "channels of layer 1 must be a whole"),
    "cnn device tpu": (lambda: CNNConfig(device="tpu"), "device must be one of"),
    # a link's text (the URL tables parse with the same specs)
    "url int 20.5": (lambda: C.SEQ_LEN.parse("20.5"), "must be a whole number, got the text"),
    "url int 1e3": (lambda: C.SEQ_LEN.parse("1e3"), "must be a whole number"),
    "url int huge": (lambda: C.SEQ_LEN.parse("9" * 5000), "must be a whole number"),
    "url float abc": (lambda: C.LR.parse("abc"), "learning rate must be a number"),
    "url float nan": (lambda: C.LR.parse("nan"), "learning rate must be a number"),
    "url flag": (lambda: S.Flag("max-pool").parse("maybe"), "max-pool must be true or false"),
    "url choice": (lambda: S.Choice("learning rate", (0.01, 0.1)).parse("0.5"),
                   "learning rate must be one of 0.01, 0.1; got 0.5"),
    "url many twice": (lambda: S.Many("archs", S.Choice("arch", ("rnn", "lstm"))).parse(
        "lstm,lstm"), "archs: lstm listed more than once"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_config_raises_config_error_saying_what_was_expected(name):
    make, fragment = CASES[name]
    with pytest.raises(C.ConfigError) as e:
        make()
    assert fragment in str(e.value)
    assert "\n" not in str(e.value)


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("make", [
    lambda: C.TrainConfig(device="cuda"),
    lambda: CNNConfig(device="cuda"),
    lambda: C.RunConfig.from_dict({"train": {"device": "cuda"}}),
])
def test_cuda_without_cuda_is_refused_not_silently_cpu(make, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(C.ConfigError, match="no CUDA device; use auto"):
        make()


def test_good_values_pass_unchanged():
    assert C.RunConfig.from_dict(D) == C.DEFAULT
    assert C.TrainConfig(lr=1).lr == 1  # a whole number is a number
    assert S.load_json(b'\xef\xbb\xbf{"a": "[[{"}') == {"a": "[[{"}  # BOM; brackets in strings
    assert C.check_view({"t": 3, "unit": 2}, C.DEFAULT) == (3, 2)
    assert C.check_view({}, C.DEFAULT) == (20, 0)
    assert S.Many("lags", S.Int("lag", 2, 500)).parse("5, 10") == (5, 10)
    assert S.Choice("lr", (0.01, 0.1)).parse("0.1") == 0.1
    assert S.Int("seed", 0, 9).parse(" 7 ") == 7


def _dataclasses_of_memviz() -> list[type]:
    """Every dataclass defined in memviz's core (the UI and the notebook widget aside)."""
    import dataclasses
    import importlib
    import pkgutil

    import memviz

    found = []
    for m in pkgutil.walk_packages(memviz.__path__, "memviz."):
        if m.name.startswith(("memviz.ui", "memviz.notebook")) or m.name == "memviz.__main__":
            continue
        for obj in vars(importlib.import_module(m.name)).values():
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) \
                    and obj.__module__ == m.name:
                found.append(obj)
    return found


def test_every_config_with_training_settings_inherits_them():
    """steps, lr, batch and seed mean one thing and are checked in one place
    (memviz.config.Training); horizon's Pair is the cache key of one run, copied from a
    HorizonConfig that was checked."""
    import dataclasses

    from memviz.horizon.sweep import Pair

    four = {"steps", "lr", "batch", "seed"}
    configs = [c for c in _dataclasses_of_memviz()
               if four <= {f.name for f in dataclasses.fields(c)} and c is not Pair]
    assert len(configs) >= 10, configs  # recurrent, text, transformer, attention x2, ...
    assert [c.__name__ for c in configs if not issubclass(c, C.Training)] == []
    # and their bounds say what a bad value is, in one sentence
    with pytest.raises(C.ConfigError, match="training steps must be between 10 and 5000"):
        next(c for c in configs if c.__name__ == "MemNetConfig")(steps=5)
