"""memviz: how neural networks remember, taught step by step (see README.md).

`memviz.trace(module, x)` records any nn.LSTM / nn.GRU / nn.RNN gate by gate (memviz.yours.
tracing.trace). Imported on first use, so `import memviz` stays light (no torch).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "trace":
        from memviz.yours.tracing import trace

        return trace
    raise AttributeError(f"module 'memviz' has no attribute {name!r}")
