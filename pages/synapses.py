"""Synapses lesson (document 003): neurons, plasticity rules, short-term trace vs long-term."""

import pandas as pd
import streamlit as st

from memviz.specs import Choice, ConfigError, Float, Int
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
         r"\\ \text{Oja:}\quad & \Delta w_{ij} = \alpha\,a_i\,(x_j - a_i\,w_{ij})\end{aligned}")
show.caption("w_ij is the synapse from input line j onto neuron i; each neuron's own line "
             "(w_ii) is fixed, the others learn. α is the learning rate. Oja's rule is the "
             "textbook one (Oja, 1982): for one neuron y = w·x it reads Δw = α y (x − y w), "
             "and it drives w to the unit-length direction of greatest input variance.")

with st.expander("The document's worked example, recomputed", expanded=True):
    ident, sig = S.worked_example("identity"), S.worked_example("sigmoid")
    show.prose("As the document writes it: two neurons with a_i(0) = 0.5 and a_j(0) = 0.3, "
               "w_ij(0) = 0.2, inputs x_i(1) = 1 and x_j(1) = 0, α = 0.1. It computes both "
               "activities with the same sum, f(0.2 × 1 + 0 × 0); the starting activities "
               "0.5 and 0.3 play no part in the calculation.")
    for ex, name, k in ((ident, r"\text{identity}", 1), (sig, r"\sigma", 4)):
        show.latex(rf"f = {name}:\; a_i(1) = a_j(1) = f(0.2 \times 1 + 0 \times 0) = "
                   rf"{ex['a_i']:.{k}f},\quad "
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
TABLE = urlstate.Table("syn", [
    urlstate.Setting("n", S.N, 6),
    urlstate.Setting("steps", Int("number of steps", 6, 40), 36),
    urlstate.Setting("alpha", Choice("learning rate", (0.01, 0.02, 0.03, 0.05, 0.1)), 0.03),
    urlstate.Setting("f", Choice("activation", tuple(S.ACTIVATIONS)), "identity"),
    urlstate.Setting("w0", Float("starting weight", -1.0, 1.0), 0.0),
    urlstate.Setting("decay", Float("trace kept per step", 0.0, 0.95), 0.6),
    urlstate.Setting("seed", Int("seed", 0, 10_000), 0),
    urlstate.Setting("pattern", Choice("input pattern", tuple(PATTERN_LABELS)), "repeated"),
])
TABLE.start()
c1, c2, c3, c4 = st.columns(4)
n = TABLE.slider(c1, "Neurons", "n")
steps = TABLE.slider(c2, "Steps", "steps")
alpha = TABLE.slider(c3, "Learning rate α", "alpha",
                     help="Oja's rule needs a small step: much above 0.1 it overshoots.")
f = TABLE.choice(c4, "Activation f", "f")
c5, c6, c7 = st.columns(3)
w0 = TABLE.slider(c5, "Starting weight", "w0", step=0.1)
decay = TABLE.slider(c6, "Short-term trace kept per step", "decay", step=0.05)
seed = TABLE.number(c7, "Seed", "seed")
kind = TABLE.choice(st, "Input pattern", "pattern", "radio", format_func=PATTERN_LABELS.get,
                    horizontal=True)
TABLE.save()
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
                        columns=[str(t) for t in range(1, steps + 1)]).astype("boolean")
    edited = st.data_editor(grid, key=f"syn_grid_{n}_{steps}_{seed}", width="stretch")
    x = S.pattern_from_cells(edited.to_numpy(dtype=object))  # an emptied cell is off
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
