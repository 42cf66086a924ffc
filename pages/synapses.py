"""Synapses lesson (document 003): neurons, plasticity rules, short-term trace vs long-term."""

import pandas as pd
import streamlit as st

from memviz.config import ConfigError
from memviz.synapses import figures as SF
from memviz.synapses import model as S
from memviz.ui import show, urlstate
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

DOC = "Document 003, 短期记忆与长期记忆 (Short-term and long-term memory, the neuroscience view),"
PATTERN_LABELS = {"repeated": "Repeated many times", "once": "Shown once", "draw": "Draw my own"}

st.title("Synapses: how repetition becomes a lasting change")
show.prose(
    f"{DOC} models a neuron as a weighted sum of its inputs passed through an activation "
    "function, and memory as a change in the weights (the synapses) that the activity causes. "
    "Below, a handful of neurons receive a pattern; after every step each synapse is adjusted by "
    "a learning rule. Compare the document's rule with two classic ones from neuroscience."
)
show.latex(r"a_i(t) = f\Big(\sum_j w_{ij}\,x_j(t)\Big)")
show.latex(r"\begin{aligned}\text{document 003:}\quad & w_{ij}(t+1) = w_{ij}(t) + \alpha\,"
         r"\big(a_i(t) - a_j(t)\big)\\ \text{Hebb:}\quad & \Delta w_{ij} = \alpha\,a_i\,a_j"
         r"\\ \text{Oja:}\quad & \Delta w_{ij} = \alpha\,a_i\,(a_j - a_i\,w_{ij})\end{aligned}")
show.caption("w_ij is the synapse from input line j onto neuron i; each neuron's own line "
             "(w_ii) is fixed, the others learn. α is the learning rate.")

with st.expander("The document's worked example, recomputed", expanded=True):
    ident, sig = S.worked_example("identity"), S.worked_example("sigmoid")
    show.prose("Two neurons, both synapses 0.2, input x_i = 1 and x_j = 0, α = 0.1. As the "
                "document computes it, both neurons receive the same sum 0.2 × 1 + 0.2 × 0.")
    for ex, name, k in ((ident, r"\text{identity}", 1), (sig, r"\sigma", 4)):
        show.latex(rf"f = {name}:\; a_i = a_j = f(0.2) = {ex['a_i']:.{k}f},\quad "
                   rf"w_{{ij}}(1) = 0.2 + 0.1\,({ex['a_i']:.3g} - {ex['a_j']:.3g}) = "
                   rf"{ex['w_doc003']:.1f}")
    st.dataframe(pd.DataFrame(
        {"activation f": ["identity", "sigmoid"],
         "a_i = a_j": [round(ident["a_i"], 4), round(sig["a_i"], 4)],
         "w_ij(1), document 003": [ident["w_doc003"], sig["w_doc003"]],
         "w_ij(1), Hebb": [round(ident["w_hebb"], 4), round(sig["w_hebb"], 4)],
         "w_ij(1), Oja": [round(ident["w_oja"], 4), round(sig["w_oja"], 4)]}),
        hide_index=True)
    show.prose(f"The document's text uses the identity (0.2); its code uses a sigmoid, which "
                f"gives σ(0.2) ≈ {sig['a_i']:.3f}. Either way the two activities are equal, so the "
                "difference rule leaves the weight at 0.2: two neurons active together change "
                "nothing. A Hebbian rule strengthens exactly that case.")

st.subheader("Run it on a pattern")
u = urlstate.initial
URL_NAMES = ["n", "steps", "alpha", "f", "w0", "decay", "seed", "pattern"]
rates, fs, kinds = (0.01, 0.02, 0.03, 0.05, 0.1), tuple(S.ACTIVATIONS), tuple(PATTERN_LABELS)
c1, c2, c3, c4 = st.columns(4)
n = c1.slider("Neurons", *S.N_RANGE, u("n", 6, int, lambda v: S.N_RANGE[0] <= v <= S.N_RANGE[1]),
              key="syn_n")
steps = c2.slider("Steps", 6, 40, u("steps", 36, int, lambda v: 6 <= v <= 40), key="syn_steps")
alpha = c3.select_slider("Learning rate α", rates, u("alpha", 0.03, float, rates.__contains__),
                         key="syn_alpha",
                         help="Oja's rule needs a small step: much above 0.1 it overshoots.")
f = c4.selectbox("Activation f", fs, index=fs.index(u("f", fs[0], str, fs.__contains__)),
                 key="syn_f")
