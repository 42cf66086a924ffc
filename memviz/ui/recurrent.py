"""The panels every recurrent-cell lesson shares: controls, summary, and the step-through.

Parameterised by the cell type, so the RNN, LSTM and GRU pages draw the same panels.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from memviz import plotting
from memviz.config import (
    HIDDEN_RANGE,
    MIN_SEQ_LEN,
    SEQ_LEN_RANGE,
    TASKS,
    ConfigError,
    ModelConfig,
    RunConfig,
    TaskConfig,
    TrainConfig,
)
from memviz.documents import figures as doc_figures
from memviz.documents import variants
from memviz.recurrent import cells, equations, figures, lesson, presets, tasks, verdict
from memviz.ui import show, training, urlstate

TASK_LABELS = plotting.TASK_LABELS  # one set of task names for every page
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
PLAY_SECONDS = 0.5  # one step every half second while playing


URL_PARSERS = {"task": str, "seq_len": int, "hidden": int, "lr": float, "steps": int,
               "seed": int, "t": int, "unit": int}
CONTROL_NAMES = ["task", "seq_len", "hidden", "lr", "steps", "seed"]


def _valid_link(v: dict) -> bool:
    """Whether settings from a link make a config the widgets can show."""
    try:
        RunConfig(TaskConfig(v.get("task", "recall"), v.get("seq_len", 20)),
                  ModelConfig("lstm", v.get("hidden", 32)),
                  TrainConfig(steps=v.get("steps", 300), lr=v.get("lr", 0.01),
                              seed=v.get("seed", 0)))
    except ConfigError:
        return False
    return (v.get("lr", 0.01) in LEARNING_RATES and 10 <= v.get("steps", 300) <= 2000
            and v.get("steps", 300) % 10 == 0 and 0 <= v.get("seed", 0) <= 10_000
            and v.get("t", 1) >= 1 and v.get("unit", 0) >= 0)


def controls(page: str, arch: str, seq_len: int = 20) -> RunConfig | None:
    """Bounded widgets -> a frozen RunConfig (None, with a message, if the settings clash).

    The settings live in the URL too, so a copied link reopens the same setup; in lecturer
    mode they fold away into a closed "Settings" panel.
    """
    urlstate.restore(page, URL_PARSERS, _valid_link)
    with st.expander("Settings", expanded=not show.lecturer()):
        cfg = _widgets(page, arch, seq_len)
    st.session_state[f"{page}_from_link"] = urlstate.opened_with(page, cfg, CONTROL_NAMES)
    urlstate.save(page, CONTROL_NAMES)
    if cfg is not None:
        show.note_config(cfg.to_dict())
    return cfg


def _defaults(page: str, seq_len: int) -> None:
    """Widget defaults set through session state, so links and presets can override them."""
    for name, value in {"task": "recall", "seq_len": seq_len, "hidden": 32, "lr": 0.01,
                        "steps": 300, "seed": 0}.items():
        st.session_state.setdefault(f"{page}_{name}", value)
    lo = MIN_SEQ_LEN[st.session_state[f"{page}_task"]]
    st.session_state[f"{page}_seq_len"] = max(st.session_state[f"{page}_seq_len"], lo)


def _apply_preset(page: str) -> None:
    chosen = st.session_state.get(f"{page}_preset")
    preset = presets.for_page(page).get(chosen)
    if preset is not None:
        for name, value in preset.widget_values().items():
            st.session_state[f"{page}_{name}"] = value


def preset_menu(page: str) -> None:
    """A menu of named lecture setups for this page (sets the widgets; Train still trains)."""
    options = presets.for_page(page)
    if not options:
        return
    st.selectbox("Lecture preset", ["(your own settings)", *options], key=f"{page}_preset",
                 on_change=_apply_preset, args=(page,))
    chosen = options.get(st.session_state.get(f"{page}_preset"))
    if chosen is not None:
        st.info(chosen.note)


def _widgets(page: str, arch: str, seq_len: int) -> RunConfig | None:
    _defaults(page, seq_len)
    preset_menu(page)
    c1, c2, c3 = st.columns(3)
    task = c1.selectbox("Task", TASKS, format_func=TASK_LABELS.get, key=f"{page}_task")
    seq_len = c2.slider("Sequence length T", MIN_SEQ_LEN[task], SEQ_LEN_RANGE[1],
                        key=f"{page}_seq_len",
                        help="For delayed recall this is the delay the memory must bridge.")
    hidden = c3.slider("Hidden size H", HIDDEN_RANGE[0], HIDDEN_RANGE[1], key=f"{page}_hidden")
    c4, c5, c6 = st.columns(3)
    lr = c4.select_slider("Learning rate", LEARNING_RATES, key=f"{page}_lr")
    steps = c5.slider("Training steps", 10, 2000, step=10, key=f"{page}_steps")
    seed = c6.number_input("Seed", 0, 10_000, key=f"{page}_seed")
    try:
        return RunConfig(TaskConfig(task, seq_len), ModelConfig(arch, hidden),
                         TrainConfig(steps=steps, lr=lr, seed=int(seed)))
    except ConfigError as e:
        st.error(f"These settings cannot be used: {e}")
        return None


def train(page: str, cfg: RunConfig) -> lesson.Lesson | None:
    """The trained lesson for cfg (shared by every session), or None until Train is pressed.

    A page opened from a link with settings trains at once, so the link shows the model.
    """
    auto = st.session_state.get(f"{page}_from_link", False)
    return training.trained(page, cfg, lesson.prepare, auto=auto)


def summary(les: lesson.Lesson) -> None:
    """Headline numbers of the trained run and the proof that the shown numbers are torch's."""
    h, cfg = les.run.history, les.run.config
    m1, m2, m3, m4 = st.columns(4)
    meaning = verdict.ACCURACY_MEANING.get(cfg.task.name)
    if h.eval_accuracy is not None:
        m1.metric("Held-out accuracy", f"{100 * h.eval_accuracy:.1f}%",
                  help=f"Accuracy is {meaning}." if meaning else None)
    m2.metric("Held-out loss", f"{h.eval_loss:.4f}")
    if meaning and cfg.task.name == "adding":
        show.caption(f"Accuracy here is {meaning}.")
    baseline = verdict.baseline_sentence(cfg, h)
    if baseline:
        show.caption(baseline)
    warning = verdict.failed(cfg, h)
    if warning:
        st.warning(warning)
    m3.metric("Training time", f"{h.seconds:.2f} s")
    m4.metric("Trained on", h.device.upper(), help=les.run.device_label)
    show.caption(
        f"The numbers below come from re-running the trained weights through the cell written "
        f"out gate by gate; they differ from torch's fused nn.{cfg.model.arch.upper()} by at most "
        f"{les.trace.max_abs_diff:.1e} (float32 rounding)."
    )
    with st.expander("Training loss"):
        show.plotly(figures.loss_curve(h.losses, lesson.baseline_loss(cfg)),
                    f"{cfg.model.arch}_loss",
                    "Loss per training step on a log scale; the dashed line is what a model "
                    "without memory would score.")


