"""The memory network lesson: the hops by hand, the stories' answers, the command line."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from memviz.cli import main
from memviz.memnet import stories
from memviz.memnet.train import INDEX, MemNetConfig, build, encode


def _hand(model, story: stories.Story) -> tuple[np.ndarray, np.ndarray]:
    """p (K, n) and the answer logits (V,), written out sentence by sentence in numpy from the
    model's weights: Sukhbaatar et al.'s equations, not the model's code."""
    E = [e.weight.detach().numpy().astype(np.float64) for e in model.emb]
    Tm = [t.detach().numpy().astype(np.float64) for t in model.time]
    d, n, K = model.dim, len(story.sentences), model.hops

    def vec(emb, words):
        J = len(words)
        out = np.zeros(d)
        for j, w in enumerate(words, 1):
            k = np.arange(1, d + 1)
            lj = ((1 - j / J) - (k / d) * (1 - 2 * j / J) if model.encoding == "position"
                  else np.ones(d))
            out += lj * emb[INDEX[w]]
        return out

    if model.tying == "adjacent":
        A = lambda k: (E[k - 1], Tm[k - 1] if Tm else None)  # noqa: E731
        C = lambda k: (E[k], Tm[k] if Tm else None)  # noqa: E731
        u, W = vec(E[0], story.question), E[K]
    else:
        A = lambda k: (E[0], Tm[0] if Tm else None)  # noqa: E731
        C = lambda k: (E[1], Tm[1] if Tm else None)  # noqa: E731
        u, W = vec(E[2], story.question), model.W.weight.detach().numpy().astype(np.float64)
    ps = []
    for k in range(1, K + 1):
        (a, ta), (c, tc) = A(k), C(k)
        age = [n - 1 - i for i in range(n)]  # the newest sentence is age 0
        m = [vec(a, s) + (ta[age[i]] if ta is not None else 0)
             for i, s in enumerate(story.sentences)]
        cc = [vec(c, s) + (tc[age[i]] if tc is not None else 0)
              for i, s in enumerate(story.sentences)]
        score = np.array([u @ mi for mi in m])
        p = np.exp(score - score.max()) / np.exp(score - score.max()).sum()
        o = sum(pi * ci for pi, ci in zip(p, cc, strict=True))
        if model.tying == "layerwise":
            u = model.H.weight.detach().numpy().astype(np.float64) @ u
        u = u + o
        ps.append(p)
    return np.array(ps), W @ u


THREE = stories.Story("two", (("mary", "went", "to", "the", "kitchen"),
                              ("mary", "picked", "up", "the", "ball"),
                              ("john", "moved", "to", "the", "garden")),
                      ("where", "is", "the", "ball"), "kitchen", (0, 1))


@pytest.mark.parametrize("hops,encoding,tying,temporal", [
    (3, "position", "adjacent", True), (2, "bow", "layerwise", True),
    (1, "position", "adjacent", False)])
def test_hops_equal_a_hand_computation(hops, encoding, tying, temporal):
    model = build(MemNetConfig(hops=hops, encoding=encoding, tying=tying, temporal=temporal,
                               seed=3))
    with torch.no_grad():  # weights away from their small start, so the attention is not flat
        for e in model.emb:
            e.weight[1:] *= 8
    with torch.no_grad():
        r = model.read(*encode([THREE])[:2])
    p, logits = _hand(model, THREE)
    assert r.p.shape == (1, hops, stories.MEMORY)
    np.testing.assert_allclose(r.p[0, :, :3].numpy(), p, atol=1e-5)
    assert float(r.p[0, :, 3:].abs().max()) == 0.0  # the empty slots are never read
    np.testing.assert_allclose(r.logits[0].numpy(), logits, atol=1e-5, rtol=1e-5)
    assert p.max() > 0.5  # the check compares a peaked attention, not a uniform one


