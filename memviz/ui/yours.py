"""The panels of the "Your model" page: a weights file in, what was found, the input, the truth
line, the layer chooser and the lecture pack's files. The reading, the checks and the trace are
memviz.yours's; here are only the widgets around them. A link cannot carry a file, so nothing
here is kept in the URL but the step-through's t and unit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from memviz import plotting, uploads
from memviz.config import MIN_SEQ_LEN, TASKS, ConfigError, TaskConfig
from memviz.documents import figures as doc_figures
from memviz.engine import figures, tasks
from memviz.i18n import current
from memviz.ui import show, steppanel, stepper
from memviz.ui.lang import t
from memviz.yours import figures as yfig
from memviz.yours import inputs, model, pack, tracing, weights, whatif
from memviz.yours.model import Loaded
from memviz.yours.tracing import ModelTrace

PAGE = "yours"
# The uploaders take any file name (no `type=`): Streamlit's own refusal of an extension is an
# English line in the browser and an exception on the server; memviz.yours refuses a file of
# another kind in one translated line instead (weights.WEIGHT_SUFFIXES, inputs.INPUT_SUFFIXES).
WEIGHT_TYPES = ", ".join(weights.WEIGHT_SUFFIXES)
SOURCES = {"text": "yours.page.source_text", "task": "yours.page.source_task",
           "typed": "yours.page.source_typed", "file": "yours.page.source_file"}
INPUT = "input.npy"  # the input's name in the lecture pack (as checked: vectors or ids)
TRUTH = 1e-5  # the largest |Δ| the truth line calls a match (float32 rounding is ~1e-7)


@st.cache_resource(max_entries=8, show_spinner=False)
def _load(data: bytes, name: str, nonlinearity: str | None) -> Loaded:
    """The modules in a weights file (shared by the sessions that upload the same file: never
    changed by anyone, memviz.yours.tracing copies before it moves anything)."""
    return model.load(data, name, nonlinearity)


@st.cache_resource(max_entries=16, show_spinner=False)
def _trace(data: bytes, name: str, nonlinearity: str | None, x: np.ndarray) -> ModelTrace:
    """The recorded run of the weights on x (a rerun of the page does not redo it)."""
    return tracing.trace_model(_load(data, name, nonlinearity), x)


@dataclass(frozen=True)
class Model:
    """An uploaded weights file: its bytes and name, the RNN nonlinearity chosen, its modules."""

    data: bytes
    name: str
    nonlinearity: str | None
    loaded: Loaded

    def run(self, x: np.ndarray) -> ModelTrace:
        return _trace(self.data, self.name, self.nonlinearity, x)


def refused(e: Exception) -> None:
    """A bad file's one line (WeightsError is already translated), shown as plain text."""
    st.error(show.literal(e))


def weights_panel() -> Model | None:
    """The weights uploader, the relu/tanh choice for an RNN and the line saying what was
    found, before anything runs; None (with the reason) until a file is read."""
    up = st.file_uploader(t("yours.page.weights", kinds=WEIGHT_TYPES), key=f"{PAGE}_weights",
                          max_upload_size=uploads.widget_mb(weights.MAX_WEIGHTS_BYTES),
                          help=t("yours.page.weights_help", pt=".pt",
                                 save="torch.save(model.state_dict(), 'model.pt')",
                                 save_file="save_file(model.state_dict(), 'model.safetensors')"))
    if up is None:
        st.info(t("yours.page.no_weights"))
        return None
    data, nonlinearity = up.getvalue(), None
    try:
        loaded = _load(data, up.name, None)
        if loaded.found.kind.startswith("rnn"):  # the weights cannot tell tanh from relu
            nonlinearity = st.radio(t("yours.page.nonlinearity"), model.NONLINEARITIES,
                                    horizontal=True, key=f"{PAGE}_nonlinearity",
                                    help=t("yours.page.nonlinearity_help",
                                           code="nn.RNN(nonlinearity=...)"))
            loaded = _load(data, up.name, nonlinearity)
    except ConfigError as e:
        refused(e)
        return None
    st.success(show.literal(loaded.found.summary()))
    return Model(data, up.name, nonlinearity, loaded)


def fitting_tasks(found: model.Found) -> list[str]:
    """The app's own tasks whose input has the model's width (memviz.engine.tasks)."""
    if found.embedding:
        return []
    return [n for n in TASKS if tasks.spec(TaskConfig(n, MIN_SEQ_LEN[n])).input_size
            == found.input_size]


def _sources(found: model.Found) -> list[str]:
    return (["text"] if found.embedding else []) + (["task"] if fitting_tasks(found) else []) \
        + ["typed", "file"]


