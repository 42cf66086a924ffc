"""CNN lesson (document 000): kernels as short-term memory, a CNN trained live on 8x8 digits."""

import re
from pathlib import Path

import streamlit as st

from memviz.cnn import figures as CF
from memviz.cnn import model as cnn
from memviz.specs import Choice, ConfigError, Flag, Int
from memviz.ui import cnn as panels
from memviz.ui import show, training, urlstate
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "cnn"
S = urlstate.Setting
TABLE = urlstate.Table(PAGE, [
    S("c1", Choice("layer 1 kernels", (2, 4, 8, 16)), 8),
    S("c2", Choice("layer 2 kernels", (4, 8, 16, 32)), 16),
    S("kernel", Choice("kernel size", cnn.KERNELS), cnn.KERNELS[0]),
    S("steps", Int("training steps", 10, 1000, 10), 300),
    S("lr", Choice("learning rate", (0.001, 0.003, 0.01, 0.03, 0.1)), 0.01),
    S("batch", Choice("batch size", (16, 32, 64, 128, 256)), 64),
    S("seed", Int("seed", 0, 10_000), 0),
    S("pool", Flag("max-pool"), True),
])
TEXT = dict(re.findall(r"<!-- section: (\w+) -->\n(.*?)(?=\n<!-- section|\Z)",
                       (Path(__file__).with_suffix(".md")).read_text(encoding="utf-8"), re.S))

st.title("CNN: kernels as short-term memory")
show.prose(TEXT["intro"])


def settings() -> cnn.CNNConfig | None:
    """The training widgets, as a validated config (None, with a message, if invalid)."""
    TABLE.start()
    c = st.columns(4)
    ch1 = TABLE.slider(c[0], "Layer 1 kernels", "c1")
    ch2 = TABLE.slider(c[1], "Layer 2 kernels", "c2")
    k = TABLE.choice(c[2], "Kernel size", "kernel", "radio", horizontal=True,
                     format_func=lambda v: f"{v}×{v}")
    steps = TABLE.slider(c[3], "Training steps", "steps")
    # a popover, not an expander: this already sits in the Settings expander
    more = st.popover("More settings", icon=":material/tune:")
    lr = TABLE.slider(more, "Learning rate", "lr")
    batch = TABLE.slider(more, "Batch size", "batch")
    seed = TABLE.number(more, "Seed", "seed")
    pool = more.checkbox("2×2 max-pool after each conv", key=TABLE.key("pool"))
    TABLE.save()
    try:
        return cnn.CNNConfig(ch1, ch2, k, pool, steps, batch, lr, int(seed))
    except ConfigError as e:
        st.error(f"These settings cannot be trained: {e}")
        return None


with st.expander("Settings", expanded=not show.lecturer()):  # folded away on a projector
    cfg = settings()
if cfg is not None:
    show.note_config(cfg)
    result = training.trained(PAGE, cfg, cnn.train_cnn, auto=TABLE.from_link())
    if result is not None:
        panels.lesson(result, TEXT)
panels.shapes(TEXT)
st.header("The convolution equation, two ways")
show.prose("Document 000 writes the layer as the first line; PyTorch's `Conv2d`, which "
            "produced every number on this page, computes the second.")
show.latex(r"\text{document 000:}\quad " + CF.DOC000_CONV)
show.latex(r"\text{PyTorch:}\quad " + CF.CANONICAL_CONV)
show.prose(TEXT["eq_notes"])
