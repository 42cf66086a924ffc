"""Frozen run configurations: what to learn, which model, how to train it.

Every cache in the app is keyed on these, so they are immutable, hashable and validated on
construction: a bad value raises ConfigError with a sentence a student can act on.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

ARCHS = ("rnn", "lstm", "gru")
INITS = ("chrono", "torch")
TASKS = ("recall", "adding", "sine", "brackets")

class ConfigError(ValueError):
    """A setting is of the wrong kind, out of its allowed range, unknown or unreadable."""


# ---------------------------------------------------------------- the one validator
# Every setting, from a widget, a link, a config.json or the command line, goes through one of
# these specs: exact types (True is not 1, 20.5 and "20" are not whole numbers), bounds,
# choices, no duplicates. parse() reads the same setting from text (a URL's query string).


def _shown(value: Any) -> str:
    """A value as a student would recognise it in an error message."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "nothing (null)"}[value]
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, dict | list | tuple):
        return f"a {'list' if not isinstance(value, dict) else 'group of settings'}"
    return repr(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Int:
    """A whole number lo..hi (on a grid of `step` from lo, if step > 1)."""

    label: str
    lo: int
    hi: int
    step: int = 1

    def check(self, value: Any) -> int:
        """value itself, or ConfigError saying what was expected."""
        if not _is_int(value):
            hint = f" (write {value} without quotes)" if isinstance(value, str) and \
                value.strip().lstrip("+-").isdigit() else ""
            raise ConfigError(f"{self.label} must be a whole number, got {_shown(value)}{hint}")
        if not self.lo <= value <= self.hi:
            raise ConfigError(f"{self.label} must be between {self.lo} and {self.hi}, "
                              f"got {value}")
        if (value - self.lo) % self.step:
            raise ConfigError(f"{self.label} must be {self.lo} plus a multiple of {self.step}, "
                              f"got {value}")
        return value

    def parse(self, text: str) -> int:
        """The setting from a link's text."""
        t = text.strip()
        if not re.fullmatch(r"[+-]?\d{1,12}", t):
            raise ConfigError(f"{self.label} must be a whole number, got {_shown(text)}")
        return self.check(int(t))


@dataclass(frozen=True)
class Float:
    """A finite number lo..hi (whole numbers allowed; true/false and text are not)."""

    label: str
    lo: float
    hi: float

    def check(self, value: Any) -> float:
        """value itself, or ConfigError saying what was expected."""
        if not (_is_int(value) or isinstance(value, float)) or not math.isfinite(value):
            raise ConfigError(f"{self.label} must be a number, got {_shown(value)}")
        if not self.lo <= value <= self.hi:
            raise ConfigError(f"{self.label} must be between {self.lo:g} and {self.hi:g}, "
                              f"got {value:g}")
        return value

    def parse(self, text: str) -> float:
        """The setting from a link's text."""
        try:
            return self.check(float(text))
        except ValueError:
            raise ConfigError(f"{self.label} must be a number, got {_shown(text)}") from None


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of values (names, or numbers such as the learning-rate menu)."""

    label: str
    choices: tuple

    def check(self, value: Any) -> Any:
        """value itself, or ConfigError listing the choices."""
        same_kind = type(value) is type(self.choices[0]) or (
            isinstance(self.choices[0], float) and _is_int(value))
        if not same_kind or value not in self.choices:
            raise ConfigError(f"{self.label} must be one of "
                              f"{', '.join(map(str, self.choices))}; got {_shown(value)}")
        return value

    def parse(self, text: str) -> Any:
        """The setting from a link's text."""
        kind = type(self.choices[0])
        try:
            value = kind(text.strip()) if kind is not str else text.strip().lower()
        except ValueError:
            value = text
        return self.check(value)


@dataclass(frozen=True)
class Flag:
    """On or off: true/false (in a link also 1/0, yes/no)."""

    label: str

    def check(self, value: Any) -> bool:
        """value itself, or ConfigError."""
        if not isinstance(value, bool):
            raise ConfigError(f"{self.label} must be true or false, got {_shown(value)}")
        return value

    def parse(self, text: str) -> bool:
        """The setting from a link's text."""
        words = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
        if text.strip().lower() not in words:
            raise ConfigError(f"{self.label} must be true or false, got {_shown(text)}")
        return words[text.strip().lower()]


@dataclass(frozen=True)
class Many:
    """A list of distinct items, each checked by `item`, between lo and hi of them."""

    label: str
    item: Int | Choice
    lo: int = 1
    hi: int = 12

    def check(self, value: Any) -> tuple:
        """The items as a tuple, or ConfigError (wrong kind, too few or many, duplicates)."""
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{self.label} must be a list, got {_shown(value)}")
        if not self.lo <= len(value) <= self.hi:
            raise ConfigError(f"give between {self.lo} and {self.hi} {self.label}, "
                              f"got {len(value)}")
        for v in value:
            self.item.check(v)
        twice = sorted({str(v) for v in value if list(value).count(v) > 1})
        if twice:
            raise ConfigError(f"{self.label}: {', '.join(twice)} listed more than once; "
                              "give each once")
        return tuple(value)

    def parse(self, text: str) -> tuple:
        """The setting from a link's comma-separated text."""
        return self.check([self.item.parse(v) for v in text.split(",") if v.strip()])


Spec = Int | Float | Choice | Flag | Many


def check_range(name: str, value: Any, bounds: tuple[float, float]) -> None:
    """Raise ConfigError unless value is a number of the bounds' kind and lo <= value <= hi."""
    lo, hi = bounds
    (Int(name, lo, hi) if _is_int(lo) and _is_int(hi) else Float(name, lo, hi)).check(value)


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    Choice(name, choices).check(value)


DEVICES = ("auto", "cpu", "cuda", "mps")


def check_device(device: Any) -> str:
    """auto, cpu, or an accelerator this machine really has (never a silent CPU fallback)."""
    Choice("device", DEVICES).check(device)
    if device in ("cuda", "mps"):
        import torch  # only when an accelerator is asked for by name

        have = (torch.cuda.is_available() if device == "cuda"
                else torch.backends.mps.is_available())
        if not have:
            raise ConfigError(f"device {device} was asked for, but this machine has no "
                              f"{device.upper()} device; use auto (the best there is) or cpu")
    return device


# ---------------------------------------------------------------- reading config files

MAX_CONFIG_BYTES = 1 << 20  # a config.json is about 1 KB; anything this big is not one
MAX_DEPTH = 16  # a config nests three levels; deep nesting would exhaust the parser's stack


def _depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON text, not counting brackets inside strings."""
    depth = deepest = 0
    in_str = escaped = False
    for ch in text:
        if in_str:
            escaped, in_str = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def load_json(data: bytes, what: str = "config") -> Any:
    """Parse a config file's bytes: size, UTF-8, nesting depth and syntax checked first."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{what} is {len(data):,} bytes; a config is at most "
                          f"{MAX_CONFIG_BYTES:,}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{what} is not UTF-8 text (byte {e.start} cannot be read)") from None
    if _depth(text) > MAX_DEPTH:
        raise ConfigError(f"{what} nests more than {MAX_DEPTH} levels deep; a config nests 3")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise ConfigError(f"{what} is not valid JSON: {str(e)[:120]}") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a config can hold")


