"""The panels every recurrent-cell lesson shares: controls, summary, and the step-through.

Parameterised by the cell type, so the RNN, LSTM and GRU pages draw the same panels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from memviz import plotting
from memviz.config import (
    HIDDEN,
    MIN_SEQ_LEN,
    SEQ_LEN,
    TASKS,
    Choice,
    ConfigError,
    Int,
    ModelConfig,
    RunConfig,
    TaskConfig,
    TrainConfig,
)
from memviz.documents import figures as doc_figures
from memviz.documents import variants
from memviz.gates import gradients
from memviz.recurrent import cells, equations, figures, lesson, presets, tasks, verdict
from memviz.ui import lang, show, stepper, training, urlstate, whatif

TASK_LABELS = plotting.TASK_LABELS  # one set of task names for every page
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
DEFAULTS = {"seq_len": 20, "hidden": 32, "lr": 0.01, "steps": 300}
# a page's own defaults (Why gates: where the vanilla RNN fails for seeds 0-3, see
# memviz.gates.gradients.DEFAULTS) and its own view settings beside t and unit
PAGE_DEFAULTS = {"gates": gradients.DEFAULTS}
PAGE_VIEWS = {"lstm": ("memory_unit",)}


def settings_table(page: str) -> urlstate.Table:
    """The recurrent pages' settings: URL names, widget bounds and defaults, declared once."""
    d = {**DEFAULTS, **PAGE_DEFAULTS.get(page, {})}
    views = [urlstate.Setting(name, Int("unit", 0, HIDDEN.hi - 1), None, view=True)
             for name in PAGE_VIEWS.get(page, ())]
    return urlstate.Table(page, [
        urlstate.Setting("task", Choice("task", TASKS), "recall"),
        urlstate.Setting("seq_len", SEQ_LEN, d["seq_len"]),
        urlstate.Setting("hidden", HIDDEN, d["hidden"]),
        urlstate.Setting("lr", Choice("learning rate", LEARNING_RATES), d["lr"]),
        urlstate.Setting("steps", Int("training steps", 10, 2000, 10), d["steps"]),
        urlstate.Setting("seed", Int("seed", 0, 10_000), 0),
        urlstate.Setting("t", Int("time step t", 1, SEQ_LEN.hi), None, view=True),
        urlstate.Setting("unit", Int("unit", 0, HIDDEN.hi - 1), None, view=True),
        *views,
    ], check=lambda v: TaskConfig(v["task"], v["seq_len"]))


def controls(page: str, arch: str) -> RunConfig | None:
    """Bounded widgets -> a frozen RunConfig (None, with a message, if the settings clash).

    The settings live in the URL too, so a copied link reopens the same setup; in lecturer
    mode they fold away into a closed "Settings" panel.
    """
    table = settings_table(page)
    table.start()
    with st.expander("Settings", expanded=not show.lecturer()):
        cfg = _widgets(table, arch)
    st.session_state[f"{page}_from_link"] = table.from_link()
    table.save([n for n, s in table.settings.items() if not s.view])
    if cfg is not None:
        show.note_config(cfg.to_dict())
    return cfg


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


