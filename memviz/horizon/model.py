"""The horizon's own model: a causal 1-D CNN whose receptive field is the memory it has."""

from __future__ import annotations

import torch
from torch import nn


def dilations(depth: int, dilation: int = 1) -> tuple[int, ...]:
    """Dilation of each layer: 1, d, d^2, ... (d = 1: a plain stack)."""
    return tuple(dilation ** layer for layer in range(depth))


def receptive_field(kernel: int, depth: int, dilation: int = 1) -> int:
    """How many input steps (the current one included) one output step can see."""
    return 1 + (kernel - 1) * sum(dilations(depth, dilation))


class CausalConv(nn.Module):
    """One causal dilated 1-D convolution, (B, T, C_in) -> (B, T, C_out).

    Written as a linear map over the k tapped steps t, t-d, ..., t-(k-1)d: the same function as
    a left-padded nn.Conv1d, but its backward pass is several times faster on the CPU for dilated
    kernels (measured: 12.5 vs 3 ms per training step).
    """

    def __init__(self, c_in: int, c_out: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.kernel, self.dilation = kernel, dilation
        self.taps = nn.Linear(kernel * c_in, c_out)  # tap j (j steps of d back) = block j

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        """a (B, T, C_in) -> (B, T, C_out); zeros stand in for steps before the start."""
        T, reach = a.shape[1], (self.kernel - 1) * self.dilation
        padded = nn.functional.pad(a, (0, 0, reach, 0))  # (B, reach + T, C_in)
        taps = [padded[:, reach - j * self.dilation: reach - j * self.dilation + T]
                for j in range(self.kernel)]
        return self.taps(torch.cat(taps, dim=-1))


class CausalCNN(nn.Module):
    """Causal convolutions + ReLU, a linear readout at every step: (B, T, I) -> (B, T, O)."""

    def __init__(self, input_size: int, output_size: int, channels: int, kernel: int,
                 depth: int, dilation: int = 1, last_only: bool = False) -> None:
        super().__init__()
        self.field = receptive_field(kernel, depth, dilation)
        self.last_only = last_only  # the loss reads only the last step: see forward
        sizes = [input_size] + [channels] * depth
        self.convs = nn.ModuleList(CausalConv(sizes[n], sizes[n + 1], kernel, d)
                                   for n, d in enumerate(dilations(depth, dilation)))
        self.readout = nn.Linear(channels, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, I) -> outputs (B, T, O); output t depends on inputs t-RF+1 .. t only.

        With last_only, only the last min(T, RF) steps are computed, (B, min(T, RF), O): the
        last output is exactly the same (nothing older reaches it), at a fraction of the cost.
        """
        a = x[:, -self.field:] if self.last_only else x
        for conv in self.convs:
            a = torch.relu(conv(a))
        return self.readout(a)
