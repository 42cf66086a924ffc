"""Issue 26 §3: one table of colours and scales (memviz.plotting). Every figure of every lesson,
and every stepper payload, draws only that table's colours; each gate, architecture and the
step mark in its own colour, each quantity's heatmap on its own scale; no figure module writes
a colour or a scale name of its own."""

from __future__ import annotations

import ast
import inspect
import re
from types import SimpleNamespace

import numpy as np
import pytest

from memviz import plotting as P
from memviz import stepdata
from memviz.attention import figures as attention_figures
from memviz.cnn import figures as cnn_figures
from memviz.documents import figures as documents_figures
from memviz.engine import figures as recurrent_figures
from memviz.gates import figures as gates_figures
from memviz.horizon import figures as horizon_figures
from memviz.recurrent import across
from memviz.sentences import figures as sentiment_figures
from memviz.series import figures as series_figures
from memviz.synapses import figures as synapses_figures
from memviz.text import figures as text_figures

from .conftest import ROOT, tiny_config

MODULES = [recurrent_figures, across, gates_figures, documents_figures, attention_figures,
           sentiment_figures, series_figures, text_figures, cnn_figures, synapses_figures,
           horizon_figures]
HEX = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b")
RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")
SCALE_NAMES = {n.lower() for n in __import__("plotly.colors", fromlist=["x"]).named_colorscales()}
CSS_NAMES = {"grey", "gray", "black", "white", "red", "blue", "green", "orange", "purple"}


# ------------------------------------------------------------------------- the table itself

def _table_colours() -> set[str]:
    """Every colour the table names, normalised (upper-case hex; named colours as written)."""
    out = set()
    for name, v in vars(P).items():
        if name.isupper() and isinstance(v, str) and (HEX.fullmatch(v) or RGB.fullmatch(v)
                                                      or v in CSS_NAMES):
            out.add(_norm(v))
    for d in (P.GATE_COLORS, P.ARCH_COLORS, P.ROLE_COLORS):
        out |= {_norm(c) for c in d.values()}
    out |= {_norm(c) for c in P.PALETTE}
    for q in P.SCALES:
        out |= {_norm(c) for _, c in P.scale(q)}
    return out


def _norm(c: str) -> str:
    """'#e69f00' and 'rgb(230,159,0)' as '#E69F00'; a colour with opacity as its colour (a fill
    that lets the image show through is still the table's colour)."""
    m = RGB.fullmatch(c.strip())
    if m:
        return "#{:02X}{:02X}{:02X}".format(*tuple(int(v) for v in m.groups()[:3]))
    return c.upper() if c.startswith("#") else c


TABLE = _table_colours()
TABLE_SCALES = [P.scale(q) for q in P.SCALES]


# --------------------------------------------------------------------- every lesson's figures

LESSON_FIGURES = {"loss": "loss_curve", "input": "input_heatmap", "prediction": "prediction",
                  "heatmaps": "state_heatmaps", "unit_lines": "unit_lines"}


class _Read(SimpleNamespace):
    """A sentence read by a cell, as the Sentences figures take it: .output and ["h"]."""

    def __getitem__(self, k):
        return getattr(self, k)


