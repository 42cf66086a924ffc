"""Train a memory network on generated stories through memviz.trainer.fit; score it by task.

The training stories are drawn once from the seeded grammar (n_train per task) and batches are
sampled from them; the test stories come from a different seed. `task="all"` trains one model
on the four tasks mixed (the page's default); one task name trains on that task alone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from memviz import devices, runs
from memviz.config import Training
from memviz.memnet import stories
from memviz.memnet.model import MemN2N, Reading
from memviz.progress import History, OnStep
from memviz.specs import Choice, Flag, Int, check_range
from memviz.trainer import Settings, fit

CHOICES = {"task": ("all", *stories.TASKS), "encoding": ("position", "bow"),
           "tying": ("adjacent", "layerwise")}
LABELS = {"task": "task", "encoding": "sentence encoding", "tying": "weight tying"}
WORDS = 8  # words in the longest sentence or question ("where was the ball before the garden")
TEST_SEED = 1_000_003  # the test stories' seed is the run's seed plus this


@dataclass(frozen=True)
class MemNetConfig(Training):
    """Stories, model and training; same config + seed = same model."""

    STEPS = Int("training steps", 10, 5000)
    BATCH = Int("batch size", 1, 256)

    # memviz.config.Training's fields (first in every config's field order), this lesson's defaults
    steps: int = 1000
    batch: int = 32
    lr: float = 0.005
    task: str = "all"
    hops: int = 3
    dim: int = 32
    encoding: str = "position"
    temporal: bool = True
    tying: str = "adjacent"
    n_train: int = 3000  # training stories per task
    n_test: int = 250  # test stories per task

    def __post_init__(self) -> None:
        super().__post_init__()
        check_range("hops", self.hops, (1, 3))
        check_range("embedding size", self.dim, (4, 64))
        check_range("training stories", self.n_train, (10, 5000))
        check_range("test stories", self.n_test, (10, 5000))
        for name, label in LABELS.items():  # translated one-line refusals (memviz.specs)
            Choice(label, CHOICES[name]).check(getattr(self, name))
        Flag("temporal encoding").check(self.temporal)

    @property
    def tasks(self) -> tuple[str, ...]:
        return stories.TASKS if self.task == "all" else (self.task,)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def estimate(self):
        """Seconds and peak memory of train(self), for memviz.estimate (see _cost)."""
        from memviz.estimate import Estimate

        return Estimate(*_cost(self))


VOCAB = stories.vocabulary()
INDEX = {w: i for i, w in enumerate(VOCAB)}


def encode(batch: list[stories.Story]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Word ids: stories (B, MEMORY, WORDS), questions (B, WORDS), answers (B,)."""
    s = torch.zeros(len(batch), stories.MEMORY, WORDS, dtype=torch.long)
    q = torch.zeros(len(batch), WORDS, dtype=torch.long)
    for b, st in enumerate(batch):
        for i, sent in enumerate(st.sentences[-stories.MEMORY:]):
            s[b, i, :len(sent)] = torch.tensor([INDEX[w] for w in sent])
        q[b, :len(st.question)] = torch.tensor([INDEX[w] for w in st.question])
    return s, q, torch.tensor([INDEX[st.answer] for st in batch])


def build(cfg: MemNetConfig) -> MemN2N:
    """The untrained model of cfg (seeded)."""
    torch.manual_seed(cfg.seed)
    return MemN2N(len(VOCAB), cfg.dim, cfg.hops, cfg.encoding, cfg.temporal, cfg.tying)


def _batches(cfg: MemNetConfig) -> Iterator[tuple[torch.Tensor, ...]]:
    data = encode(stories.generate(cfg.n_train * len(cfg.tasks), cfg.tasks, cfg.seed))
    gen = torch.Generator().manual_seed(cfg.seed)
    while True:
        pick = torch.randint(len(data[2]), (cfg.batch,), generator=gen)
        yield tuple(x[pick] for x in data)


def _loss(model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    s, q, a = batch
    return nn.functional.cross_entropy(model(s, q), a)


@dataclass(frozen=True)
class MemNetRun:
    """A trained memory network and its test accuracy by task. Shared: do not mutate."""

    config: MemNetConfig
    model: MemN2N
    history: History
    accuracy: float
    by_task: dict[str, float]

    def reading(self, story: stories.Story) -> Reading:
        """One story through the model, every hop's numbers kept (batch of one)."""
        s, q, _ = encode([story])
        with torch.no_grad():
            return self.model.read(s, q)

    def answer(self, story: stories.Story) -> str:
        return VOCAB[int(self.reading(story).logits[0].argmax())]


@functools.lru_cache(maxsize=8)  # the page asks on every rerun; a config is hashable
def test_stories(cfg: MemNetConfig) -> tuple[stories.Story, ...]:
    """The held-out stories: n_test per task, from their own seed."""
    return tuple(stories.generate(cfg.n_test * len(cfg.tasks), cfg.tasks, cfg.seed + TEST_SEED))


def score(model: MemN2N, cfg: MemNetConfig) -> dict[str, float]:
    """Accuracy on the held-out stories of each task."""
    test = test_stories(cfg)
    s, q, a = encode(test)
    with torch.no_grad():
        right = (model(s, q).argmax(-1) == a).numpy()
    tasks = np.array([st.task for st in test])
    return {task: float(right[tasks == task].mean()) for task in cfg.tasks}


@runs.trains(1)
def train(cfg: MemNetConfig, on_step: OnStep | None = None) -> MemNetRun:
    """Train on fresh stories every step (CPU), then score on the held-out ones."""
    devices.use_cpu_threads()
    with torch.random.fork_rng(devices=[]):
        model = build(cfg)
        history = fit(model, _batches(cfg), _loss, Settings(cfg.steps, cfg.lr, clip=40.0),
                      on_step=on_step)
    by_task = score(model, cfg)
    history.eval_accuracy = float(np.mean(list(by_task.values())))
    return MemNetRun(cfg, model, history, history.eval_accuracy, by_task)


def _cost(cfg: MemNetConfig) -> tuple[float, float]:
    """(seconds, peak megabytes), on memviz.estimate's footing (one torch thread, both workers
    busy, x1.5: a guide that errs long). The default run (1,000 steps, 3 hops) trained in 5.8 s
    and finished in 9.3 s on the quiet 2-core machine (`python -m memviz memnet`); op overhead,
    not the arithmetic, dominates at this size, so hops barely matter: a fixed part per step, a
    small part per hop and size, and the time to write the stories."""
    per_step = 0.008 + 0.0012 * cfg.hops * (cfg.batch / 32) * (cfg.dim / 32)
    stories_s = 2.5 * cfg.n_train * len(cfg.tasks) / 12_000
    return cfg.steps * per_step + stories_s, 300.0 + 0.05 * cfg.batch * cfg.dim
