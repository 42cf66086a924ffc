"""memviz: how neural networks remember, taught step by step (see README.md).

`memviz.trace(module, x)` records any nn.LSTM / nn.GRU / nn.RNN gate by gate (memviz.yours.
tracing.trace); `memviz.step(module, x)` shows the app's stepper in a Jupyter notebook
(memviz.notebook, the optional install in requirements-notebook.txt). Both are imported on
first use, so `import memviz` stays light: no torch, no anywidget, no streamlit.
"""

from __future__ import annotations

from typing import Any

__all__ = ["step", "trace"]


def __getattr__(name: str) -> Any:
    if name == "trace":
        from memviz.yours.tracing import trace

        return trace
    if name == "step":
        from memviz.notebook import step

        return step
    raise AttributeError(f"module 'memviz' has no attribute {name!r}")
