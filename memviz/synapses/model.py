"""Document 003's neuroscience model: neurons, synapses and three plasticity rules. Pure numpy.

A small network of n neurons. Neuron i reads every input line through its synapses,
a_i(t) = f(sum_j w_ij x_j(t)) (document 003's a(t) = f(sum_i w_i x_i(t)), one row of W per
neuron). The diagonal w_ii is the neuron's own input line and stays fixed; the off-diagonal
w_ij (from line j to neuron i) learn by one of three rules after every step. Alongside, a
short-term trace of recent activity fades by a factor `decay` per step: the contrast between
that fading trace and weights that persist is the lesson's short- vs long-term memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from memviz.config import SEED
from memviz.specs import Choice, ConfigError, Float, Int

N_RANGE = (2, 8)  # neurons: a heatmap a student can read cell by cell
STEPS_RANGE = (1, 100)
ALPHA_RANGE = (0.0, 1.0)
W_LIMIT = 5.0  # weights are clipped here: plain Hebb grows without bound and would overflow
PERIOD = 3  # the repeated pattern returns every PERIOD steps
NOISE = 0.05  # chance a neuron fires on its own at a step (seeded)

ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity": lambda u: u,
    "sigmoid": lambda u: 1.0 / (1.0 + np.exp(-u)),
}
PATTERNS = ("repeated", "once")


N = Int("number of neurons", *N_RANGE)
STEPS = Int("number of steps", *STEPS_RANGE)
ALPHA = Float("learning rate", *ALPHA_RANGE)
WEIGHT = Float("initial weight", -W_LIMIT, W_LIMIT)
W_SELF = Float("input-line weight", -W_LIMIT, W_LIMIT)
DECAY = Float("trace decay", 0.0, 0.99)


@dataclass(frozen=True)
class SynapseConfig:
    """Network size, run length, learning rate, activation and the short-term trace's decay."""

    n: int = 6
    steps: int = 36
    alpha: float = 0.03
    f: str = "identity"
    w0: float = 0.0  # learnable synapses start silent so only what the pattern teaches shows
    w_self: float = 1.0  # the fixed weight of a neuron's own input line
    decay: float = 0.6  # the short-term trace keeps this fraction per step
    seed: int = 0

    def __post_init__(self) -> None:
        for spec, value in ((N, self.n), (STEPS, self.steps), (ALPHA, self.alpha),
                            (WEIGHT, self.w0), (W_SELF, self.w_self), (DECAY, self.decay),
                            (SEED, self.seed)):
            spec.check(value)
        Choice("activation", tuple(ACTIVATIONS)).check(self.f)


# ---------------------------------------------------------------- neurons and rules

def activation(W: np.ndarray, x: np.ndarray, f: str = "identity") -> np.ndarray:
    """a_i = f(sum_j w_ij x_j): W (n, n), x (n,) -> a (n,)."""
    return ACTIVATIONS[f](W @ x)


def rule_doc003(a: np.ndarray, x: np.ndarray, W: np.ndarray, alpha: float) -> np.ndarray:
    """Document 003: Δw_ij = α (a_i − a_j); a, x (n,), W (n, n) -> Δ (n, n)."""
    return alpha * (a[:, None] - a[None, :])


def rule_hebb(a: np.ndarray, x: np.ndarray, W: np.ndarray, alpha: float) -> np.ndarray:
    """Hebb: Δw_ij = α a_i a_j, neurons that fire together; a, x (n,), W (n, n) -> Δ (n, n)."""
    return alpha * np.outer(a, a)


def rule_oja(a: np.ndarray, x: np.ndarray, W: np.ndarray, alpha: float) -> np.ndarray:
    """Oja (1982): Δw_ij = α a_i (x_j − a_i w_ij), each row Δw = α y (x − y w); -> Δ (n, n).

    y = a_i is neuron i's output and x_j the input on line j: Hebb's α y x minus a decay
    α y² w that holds the weight vector at unit length.
    """
    return alpha * a[:, None] * (x[None, :] - a[:, None] * W)


RULES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray, float], np.ndarray]] = {
    "doc003": rule_doc003, "hebb": rule_hebb, "oja": rule_oja,
}


