"""What a state dict holds, read from its names and shapes, and torch's modules built from it.

torch names a recurrent module's weights `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`,
`bias_hh_l{k}` (layer k), each stacking G blocks of H rows: G = 4 for the LSTM (i, f, g, o),
3 for the GRU (r, z, n), 1 for the RNN. So the kind, the sizes and the layers can all be read
off the shapes; only the RNN's nonlinearity (tanh or relu) cannot, and is taken as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch
from torch import nn

from memviz.i18n import Message, t
from memviz.yours.weights import read_state, refuse

GATES = {4: "lstm", 3: "gru", 1: "rnn"}  # row blocks in weight_hh -> kind
NONLINEARITIES = ("tanh", "relu")
KINDS = ("lstm", "gru", "rnn_tanh", "rnn_relu")
MAX_HIDDEN = 1024
MAX_LAYERS = 8
MAX_INPUT = 4096
MAX_VOCAB = 100_000
_PART = re.compile(r"^(?P<prefix>.*?)(?P<name>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)"
                   r"_l(?P<layer>\d+)(?P<rev>_reverse)?$")
_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


# message keys written out, so that grep and the catalogue test see each one
KIND_KEYS = {"lstm": "yours.kind.lstm", "gru": "yours.kind.gru",
             "rnn_tanh": "yours.kind.rnn_tanh", "rnn_relu": "yours.kind.rnn_relu"}
WHAT_KEYS = {"hidden": "yours.what.hidden", "input": "yours.what.input"}

@dataclass(frozen=True)
class Found:
    """What a state dict holds. kind: 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu' (an RNN's
    nonlinearity is as given: `nonlinearity_read` is False then); prefix: the recurrent
    module's name in the state dict ('' or 'rnn.'); readout: (prefix, out_features, bias) of a
    Linear reading h, or None; embedding: (prefix, num_embeddings) of an nn.Embedding in front,
    or None; ignored: keys that are neither."""

    kind: str
    input_size: int
    hidden_size: int
    num_layers: int
    bias: bool
    prefix: str = ""
    readout: tuple[str, int, bool] | None = None
    embedding: tuple[str, int] | None = None
    ignored: tuple[str, ...] = ()
    params: int = 0
    nonlinearity_read: bool = True

    @property
    def cell(self) -> str:
        """The hand-written cell's name (memviz.engine.cells): 'rnn' is the tanh RNN."""
        return {"rnn_tanh": "rnn"}.get(self.kind, self.kind)

    @property
    def vocab_size(self) -> int | None:
        return self.embedding[1] if self.embedding else None

    @property
    def output_size(self) -> int | None:
        return self.readout[1] if self.readout else None

    def summary(self) -> str:
        """One line in the current language: what was found, before anything runs."""
        parts = [t("yours.found.model", kind=t(KIND_KEYS[self.kind]),
                   layers=self.num_layers, input=self.input_size, hidden=self.hidden_size,
                   params=f"{self.params:,}")]
        if not self.bias:
            parts.append(t("yours.found.no_bias"))
        if self.embedding:
            parts.append(t("yours.found.embedding", vocab=self.embedding[1],
                           dim=self.input_size))
        if self.readout:
            parts.append(t("yours.found.readout", out=self.readout[1]))
        if not self.nonlinearity_read:
            parts.append(t("yours.found.nonlinearity", f=self.kind.removeprefix("rnn_")))
        if self.ignored:
            parts.append(t("yours.found.ignored", n=len(self.ignored),
                           keys=", ".join(self.ignored[:4])))
        return t("yours.found.join").join(parts)


@dataclass(frozen=True)
class Loaded:
    """torch's modules for a Found, loaded with its weights (strictly): the recurrent module
    (batch_first), the readout Linear and the Embedding where there are any."""

    found: Found
    rnn: nn.RNNBase
    readout: nn.Linear | None = None
    embedding: nn.Embedding | None = None