def example(page: str, les: lesson.Lesson) -> None:
    """The example input and the model's answer, which do not depend on the selected step."""
    spec = les.spec
    left, right = st.columns(2)
    with left:
        show.plotly(figures.input_heatmap(les.trace, spec.channels), f"{page}_input",
                    "The input signal at each step." if figures.real_valued(les.trace) else
                    "Each row is one input channel; the darker a cell, the larger the input.")
    with right:
        show.plotly(figures.prediction(les.trace, spec), f"{page}_prediction",
                    "The trained model's answer on this sequence next to the right answer.")


def _advance(page: str, T: int) -> None:
    """While playing, move one step forward; stop at the end."""
    key = f"{page}_t"
    if st.session_state.get(key, 1) >= T:
        st.session_state[f"{page}_playing"] = False
    else:
        st.session_state[key] = st.session_state.get(key, 1) + 1


def _toggle_play(page: str) -> None:
    st.session_state[f"{page}_playing"] = not st.session_state.get(f"{page}_playing", False)


def _step_panel(page: str, les: lesson.Lesson, timer_on: bool) -> None:
    tr = les.trace
    if st.session_state.get(f"{page}_playing"):
        _advance(page, tr.T)
    if st.session_state.get(f"{page}_playing", False) != timer_on:
        st.rerun()  # the fragment's timer is set when the page runs: start or stop it there
    st.session_state[f"{page}_t"] = min(max(st.session_state.get(f"{page}_t", tr.T), 1), tr.T)
    st.session_state[f"{page}_unit"] = min(st.session_state.get(f"{page}_unit", 0), tr.H - 1)
    c1, c2, c3 = st.columns([6, 1, 2], vertical_alignment="bottom")
    t = c1.slider("Time step t", 1, max(tr.T, 2), key=f"{page}_t", disabled=tr.T == 1)
    playing = st.session_state.get(f"{page}_playing", False)
    c2.button("Pause" if playing else "Play", key=f"{page}_play", on_click=_toggle_play,
              args=(page,), use_container_width=True)
    j = c3.number_input("Unit", 0, tr.H - 1, key=f"{page}_unit")
    urlstate.save(page, ["t", "unit"])
    show.note_config({**les.run.config.to_dict(), "view": {"t": t, "unit": int(j)}})
    t = min(t, tr.T)
    fields = cells.FIELDS[tr.arch]
    left, right = st.columns([1, 1] if show.lecturer() else [3, 2])
    with left:
        show.plotly(figures.state_heatmaps(tr, fields, t, j), f"{page}_heatmaps",
                    "Rows are hidden units, columns are time steps; colour is the value. "
                    "Gates run from 0 (closed) to 1 (open); the orange line is the current step.")
    with right:
        st.markdown(f"**The equations at step t = {t}, unit {j}** (PyTorch's form, live numbers)")
        for name, tex in equations.live(tr, t, j).items():
            show.latex(tex, key=f"{page}_eq_{name}")
        show.plotly(figures.unit_lines(tr, fields, j, t), f"{page}_unit_lines",
                    "The same unit's gates and states as curves: watch which gate moves when the "
                    "input arrives.")