def check_keys(where: str, d: Any, known: tuple[str, ...]) -> dict:
    """d as a dict whose keys are all in `known`, or ConfigError naming the stray one."""
    if not isinstance(d, dict):
        raise ConfigError(f"{where} must be a group of settings {{...}}, got {_shown(d)}")
    unknown = [k for k in d if k not in known]
    if unknown:
        raise ConfigError(f"{where} has an unknown setting {str(unknown[0])[:40]!r}; "
                          f"known: {', '.join(known)}")
    return d


# Slider bounds live here so the pages, the command line and the validation agree.
SEQ_LEN_RANGE = (1, 500)
HIDDEN_RANGE = (1, 256)
STEPS_RANGE = (1, 5000)
BATCH_RANGE = (1, 1024)
LR_RANGE = (1e-5, 1.0)
SEED_RANGE = (0, 2**31 - 1)
SYMBOLS_RANGE = (2, 16)
MIN_SEQ_LEN = {"recall": 1, "adding": 2, "sine": 2, "brackets": 1}

SEQ_LEN = Int("sequence length", *SEQ_LEN_RANGE)
HIDDEN = Int("hidden size", *HIDDEN_RANGE)
STEPS = Int("training steps", *STEPS_RANGE)
BATCH = Int("batch size", *BATCH_RANGE)
LR = Float("learning rate", *LR_RANGE)
SEED = Int("seed", *SEED_RANGE)
SYMBOLS = Int("number of symbols", *SYMBOLS_RANGE)
CLIP = Float("gradient clip", 1e-6, 1e12)  # positive; 1e9 switches clipping off in tests