def _widgets(table: urlstate.Table, arch: str) -> RunConfig | None:
    page = table.page
    lo = MIN_SEQ_LEN[st.session_state[table.key("task")]]
    st.session_state[table.key("seq_len")] = max(st.session_state[table.key("seq_len")], lo)
    preset_menu(page)
    c1, c2, c3 = st.columns(3)
    task = table.choice(c1, "Task", "task", format_func=TASK_LABELS.get)
    seq_len = table.slider(c2, "Sequence length T", "seq_len", lo=MIN_SEQ_LEN[task],
                           help="For delayed recall this is the delay the memory must bridge.")
    hidden = table.slider(c3, "Hidden size H", "hidden")
    c4, c5, c6 = st.columns(3)
    lr = table.slider(c4, "Learning rate", "lr")
    steps = table.slider(c5, "Training steps", "steps")
    seed = table.number(c6, "Seed", "seed")
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
    judged = verdict.judge(cfg, h)
    if not judged.ok:
        st.warning(f"**This run did not learn.** {judged.problem} {judged.reason} "
                   f"**Try** {judged.try_}")
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
    m3.metric("Training time", f"{h.seconds:.2f} s")
    m4.metric("Trained on", h.device.upper(), help=les.run.device_label)
    how = "step by step" if cfg.model.arch == "rnn" else "gate by gate"  # an RNN has no gates
    show.caption(
        f"The numbers below come from re-running the trained weights through the cell written "
        f"out {how}; they differ from torch's fused nn.{cfg.model.arch.upper()} by at most "
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


def _checkpoint(page: str, les: lesson.Lesson) -> lesson.Checkpoint | None:
    """A "Training step" control over the recorded checkpoints (None if there are none)."""
    points = {c.step: c for c in getattr(les, "checkpoints", ())}
    if len(points) < 2:
        return None
    key = f"{page}_ckpt"
    if st.session_state.get(key) not in points:
        st.session_state[key] = max(points)
    watch = ("the hidden state change as it learns" if les.trace.arch == "rnn"
             else "the gates learn")  # an RNN has no gates to watch
    step = st.select_slider(
        "Training step", list(points), key=key,
        help="The same example through the weights as they were after this many training "
             f"steps: watch {watch}.")
    c = points[step]
    acc = "" if c.accuracy is None else f", held-out accuracy {100 * c.accuracy:.1f}%"
    show.caption(f"After {step} training steps: held-out loss {c.loss:.4f}{acc}.")
    return c


def _step_panel(page: str, les: lesson.Lesson | TraceLesson, extra=None) -> None:
    lang.sync()  # a fragment-only run: the session's language, not the thread's default
    point = _checkpoint(page, les)
    tr = les.trace if point is None else point.trace
    t = min(max(int(st.session_state.get(f"{page}_t", tr.T)), 1), tr.T)
    j = min(max(int(st.session_state.get(f"{page}_unit", 0)), 0), tr.H - 1)
    view = stepper.stepper(f"{page}_stepper", tr, t, j, show.lecturer())
    if view is not None:  # where the student settled in the browser: keep it for the URL
        t, j = min(max(view["t"], 1), tr.T), min(max(view["unit"], 0), tr.H - 1)
    st.session_state[f"{page}_t"], st.session_state[f"{page}_unit"] = t, j
    settings_table(page).save(["t", "unit"])
    show.note_config({**les.run.config.to_dict(), "view": {"t": t, "unit": j}})
    for name, tex in equations.live(tr, t, j).items():
        show.note_equation(tex, key=f"{page}_eq_{name}")
    fields = cells.FIELDS[tr.arch]
    c1, c2, _ = st.columns([1, 1, 3])
    with c1:
        show.export_only(figures.state_heatmaps(tr, fields, t, j), f"{page}_heatmaps",
                         "Export heatmaps")
    with c2:
        show.export_only(figures.unit_lines(tr, fields, j, t), f"{page}_unit_lines",
                         "Export unit curves")
    show.caption(f"The exports show step {t} and unit {j}, where the stepper last settled.")
    clipped = figures.cell_note(tr)
    if clipped:
        show.caption(clipped)
    if extra is not None:
        extra(t, j)


@dataclass(frozen=True)
class TraceLesson:
    """What step_through reads from a lesson, for lessons that are not recurrent.Lesson:
    a recorded Trace and a run whose `config.to_dict()` describes it (forecasting, sentiment)."""

    run: Any
    trace: Any


def step_through(page: str, les: lesson.Lesson | TraceLesson, extra=None) -> None:
    """Step through the recorded trace in the browser (heatmaps, unit curves, live equations,
    Play), with a control over training checkpoints; in a fragment, so the step the browser
    reports back (for the URL and the exports) reruns only this panel, never training.
    `les` needs only `.trace` and `.run.config.to_dict()` (checkpoints if it has them);
    `extra(t, unit)`, if given, draws a page's own panel for the step inside the fragment.
    """
    st.fragment(_step_panel)(page, les, extra)


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
        whatif.panel(page, les)
    return les


def unit_choice(page: str, cfg: RunConfig, H: int, best: int) -> int:
    """A unit chooser (kept in the URL as memory_unit) that opens on `best` for each newly
    trained model, unless the page was opened from a link that names a unit."""
    key, mark, ss = f"{page}_memory_unit", f"_{page}_memory_unit_for", st.session_state
    if ss.get(mark) != cfg:
        if mark in ss or key not in ss:  # a link's unit counts for the model it opened
            ss[key] = best
        ss[mark] = cfg
    ss[key] = min(max(int(ss[key]), 0), H - 1)
    unit = st.selectbox("Unit", range(H), key=key, format_func=lambda j: f"unit {j}" + (
        " (the memory unit)" if j == best else ""))
    settings_table(page).save(["memory_unit"])
    return int(unit)


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