def step_through(page: str, les: lesson.Lesson) -> None:
    """Time-step slider, play/pause, unit selector, heatmaps and live equations, in a fragment.

    Moving the slider reruns only this fragment, which indexes into the stored trace: stepping
    never retrains or re-records.
    """
    playing = st.session_state.get(f"{page}_playing", False)
    st.fragment(_step_panel, run_every=PLAY_SECONDS if playing else None)(page, les, playing)


def lesson_panels(page: str, arch: str) -> lesson.Lesson | None:
    """The whole shared lesson: controls, Train, summary, example and step-through.

    Returns the trained lesson (for a page's own sections below) or None before training.
    """
    cfg = controls(page, arch)
    if cfg is None:
        return None
    show.caption(task_note(cfg))
    les = train(page, cfg)
    if les is not None:
        summary(les)
        example(page, les)
        step_through(page, les)
    return les


def task_note(cfg: RunConfig) -> str:
    """One sentence on what the chosen task asks the network to remember."""
    notes = {
        "recall": f"A symbol (one of {cfg.task.n_symbols}) arrives at step 1; the cue at step "
                  f"{cfg.task.seq_len} asks for it back. Chance is {tasks.chance(cfg.task):.0%}.",
        "adding": "Two of the values are marked; at the last step the answer is their sum.",
        "sine": "At every step, forecast the next value of a noisy sine wave.",
        "brackets": "At every step, say how deeply nested the brackets are so far.",
    }
    return notes[cfg.task.name]


def variant_panel(page: str, les: lesson.Lesson, name: str, label: str) -> None:
    """Run the trained weights through a document's variant of the cell and show how far it
    departs from the real one (computed once per config, kept in the shared store)."""
    if not st.toggle(label, key=f"{page}_variant_{name}"):
        return
    tr = les.trace
    real, doc = training.store().get_or_compute(
        name, les.run.config, lambda: variants.run_both(name, les.run.model.layer0(), tr.x.copy()))
    dh = doc["h"] - real["h"]
    c1, c2 = st.columns(2)
    c1.metric("max |Δh| over the sequence", f"{np.abs(dh).max():.4f}")
    c2.metric("mean |Δh|", f"{np.abs(dh).mean():.4f}")
    show.plotly(doc_figures.delta_heatmap(dh, "h(document form) − h(PyTorch form)"),
                f"{page}_{name}_dh",
                "White means both forms agree; red and blue show where the document's form "
                "would have put a different hidden state, on the same weights and input.")
