"""The documents lesson's words, read from memviz/locales/documents.toml and slips.toml.

The data modules (sources, slips) keep only what is language-free: numbers, LaTeX, verdict and
message keys. Each text is looked up when it is shown, in the language of that run, so one
module-level registry serves every session in its own language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from memviz import i18n


class Messages(Mapping[str, str]):
    """The catalogue messages `<prefix>.<key>` for a fixed set of keys, in the current language."""

    def __init__(self, prefix: str, keys: tuple[str, ...],
                 dress: Callable[[str, str], str] = lambda key, text: text) -> None:
        self._prefix, self._keys, self._dress = prefix, keys, dress

    def __getitem__(self, key: str) -> str:
        if key not in self._keys:
            raise KeyError(key)
        return self._dress(key, i18n.t(f"{self._prefix}.{key}"))

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def listed(items: list[str]) -> str:
    """Items joined the way the current language lists them (", " or "，")."""
    return i18n.t("documents.list_sep").join(items)


DEMOS = ("concat", "cnn_shapes", "rnn_sum", "readout", "lstm_doc001", "gru_doc002", "synapses",
         "lstm_doc004", "softmax", "conv_index", "cell_hidden", "code003")
DEMO_TITLES = Messages("documents.demo_title", DEMOS)
DEMO_TEXT = Messages("documents.demo_text", DEMOS)
