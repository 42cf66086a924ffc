"""Synapses lesson (document 003): neurons, plasticity rules, short-term trace vs long-term."""

import pandas as pd
import streamlit as st

from memviz.specs import Choice, ConfigError, Float, Int
from memviz.synapses import figures as SF
from memviz.synapses import model as S
from memviz.ui import show, urlstate
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

# message keys written out, so that grep and the catalogue test see each one
EXAMPLE_COL_KEYS = {"f": "synapses.example.col.f", "identity": "synapses.example.col.identity",
    "sigmoid": "synapses.example.col.sigmoid", "doc": "synapses.example.col.doc",
    "hebb": "synapses.example.col.hebb", "oja": "synapses.example.col.oja"}
WIDGET_KEYS = {"n": "synapses.widget.n", "steps": "synapses.widget.steps",
    "alpha": "synapses.widget.alpha", "alpha_help": "synapses.widget.alpha_help",
    "f": "synapses.widget.f", "w0": "synapses.widget.w0", "decay": "synapses.widget.decay",
    "seed": "synapses.widget.seed", "pattern": "synapses.widget.pattern",
    "onto": "synapses.widget.onto", "from": "synapses.widget.from", "rule": "synapses.widget.rule"}
ACTIVATION_KEYS = {"identity": "synapses.activation.identity",
    "sigmoid": "synapses.activation.sigmoid"}
PATTERN_KEYS = {"repeated": "synapses.pattern.repeated", "once": "synapses.pattern.once",
    "draw": "synapses.pattern.draw"}

st.title(t("synapses.title"))
show.prose(t("synapses.intro"))
show.latex(r"a_i(t) = f\Big(\sum_j w_{ij}\,x_j(t)\Big)")
show.latex(rf"\begin{{aligned}}\text{{{t('synapses.tex.doc')}}}\quad & w_{{ij}}(t+1) = "
           r"w_{ij}(t) + \alpha\,\big(a_i(t) - a_j(t)\big)\\ "
           rf"\text{{{t('synapses.tex.hebb')}}}\quad & \Delta w_{{ij}} = \alpha\,a_i\,a_j\\ "
           rf"\text{{{t('synapses.tex.oja')}}}\quad & \Delta w_{{ij}} = "
           r"\alpha\,a_i\,(x_j - a_i\,w_{ij})\end{aligned}")
show.caption(t("synapses.symbols"))

with st.expander(t("synapses.example.title"), expanded=True):
    ident, sig = S.worked_example("identity"), S.worked_example("sigmoid")
    show.prose(t("synapses.example.setup"))
    for ex, name, k in ((ident, rf"\text{{{t('synapses.tex.identity')}}}", 1),
                        (sig, r"\sigma", 4)):
        show.latex(rf"f = {name}:\; a_i(1) = a_j(1) = f(0.2 \times 1 + 0 \times 0) = "
                   rf"{ex['a_i']:.{k}f},\quad "
                   rf"w_{{ij}}(1) = 0.2 + 0.1\,({ex['a_i']:.3g} - {ex['a_j']:.3g}) = "
                   rf"{ex['w_doc003']:.1f}")
    col = {k: t(EXAMPLE_COL_KEYS[k])
           for k in ("f", "identity", "sigmoid", "doc", "hebb", "oja")}
    st.dataframe(pd.DataFrame(
        {col["f"]: [col["identity"], col["sigmoid"]],
         "a_i = a_j": [round(ident["a_i"], 4), round(sig["a_i"], 4)],
         col["doc"]: [ident["w_doc003"], sig["w_doc003"]],
         col["hebb"]: [round(ident["w_hebb"], 4), round(sig["w_hebb"], 4)],
         col["oja"]: [round(ident["w_oja"], 4), round(sig["w_oja"], 4)]}),
        hide_index=True)
    show.prose(t("synapses.example.after", sig=f"{sig['a_i']:.3f}"))

