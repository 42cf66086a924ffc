"""The trained models: torch's recurrent modules plus a linear readout.

Training uses nn.RNN / nn.LSTM because their kernels are fast (cuDNN on the GPU, oneDNN for the
LSTM on the CPU). torch has no fused GRU kernel on the CPU, so the GRU trains through
memviz.fastgru.FastGRU there: an nn.GRU subclass with a hand-written backward, 2x faster, and
torch's own kernel on CUDA. `cells.py` re-runs the same weights step by step to show them, and
`reference_forward` is what they are checked against: always torch's own module.
"""

from __future__ import annotations

import torch
from torch import nn

from memviz.config import ModelConfig
from memviz.engine.fastgru import FastGRU

# the torch module of each architecture; the sentences and series lessons build theirs from it too
MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": FastGRU}


def weights_of(rnn: nn.RNNBase) -> dict[str, torch.Tensor]:
    """A recurrent module's layer-0 weights exactly as torch stores them (detached, on the CPU),
    under the names the hand-written cells (memviz.engine.cells) read."""
    return {name: getattr(rnn, f"{name}_l0").detach().cpu()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def reference_forward(rnn: nn.RNNBase, x: torch.Tensor) -> torch.Tensor:
    """Hidden states (B, T, H) from torch's own kernel for this layer, never memviz's FastGRU."""
    forward = nn.GRU.forward if isinstance(rnn, nn.GRU) else type(rnn).forward
    return forward(rnn, x)[0]


class SeqModel(nn.Module):
    """One recurrent layer (batch first) and a linear readout at every step."""

    def __init__(self, cfg: ModelConfig, input_size: int, output_size: int,
                 seq_len: int = 2) -> None:
        super().__init__()
        self.arch = cfg.arch
        self.rnn = MODULES[cfg.arch](input_size, cfg.hidden, batch_first=True)
        self.readout = nn.Linear(cfg.hidden, output_size)
        if cfg.init == "chrono" and cfg.arch != "rnn":
            self._chrono_init(seq_len)

    def _chrono_init(self, seq_len: int) -> None:
        """Chrono initialisation (Tallec & Ollivier 2018): gate biases set time constants.

        A keep-gate bias b = log(u), u ~ U[1, T-1], gives each unit a memory of about u steps at
        the start of training, spread up to the task's length. Without it a default-initialised
        LSTM forgets within a few steps and sits on a loss plateau on delayed recall.
        LSTM: forget gate b_f = log(u), input gate b_i = -b_f. GRU: update gate z keeps
        h_{t-1}, so b_z = log(u). torch keeps two biases; the sum is what counts.
        """
        H = self.rnn.hidden_size
        u = torch.empty(H).uniform_(1.0, max(seq_len - 1.0, 2.0))
        b_ih, b_hh = self.rnn.bias_ih_l0, self.rnn.bias_hh_l0
        keep = slice(H, 2 * H)  # f in LSTM order (i, f, g, o); z in GRU order (r, z, n)
        with torch.no_grad():
            b_ih[keep].copy_(torch.log(u))
            b_hh[keep].zero_()
            if self.arch == "lstm":
                b_ih[:H].copy_(-torch.log(u))
                b_hh[:H].zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, I) -> outputs (B, T, O)."""
        h, _ = self.rnn(x)
        return self.readout(h)

    def layer0(self) -> dict[str, torch.Tensor]:
        """The recurrent weights exactly as torch stores them for layer 0 (detached, on the CPU)."""
        return weights_of(self.rnn)


def build(cfg: ModelConfig, input_size: int, output_size: int, seed: int,
          seq_len: int = 2) -> SeqModel:
    """A freshly initialised model; the seed fixes its weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return SeqModel(cfg, input_size, output_size, seq_len)
