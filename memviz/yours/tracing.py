"""Any nn.LSTM / nn.GRU / nn.RNN, layer by layer through the hand-written cells, checked
against torch.

`trace` runs one sequence through memviz.recurrent.cells with the module's own weights, layer
after layer (layer k's h is layer k+1's x), and records every gate and state of every layer as
a memviz.recurrent.trace.Trace, the type the stepper draws. The truth check compares with
torch on the same input: the whole module (its output and its final h, c of every layer) and
each layer alone (a one-layer module with that layer's weights, every step); `max_abs_diff`
is the largest difference anywhere.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from memviz.devices import CPU_THREADS
from memviz.recurrent import cells
from memviz.recurrent.trace import Trace, frozen
from memviz.yours.model import MAX_INPUT, Loaded, check_steps
from memviz.yours.weights import finite, refuse

_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@dataclass(frozen=True)
class ModelTrace:
    """One sequence through a whole recurrent model. kind: 'lstm' | 'gru' | 'rnn_tanh' |
    'rnn_relu'; layers: one Trace per layer, bottom first (each field (T, H), numpy);
    max_abs_diff: hand-written vs torch, largest over every layer; x: (T, I) what layer 0
    received (the embedded vectors when ids came in); output: (T, O) the readout's output, or
    None; ids: the (T,) token ids, or None."""

    kind: str
    layers: tuple[Trace, ...]
    max_abs_diff: float
    x: np.ndarray
    output: np.ndarray | None = None
    ids: np.ndarray | None = None

    @property
    def cell(self) -> str:
        return self.layers[0].arch

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the stepper shows, in order (cells.FIELDS)."""
        return cells.FIELDS[self.cell]

    @property
    def T(self) -> int:
        return self.x.shape[0]

    @property
    def H(self) -> int:
        return self.layers[0].H

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array by name: 'x', 'output', 'ids' where present, and 'l{k}.{field}' for each
        layer k and field (gates, states, pre-activations): what trace.npz holds."""
        out = {"x": self.x}
        out.update({k: v for k, v in (("output", self.output), ("ids", self.ids))
                    if v is not None})
        for k, layer in enumerate(self.layers):
            out.update({f"l{k}.{name}": v for name, v in layer.fields.items()})
        return out


def kind_of(module: nn.Module) -> str:
    """'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu'; WeightsError for any other module and for
    the bidirectional and projected forms the cells do not write out."""
    if not isinstance(module, nn.RNNBase) or module.mode not in (
            "LSTM", "GRU", "RNN_TANH", "RNN_RELU"):
        raise refuse("yours.error.module", what=type(module).__name__)
    if module.bidirectional:
        raise refuse("yours.error.bidirectional", weight="bidirectional=True")
    if getattr(module, "proj_size", 0):
        raise refuse("yours.error.proj", weight=f"proj_size={module.proj_size}")
    return module.mode.lower()


def _sequence(module: nn.RNNBase, x, batch_first: bool, embedding: nn.Embedding | None):
    """x as (T, I) float32 on the CPU, and the (T,) ids it came from (None for vectors)."""
    x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).detach().cpu()
    if x.dim() == 3:  # one sequence with its batch axis, where batch_first puts it
        if x.shape[0 if batch_first else 1] != 1:
            raise refuse("yours.error.input_batch", shape=tuple(x.shape))
        x = x[0] if batch_first else x[:, 0]
    ids = None
    if not x.is_floating_point() and embedding is not None:
        if x.dim() != 1:
            raise refuse("yours.error.input_width_ids", shape=tuple(x.shape),
                         I=module.input_size, vocab=embedding.num_embeddings)
        bad = (x < 0) | (x >= embedding.num_embeddings)
        if bad.any():
            raise refuse("yours.error.input_ids", k=int(bad.nonzero()[0, 0]) + 1,
                         v=int(x[bad][0]), vocab=embedding.num_embeddings)
        ids, x = x.long(), embedding(x.long())
    x = x.float()
    if x.dim() == 1 and module.input_size == 1:
        x = x[:, None]
    if x.dim() != 2 or x.shape[1] != module.input_size or x.shape[1] > MAX_INPUT:
        raise refuse("yours.error.input_width", shape=tuple(x.shape), I=module.input_size,
                     vocab=None)
    if not torch.isfinite(x).all():
        bad = (~torch.isfinite(x)).nonzero()[0]
        raise refuse("yours.error.input_nonfinite", row=int(bad[0]) + 1, col=int(bad[1]) + 1)
    return x, ids


def _on_cpu(m: nn.Module | None) -> nn.Module | None:
    """m, or a float32 copy of it on the CPU (the cells and the stepper work in float32):
    never move the caller's module (another thread may be running it). WeightsError for a
    NaN or infinite weight."""
    if m is None:
        return m
    for name, p in m.named_parameters():
        finite(name, p)
    if all(p.device.type == "cpu" and p.dtype == torch.float32 for p in m.parameters()):
        return m
    return copy.deepcopy(m).cpu().float()


def _layer_weights(module: nn.RNNBase, k: int) -> dict[str, torch.Tensor]:
    """Layer k's weights under the cells' names (zero biases for bias=False)."""
    w = {n: getattr(module, f"{n}_l{k}").detach() for n in _NAMES[:2]}
    for n in _NAMES[2:]:
        w[n] = (getattr(module, f"{n}_l{k}").detach() if module.bias
                else w["weight_hh"].new_zeros(w["weight_hh"].shape[0]))
    return w


def _torch_layer(module: nn.RNNBase, k: int, x: torch.Tensor) -> torch.Tensor:
    """h (T, H) from torch's own kernel for layer k alone on its input x (T, I_k)."""
    one = type(module)(x.shape[1], module.hidden_size, bias=module.bias, batch_first=True,
                       **({"nonlinearity": module.nonlinearity} if module.mode.startswith(
                           "RNN") else {}))
    one.load_state_dict({f"{n}_l0": getattr(module, f"{n}_l{k}") for n in _NAMES
                         if module.bias or n.startswith("weight")})
    return _forward(one, x[None])[0][0]