def oja_neuron(x: np.ndarray, w0: np.ndarray, alpha: float) -> np.ndarray:
    """One linear neuron y = w·x under Oja's rule over samples x (N, d): w after each, (N+1, d).

    For a small α, w tends to the unit-length top eigenvector of E[x xᵀ] (Oja, 1982). Only for
    zero-mean inputs is that the covariance's, the direction of greatest variance; the page's 0/1
    patterns are not centred, so there w leans towards their mean as well.
    """
    w, ws = np.asarray(w0, dtype=float).copy(), [np.asarray(w0, dtype=float).copy()]
    for x_t in np.asarray(x, dtype=float):
        y = w @ x_t
        w = w + alpha * y * (x_t - y * w)
        ws.append(w)
    return np.stack(ws)


# ---------------------------------------------------------------- inputs

def initial_weights(cfg: SynapseConfig) -> np.ndarray:
    """W(0) (n, n): w0 on every learnable synapse, w_self on the diagonal (own input line)."""
    W = np.full((cfg.n, cfg.n), cfg.w0)
    np.fill_diagonal(W, cfg.w_self)
    return W


def group(cfg: SynapseConfig) -> np.ndarray:
    """The seeded set of neurons the pattern drives together, sorted (about half of them)."""
    rng = np.random.default_rng(cfg.seed)
    return np.sort(rng.choice(cfg.n, size=max(2, cfg.n // 2), replace=False))


def pattern(kind: str, cfg: SynapseConfig) -> np.ndarray:
    """Seeded 0/1 input (T, n): the group fires together every PERIOD steps ("repeated") or at
    step 1 only ("once"); both carry the same sparse background firing."""
    if kind not in PATTERNS:
        raise ConfigError(f"pattern must be one of {', '.join(PATTERNS)}; got {kind!r}")
    rng = np.random.default_rng(cfg.seed + 1)  # differs from group()'s stream
    x = (rng.random((cfg.steps, cfg.n)) < NOISE).astype(float)
    beats = range(0, cfg.steps, PERIOD) if kind == "repeated" else [0]
    for t in beats:
        x[t, group(cfg)] = 1.0
    return x


def check_pattern(x: np.ndarray) -> np.ndarray:
    """x as a float array (T, n), or ConfigError if its shape or values cannot be used."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < STEPS_RANGE[0] or x.shape[0] > STEPS_RANGE[1]:
        raise ConfigError(f"a pattern is a (steps, neurons) grid of at most {STEPS_RANGE[1]} steps")
    N.check(int(x.shape[1]))
    if not np.all(np.isfinite(x)) or x.min() < 0 or x.max() > 1:
        raise ConfigError("pattern values must lie between 0 and 1")
    return x


def pattern_from_cells(cells) -> np.ndarray:
    """A drawn grid (neurons, steps) -> pattern x (T, n): a ticked cell is 1; an unticked or
    emptied one (None, NA: what the grid shows blank) is 0, so the grid and the run agree."""
    grid = np.asarray(cells, dtype=object)
    on = [[1.0 if isinstance(c, bool | np.bool_) and c else 0.0 for c in row] for row in grid]
    return check_pattern(np.array(on).reshape(grid.shape).T)


# ---------------------------------------------------------------- simulation

@dataclass(frozen=True)
class Simulation:
    """One rule run over one pattern. W: (T+1, n, n), W[0] the start; a, trace, x: (T, n)."""

    rule: str
    x: np.ndarray
    W: np.ndarray
    a: np.ndarray
    trace: np.ndarray
    clipped: bool  # some weight reached ±W_LIMIT (it would have grown further)

    @property
    def change(self) -> np.ndarray:
        """W(T) − W(0), (n, n): what the run left behind."""
        return self.W[-1] - self.W[0]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)  # results may be cached and shared between sessions
    return a


def simulate(x: np.ndarray, rule: str, cfg: SynapseConfig) -> Simulation:
    """Run pattern x (T, n) through the network with one rule: activity, trace, weights over time.

    At step t: a(t) = f(W(t−1) x(t)), then W(t) = W(t−1) + Δ(a(t)) on the off-diagonal
    synapses (the order of the document's example). The trace s(t) = decay·s(t−1) + a(t) − f(0)
    counts only activity above rest, so it fades to 0 once the input stops.
    """
    x = check_pattern(x)
    if rule not in RULES:
        raise ConfigError(f"rule must be one of {', '.join(RULES)}; got {rule!r}")
    T, n = x.shape
    learn = ~np.eye(n, dtype=bool)  # the diagonal is the neuron's own input line: fixed
    W = initial_weights(SynapseConfig(**{**cfg.__dict__, "n": n}))
    rest = ACTIVATIONS[cfg.f](np.zeros(n))
    Ws, acts, traces, s, clipped = [W], [], [], np.zeros(n), False
    for t in range(T):
        a = activation(W, x[t], cfg.f)
        W = W + np.where(learn, RULES[rule](a, x[t], W, cfg.alpha), 0.0)
        clipped |= bool(np.any(np.abs(W) > W_LIMIT))
        W = np.clip(W, -W_LIMIT, W_LIMIT)
        s = cfg.decay * s + (a - rest)
        Ws.append(W), acts.append(a), traces.append(s)
    return Simulation(rule, _frozen(x), _frozen(np.stack(Ws)), _frozen(np.stack(acts)),
                      _frozen(np.stack(traces)), clipped)


def simulate_all(x: np.ndarray, cfg: SynapseConfig) -> dict[str, Simulation]:
    """The same pattern under every rule, keyed like RULES."""
    return {r: simulate(x, r, cfg) for r in RULES}


def coactivity(sim: Simulation) -> np.ndarray:
    """How often neurons i and j were active together: mean over t of a_i a_j, (n, n)."""
    return sim.a.T @ sim.a / len(sim.a)


def strongest(sim: Simulation, k: int = 3) -> list[tuple[int, int, float]]:
    """The k learnable synapses whose weight rose most: (i, j, Δw_ij), largest first."""
    d = np.where(np.eye(sim.W.shape[1], dtype=bool), -np.inf, sim.change)
    order = np.argsort(d, axis=None)[::-1][:k]
    rows, cols = np.unravel_index(order, d.shape)
    return [(int(i), int(j), float(d[i, j])) for i, j in zip(rows, cols, strict=True)]


def together(sim: Simulation) -> tuple[int, int, float, int] | None:
    """Of the pairs of neurons whose input lines were on together most often, the one whose
    weight moved most: (i, j, Δw_ij, steps on together); None if no two lines ever were.

    What the page says about document 003's rule and co-firing neurons is read from here: the
    difference rule leaves w_ij alone only while a_i = a_j, not whenever both fire."""
    on = (sim.x > 0).astype(float)
    both = on.T @ on  # (n, n) steps at which lines i and j were on together
    pairs = [(i, j) for i in range(len(both)) for j in range(len(both)) if i != j and both[i, j]]
    if not pairs:
        return None
    i, j = max(pairs, key=lambda p: (both[p], abs(sim.change[p]), -p[0], -p[1]))
    return i, j, float(sim.change[i, j]), int(both[i, j])


def recall(sim: Simulation, cue: np.ndarray, f: str) -> np.ndarray:
    """Activity (n,) the learned weights W(T) give a partial cue (n,): pattern completion."""
    return activation(sim.W[-1], np.asarray(cue, dtype=float), f)


# ---------------------------------------------------------------- the document's example

WORKED = {"w_ij": 0.2, "w_ji": 0.0, "x_i": 1.0, "x_j": 0.0, "alpha": 0.1,
          "a_i0": 0.5, "a_j0": 0.3}  # document 003's example, its numbers as it gives them


def worked_example(f: str = "identity") -> dict[str, float]:
    """Document 003's example, two neurons, computed as it writes it; w_ij(1) under each rule.

    It gives a_i(0) = 0.5, a_j(0) = 0.3, w_ij(0) = 0.2, x_i(1) = 1, x_j(1) = 0, and computes both
    activities with the same sum, f(0.2 × 1 + 0 × 0) (w_ji(0) = 0): 0.2 with f the identity,
    ≈ 0.5498 with a sigmoid. The starting activities a(0) play no part in its calculation.
    """
    e = WORKED
    u = e["w_ij"] * e["x_i"] + e["w_ji"] * e["x_j"]  # the one sum both neurons receive
    a = ACTIVATIONS[f](np.array([u, u]))
    x = np.array([e["x_i"], e["x_j"]])
    W = np.array([[0.0, e["w_ij"]], [e["w_ji"], 0.0]])
    out = {"a_i": float(a[0]), "a_j": float(a[1])}
    for name, rule in RULES.items():
        out[f"w_{name}"] = float(W[0, 1] + rule(a, x, W, e["alpha"])[0, 1])
    return out