def _recurrent_parts(state: dict[str, torch.Tensor]) -> tuple[str, dict[tuple[str, int], str]]:
    """The recurrent module's prefix and (name, layer) -> key; refusals for none, several,
    bidirectional and projected modules."""
    parts: dict[str, dict[tuple[str, int], str]] = {}
    for key in state:
        m = _PART.match(key)
        if not m:
            continue
        if m["rev"]:
            raise refuse("yours.error.bidirectional", weight=key)
        if m["name"] == "weight_hr":
            raise refuse("yours.error.proj", weight=key)
        parts.setdefault(m["prefix"], {})[m["name"], int(m["layer"])] = key
    if not parts:
        raise refuse("yours.error.no_recurrent", keys=", ".join(list(state)[:5]) or "-")
    if len(parts) > 1:
        raise refuse("yours.error.several", prefixes=", ".join(p.rstrip(".") or "-" for p in parts))
    return next(iter(parts.items()))


def _layers(keys: dict[tuple[str, int], str]) -> tuple[int, bool]:
    """How many layers and whether they have biases; refusals for a missing or extra key."""
    n = 1 + max(layer for _, layer in keys)
    bias = any(name.startswith("bias") for name, _ in keys)
    needed = [(name, k) for k in range(n) for name in _NAMES if bias or name.startswith("w")]
    missing = [f"{name}_l{k}" for name, k in needed if (name, k) not in keys]
    if missing:
        raise refuse("yours.error.missing", keys=", ".join(missing[:4]))
    if n > MAX_LAYERS:
        raise refuse("yours.error.too_large", what=Message("yours.what.layers"), n=n,
                     limit=MAX_LAYERS)
    return n, bias


def _shape(state, key: str, want: tuple[int, ...]) -> None:
    got = tuple(state[key].shape)
    if got != want or not state[key].is_floating_point():
        raise refuse("yours.error.shape", weight=key, got=got, want=want)


def _sizes(state, keys, n: int, bias: bool) -> tuple[str, int, int]:
    """(kind, input size, hidden size) from the shapes, every weight checked against them."""
    w_hh = state[keys["weight_hh", 0]]
    if w_hh.dim() != 2 or w_hh.shape[1] < 1 or w_hh.shape[0] % w_hh.shape[1]:
        raise refuse("yours.error.hh_shape", weight=keys["weight_hh", 0], got=tuple(w_hh.shape))
    H = w_hh.shape[1]
    G = w_hh.shape[0] // H
    if G not in GATES:
        raise refuse("yours.error.hh_shape", weight=keys["weight_hh", 0], got=tuple(w_hh.shape))
    w_ih = state[keys["weight_ih", 0]]
    n_in = w_ih.shape[1] if w_ih.dim() == 2 else 0
    for what, n_, limit in (("hidden", H, MAX_HIDDEN), ("input", n_in, MAX_INPUT)):
        if n_ > limit:
            raise refuse("yours.error.too_large", what=Message(WHAT_KEYS[what]), n=n_,
                         limit=limit)
    for k in range(n):
        _shape(state, keys["weight_ih", k], (G * H, n_in if k == 0 else H))
        _shape(state, keys["weight_hh", k], (G * H, H))
        if bias:
            _shape(state, keys["bias_ih", k], (G * H,))
            _shape(state, keys["bias_hh", k], (G * H,))
    return GATES[G], n_in, H


def _around(state, order: list[str], rnn_keys: set[str], n_in: int, H: int):
    """The readout Linear (a 2-D `*weight` with H columns, its bias if any) and the Embedding
    (a 2-D `*weight` with I columns and no bias) among the other keys. A name with "emb" in it
    is an embedding; otherwise a bias makes a Linear, and where shapes cannot tell (I == H, no
    bias) the module's place decides: registered before the recurrent module, an embedding."""
    first_rnn = min(order.index(k) for k in rnn_keys)
    readout = embedding = None
    used: set[str] = set()
    for key in order:
        w = state[key]
        if key in rnn_keys or not key.endswith("weight") or w.dim() != 2:
            continue
        p = key[: -len("weight")]
        b = state.get(p + "bias")
        has_bias = b is not None and tuple(b.shape) == (w.shape[0],)
        as_emb = w.shape[1] == n_in and not has_bias and w.is_floating_point()
        as_out = w.shape[1] == H and w.is_floating_point()
        if as_emb and "emb" in p.lower():
            as_out = False
        elif as_emb and as_out:
            as_emb = order.index(key) < first_rnn
            as_out = not as_emb
        if as_emb:
            if embedding is None and w.shape[0] <= MAX_VOCAB:
                embedding = (p, int(w.shape[0]))
                used.add(key)
        elif as_out and readout is None:
            readout = (p, int(w.shape[0]), has_bias)
            used |= {key, p + "bias"} if has_bias else {key}
    return readout, embedding, used


