"""memviz: how neural networks remember, stepped through gate by gate.

`memviz.step(module, x)` shows the browser stepper in a Jupyter notebook (memviz.notebook, the
optional install in requirements-notebook.txt). Imported on first use, so `import memviz` stays
light: no torch, no anywidget, no streamlit.
"""

from __future__ import annotations

from typing import Any

__all__ = ["step"]


def __getattr__(name: str) -> Any:
    if name == "step":
        from memviz.notebook import step

        return step
    raise AttributeError(f"module 'memviz' has no attribute {name!r}")
