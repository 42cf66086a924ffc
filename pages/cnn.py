"""CNN lesson (document 000): kernels as short-term memory, a CNN trained live on 8x8 digits."""

import streamlit as st

from memviz.cnn import figures as CF
from memviz.cnn import model as cnn
from memviz.specs import Choice, ConfigError, Flag, Int
from memviz.ui import cnn as panels
from memviz.ui import show, training, urlstate
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

# message keys written out, so that grep and the catalogue test see each one
PROSE_KEYS = {"intro": "cnn.prose.intro", "kernels": "cnn.prose.kernels", "maps": "cnn.prose.maps",
    "written": "cnn.prose.written", "field": "cnn.prose.field", "shapes": "cnn.prose.shapes",
    "doc000": "cnn.prose.doc000", "doc000_after": "cnn.prose.doc000_after",
    "eq_notes": "cnn.prose.eq_notes", "look": "cnn.prose.look", "two_ways": "cnn.prose.two_ways"}

PAGE = "cnn"
S = urlstate.Setting
TABLE = urlstate.Table(PAGE, [
    S("c1", Choice(t("cnn.spec.c1"), (2, 4, 8, 16)), 8),
    S("c2", Choice(t("cnn.spec.c2"), (4, 8, 16, 32)), 16),
    S("kernel", Choice(t("cnn.spec.kernel"), cnn.KERNELS), cnn.KERNELS[0]),
    S("steps", Int(t("cnn.spec.steps"), 10, 1000, 10), 300),
    S("lr", Choice(t("cnn.spec.lr"), (0.001, 0.003, 0.01, 0.03, 0.1)), 0.01),
    S("batch", Choice(t("cnn.spec.batch"), (16, 32, 64, 128, 256)), 64),
    S("seed", Int(t("cnn.spec.seed"), 0, 10_000), 0),
    S("pool", Flag(t("cnn.spec.pool")), True),
])
# the lesson's prose by section, in the session's language (memviz/locales/cnn.toml)
TEXT = {name: t(key) for name, key in PROSE_KEYS.items()}

st.title(t("cnn.title"))
show.prose(TEXT["intro"])


def settings() -> cnn.CNNConfig | None:
    """The training widgets, as a validated config (None, with a message, if invalid)."""
    TABLE.start()
    c = st.columns(4)
    ch1 = TABLE.slider(c[0], t("cnn.widget.c1"), "c1")
    ch2 = TABLE.slider(c[1], t("cnn.widget.c2"), "c2")
    k = TABLE.choice(c[2], t("cnn.widget.kernel"), "kernel", "radio", horizontal=True,
                     format_func=lambda v: f"{v}×{v}")
    steps = TABLE.slider(c[3], t("cnn.widget.steps"), "steps")
    # a popover, not an expander: this already sits in the Settings expander
    more = st.popover(t("cnn.widget.more"), icon=":material/tune:")
    lr = TABLE.slider(more, t("cnn.widget.lr"), "lr")
    batch = TABLE.slider(more, t("cnn.widget.batch"), "batch")
    seed = TABLE.number(more, t("cnn.widget.seed"), "seed")
    pool = more.checkbox(t("cnn.widget.pool"), key=TABLE.key("pool"))
    TABLE.save()
    try:
        return cnn.CNNConfig(channels1=ch1, channels2=ch2, kernel=k, pool=pool, steps=steps,
                             batch=batch, lr=lr, seed=int(seed))
    except ConfigError as e:
        st.error(t("cnn.bad_settings", error=e))
        return None


# folded away on a projector
with st.expander(t("cnn.widget.settings"), expanded=not show.lecturer()):
    cfg = settings()
if cfg is not None:
    show.note_config(cfg)
    result = training.trained(PAGE, cfg, cnn.train_cnn, auto=TABLE.from_link())
    if result is not None:
        panels.lesson(result, TEXT)
panels.shapes(TEXT)
st.header(t("cnn.head.equation"))
show.prose(t("cnn.prose.two_ways"))
show.latex(rf"\text{{{t('cnn.tex.doc000')}}}\quad " + CF.DOC000_CONV)
show.latex(rf"\text{{{t('cnn.tex.pytorch')}}}\quad " + CF.CANONICAL_CONV)
show.prose(TEXT["eq_notes"])