def find(state: dict[str, torch.Tensor], nonlinearity: str | None = None) -> Found:
    """What `state` holds; WeightsError naming the first thing that does not fit. An RNN's
    nonlinearity cannot be read from weights: `nonlinearity` ('tanh' | 'relu'), tanh if None."""
    if nonlinearity not in (None, *NONLINEARITIES):
        raise refuse("yours.error.nonlinearity", f=nonlinearity, choices=", ".join(NONLINEARITIES))
    prefix, keys = _recurrent_parts(state)
    n, bias = _layers(keys)
    kind, n_in, H = _sizes(state, keys, n, bias)
    rnn_keys = set(keys.values())
    readout, embedding, used = _around(state, list(state), rnn_keys, n_in, H)
    ignored = tuple(k for k in state if k not in rnn_keys | used)
    if kind == "rnn":
        kind = f"rnn_{nonlinearity or 'tanh'}"
    params = sum(state[k].numel() for k in rnn_keys | used)
    return Found(kind, n_in, H, n, bias, prefix, readout, embedding, ignored, params,
                 nonlinearity_read=not kind.startswith("rnn") or nonlinearity is not None)


def module_for(found: Found) -> nn.RNNBase:
    """An empty torch module of the found kind and sizes (batch_first=True)."""
    kw = dict(input_size=found.input_size, hidden_size=found.hidden_size,
              num_layers=found.num_layers, bias=found.bias, batch_first=True)
    if found.kind.startswith("rnn"):
        return nn.RNN(nonlinearity=found.kind.removeprefix("rnn_"), **kw)
    return {"lstm": nn.LSTM, "gru": nn.GRU}[found.kind](**kw)


def _sub(state, prefix: str, names) -> dict[str, torch.Tensor]:
    return {n: state[prefix + n] for n in names if prefix + n in state}


def build(state: dict[str, torch.Tensor], found: Found) -> Loaded:
    """torch's modules for `found`, loaded strictly with the weights in `state` (eval mode)."""
    rnn = module_for(found)
    rnn.load_state_dict(_sub(state, found.prefix, rnn.state_dict()), strict=True)
    readout = embedding = None
    if found.readout:
        p, out, has_bias = found.readout
        readout = nn.Linear(found.hidden_size, out, bias=has_bias)
        readout.load_state_dict(_sub(state, p, ("weight", "bias")), strict=True)
    if found.embedding:
        p, vocab = found.embedding
        embedding = nn.Embedding(vocab, found.input_size)
        embedding.load_state_dict(_sub(state, p, ("weight",)), strict=True)
    for m in (rnn, readout, embedding):
        if m is not None:
            m.eval().requires_grad_(False)
    return Loaded(found, rnn, readout, embedding)


def load(data: bytes, name: str, nonlinearity: str | None = None) -> Loaded:
    """A weights file's bytes and name -> its modules, loaded; WeightsError if refused."""
    state = read_state(data, name)
    return build(state, find(state, nonlinearity))


MAX_STEPS = 1000  # the stepper walks every step; 1,000 is more than a class reads
TRACE_BUDGET = 32 * 2**20  # the recorded trace, float32: it travels to the browser whole


def trace_bytes(cell: str, layers: int, hidden: int, steps: int) -> int:
    """The recorded trace's size: T x layers x H x fields (states, gates, pre-activations)
    x 4 bytes."""
    from memviz.engine.cells import EXTRA_FIELDS, FIELDS

    return steps * layers * hidden * (len(FIELDS[cell]) + len(EXTRA_FIELDS[cell])) * 4


def check_steps(cell: str, layers: int, hidden: int, steps: int) -> None:
    """Refuse a sequence longer than MAX_STEPS or a trace over TRACE_BUDGET, before running."""
    if not 1 <= steps <= MAX_STEPS:
        raise refuse("yours.error.steps", T=steps, limit=MAX_STEPS)
    need = trace_bytes(cell, layers, hidden, steps)
    if need > TRACE_BUDGET:
        raise refuse("yours.error.memory", mb=f"{need / 2**20:.0f}", T=steps, layers=layers,
                     H=hidden, limit=f"{TRACE_BUDGET / 2**20:.0f}")