@dataclass(frozen=True)
class TaskConfig:
    """Which task and how long its sequences are.

    seq_len is the T of the equations and of every Trace, and the lag of the memory-horizon
    sweep: for delayed recall it is the delay the memory must bridge.
    """

    name: str = "recall"
    seq_len: int = 20
    n_symbols: int = 4  # K, the alphabet of the recall task

    def __post_init__(self) -> None:
        _check_choice("task", self.name, TASKS)
        SEQ_LEN.check(self.seq_len)
        if self.seq_len < MIN_SEQ_LEN[self.name]:
            raise ConfigError(
                f"the {self.name} task needs a sequence length of at least "
                f"{MIN_SEQ_LEN[self.name]}, got {self.seq_len}"
            )
        SYMBOLS.check(self.n_symbols)


@dataclass(frozen=True)
class ModelConfig:
    """Which recurrent cell and how many hidden units."""

    arch: str = "lstm"
    hidden: int = 32
    init: str = "chrono"  # gate-bias initialisation: chrono (time constants up to T) or torch

    def __post_init__(self) -> None:
        _check_choice("architecture", self.arch, ARCHS)
        _check_choice("initialisation", self.init, INITS)
        HIDDEN.check(self.hidden)


@dataclass(frozen=True)
class TrainConfig:
    """Optimiser settings; the seed fixes weights, data and the example sequence."""

    steps: int = 300
    lr: float = 0.01
    batch: int = 64
    seed: int = 0
    clip: float = 1.0  # max gradient norm; recurrent nets spike without it
    device: str = "auto"  # auto | cpu | cuda | mps

    def __post_init__(self) -> None:
        STEPS.check(self.steps)
        LR.check(self.lr)
        BATCH.check(self.batch)
        SEED.check(self.seed)
        CLIP.check(self.clip)
        check_device(self.device)


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a trained model: same RunConfig, same model and trace."""

    task: TaskConfig = field(default_factory=TaskConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict, JSON-ready."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Any) -> RunConfig:
        """Inverse of to_dict, strictly: unknown keys, wrong kinds and bad values raise
        ConfigError rather than vanish or turn into something else. Besides task, model and
        train, a config.json may carry what the app and `train` write next to them."""
        check_keys("the config", d, ("task", "model", "train", *EXTRA_KEYS))
        parts = {}
        for name, part in (("task", TaskConfig), ("model", ModelConfig), ("train", TrainConfig)):
            fields = tuple(f.name for f in dataclasses.fields(part))
            parts[name] = part(**check_keys(name, d.get(name, {}), fields))
        return cls(**parts)

    def replace(self, **parts: Any) -> RunConfig:
        """A copy with task=/model=/train= fields changed, e.g. replace(model={'arch': 'gru'})."""
        new = {}
        for name in ("task", "model", "train"):
            part = getattr(self, name)
            new[name] = dataclasses.replace(part, **parts[name]) if name in parts else part
        return RunConfig(**new)


DEFAULT = RunConfig()

EXTRA_KEYS = ("view", "device", "device_label")


def check_view(view: Any, cfg: RunConfig) -> tuple[int, int]:
    """The step t (1..T) and unit (0..H-1) a config.json's "view" asks for; default the last
    step and unit 0."""
    check_keys("view", view, ("t", "unit"))
    t = Int("view.t (the time step)", 1, cfg.task.seq_len).check(view.get("t", cfg.task.seq_len))
    unit = Int("view.unit", 0, cfg.model.hidden - 1).check(view.get("unit", 0))
    return t, unit
