"""Memory horizon: one small model per (architecture, lag); chart how far back each reaches."""

import streamlit as st

from memviz import plotting
from memviz.horizon import model as horizon_model
from memviz.horizon import sweep as hz
from memviz.horizon.figures import arch_name
from memviz.specs import Choice, ConfigError, Int, Many
from memviz.ui import horizon as hz_panels
from memviz.ui import show, urlstate
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

LAG_CHOICES = (2, 3, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500)
TASK_NAMES = {t: plotting.task_label(t, goal=True) for t in hz.TASKS}
D = hz.HorizonConfig()

st.title(t("horizon.title"))
show.prose(t("horizon.intro"))

S = urlstate.Setting
TABLE = urlstate.Table("hz", [
    S("task", Choice(t("horizon.spec.task"), hz.TASKS), hz.TASKS[0]),
    S("archs", Many(t("horizon.spec.archs"), Choice(t("horizon.spec.arch"), hz.ARCHS), 1,
                    len(hz.ARCHS)), list(hz.ARCHS)),
    S("lags", Many(t("horizon.spec.lags"), Choice(t("horizon.spec.lag"), LAG_CHOICES), 1,
                   hz.MAX_LAGS), list(D.lags)),
    S("hidden", Choice(t("horizon.spec.hidden"), (8, 16, 32, 64)), D.hidden),
    S("steps", Int(t("horizon.spec.steps"), 50, 2000, 50), D.steps),
    S("lr", Choice(t("horizon.spec.lr"), (0.001, 0.003, 0.01, 0.03)), D.lr),
    S("seed", Int(t("horizon.spec.seed"), 0, 10_000), D.seed),
    S("kernel", Int(t("horizon.spec.kernel"), 2, 9), D.kernel),
    S("depth", Int(t("horizon.spec.depth"), 1, 6), D.depth),
    S("dilation", Int(t("horizon.spec.dilation"), 1, 4), D.dilation),
])
TABLE.start()
# folded away on a projector, like every page's settings
c1, c2 = st.expander(t("horizon.widget.settings"), expanded=not show.lecturer()).columns(2)
task = TABLE.choice(c1, t("horizon.widget.task"), "task", "radio", format_func=TASK_NAMES.get)
archs = TABLE.choice(c1, t("horizon.widget.archs"), "archs", "multiselect",
                     format_func=arch_name, placeholder=t("common.choose_options"))
lags = TABLE.choice(c2, t("horizon.widget.lags"), "lags", "multiselect",
                    placeholder=t("common.choose_options"))
# a popover, not an expander: this already sits in the Settings expander
with c2.popover(t("horizon.widget.more"), icon=":material/tune:"):
    e1, e2 = st.columns(2)
    hidden = TABLE.slider(e1, t("horizon.widget.hidden"), "hidden")
    steps = TABLE.slider(e1, t("horizon.widget.steps"), "steps")
    lr = TABLE.slider(e1, t("horizon.widget.lr"), "lr")
    seed = TABLE.number(e1, t("horizon.widget.seed"), "seed")
    kernel = TABLE.slider(e2, t("horizon.widget.kernel"), "kernel")
    depth = TABLE.slider(e2, t("horizon.widget.depth"), "depth")
    dilation = TABLE.slider(e2, t("horizon.widget.dilation"), "dilation",
                            help=t("horizon.widget.dilation_help"))
TABLE.save()

# the choices a student most often gets wrong, said in words; the config checks everything
if not archs or not lags or dilation > kernel:
    st.warning(t("horizon.pick_archs") if not archs else t("horizon.pick_lags") if not lags
               else t("horizon.dilation_too_big", dilation=dilation, kernel=kernel))
    st.stop()
try:
    cfg = hz.HorizonConfig(task=task, lags=tuple(sorted(lags)), archs=tuple(archs),
                           hidden=hidden, steps=steps, lr=lr, seed=int(seed), kernel=kernel,
                           depth=depth, dilation=dilation)
except ConfigError as e:
    st.warning(t("horizon.choose_again", error=e))
    st.stop()
show.note_config(cfg)

rf = cfg.receptive_field
dil = sum(horizon_model.dilations(depth, dilation))
show.caption(t("horizon.field_caption", k1=kernel - 1, dil=dil, rf=rf))

hz_panels.sweep_panel(cfg)

show.prose(t("horizon.tuned", patience=hz.SOLVED_PATIENCE))
