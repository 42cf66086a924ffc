"""Memory network: an explicit memory of sentences, read by attention in hops."""

import random

import streamlit as st

from memviz.memnet import figures, lesson, stories
from memviz.memnet import train as mn
from memviz.specs import Choice, Flag, Int
from memviz.ui import memnet as ui
from memviz.ui import show, training, urlstate
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = "memnet"
D = mn.MemNetConfig()
S = urlstate.Setting
TABLE = urlstate.Table(PAGE, [
    S("hops", Choice("hops", (1, 2, 3)), D.hops),
    S("task", Choice("task", mn.CHOICES["task"]), D.task),
    S("steps", Choice("training steps", (100, 300, 600, 1000, 1500, 2000, 3000)), D.steps),
    S("encoding", Choice("sentence encoding", mn.CHOICES["encoding"]), D.encoding),
    S("temporal", Flag("temporal encoding"), D.temporal),
    S("tying", Choice("weight tying", mn.CHOICES["tying"]), D.tying),
    S("seed", Int("seed", 0, 10_000), D.seed),
    S("story_task", Choice("story's task", stories.TASKS), "two"),
    S("story", Int("story", 1, 100), 1),
    S("t", Int("sentence", 1, stories.MEMORY), None, view=True),
    S("unit", Int("hop", 0, 2), None, view=True),
])
ENCODINGS = {"position": "memnet.enc_position", "bow": "memnet.enc_bow"}
TYINGS = {"adjacent": "memnet.tying_adjacent", "layerwise": "memnet.tying_layerwise"}

st.title(t("memnet.title"))
show.prose(t("memnet.intro"))
with st.expander(t("memnet.equations"), expanded=not show.lecturer()):
    for tex in (r"m_i=\sum_j l_j\odot A x_{ij}+T_A(i)\qquad c_i=\sum_j l_j\odot C x_{ij}+T_C(i)"
                r"\qquad u=\sum_j l_j\odot B q_j",
                r"p_i=\mathrm{softmax}(u^\top m_i)\qquad o=\sum_i p_i c_i\qquad u^{k+1}=u^k+o^k",
                r"\hat a=\mathrm{softmax}(W u^{K+1})",
                r"l_{kj}=(1-j/J)-(k/d)(1-2j/J)"):
        show.latex(tex)
    show.caption(t("memnet.equations_note"))

TABLE.start()
with st.expander(t("memnet.settings"), expanded=not show.lecturer()):
    c1, c2, c3, c4 = st.columns(4)
    hops = TABLE.choice(c1, t("memnet.hops"), "hops", "radio", horizontal=True)
    task = TABLE.choice(c2, t("memnet.task_label"), "task", format_func=figures.task_name,
                        help=t("memnet.task_help"))
    steps = TABLE.slider(c3, t("memnet.steps"), "steps")
    seed = TABLE.number(c4, t("memnet.seed"), "seed")
    d1, d2, d3 = st.columns(3)
    encoding = TABLE.choice(d1, t("memnet.encoding"), "encoding", "radio",
                            format_func=lambda k: t(ENCODINGS[k]))
    tying = TABLE.choice(d2, t("memnet.tying"), "tying", "radio",
                         format_func=lambda k: t(TYINGS[k]))
    temporal = d3.toggle(t("memnet.temporal"), key=TABLE.key("temporal"),
                         help=t("memnet.temporal_help"))
    TABLE.save()
cfg = mn.MemNetConfig(task=task, hops=hops, steps=steps, encoding=encoding, temporal=temporal,
                      tying=tying, seed=int(seed))
show.note_config(cfg.to_dict())
show.caption(t("memnet.data_note", n=f"{cfg.n_train * len(cfg.tasks):,}", test=cfg.n_test,
               tasks=", ".join(figures.task_name(k) for k in cfg.tasks)))
with st.expander(t("memnet.examples")):
    for k in stories.TASKS:
        ui.memory_table(stories.story(k, random.Random(int(seed) + 7)))

run = training.trained(PAGE, cfg, mn.train, label=t("memnet.train"), auto=TABLE.from_link())
if run is None:
    st.stop()

m1, m2, m3 = st.columns(3)
m1.metric(t("memnet.accuracy"), f"{100 * run.accuracy:.1f}%",
          help=t("memnet.trained_in", seconds=f"{run.history.seconds:.1f}"))
m2.metric(t("memnet.hops_metric"), hops)
m3.metric(t("memnet.params"), f"{sum(p.numel() for p in run.model.parameters()):,}")
show.plotly(figures.accuracy_by_task(run.by_task, hops), f"{PAGE}_accuracy",
            t("memnet.cap_accuracy", test=cfg.n_test))

st.subheader(t("memnet.read_header"))
show.prose(t("memnet.read_intro"))
e1, e2 = st.columns(2)
story_tasks = cfg.tasks if task != "all" else stories.TASKS
if st.session_state.get(TABLE.key("story_task")) not in story_tasks:
    st.session_state[TABLE.key("story_task")] = story_tasks[0]
story_task = TABLE.choice(e1, t("memnet.story_task"), "story_task",
                          format_func=figures.task_name)
number = TABLE.number(e2, t("memnet.story_number"), "story")
TABLE.save()
story = [s for s in mn.test_stories(cfg) if s.task == story_task][int(number) - 1]
ui.memory_table(story)
w = lesson.walk(run, story)
ui.step_through(PAGE, run, w, TABLE)

st.subheader(t("memnet.memory_header"))
n, e = len(story.sentences), lesson.embeddings_read(cfg)
show.prose(t("memnet.memory_prose", n=n, d=cfg.dim, e=e, kept=n * cfg.dim * e,
             per=cfg.dim * e, hidden=2 * cfg.dim))
show.prose(t("memnet.doc004"))
show.prose(t("memnet.vae"))
