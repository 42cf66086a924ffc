"""The documents lesson's words, read from memviz/locales/documents.toml and slips.toml.

The data modules (sources, slips) keep only what is language-free: numbers, LaTeX, verdict and
message keys. Each text is looked up when it is shown, in the language of that run, so one
module-level registry serves every session in its own language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from memviz import i18n


class Messages(Mapping[str, str]):
    """Catalogue messages by name (`keys`: name -> the message's full key, written out), in the
    current language."""

    def __init__(self, keys: Mapping[str, str],
                 dress: Callable[[str, str], str] = lambda key, text: text) -> None:
        self._keys, self._dress = dict(keys), dress

    def __getitem__(self, key: str) -> str:
        return self._dress(key, i18n.t(self._keys[key]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def listed(items: list[str]) -> str:
    """Items joined the way the current language lists them (", " or "，")."""
    return i18n.t("documents.list_sep").join(items)


DEMOS = ("concat", "cnn_shapes", "rnn_sum", "readout", "lstm_doc001", "gru_doc002", "synapses",
         "lstm_doc004", "softmax", "conv_index", "cell_hidden", "code003")
DEMO_TITLES = Messages({"concat": "documents.demo_title.concat",
                        "cnn_shapes": "documents.demo_title.cnn_shapes",
                        "rnn_sum": "documents.demo_title.rnn_sum",
                        "readout": "documents.demo_title.readout",
                        "lstm_doc001": "documents.demo_title.lstm_doc001",
                        "gru_doc002": "documents.demo_title.gru_doc002",
                        "synapses": "documents.demo_title.synapses",
                        "lstm_doc004": "documents.demo_title.lstm_doc004",
                        "softmax": "documents.demo_title.softmax",
                        "conv_index": "documents.demo_title.conv_index",
                        "cell_hidden": "documents.demo_title.cell_hidden",
                        "code003": "documents.demo_title.code003"})
DEMO_TEXT = Messages({"concat": "documents.demo_text.concat",
                      "cnn_shapes": "documents.demo_text.cnn_shapes",
                      "rnn_sum": "documents.demo_text.rnn_sum",
                      "readout": "documents.demo_text.readout",
                      "lstm_doc001": "documents.demo_text.lstm_doc001",
                      "gru_doc002": "documents.demo_text.gru_doc002",
                      "synapses": "documents.demo_text.synapses",
                      "lstm_doc004": "documents.demo_text.lstm_doc004",
                      "softmax": "documents.demo_text.softmax",
                      "conv_index": "documents.demo_text.conv_index",
                      "cell_hidden": "documents.demo_text.cell_hidden",
                      "code003": "documents.demo_text.code003"})
