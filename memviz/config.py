"""Frozen run configurations: what to learn, which model, how to train it.

Every cache in the app is keyed on these, so they are immutable, hashable and validated on
construction: a bad value raises ConfigError with a sentence a student can act on. The checks
themselves (Int, Float, Choice, Flag, Many, load_json) live in memviz.specs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from memviz.i18n import Message
from memviz.specs import Choice, Float, Int, check_keys
from memviz.specs import ConfigError as ConfigError  # re-exported: raised and caught everywhere
from memviz.specs import check_range as check_range  # re-exported: every lesson's bounds check

# message keys written out, so that grep and the catalogue test see each one
TASK_KEYS = {"recall": "config.task.recall", "adding": "config.task.adding",
    "sine": "config.task.sine", "brackets": "config.task.brackets"}
PART_KEYS = {"task": "config.part.task", "model": "config.part.model",
    "train": "config.part.train", "view": "config.part.view"}

ARCHS = ("rnn", "lstm", "gru")
INITS = ("chrono", "torch")
TASKS = ("recall", "adding", "sine", "brackets")


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
            raise ConfigError(Message("config.no_device", device=device, kind=device.upper()))
    return device


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
            task = Message(TASK_KEYS[self.name])
            raise ConfigError(Message("config.min_seq_len", task=task,
                                      least=MIN_SEQ_LEN[self.name], got=self.seq_len))
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
class Training:
    """What every lesson's config says about optimising: Adam for `steps` steps of `batch`
    examples at rate `lr`; the seed fixes weights, data and examples. A lesson's config inherits
    these four and their checks, and redeclares a field only to change its default (or sets the
    class's STEPS/LR/BATCH/SEED to change a bound), so one place says what they mean."""

    STEPS: ClassVar[Int | Float] = STEPS
    LR: ClassVar[Int | Float] = LR
    BATCH: ClassVar[Int | Float] = BATCH
    SEED: ClassVar[Int | Float] = SEED

    steps: int = 300
    lr: float = 0.01
    batch: int = 64
    seed: int = 0

    def __post_init__(self) -> None:
        self.STEPS.check(self.steps)
        self.LR.check(self.lr)
        self.BATCH.check(self.batch)
        self.SEED.check(self.seed)


@dataclass(frozen=True)
class TrainConfig(Training):
    """The recurrent lesson's optimiser settings (memviz.config.Training), with the clip and
    the device."""

    clip: float = 1.0  # max gradient norm; recurrent nets spike without it
    device: str = "auto"  # auto | cpu | cuda | mps

    def __post_init__(self) -> None:
        super().__post_init__()
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
            parts[name] = part(**check_keys(PART_KEYS[name], d.get(name, {}), fields))
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
    check_keys("config.part.view", view, ("t", "unit"))
    t = Int("view.t (the time step)", 1, cfg.task.seq_len).check(view.get("t", cfg.task.seq_len))
    unit = Int("view.unit", 0, cfg.model.hidden - 1).check(view.get("unit", 0))
    return t, unit