c5, c6, c7 = st.columns(3)
w0 = c5.slider("Starting weight", -1.0, 1.0, u("w0", 0.0, float, lambda v: -1 <= v <= 1), 0.1,
               key="syn_w0")
decay = c6.slider("Short-term trace kept per step", 0.0, 0.95,
                  u("decay", 0.6, float, lambda v: 0 <= v <= 0.95), 0.05, key="syn_decay")
seed = c7.number_input("Seed", 0, 10_000, u("seed", 0, int, lambda v: 0 <= v <= 10_000),
                       key="syn_seed")
kind = st.radio("Input pattern", kinds, format_func=PATTERN_LABELS.get, horizontal=True,
                index=kinds.index(u("pattern", kinds[0], str, kinds.__contains__)),
                key="syn_pattern")
urlstate.save("syn", URL_NAMES)
try:
    cfg = S.SynapseConfig(n=n, steps=steps, alpha=alpha, f=f, w0=w0, decay=decay, seed=int(seed))
except ConfigError as e:
    st.error(f"These settings cannot be used: {e}")
    st.stop()
show.note_config({**cfg.__dict__, "pattern": kind})

x = S.pattern("repeated" if kind == "draw" else kind, cfg)
if kind == "draw":
    show.caption("Tick a box to switch that neuron's input on at that step (rows are neurons, "
               "columns are steps). It starts from the repeated pattern.")
    grid = pd.DataFrame(x.T > 0, index=[f"neuron {k}" for k in range(n)],
                        columns=[str(t) for t in range(1, steps + 1)])
    edited = st.data_editor(grid, key=f"syn_grid_{n}_{steps}_{seed}", width="stretch")
    x = edited.to_numpy(dtype=float).T
sims = S.simulate_all(x, cfg)

show.plotly(SF.pattern_heatmap(x), "syn_pattern_fig",
            "Each row is a neuron's input line over time; a dark cell means that input is on.")
if any(s.clipped for s in sims.values()):
    st.warning(f"Some weights reached ±{S.W_LIMIT:g} and were held there: with these settings "
               "that rule would grow them without limit.")
show.plotly(SF.change_heatmaps(sims), "syn_change",
            "Each cell is one synapse (row: the neuron it feeds, column: the input line it comes "
            "from); red grew, blue shrank, all three panels on the same scale.")

show.prose("**Which synapses strengthened, and why**")
g = S.group(cfg)
for r, s in sims.items():
    top = ", ".join(f"{j} → {i} (+{d:.2f})" for i, j, d in S.strongest(s) if d > 1e-9) or "none"
    show.prose(f"- {S.RULE_LABELS[r]}: {top}")
show.caption(f"The seeded patterns drive neurons {', '.join(map(str, g))} together.")

c1, c2, c3 = st.columns(3)
i = c1.selectbox("Synapse onto neuron", range(n), index=int(g[0]), key="syn_i")
j = c2.selectbox("from input line", range(n), index=int(g[1]), key="syn_j")
rule = c3.selectbox("Rule for the short/long-term plot", tuple(S.RULES),
                    format_func=SF.SHORT.get, index=1, key="syn_rule")
left, right = st.columns(2)
with left:
    show.plotly(SF.weight_curves(sims, i, j), "syn_curves",
                "One line per rule for the chosen synapse; grey bars mark the steps at which both "
                "of its neurons received input.")
with right:
    show.plotly(SF.short_vs_long(sims[rule], i, j), "syn_short_long",
                "Top: activity above rest, which fades within a few steps once the input stops. "
                "Bottom: the weight, which keeps what the run wrote into it.")
show.plotly(SF.change_vs_coactivity(sims), "syn_coactivity",
            "Each dot is one synapse: further right means its two neurons were active together "
            "more often; higher means it grew more.")

show.prose(
    "**What the document's rule captures, and what it misses.** Its change is the *difference* "
    "of two activities. It moves a weight when one neuron is more active than the other — "
    "strengthening synapses from silent lines onto busy neurons and weakening the reverse — and "
    "it never moves a weight when both fire together, so a repeated pattern cannot bind its "
    "neurons to one another. That binding is what Hebb's product rule does: fire together, wire "
    "together. Hebb alone only grows (try α = 0.1 with the identity); Oja's extra term "
    "−α a_i² w_ij pulls a large weight back, so weights settle instead of running away. With a "
    "sigmoid every neuron rests at f(0) = 0.5, so plain Hebb strengthens even silent pairs. "
    "In all three, the short-term trace fades within steps while the weights stay: that "
    "contrast is the document's short-term versus long-term memory."
)