st.subheader(t("synapses.run"))
PATTERNS = ("repeated", "once", "draw")
TABLE = urlstate.Table("syn", [
    urlstate.Setting("n", S.N, 6),
    urlstate.Setting("steps", Int(t("synapses.spec.steps"), 6, 40), 36),
    urlstate.Setting("alpha", Choice(t("synapses.spec.alpha"), (0.01, 0.02, 0.03, 0.05, 0.1)),
                     0.03),
    urlstate.Setting("f", Choice(t("synapses.spec.f"), tuple(S.ACTIVATIONS)), "identity"),
    urlstate.Setting("w0", Float(t("synapses.spec.w0"), -1.0, 1.0), 0.0),
    urlstate.Setting("decay", Float(t("synapses.spec.decay"), 0.0, 0.95), 0.6),
    urlstate.Setting("seed", Int(t("synapses.spec.seed"), 0, 10_000), 0),
    urlstate.Setting("pattern", Choice(t("synapses.spec.pattern"), PATTERNS), "repeated"),
])
TABLE.start()
label = {k: t(WIDGET_KEYS[k]) for k in
         ("n", "steps", "alpha", "alpha_help", "f", "w0", "decay", "seed", "pattern")}
c1, c2, c3, c4 = st.columns(4)
n = TABLE.slider(c1, label["n"], "n")
steps = TABLE.slider(c2, label["steps"], "steps")
alpha = TABLE.slider(c3, label["alpha"], "alpha", help=label["alpha_help"])
f = TABLE.choice(c4, label["f"], "f", format_func=lambda a: t(ACTIVATION_KEYS[a]))
c5, c6, c7 = st.columns(3)
w0 = TABLE.slider(c5, label["w0"], "w0", step=0.1)
decay = TABLE.slider(c6, label["decay"], "decay", step=0.05)
seed = TABLE.number(c7, label["seed"], "seed")
kind = TABLE.choice(st, label["pattern"], "pattern", "radio", horizontal=True,
                    format_func=lambda p: t(PATTERN_KEYS[p]))
TABLE.save()
try:
    cfg = S.SynapseConfig(n=n, steps=steps, alpha=alpha, f=f, w0=w0, decay=decay, seed=int(seed))
except ConfigError as e:
    st.error(t("synapses.bad_settings", error=e))
    st.stop()
show.note_config({**cfg.__dict__, "pattern": kind})

x = S.pattern("repeated" if kind == "draw" else kind, cfg)
if kind == "draw":
    show.caption(t("synapses.draw_caption"))
    grid = pd.DataFrame(x.T > 0, index=SF.neurons(n),
                        columns=[str(s) for s in range(1, steps + 1)]).astype("boolean")
    edited = st.data_editor(grid, key=f"syn_grid_{n}_{steps}_{seed}", width="stretch")
    x = S.pattern_from_cells(edited.to_numpy(dtype=object))  # an emptied cell is off
sims = S.simulate_all(x, cfg)

show.plotly(SF.pattern_heatmap(x), "syn_pattern_fig", t("synapses.cap.pattern"))
if any(s.clipped for s in sims.values()):
    st.warning(t("synapses.cap.clipped", limit=f"{S.W_LIMIT:g}"))
show.plotly(SF.change_heatmaps(sims), "syn_change", t("synapses.cap.change"))
pair = S.together(sims["doc003"])  # the co-firing claim, read off this run's weights
if pair is not None:
    pi, pj, moved, k = pair
    show.prose(t("synapses.together.moved" if abs(moved) >= 0.005 else "synapses.together.kept",
                 i=pi, j=pj, k=k, d=f"{moved:+.2f}", hebb=f"{sims['hebb'].change[pi, pj]:+.2f}"))

show.prose(t("synapses.which"))
g, sep = S.group(cfg), t("synapses.list_sep")
for r, s in sims.items():
    top = sep.join(f"{j} → {i} (+{d:.2f})" for i, j, d in S.strongest(s) if d > 1e-9)
    show.prose(t("synapses.strongest", rule=SF.rule_label(r), top=top or t("synapses.none")))
show.caption(t("synapses.group", group=sep.join(map(str, g))))

c1, c2, c3 = st.columns(3)
i = c1.selectbox(t("synapses.widget.onto"), range(n), index=int(g[0]), key="syn_i")
j = c2.selectbox(t("synapses.widget.from"), range(n), index=int(g[1]), key="syn_j")
rule = c3.selectbox(t("synapses.widget.rule"), tuple(S.RULES), format_func=SF.short, index=1,
                    key="syn_rule")
left, right = st.columns(2)
with left:
    show.plotly(SF.weight_curves(sims, i, j), "syn_curves", t("synapses.cap.curves"))
with right:
    show.plotly(SF.short_vs_long(sims[rule], i, j), "syn_short_long",
                t("synapses.cap.short_long"))
show.plotly(SF.change_vs_coactivity(sims), "syn_coactivity", t("synapses.cap.coactivity"))

show.prose(t("synapses.closing"))
