"""Shared fixtures: tiny real models, trained once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from memviz import config as C  # noqa: E402
from memviz import train  # noqa: E402


def tiny_config(arch: str = "lstm", task: str = "recall", seq_len: int = 8, hidden: int = 8,
                steps: int = 40, seed: int = 0) -> C.RunConfig:
    """A config that trains in well under a second."""
    return C.RunConfig(
        task=C.TaskConfig(name=task, seq_len=seq_len),
        model=C.ModelConfig(arch=arch, hidden=hidden),
        train=C.TrainConfig(steps=steps, batch=16, seed=seed, device="cpu"),
    )


@pytest.fixture(scope="session")
def trained_runs():
    """One short-trained model per architecture on delayed recall (trained weights for tests)."""
    return {arch: train.run(tiny_config(arch, steps=60)) for arch in C.ARCHS}