def _forward(module: nn.RNNBase, x: torch.Tensor):
    """torch's own forward (a memviz FastGRU is checked against nn.GRU's kernel)."""
    forward = nn.GRU.forward if isinstance(module, nn.GRU) else type(module).forward
    return forward(module, x)


def _diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max()) if a.numel() else 0.0


def trace(module: nn.Module, x, *, batch_first: bool | None = None,
          embedding: nn.Embedding | None = None, readout: nn.Module | None = None
          ) -> ModelTrace:
    """The recorded run of `module` (nn.LSTM / GRU / RNN, any layers) on one sequence x:
    (T, I), or (1, T, I) / (T, 1, I) as `batch_first` (default: the module's) says, or (T,)
    integer ids through `embedding`. `readout` (e.g. the Linear reading h) gives `output`."""
    # one intra-op thread, as memviz trains (memviz.devices.CPU_THREADS): a step is a few small
    # products, and a second thread waiting for a busy core made a 2-layer H=128 LSTM over 500
    # steps take 8-11 s instead of 0.4-0.5 s (benchmarks/yours.py under load)
    before = torch.get_num_threads()
    torch.set_num_threads(CPU_THREADS)
    try:
        return _trace(module, x, batch_first, embedding, readout)
    finally:
        torch.set_num_threads(before)


def _trace(module, x, batch_first, embedding, readout) -> ModelTrace:
    kind = kind_of(module)
    module, embedding, readout = (_on_cpu(m) for m in (module, embedding, readout))
    bf = module.batch_first if batch_first is None else batch_first
    with torch.no_grad():
        x, ids = _sequence(module, x, bf, embedding)
        cell = {"rnn_tanh": "rnn"}.get(kind, kind)
        check_steps(cell, module.num_layers, module.hidden_size, x.shape[0])
        ref = copy.deepcopy(module).eval() if module.training and module.dropout else module
        out, last = _forward(ref, x[None] if module.batch_first else x[:, None])
        h_n, c_n = last if kind == "lstm" else (last, None)
        layers, diffs, inp = [], [], x
        for k in range(module.num_layers):
            states = {n: v[0] for n, v in cells.run(cell, inp[None],
                                                    _layer_weights(module, k)).items()}
            d = max(_diff(states["h"], _torch_layer(module, k, inp)),
                    _diff(states["h"][-1], h_n[k, 0]),
                    _diff(states["c"][-1], c_n[k, 0]) if c_n is not None else 0.0)
            diffs.append(d)
            layers.append(states)
            inp = states["h"]
        diffs[-1] = max(diffs[-1], _diff(inp, out[0] if module.batch_first else out[:, 0]))
        output = readout(inp) if readout is not None else None
    T = x.shape[0]
    traces = tuple(Trace(arch=cell, x=frozen(x if k == 0 else layers[k - 1]["h"]),
                         fields={n: frozen(v) for n, v in s.items()},
                         output=frozen(output if k == len(layers) - 1 and output is not None
                                       else np.zeros((T, 0), np.float32)),
                         target=frozen(np.zeros(0, np.float32)), max_abs_diff=d)
                   for k, (s, d) in enumerate(zip(layers, diffs, strict=True)))
    return ModelTrace(kind, traces, max(diffs), frozen(x),
                      None if output is None else frozen(output),
                      None if ids is None else frozen(ids))


def trace_model(loaded: Loaded, x) -> ModelTrace:
    """`trace` of a model read from a weights file (memviz.yours.model.load), with its
    embedding and readout; x as memviz.yours.inputs returns it."""
    return trace(loaded.rnn, x, embedding=loaded.embedding, readout=loaded.readout)