def input_panel(found: model.Found) -> np.ndarray | None:
    """The sequence to run, checked: vectors (T, I) or token ids (T,); None (with the reason)
    until there is one."""
    source = st.radio(t("yours.page.source"), _sources(found), horizontal=True,
                      key=f"{PAGE}_source",
                      format_func=lambda s: t(SOURCES[s], csv="CSV", npy=".npy"))
    try:
        if source == "file":
            up = st.file_uploader(t("yours.page.input_file"), key=f"{PAGE}_input_file",
                                  help=t("yours.page.input_help"),
                                  max_upload_size=uploads.widget_mb(inputs.MAX_INPUT_BYTES))
            if up is None:
                st.info(t("yours.page.no_input"))
                return None
            return inputs.read_input(up.getvalue(), up.name, found)
        if source == "task":
            return _task_input(found)
        if source == "text":
            return _text_input(found)
        typed = st.text_area(t("yours.page.typed"), key=f"{PAGE}_typed",
                             placeholder=t("yours.page.typed_placeholder"),
                             help=t("yours.page.typed_help", I=found.input_size))
        if not typed.strip():
            st.info(t("yours.page.no_typed"))
            return None
        return inputs.parse_typed(typed, found)
    except ConfigError as e:
        refused(e)
        return None


def _task_input(found: model.Found) -> np.ndarray:
    """An example sequence of one of the app's tasks whose input has the model's width."""
    names = fitting_tasks(found)
    c1, c2, c3 = st.columns(3)
    name = c1.selectbox(t("yours.page.task"), names, key=f"{PAGE}_task",
                        format_func=plotting.TASK_LABELS.get)
    T = c2.number_input(t("yours.page.task_len"), MIN_SEQ_LEN[name], 200, 20,
                        key=f"{PAGE}_task_len")
    seed = c3.number_input(t("yours.page.task_seed"), 0, 10_000, 0, key=f"{PAGE}_task_seed")
    x = tasks.example(TaskConfig(name, int(T)), int(seed)).x[0].numpy()
    return inputs.check_input(x, found)


def _text_input(found: model.Found) -> np.ndarray:
    """Typed text through the model's embedding: each character's id is its place in the
    vocabulary the student types (as their script built it, e.g. sorted(set(text)))."""
    vocab = st.text_input(t("yours.page.vocab"), key=f"{PAGE}_vocab",
                          help=t("yours.page.vocab_help", vocab=found.vocab_size))
    text = st.text_input(t("yours.page.text"), key=f"{PAGE}_text")
    return inputs.check_input(text_ids(vocab, text, found.vocab_size), found)


def text_ids(vocab: str, text: str, size: int | None) -> np.ndarray:
    """The ids of `text`'s characters in `vocab` (id = place in vocab); ConfigError, in the
    reader's language, for a vocabulary that does not fit the embedding or a character not
    in it."""
    if not vocab or len(set(vocab)) != len(vocab) or (size is not None and len(vocab) > size):
        raise ConfigError(t("yours.page.bad_vocab", n=len(vocab), vocab=size))
    if not text:
        raise ConfigError(t("yours.page.no_text"))
    where = {ch: k for k, ch in enumerate(vocab)}
    missing = [ch for ch in text if ch not in where]
    if missing:
        raise ConfigError(t("yours.page.not_in_vocab", ch=repr(missing[0])))
    return np.array([where[ch] for ch in text], dtype=np.int64)


def answer(mt: ModelTrace) -> None:
    """What the readout answers after the last step: its largest output, and the character
    that number is in the vocabulary typed (text input)."""
    if mt.output is None:
        return
    k, vocab = int(mt.output[-1].argmax()), st.session_state.get(f"{PAGE}_vocab", "")
    if mt.ids is not None and st.session_state.get(f"{PAGE}_source") == "text" \
            and k < len(vocab):
        show.caption(t("yours.page.answer_char", k=k, T=mt.T, ch=show.literal(repr(vocab[k]))))
    else:
        show.caption(t("yours.page.answer", k=k, T=mt.T))


def truth_line(mt: ModelTrace) -> None:
    """The hand-written cells against torch's own module with the same weights."""
    what = dict(kind=t(model.KIND_KEYS[mt.kind]), diff=f"{mt.max_abs_diff:.1e}",
                layers=", ".join(f"{layer.max_abs_diff:.1e}" for layer in mt.layers))
    if mt.max_abs_diff <= TRUTH:
        st.success(t("yours.page.truth", **what))
    else:
        st.warning(t("yours.page.truth_far", **what))


def layer_choice(mt: ModelTrace) -> int:
    """The layer whose gates and states the stepper shows (a radio only for several layers);
    the step and unit on screen carry over to the chosen layer."""
    key = f"{PAGE}_layer"
    if mt.num_layers == 1:
        return 0
    if st.session_state.get(key, 0) >= mt.num_layers:
        st.session_state[key] = 0
    return int(st.radio(t("yours.page.layer"), range(mt.num_layers), horizontal=True, key=key,
                        format_func=lambda k: t("yours.page.layer_option", k=k),
                        on_change=_carry_view, args=(st.session_state.get(key, 0),),
                        help=t("yours.page.layer_help")))


