"""Document 003's synapse model: the worked example, the three rules, and the page."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from memviz.config import ConfigError
from memviz.synapses import figures as SF
from memviz.synapses import model as S

from .conftest import ROOT

# ------------------------------------------------------------------ the worked example

def test_worked_example_identity_keeps_w_at_0_2():
    ex = S.worked_example("identity")
    # As the document writes it: both activities f(0.2 × 1 + 0 × 0), from a(0) = (0.5, 0.3).
    assert (S.WORKED["w_ij"], S.WORKED["w_ji"]) == (0.2, 0.0)
    assert (S.WORKED["a_i0"], S.WORKED["a_j0"]) == (0.5, 0.3)
    assert ex["a_i"] == pytest.approx(0.2) and ex["a_j"] == pytest.approx(0.2)
    assert ex["w_doc003"] == pytest.approx(0.2)
    assert ex["w_hebb"] == pytest.approx(0.2 + 0.1 * 0.2 * 0.2)
    # Oja with the input x_j = 0: only the decay term acts, 0.2 + 0.1·0.2·(0 − 0.2·0.2)
    assert ex["w_oja"] == pytest.approx(0.2 - 0.0008)


def test_worked_example_sigmoid():
    ex = S.worked_example("sigmoid")
    assert ex["a_i"] == pytest.approx(0.5498, abs=5e-5) and ex["a_j"] == ex["a_i"]
    assert ex["w_doc003"] == pytest.approx(0.2)  # equal activities: the rule stays silent
    assert ex["w_hebb"] == pytest.approx(0.2 + 0.1 * ex["a_i"] ** 2)
    assert ex["w_hebb"] > 0.23


# ------------------------------------------------------------------ rules

def test_rule_formulas():
    a, x, W = np.array([1.0, 0.5, 0.0]), np.array([0.0, 1.0, 1.0]), np.full((3, 3), 0.2)
    assert S.rule_doc003(a, x, W, 0.1)[0, 1] == pytest.approx(0.05)
    assert S.rule_doc003(a, x, W, 0.1)[1, 0] == pytest.approx(-0.05)
    assert S.rule_hebb(a, x, W, 0.1)[0, 1] == pytest.approx(0.05)
    assert S.rule_hebb(a, x, W, 0.1)[0, 2] == 0.0
    # Oja reads the input x_j (here 1.0), not neuron j's activity a_j (0.5)
    assert S.rule_oja(a, x, W, 0.1)[0, 1] == pytest.approx(0.1 * 1.0 * (1.0 - 1.0 * 0.2))
    assert S.rule_oja(a, x, W, 0.1)[0, 0] == pytest.approx(0.1 * 1.0 * (0.0 - 1.0 * 0.2))


def test_oja_converges_to_the_unit_principal_eigenvector():
    """Oja (1982): w -> ± the leading eigenvector of the input covariance, with |w| = 1."""
    rng = np.random.default_rng(0)
    C = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 0.5]])
    x = rng.multivariate_normal(np.zeros(3), C, size=4000)
    ws = S.oja_neuron(x, np.array([0.1, -0.3, 0.2]), 0.005)
    vals, vecs = np.linalg.eigh(C)
    v1, w = vecs[:, -1], ws[-1]
    assert np.linalg.norm(w) == pytest.approx(1.0, abs=0.03)
    assert abs(w @ v1) / np.linalg.norm(w) > 0.995
    assert np.linalg.norm(ws[0]) < 0.4  # it started far from the fixed point


def test_document_rule_ignores_co_activity():
    a, x = np.array([0.8, 0.8]), np.ones(2)
    assert np.all(S.rule_doc003(a, x, np.zeros((2, 2)), 0.1) == 0)
    assert np.all(S.rule_hebb(a, x, np.zeros((2, 2)), 0.1) > 0)


def test_hebbian_weights_grow_for_co_active_pairs_and_the_documents_do_not():
    cfg = S.SynapseConfig()
    g = S.group(cfg)
    sims = S.simulate_all(S.pattern("repeated", cfg), cfg)
    i, j = g[0], g[1]
    assert sims["hebb"].change[i, j] > 0.5 and sims["hebb"].change[j, i] > 0.5
    assert sims["oja"].change[i, j] > 0.2
    assert abs(sims["doc003"].change[i, j]) < 0.2 * sims["hebb"].change[i, j]
    # the document's rule instead strengthens synapses from silent lines onto active neurons
    out = next(k for k in range(cfg.n) if k not in g)
    assert sims["doc003"].change[i, out] > 0.3 and sims["doc003"].change[out, i] < -0.3
    top = S.strongest(sims["hebb"], 3)
    assert all(a in g and b in g for a, b, _ in top)


def test_repetition_leaves_more_behind_than_one_showing():
    cfg = S.SynapseConfig()
    g = S.group(cfg)
    once = S.simulate(S.pattern("once", cfg), "hebb", cfg).change[g[0], g[1]]
    rep = S.simulate(S.pattern("repeated", cfg), "hebb", cfg).change[g[0], g[1]]
    assert 0 < once < rep / 5


def test_oja_stays_bounded_where_hebb_runs_away():
    for f in S.ACTIVATIONS:
        cfg = S.SynapseConfig(steps=100, alpha=0.1, f=f)
        x = S.pattern("repeated", cfg)
        hebb, oja = S.simulate(x, "hebb", cfg), S.simulate(x, "oja", cfg)
        assert hebb.clipped and np.abs(hebb.W).max() == S.W_LIMIT
        # Oja settles near 1 (its weights converge where a_j = a_i w_ij); small α keeps it stable
        assert not oja.clipped and np.abs(oja.W).max() < 1.1


def test_short_term_trace_fades_while_the_weights_persist():
    cfg = S.SynapseConfig(seed=3)
    x = np.zeros((20, 4))
    x[0, :2] = 1.0  # one co-activation at step 1, then silence
    sim = S.simulate(x, "hebb", cfg)
    assert sim.trace[0, 0] == pytest.approx(1.0)
    assert sim.trace[-1, 0] < 1e-3  # decay 0.6 per step
    assert sim.W[-1, 0, 1] == pytest.approx(cfg.alpha) and sim.W[1, 0, 1] == sim.W[-1, 0, 1]


def test_sigmoid_trace_counts_only_activity_above_rest():
    sim = S.simulate(np.zeros((5, 3)), "doc003", S.SynapseConfig(f="sigmoid"))
    assert np.allclose(sim.a, 0.5) and np.allclose(sim.trace, 0.0)


def test_patterns_are_seeded_and_shaped():
    cfg = S.SynapseConfig(n=5, steps=12, seed=7)
    rep, once = S.pattern("repeated", cfg), S.pattern("once", cfg)
    assert rep.shape == (12, 5) and set(np.unique(rep)) <= {0.0, 1.0}
    assert np.array_equal(rep, S.pattern("repeated", cfg))
    g = S.group(cfg)
    assert np.all(rep[::S.PERIOD][:, g] == 1) and np.all(once[0, g] == 1)
    assert np.all(rep[S.PERIOD][g] == 1) and not np.all(once[S.PERIOD][g] == 1)


def test_results_are_read_only():
    cfg = S.SynapseConfig()
    sim = S.simulate(S.pattern("once", cfg), "oja", cfg)
    with pytest.raises(ValueError):
        sim.W[0, 0, 0] = 1.0


def test_recall_completes_a_learned_pattern():
    cfg = S.SynapseConfig()
    g = S.group(cfg)
    sim = S.simulate(S.pattern("repeated", cfg), "hebb", cfg)
    cue = np.zeros(cfg.n)
    cue[g[0]] = 1.0
    a = S.recall(sim, cue, cfg.f)
    others = [k for k in range(cfg.n) if k not in g]
    assert a[g[1:]].min() > 0.5 > a[others].max()


@pytest.mark.parametrize("bad", [dict(n=1), dict(n=9), dict(alpha=-0.1), dict(f="relu"),
                                 dict(decay=1.0), dict(steps=0), dict(w0=99.0)])
def test_bad_settings_raise_config_error(bad):
    with pytest.raises(ConfigError):
        S.SynapseConfig(**bad)


def test_bad_patterns_raise_config_error():
    cfg = S.SynapseConfig()
    for x in (np.zeros(5), np.full((4, 3), 2.0), np.zeros((4, 12)), np.full((3, 3), np.nan)):
        with pytest.raises(ConfigError):
            S.simulate(x, "hebb", cfg)
    with pytest.raises(ConfigError):
        S.simulate(np.zeros((4, 3)), "nope", cfg)
    with pytest.raises(ConfigError):
        S.pattern("twice", cfg)


# ------------------------------------------------------------------ figures

def test_figures_build_from_a_simulation():
    cfg = S.SynapseConfig()
    sims = S.simulate_all(S.pattern("repeated", cfg), cfg)
    figs = [SF.pattern_heatmap(sims["hebb"].x), SF.change_heatmaps(sims),
            SF.weight_curves(sims, 3, 4), SF.short_vs_long(sims["hebb"], 3, 4),
            SF.change_vs_coactivity(sims), SF.weight_curves(sims, 0, 1)]  # 0, 1: never co-active
    for fig in figs:
        assert fig.data and fig.layout.title.text
        json.dumps(fig.to_plotly_json(), default=str)  # serialisable for the browser


# ------------------------------------------------------------------ the page

def _page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages/synapses.py"), default_timeout=60).run()


def test_synapses_page_runs_and_draws():
    at = _page()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) >= 5
    latex = " ".join(e.value for e in at.latex)
    assert r"\alpha" in latex and "0.2" in latex
    texts = [m.value for m in list(at.markdown) + list(at.latex)]
    assert any("0.550" in v or "0.5498" in v for v in texts)


def test_synapses_page_switches_pattern_rule_and_activation():
    at = _page()
    at.radio(key="syn_pattern").set_value("once").run()
    assert not at.exception, at.exception
    at.selectbox(key="syn_f").set_value("sigmoid").run()
    assert not at.exception, at.exception
    at.radio(key="syn_pattern").set_value("draw").run()
    assert not at.exception, at.exception
    assert len(at.dataframe) == 2  # the worked-example table and the editable grid
    at.slider(key="syn_n").set_value(3).run()
    assert not at.exception, at.exception
