"""The panels every recurrent-cell lesson shares: controls, summary, example and the
step-through (memviz.ui.steppanel).

Parameterised by the cell type, so the RNN, LSTM and GRU pages draw the same panels.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from memviz import devices, plotting
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
from memviz.engine import figures, lesson, tasks
from memviz.gates import gradients
from memviz.recurrent import presets, verdict
from memviz.ui import show, steppanel, training, urlstate, whatif
from memviz.ui.lang import t

# message keys written out, so that grep and the catalogue test see each one
TASK_NOTE_KEYS = {"recall": "recurrent.task.note.recall", "adding": "recurrent.task.note.adding",
    "sine": "recurrent.task.note.sine", "brackets": "recurrent.task.note.brackets"}

TASK_LABELS = plotting.TASK_LABELS  # one set of task names for every page
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
DEFAULTS = {"seq_len": 20, "hidden": 32, "lr": 0.01, "steps": 300}
# a page's own defaults (Why gates: where the vanilla RNN fails for seeds 0-3, see
# memviz.gates.gradients.DEFAULTS) and its own view settings beside t and unit
PAGE_DEFAULTS = {"gates": gradients.DEFAULTS}
PAGE_VIEWS = {"lstm": ("memory_unit",)}
OWN = "(your own settings)"  # the preset menu's first value: no preset


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
        *steppanel.step_settings(),
        *views,
    ], check=lambda v: TaskConfig(v["task"], v["seq_len"]))


def controls(page: str, arch: str) -> RunConfig | None:
    """Bounded widgets -> a frozen RunConfig (None, with a message, if the settings clash).

    The settings live in the URL too, so a copied link reopens the same setup; in lecturer
    mode they fold away into a closed "Settings" panel.
    """
    table = settings_table(page)
    table.start()
    with st.expander(t("recurrent.ui.settings"), expanded=not show.lecturer()):
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
    own, titles = t("recurrent.ui.own_settings"), {n: p.title for n, p in options.items()}
    st.selectbox(t("recurrent.ui.preset"), [OWN, *options], key=f"{page}_preset",
                 on_change=_apply_preset, args=(page,),
                 format_func=lambda n: titles.get(n, own))  # values: the English names
    chosen = options.get(st.session_state.get(f"{page}_preset"))
    if chosen is not None:
        st.info(chosen.note)


def _widgets(table: urlstate.Table, arch: str) -> RunConfig | None:
    page = table.page
    lo = MIN_SEQ_LEN[st.session_state[table.key("task")]]
    st.session_state[table.key("seq_len")] = max(st.session_state[table.key("seq_len")], lo)
    preset_menu(page)
    c1, c2, c3 = st.columns(3)
    task = table.choice(c1, t("recurrent.ui.task"), "task", format_func=TASK_LABELS.get)
    seq_len = table.slider(c2, t("recurrent.ui.seq_len"), "seq_len", lo=MIN_SEQ_LEN[task],
                           help=t("recurrent.ui.seq_len_help"))
    hidden = table.slider(c3, t("recurrent.ui.hidden"), "hidden")
    c4, c5, c6 = st.columns(3)
    lr = table.slider(c4, t("recurrent.ui.lr"), "lr")
    steps = table.slider(c5, t("recurrent.ui.steps"), "steps")
    seed = table.number(c6, t("recurrent.ui.seed"), "seed")
    try:
        return RunConfig(TaskConfig(task, seq_len), ModelConfig(arch, hidden),
                         TrainConfig(steps=steps, lr=lr, seed=int(seed)))
    except ConfigError as e:
        st.error(t("recurrent.ui.bad_settings", error=e))
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
        st.warning(t("recurrent.ui.not_learned", problem=judged.problem, reason=judged.reason,
                     try_=judged.try_))
    m1, m2, m3, m4 = st.columns(4)
    meaning = verdict.ACCURACY_MEANING.get(cfg.task.name)
    if h.eval_accuracy is not None:
        m1.metric(t("recurrent.ui.accuracy"), f"{100 * h.eval_accuracy:.1f}%",
                  help=t("recurrent.ui.accuracy_help", meaning=meaning) if meaning else None)
    m2.metric(t("recurrent.ui.loss"), f"{h.eval_loss:.4f}")
    if meaning and cfg.task.name == "adding":
        show.caption(t("recurrent.ui.accuracy_note", meaning=meaning))
    baseline = verdict.baseline_sentence(cfg, h)
    if baseline:
        show.caption(baseline)
    held = verdict.rnn_memory(cfg, h)  # the RNN page's "memory fades", checked on this run
    if held:
        show.prose(held)
    m3.metric(t("recurrent.ui.seconds"), f"{h.seconds:.2f} s")
    m4.metric(t("recurrent.ui.device"), h.device.upper(),
              help=devices.in_language(les.run.device_label))
    how = "recurrent.ui.proof_rnn" if cfg.model.arch == "rnn" else "recurrent.ui.proof_gates"
    show.caption(t(how, arch=cfg.model.arch.upper(),
                   diff=f"{les.trace.max_abs_diff:.1e}"))
    with st.expander(t("recurrent.ui.loss_panel")):
        show.plotly(figures.loss_curve(h.losses, lesson.baseline_loss(cfg)),
                    f"{cfg.model.arch}_loss", t("recurrent.ui.loss_caption"))


def example(page: str, les: lesson.Lesson) -> None:
    """The example input and the model's answer, which do not depend on the selected step."""
    spec = les.spec
    left, right = st.columns(2)
    with left:
        show.plotly(figures.input_heatmap(les.trace, spec.channels), f"{page}_input",
                    t("recurrent.ui.input_real") if figures.real_valued(les.trace) else
                    t("recurrent.ui.input_channels"))
    with right:
        show.plotly(figures.prediction(les.trace, spec), f"{page}_prediction",
                    t("recurrent.ui.prediction"))


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
        if show.lecturer():  # a projector's first screen shows the stepper, the example after
            steppanel.step_through(page, les)
            example(page, les)
        else:
            example(page, les)
            steppanel.step_through(page, les)
        whatif.panel(page, les)
    return les


