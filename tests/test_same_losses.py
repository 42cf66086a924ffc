"""Every lesson trains through memviz.trainer.fit and its losses are the ones its own loop gave
before (issue 26 §1): short default runs against tests/same_losses.json, recorded from the old
loops, compared to the last digit. benchmarks/same_losses.py does the same for the full runs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "same_losses", HERE.parent / "benchmarks" / "same_losses.py")
same_losses = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(same_losses)
WANT = json.loads((HERE / "same_losses.json").read_text())


@pytest.mark.parametrize("lesson", sorted(same_losses.LESSONS))
def test_losses_identical_to_the_old_loop(lesson):
    got = same_losses.measure(lesson, short=True)
    assert same_losses._count(got) == same_losses._count(WANT[lesson])
    assert got == WANT[lesson]  # exact: every float to the last digit