def _carry_view(old: int) -> None:
    new, ss = st.session_state[f"{PAGE}_layer"], st.session_state
    for name in ("t", "unit"):
        if f"{PAGE}_l{old}_{name}" in ss:
            ss[f"{PAGE}_l{new}_{name}"] = ss[f"{PAGE}_l{old}_{name}"]


@dataclass(frozen=True)
class Setup:
    """What config.json says of the run on screen (the stepper adds its view: t and unit)."""

    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


@dataclass(frozen=True)
class Run:
    """What the shared step-through reads of a run: its config (memviz.ui.steppanel)."""

    config: Setup


def lesson(m: Model, mt: ModelTrace, layer: int) -> steppanel.TraceLesson:
    """Layer `layer` of the trace as the shared step-through takes a lesson."""
    config = {**pack.config(m.loaded.found, pack_name(m), INPUT, m.nonlinearity),
              "layer": layer, "max_abs_diff_vs_torch": mt.max_abs_diff}
    return steppanel.TraceLesson(Run(Setup(config)), mt.layers[layer])


def pack_name(m: Model) -> str:
    """The weights' name in the lecture pack: weights + the uploaded file's extension."""
    return "weights" + weights.suffix(m.name)


def pack_extras(m: Model, x: np.ndarray, mt: ModelTrace, k: int, j: int) -> None:
    """What the lecture pack holds beyond the step-through's notes: the weights and the input
    (a link cannot carry them), the command that rebuilds every figure from them, and every
    layer's figures at step k, unit j, built and named as `python -m memviz inspect` does."""
    buf = io.BytesIO()
    np.save(buf, x, allow_pickle=False)
    command = ("python -m memviz inspect --config config.json --out figures "
               f"--formats svg,pdf,png,csv --lang {current()}")  # the view is config.json's
    show.note_files({pack_name(m): m.data, INPUT: buf.getvalue()}, command)
    for layer in range(mt.num_layers):  # every layer, the one on screen too: as inspect draws
        for name in (f"{PAGE}_l{layer}_heatmaps", f"{PAGE}_l{layer}_unit_lines"):
            show.note_figure(lambda name=name: yfig.model_figures(mt, k, j)[name], name)




def whatif_panel(m: Model, x: np.ndarray, mt: ModelTrace, layer: int) -> None:
    """Change one value of the input and re-run the same weights (milliseconds, no training);
    the saliency says which steps the answer depends on."""
    with st.expander(t("yours.page.whatif")):
        try:
            new_x = _edited(x, m.loaded.found)
            new = m.run(inputs.check_input(new_x, m.loaded.found))
        except (ConfigError, ValueError) as e:
            refused(e)
            return
        unit = int(st.session_state.get(f"{PAGE}_l{layer}_unit", 0))
        sal, k = whatif.saliency(m.loaded, new_x, unit)
        what = (t("yours.page.what_readout", k=k) if m.loaded.readout is not None
                else t("yours.page.what_unit", j=k, layer=mt.num_layers - 1))
        left, right = st.columns(2)
        with left:
            show.plotly(figures.saliency_strip(sal, what), f"{PAGE}_wi_saliency",
                        t("yours.page.saliency_caption"))
        with right:
            if np.array_equal(new_x, x):  # nothing edited yet: an all-zero Δ says nothing
                st.info(t("yours.page.unedited"))
            else:
                dh = new.layers[layer]["h"] - mt.layers[layer]["h"]
                show.plotly(doc_figures.delta_heatmap(dh, t("whatif.dh_title")),
                            f"{PAGE}_wi_dh", t("yours.page.dh_caption", layer=layer))
        stepper.stepper(f"{PAGE}_wi_stepper", new.layers[layer], new.T, 0, show.lecturer())


def _edited(x: np.ndarray, found: model.Found) -> np.ndarray:
    """The student's edit of the input: one step's token id, or one value of one step."""
    c1, c2, c3 = st.columns(3)
    step = int(c1.number_input(t("whatif.step"), 1, len(x), 1, key=f"{PAGE}_wi_step"))
    if x.ndim == 1:  # token ids through the embedding
        now = int(x[step - 1])
        v = c2.number_input(t("yours.page.new_id", now=now), 0, found.vocab_size - 1, now,
                            key=f"{PAGE}_wi_id")
        return whatif.edit(x, step, 0, v)
    ch = int(c2.selectbox(t("whatif.channel"), range(x.shape[1]), key=f"{PAGE}_wi_channel",
                          format_func=lambda k: f"x{k + 1}"))
    now = float(x[step - 1, ch])
    v = c3.number_input(t("whatif.value", now=f"{now:.3f}"), value=now, step=0.1,
                        key=f"{PAGE}_wi_value")
    return whatif.edit(x, step, ch, v)