@pytest.fixture(scope="module")
def built():
    """Every public builder of every figure module, called on tiny real runs (or on arrays of
    the right shape where a builder takes arrays), English; {builder name: [figures]}."""
    from memviz.attention.data import VOCAB
    from memviz.cnn import arithmetic
    from memviz.cnn import model as cnn
    from memviz.engine import lesson
    from memviz.gates import gradients
    from memviz.recurrent import insight
    from memviz.series import model as series_model
    from memviz.series.model import ForecastConfig
    from memviz.synapses import model as S
    from memviz.text import features

    calls: dict[str, list] = {}

    def note(fn, *args, **kw):
        calls.setdefault(f"{fn.__module__}.{fn.__name__}", []).append(fn(*args, **kw))

    rng = np.random.default_rng(0)
    # recurrent: every task's answer, all three cells, the LSTMVis view, saliency
    for arch, task in (("lstm", "recall"), ("gru", "sine"), ("rnn", "adding"),
                       ("lstm", "brackets")):
        les = lesson.prepare(tiny_config(arch, task=task, seq_len=6, hidden=3, steps=10))
        for k, fig in recurrent_figures.lesson_figures(les, 2, 1).items():  # by page keys
            calls.setdefault(f"memviz.engine.figures.{LESSON_FIGURES[k.split('_', 1)[1]]}",
                             []).append(fig)
        ho = insight.held_out(les.run.model, les.run.config.task, 0, n=12)
        note(across.unit_across_inputs, ho, 0)
    note(recurrent_figures.saliency_strip, rng.random(6), "x")
    # gates
    st = gradients.study(tiny_config(seq_len=4, hidden=2, steps=10))
    note(gates_figures.gradient_reach, st)
    note(gates_figures.reach_during_training, st)
    note(gates_figures.saturation_scatter, st, "lstm")
    # documents (arrays of a run's shapes)
    a = {f: rng.standard_normal((5, 3)) for f in "ifgoch"}
    note(documents_figures.delta_heatmap, a["i"], "t")
    note(documents_figures.unit_compare, a, a, list("ifgoch"), 1, "doc")
    note(documents_figures.readout_lines, rng.random((5, 8)), rng.random(5),
                                                          list("abcdefgh"))
    note(documents_figures.softmax_bars, rng.random(3), rng.random(3), "abc")
    note(documents_figures.conv_maps, rng.random((8, 8)), rng.random((8, 8)))
    note(documents_figures.cell_and_hidden, a["c"], a["h"], 0)
    # attention
    src, out = ["a", "b", "c"], ["c", "b"]
    note(attention_figures.alignment_heatmap, rng.random((2, 3)), src,
                                                                  out, 1)
    note(attention_figures.accuracy_lines,
        {"plain": {2: (0.5, 0.6), 3: (0.2, 0.4)}, "attention": {2: (0.9, 1.0), 3: (0.7, 0.8)}},
        2)
    note(attention_figures.self_attention_map, rng.random((4, 4)))
    p = rng.random(len(VOCAB))
    note(attention_figures.step_panel, rng.random(3), src, p / p.sum(),
                                                    rng.random(4), rng.random(4))
    # sentences: both cells, named as the page names them
    tr = _Read(output=rng.standard_normal((4, 2)), h=rng.standard_normal((4, 3)))
    runs = {a: SimpleNamespace(by_distance={"0-2": 0.9, "3-5": 0.7}) for a in ("lstm", "gru")}
    tokens = ["not", "very", "good", "."]
    note(sentiment_figures.accuracy_by_distance, runs)
    note(sentiment_figures.reading, {"lstm": tr, "gru": tr}, tokens)
    note(sentiment_figures.hidden_heatmap, tr, tokens, "gru")
    # series
    run = series_model.train(ForecastConfig(window=3, hidden=4, epochs=1, horizon=2))
    note(series_figures.forecast_vs_truth, run)
    note(series_figures.test_zoom, run)
    note(series_figures.baseline_bars,
        {"model": 1.0, "persistence": 1.2, "seasonal": 1.1, "linear": 0.9})
    note(series_figures.leakage_bars, dict(
        train_min=0, train_max=1, test_min=0.5, test_max=2, all_min=0, all_max=2))
    # text
    note(text_figures.coloured_text, "ab\ncd", rng.standard_normal(5), "t")
    note(text_figures.coloured_text, "ab", rng.random(2), "t", symmetric=False)
    note(text_figures.top5, [("a", 0.5), ("b", 0.3)], "a", "t")
    chars = list("abcdefghijkl")
    note(text_figures.temperature, rng.standard_normal(12), chars, 0.7)
    note(text_figures.softmax_twice, rng.standard_normal(12), chars)
    note(text_figures.cell_scores, [SimpleNamespace(
        feature=features.CODE[0], corr=0.5, field="c", unit=1)])
    # cnn: a tiny trained net
    net = cnn.train_cnn(cnn.CNNConfig(channels1=2, channels2=3, steps=2, device="cpu"))
    image = cnn.digits(0).x_test[0, 0]
    at = cnn.conv_at(net.model, image, "conv2", 1, 2, 3)
    note(cnn_figures.kernels, net.model.conv1.weight.detach().numpy(), "conv1")
    note(cnn_figures.feature_maps, cnn.activations(net.model, image))
    note(cnn_figures.conv_written_out, at, 0)
    note(cnn_figures.receptive_fields,
        image, cnn.receptive_fields(cnn.geometry(net.model)), [(1, 1)] * 4)
    note(cnn_figures.loss_curve, net.losses)
    note(cnn_figures.channel_sums, at)
    note(cnn_figures.probabilities, cnn.probabilities(net.model, image), 3)
    note(cnn_figures.shape_chart, 28, arithmetic.shape_rows(
        28, 1, arithmetic.exercise(2, 5, 1, 0, True)))
    # synapses
    cfg = S.SynapseConfig(n=4, steps=8)
    sims = S.simulate_all(S.pattern("repeated", cfg), cfg)
    note(synapses_figures.pattern_heatmap, S.pattern("repeated", cfg))
    note(synapses_figures.change_heatmaps, sims)
    note(synapses_figures.weight_curves, sims, 0, 1)
    note(synapses_figures.short_vs_long, sims["hebb"], 0, 1)
    note(synapses_figures.change_vs_coactivity, sims)
    # horizon: every architecture on one chart
    rows = [dict(arch=a, task="recall", lag=lag, seed=0, metric="accuracy", value=v,
                 train_seconds=1.0)
            for a in P.ARCH_COLORS if a != "attention" for lag, v in ((5, 1.0), (20, 0.5))]
    note(horizon_figures.horizon_chart, rows, "recall", [5, 20], 0.25, 9,
                                                        ["rnn", "lstm", "gru", "cnn"])
    return calls


