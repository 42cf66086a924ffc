"""Labels off the data and upright (issue 28 §4): the horizon chart's chance label in the
right margin, the CNN field's above the plot, where no point can be; the CNN page's digits
upright."""

from __future__ import annotations

import re

from memviz import export, i18n
from memviz.horizon.figures import horizon_chart

WIDTH = 640


def _label_at(svg: str, words: str) -> tuple[str, float, float]:
    """(text-anchor, x, y) of the text mark that reads `words`, in the plot's pixels."""
    m = re.search(r'<text[^>]*text-anchor="(\w+)" transform="translate\(([-\d.]+),([-\d.]+)\)"'
                  rf'[^>]*>{re.escape(words)}</text>', svg)
    assert m, f"no label {words!r}"
    return m.group(1), float(m.group(2)), float(m.group(3))


def test_the_horizon_labels_are_off_the_data():
    # a model at chance at the longest lag and at 100% near the CNN's field: both labels once
    # sat on these points
    rows = [dict(arch=a, task="recall", lag=lag, seed=0, metric="accuracy", value=v,
                 train_seconds=1.0)
            for a in ("lstm", "cnn") for lag, v in ((5, 1.0), (20, 1.0), (50, 0.25))]
    chart = horizon_chart(rows, "recall", [5, 20, 50], 0.25, 29, ["lstm", "cnn"], width=WIDTH)
    svg = export.render(chart, "svg").decode()
    anchor, x, _ = _label_at(svg, i18n.t("horizon.fig.chance", p="25%"))
    assert anchor == "start" and x > WIDTH  # right of the plot area
    _, _, y = _label_at(svg, i18n.t("horizon.fig.field", rf=29))
    assert y < 0  # above the plot area (its top is y = 0)


def test_the_cnn_digit_labels_read_upright():
    import numpy as np

    from memviz.cnn import figures as CF

    spec = CF.probabilities(np.full(10, 0.1), 3).to_dict()
    assert spec["encoding"]["x"]["axis"]["labelAngle"] == 0  # vega's default turns them -90°
