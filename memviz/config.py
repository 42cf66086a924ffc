"""Frozen run configurations: what to learn, which model, how to train it.

Every cache in the app is keyed on these, so they are immutable, hashable and validated on
construction: a bad value raises ConfigError with a sentence a student can act on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

ARCHS = ("rnn", "lstm", "gru")
INITS = ("chrono", "torch")
TASKS = ("recall", "adding", "sine", "brackets")

# Slider bounds live here so the pages, the command line and the validation agree.
SEQ_LEN_RANGE = (1, 500)
HIDDEN_RANGE = (1, 256)
STEPS_RANGE = (1, 5000)
BATCH_RANGE = (1, 1024)
LR_RANGE = (1e-5, 1.0)
SEED_RANGE = (0, 2**31 - 1)
SYMBOLS_RANGE = (2, 16)
MIN_SEQ_LEN = {"recall": 1, "adding": 2, "sine": 2, "brackets": 1}


class ConfigError(ValueError):
    """A setting is out of its allowed range or unknown."""


def check_range(name: str, value: float, bounds: tuple[float, float]) -> None:
    """Raise ConfigError unless lo <= value <= hi."""
    lo, hi = bounds
    if not (lo <= value <= hi):
        raise ConfigError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


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
        check_range("sequence length", self.seq_len, SEQ_LEN_RANGE)
        if self.seq_len < MIN_SEQ_LEN[self.name]:
            raise ConfigError(
                f"the {self.name} task needs a sequence length of at least "
                f"{MIN_SEQ_LEN[self.name]}, got {self.seq_len}"
            )
        check_range("number of symbols", self.n_symbols, SYMBOLS_RANGE)


@dataclass(frozen=True)
class ModelConfig:
    """Which recurrent cell and how many hidden units."""

    arch: str = "lstm"
    hidden: int = 32
    init: str = "chrono"  # gate-bias initialisation: chrono (time constants up to T) or torch

    def __post_init__(self) -> None:
        _check_choice("architecture", self.arch, ARCHS)
        _check_choice("initialisation", self.init, INITS)
        check_range("hidden size", self.hidden, HIDDEN_RANGE)


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
        check_range("training steps", self.steps, STEPS_RANGE)
        check_range("learning rate", self.lr, LR_RANGE)
        check_range("batch size", self.batch, BATCH_RANGE)
        check_range("seed", self.seed, SEED_RANGE)
        if not self.clip > 0:
            raise ConfigError(f"gradient clip must be positive, got {self.clip!r}")
        _check_choice("device", self.device, ("auto", "cpu", "cuda", "mps"))


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
    def from_dict(cls, d: dict[str, Any]) -> RunConfig:
        """Inverse of to_dict; unknown keys raise ConfigError rather than vanish silently."""
        try:
            return cls(
                task=TaskConfig(**d.get("task", {})),
                model=ModelConfig(**d.get("model", {})),
                train=TrainConfig(**d.get("train", {})),
            )
        except TypeError as e:  # an unexpected keyword
            raise ConfigError(f"config has an unknown setting: {e}") from None

    def replace(self, **parts: Any) -> RunConfig:
        """A copy with task=/model=/train= fields changed, e.g. replace(model={'arch': 'gru'})."""
        new = {}
        for name in ("task", "model", "train"):
            part = getattr(self, name)
            new[name] = dataclasses.replace(part, **parts[name]) if name in parts else part
        return RunConfig(**new)


DEFAULT = RunConfig()