def _builders() -> set[str]:
    """The public functions of the figure modules that return a figure or a chart."""
    out = set()
    for mod in MODULES:
        for name, fn in vars(mod).items():
            if (inspect.isfunction(fn) and fn.__module__ == mod.__name__
                    and not name.startswith("_")
                    and re.search(r"-> (go\.Figure|alt\.\w*Chart)",
                                  inspect.getsource(fn).split(":\n", 1)[0] + ":")):
                out.add(f"{mod.__name__}.{name}")
    return out - {"memviz.engine.figures.lesson_figures"}  # the five it returns are noted


def _walk(value, path=()):
    """(path, value) for every leaf of a figure's JSON."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, (*path, k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _walk(v, (*path, i))
    else:
        yield path, value


def _as_json(fig) -> dict:
    d = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig.to_dict()
    d = dict(d)
    if "layout" in d:
        d["layout"] = {k: v for k, v in d["layout"].items() if k != "template"}  # plotly's own
    return d


def _looks_like_colour(v: str) -> bool:
    return bool(HEX.fullmatch(v) or RGB.fullmatch(v)) or v in CSS_NAMES


def colours_and_scales(fig) -> tuple[list[tuple], list[tuple]]:
    """Every colour (path, value) and every colour scale (path, list or scheme name) in a
    figure's JSON (a plotly figure, or an altair chart's Vega-Lite)."""
    cols, scales = [], []

    def scan(node, path=()):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("colorscale", "scheme"):
                    scales.append(((*path, k), v))
                else:
                    scan(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                scan(v, (*path, i))
        elif isinstance(node, str):
            key = next((k for k in reversed(path) if isinstance(k, str)), "")
            if ("color" in key.lower() and key != "coloraxis") or _looks_like_colour(node) or (
                    key in ("fill", "stroke", "value") and _looks_like_colour(node)):
                cols.append((path, node))
    scan(_as_json(fig))
    return cols, scales


def test_every_builder_of_every_figure_module_is_walked(built):
    assert _builders() <= set(built), sorted(_builders() - set(built))


def test_every_figure_draws_only_the_tables_colours_and_scales(built):
    stray = []
    for name, figs in built.items():
        for fig in figs:
            cols, scales = colours_and_scales(fig)
            stray += [(name, p, c) for p, c in cols if _norm(c) not in TABLE]
            for p, sc in scales:
                ok = isinstance(sc, list) and [list(x) for x in sc] in TABLE_SCALES
                stray += [] if ok else [(name, p, sc if isinstance(sc, str) else "a scale")]
    assert not stray, stray[:10]


def test_every_plotly_figure_has_the_one_look(built):
    """Issue 26 §4: one look on every page: the title at the left in 15 px, the house font."""
    looks = {}
    for name, figs in built.items():
        for fig in figs:
            if hasattr(fig, "to_plotly_json"):  # the Vega-Lite charts have their own config
                L = fig.layout
                looks.setdefault((L.title.x, L.title.font.size, L.font.family, L.font.size),
                                 []).append(name)
    assert list(looks) == [(0, 15, P.FONT["family"], P.FONT["size"])], \
        {k: v[:3] for k, v in looks.items()}
    assert sum(map(len, looks.values())) >= 60


def _arch_of(trace_name) -> str | None:
    names = {**{P.ARCH_SHORT[a]: a for a in P.ARCH_COLORS}, **{a.upper(): a for a in
                                                                P.ARCH_COLORS}}
    return names.get(trace_name) or next((a for a in P.ARCH_COLORS
                                          if trace_name == P.ARCH_NAMES[a]), None)


def test_each_architecture_gate_and_quantity_wears_its_own_colour(built):
    seen_arch, seen_gate, seen_scale = set(), set(), set()
    for name, figs in built.items():
        for fig in figs:
            if not hasattr(fig, "to_plotly_json"):
                continue
            layout = fig.layout.to_plotly_json()
            for tr in fig.to_plotly_json()["data"]:
                colour = (tr.get("line") or {}).get("color") or (tr.get("marker") or {}).get(
                    "color")
                arch = _arch_of(tr.get("name"))
                if arch:
                    assert colour == P.ARCH_COLORS[arch], (name, tr.get("name"), colour)
                    seen_arch.add(arch)
                meta = tr.get("meta") or {}
                field = meta.get("field") if isinstance(meta, dict) else None
                if field and "group" not in meta and tr["type"] != "heatmap":
                    assert colour == P.GATE_COLORS[field], (name, field, colour)
                    seen_gate.add(field)
                if field and tr["type"] == "heatmap":  # the stepper's figure form
                    q = ("gate" if field in recurrent_figures.SIGMOID_FIELDS else
                         "cell" if field == "c" else "tanh")
                    got = [list(x) for x in layout[tr["coloraxis"]]["colorscale"]]
                    assert got == P.scale(q), (name, field)
                    seen_scale.add(q)
            for s in layout.get("shapes", ()):
                if name.endswith(("state_heatmaps", "unit_lines")):
                    assert s["line"]["color"] == P.STEP_MARK
    assert seen_arch == {"rnn", "lstm", "gru"}  # sentences' GRU, gates' three cells
    assert {"i", "f", "g", "o", "c", "h", "r", "z", "n"} <= seen_gate
    assert seen_scale == {"gate", "tanh", "cell"}
    # the Sentences page: the GRU in the GRU's colour, h on the tanh scale
    fig = built["memviz.sentences.figures.accuracy_by_distance"][0]
    assert [d.line.color for d in fig.data] == [P.ARCH_COLORS["lstm"], P.ARCH_COLORS["gru"]]
    heat = built["memviz.sentences.figures.hidden_heatmap"][0].data[0]
    assert [list(x) for x in heat.colorscale] == P.scale("tanh") and not heat.reversescale


@pytest.mark.parametrize("arch", ["lstm", "gru", "rnn"])
def test_the_stepper_payload_carries_the_tables_colours(arch):
    from memviz.engine import lesson

    les = lesson.prepare(tiny_config(arch, seq_len=4, hidden=2, steps=5))
    data = stepdata.payload(les.trace, 2, 1)
    assert data["mark"] == P.STEP_MARK
    assert data["colors"] == {k: P.GATE_COLORS[k] for k in data["fields"]}
    for q, sc in data["scales"].items():
        assert sc["colors"] == [c for _, c in P.scale(q)], q
        positions = [p for p, _ in P.scale(q)]  # stepper.js spaces the colours evenly
        assert np.allclose(positions, np.linspace(0, 1, len(positions)))
    assert set(data["scale_of"].values()) <= set(data["scales"])


def _literals(path, scale_names: bool = True) -> list[tuple[int, str]]:
    """String constants in a module that are a colour, or (scale_names) a plotly colour scale's
    name; docstrings aside."""
    tree = ast.parse(path.read_text())
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
            v = n.value.strip()
            bare = v[:-2] if v.lower().endswith("_r") else v
            if HEX.fullmatch(v) or RGB.fullmatch(v) or v.lower() in CSS_NAMES \
                    or scale_names and bare.lower() in SCALE_NAMES:
                out.append((n.lineno, v))
    return out


FIGURE_SOURCES = sorted({ROOT / inspect.getsourcefile(m).split(str(ROOT) + "/", 1)[1]
                         for m in MODULES} | set((ROOT / "memviz").glob("*/figures.py")))
# no colour of their own either; scale names they may read (the stepper's labels say "speed",
# and the Vega-Lite export translates plotly's scale names into vega's)
OTHER_SOURCES = [ROOT / "memviz/stepdata.py", ROOT / "memviz/vegalite.py",
                 ROOT / "memviz/vegamarks.py", ROOT / "memviz/ui/training.py"]


def test_no_figure_module_writes_a_colour_or_scale_name_of_its_own():
    found = {p.relative_to(ROOT).as_posix(): _literals(p) for p in FIGURE_SOURCES}
    found |= {p.relative_to(ROOT).as_posix(): _literals(p, False) for p in OTHER_SOURCES}
    assert len(found) >= len(MODULES) + len(OTHER_SOURCES)
    assert not {k: v for k, v in found.items() if v}
    assert "plotly.colors" not in (ROOT / "memviz/stepdata.py").read_text()
    js = (ROOT / "memviz/ui/stepper_assets/stepper.js").read_text()
    assert "data.mark" in js and "#E69F00" not in js.upper()  # the step's colour: the payload


def test_the_check_catches_a_planted_colour(tmp_path):
    planted = tmp_path / "figures.py"
    planted.write_text('COLORS = {"gru": "#D55E00"}\nSCALE = "RdBu_r"\nx = dict(color="grey")\n')
    assert sorted(v for _, v in _literals(planted)) == ["#D55E00", "RdBu_r", "grey"]
    fig = P.figure([{"type": "scatter", "y": [1, 2], "name": "GRU",
                     "line": {"color": "#123456"}}], {}, "t", 200)
    assert [c for _, c in colours_and_scales(fig)[0] if _norm(c) not in TABLE] == ["#123456"]