def unit_choice(page: str, cfg: RunConfig, H: int, best: int, separates: bool = True) -> int:
    """A unit chooser (kept in the URL as memory_unit) that opens on `best` for each newly
    trained model, unless the page was opened from a link that names a unit. `best` is called
    the memory unit only where it `separates` what is to be remembered."""
    key, mark, ss = f"{page}_memory_unit", f"_{page}_memory_unit_for", st.session_state
    if ss.get(mark) != cfg:
        if mark in ss or key not in ss:  # a link's unit counts for the model it opened
            ss[key] = best
        ss[mark] = cfg
    ss[key] = min(max(int(ss[key]), 0), H - 1)
    names = {j: t("recurrent.ui.unit_option", j=j) for j in range(H)}
    names[best] = t("recurrent.ui.memory_unit_option" if separates else
                    "recurrent.ui.closest_unit_option", j=best)
    unit = st.selectbox(t("recurrent.ui.unit"), range(H), key=key, format_func=names.get)
    settings_table(page).save(["memory_unit"])
    return int(unit)


def task_note(cfg: RunConfig) -> str:
    """One sentence on what the chosen task asks the network to remember."""
    if cfg.task.name == "recall":
        return t("recurrent.task.note.recall", n=cfg.task.n_symbols, T=cfg.task.seq_len,
                 chance=f"{tasks.chance(cfg.task):.0%}")
    return t(TASK_NOTE_KEYS[cfg.task.name])


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
    c1.metric(t("recurrent.ui.max_dh"), f"{np.abs(dh).max():.4f}")
    c2.metric(t("recurrent.ui.mean_dh"), f"{np.abs(dh).mean():.4f}")
    show.plotly(doc_figures.delta_heatmap(dh, t("recurrent.ui.dh_title")),
                f"{page}_{name}_dh", t("recurrent.ui.dh_caption"))