def _replay(st: stories.Story) -> str:
    """The answer re-derived from the printed English only, with its own tiny world."""
    person, holder, thing_at, path = {}, {}, {}, {}
    for s in st.sentences:
        line = stories.text(s).lower().rstrip(".")
        if m := re.fullmatch(r"(\w+) (?:went|moved|journeyed|travelled) to the (\w+)", line):
            person[m[1]] = m[2]
            for thing, who in holder.items():
                if who == m[1] and path[thing][-1] != m[2]:
                    path[thing].append(m[2])
        elif m := re.fullmatch(r"(\w+) (?:picked up|got|grabbed) the (\w+)", line):
            holder[m[2]] = m[1]
            thing_at.pop(m[2], None)
            seen = path.setdefault(m[2], [])
            if not seen or seen[-1] != person[m[1]]:
                seen.append(person[m[1]])
        elif m := re.fullmatch(r"(\w+) (?:dropped|put down|left) the (\w+)", line):
            thing_at[m[2]] = person[m[1]]
            del holder[m[2]]
        else:
            raise AssertionError(f"unreadable sentence {line!r}")
    q = stories.text(st.question, True).lower().rstrip("?").split()
    if q[:2] == ["where", "is"] and q[2] != "the":
        return person[q[2]]
    if q[:3] == ["where", "is", "the"]:
        return person[holder[q[3]]] if q[3] in holder else thing_at[q[3]]
    if q[:2] == ["where", "was"]:  # where was the X before the Y
        rooms = path[q[3]]
        assert rooms.count(q[6]) == 1, "the question must have one answer"
        return rooms[rooms.index(q[6]) - 1]
    assert q[0] == "is"  # is X in the Y
    return "yes" if person[q[1]] == q[4] else "no"


def test_every_answer_is_right_by_an_independent_replay():
    made = stories.generate(800, stories.TASKS, seed=11)
    assert [sum(s.task == t for s in made) for t in stories.TASKS] == [200] * 4
    for st in made:
        assert _replay(st) == st.answer, (st, _replay(st))
        assert len(st.sentences) <= stories.MEMORY
        assert all(0 <= i < len(st.sentences) for i in st.support)
    answers = {t: {s.answer for s in made if s.task == t} for t in stories.TASKS}
    assert answers["yesno"] == {"yes", "no"} and len(answers["three"]) > 3  # not one constant


def test_cli_writes_metrics(tmp_path):
    out = tmp_path / "run"
    assert main(["memnet", "--hops", "2", "--task", "single", "--steps", "30",
                 "--train-stories", "50", "--out", str(out)]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["hops"] == 2 and set(m["accuracy_by_task"]) == {"single"}
    assert 0.0 <= m["accuracy"] <= 1.0 and m["accuracy"] == m["accuracy_by_task"]["single"]
    assert (out / "stories.csv").read_text().count("\n") == 21


def test_cli_refuses_bad_hops(tmp_path, capsys):
    assert main(["memnet", "--hops", "4", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "hops" in err[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_are_valid_and_say_what_each_hop_read(lang):
    from memviz import i18n
    from memviz.memnet import figures

    p = np.array([[0.7, 0.1], [0.2, 0.8], [0.1, 0.1]])  # (3 sentences, 2 hops)
    with i18n.using(lang):
        heat = figures.hop_attention(p, THREE, zh=lang == "zh")
        bars = figures.accuracy_by_task({"single": 1.0, "two": 0.5}, 2)
    assert heat.data[0].z[1][1] == 0.8 and len(heat.data[0].y) == 3
    assert ("约翰去了花园" if lang == "zh" else "John moved to the garden") in heat.data[0].y[2]
    assert list(bars.data[0].y) == [100.0, 50.0]


def test_the_stepper_payload_is_the_walks_numbers():
    import base64

    from memviz.memnet import lesson
    from memviz.memnet.train import MemNetRun
    from memviz.progress import History

    cfg = MemNetConfig(hops=2, seed=1)
    w = lesson.walk(MemNetRun(cfg, build(cfg), History(), 0.0, {}), THREE)
    data = lesson.payload(w, cfg.tying, t=2, hop=1)
    assert (data["T"], data["H"], data["unit_base"]) == (3, 2, 1)  # sentences x hops
    p = np.frombuffer(base64.b64decode(data["arrays"]["p"]), dtype="<f4").reshape(3, 2)
    np.testing.assert_allclose(p.sum(0), 1.0, atol=1e-6)  # each hop's weights over the story
    np.testing.assert_array_equal(p, w.arrays["p"])
    slots = re.findall(r'data-k="(\w+)"', " ".join(sum(data["equations"].values(), [])))
    assert slots and set(slots) <= set(data["arrays"])  # every live number has its array


def test_a_stored_run_answers_as_the_trained_one():
    from memviz import runs
    from memviz.memnet import store
    from memviz.memnet.train import train

    cfg = MemNetConfig(task="two", hops=2, steps=10, n_train=20, n_test=10)
    run = train(cfg)
    data, arrays = store.save(run)
    back = store.load(data, arrays)
    assert runs.codec(store.KIND) is not None and back.by_task == run.by_task
    s, q, _ = encode([THREE])
    with torch.no_grad():
        torch.testing.assert_close(back.model(s, q), run.model(s, q), rtol=0, atol=0)
