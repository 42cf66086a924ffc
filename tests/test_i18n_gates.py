"""The Why gates page in Chinese: its prose, metrics, choices, the three figures' titles, axes,
legends, hover text and CSV columns, and the lucky-RNN note from the model's own numbers."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import torch
from streamlit.testing.v1 import AppTest

from memviz import export, fonts, i18n
from memviz.config import ModelConfig, RunConfig, TaskConfig, TrainConfig
from memviz.engine import lesson, tasks
from memviz.gates import gradients
from memviz.ui import show

from .conftest import ROOT

MATHS = re.compile(r"\$[^$]*\$|`[^`]*`")
WORD = re.compile(r"[A-Za-z]{2,}")


def mine() -> dict[str, dict[str, str]]:
    return {k: e for k, e in i18n.catalogue().items() if k.startswith("gates.")}


def shown(at: AppTest) -> list[str]:
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error")
    return ([e.value for kind in kinds for e in getattr(at, kind)]
            + [m.label for m in at.metric] + [str(m.value) for m in at.metric])


def tiny_page(lang: str) -> AppTest:
    """The page in `lang`, its three cells trained at T = 10, H = 4, 20 steps."""
    from memviz.ui import training

    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/gates.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.slider(key="gates_seq_len").set_value(10)
    at.slider(key="gates_hidden").set_value(4)
    at.slider(key="gates_steps").set_value(20)
    at.run()
    at.train_label = at.button(key="gates_train").label  # the button is gone once trained
    at.button(key="gates_train").click().run()
    assert not at.exception and not at.error, (at.exception, at.error)
    return at


@pytest.fixture(scope="module")
def page_zh() -> AppTest:
    return tiny_page("zh")


def test_the_page_in_chinese_shows_its_own_texts_in_chinese(page_zh):
    texts = shown(page_zh)
    own_en = [e["en"] for e in mine().values()
              if "{" not in e["en"] and len(WORD.findall(e["en"])) >= 4]
    assert not [s for s in texts for en in own_en if en in s]  # none of ours left in English
    for key in ("gates.title", "gates.intro", "gates.lucky_prose", "gates.saturate.prose",
                "gates.during.subheader", "gates.after.subheader", "gates.saturate.subheader"):
        assert i18n.t(key, lang="zh") in texts, key
    during = [s for s in texts if "最后一步的误差传到第 1 步还剩多少：普通 RNN 是" in s]
    assert len(during) == 1 and fonts.cjk_share(MATHS.sub("", during[0])) >= 0.5
    joined = " ".join(texts)
    for term in ("梯度消失", "梯度", "反向传播", "遗忘门", "时间步", "初始化", "吸引子"):
        assert term in joined, term
    labels = [m.label for m in page_zh.metric]
    assert [lab.split("（")[0] for lab in labels] == ["普通 RNN", "LSTM", "GRU"]
    assert all("训练用时" in lab and "秒）" in lab for lab in labels)
    assert all(str(m.value).startswith(("准确率", "损失")) for m in page_zh.metric)


def test_the_measure_choice_and_train_button_are_chinese(page_zh):
    radio = page_zh.radio(key="gates_which")
    assert radio.label == "度量"
    assert list(radio.options) == [
        "‖∂L/∂h_t‖：传到第 t 步的误差", "‖∂h_T/∂h_t‖：最后的隐藏状态对第 t 步的敏感度"]
    assert page_zh.train_label == "依次训练这三种单元"


def _drawn(at: AppTest, key: str) -> str:
    fig = at.session_state[show.PACK]["figures"][key]
    return json.dumps(fig.to_plotly_json(), ensure_ascii=False)


def test_the_figures_speak_chinese_on_the_page(page_zh):
    during = _drawn(page_zh, "gates_reach_training")
    for words in ("学习过程中，最后一步的误差有多少能传到第 t 步", "时间步 t", "初始化时",
                  "训练 20 步后（结束）", "普通 RNN，第 %{x} 步：最后一步误差的"):
        assert words in during, words
    after = _drawn(page_zh, "gates_reach")
    assert "末尾的损失有多依赖第 t 步的隐藏状态" in after and "遗忘门 f 连乘" in after
    sat = _drawn(page_zh, "gates_sat_lstm")
    for words in ("LSTM 的门饱和情况", "高于 0.9 的时间步比例（全开）", "输入门 i", "遗忘门 f",
                  "全开 %{x:.0%}"):
        assert words in sat, words
    assert "更新门 z" in _drawn(page_zh, "gates_sat_gru")
    for drawn in (during, after, sat):
        assert not re.search(r"time step|gate saturation|fraction of steps|initialisation",
                             drawn)
    rows = list(csv.DictReader(io.StringIO(export.render(
        page_zh.session_state[show.PACK]["figures"]["gates_reach_training"], "csv").decode())))
    assert "时间步 t" in rows[0] and {r["panel"] for r in rows} >= {"初始化时"}


def test_the_jacobian_view_is_titled_in_chinese(page_zh):
    page_zh.radio(key="gates_which").set_value("jacobian").run()
    assert not page_zh.exception
    assert "h_T 有多依赖 h_t（雅可比矩阵范数）" in _drawn(page_zh, "gates_reach")


def test_the_page_in_english_is_unchanged():
    at = tiny_page("en")
    texts = shown(at)
    assert "Why gates keep gradients alive" in texts and "Which gates saturate?" in texts
    assert not [s for s in texts if fonts.has_cjk(s)]
    assert "time step t" in _drawn(at, "gates_reach_training")


def test_a_lucky_rnn_is_explained_in_chinese_with_its_own_numbers():
    cfg = RunConfig(TaskConfig("recall", 30), ModelConfig("rnn", 16),
                    TrainConfig(steps=300, lr=0.01, seed=2))
    les = lesson.prepare(cfg)
    batch = tasks.make_batch(cfg.task, 16, torch.Generator().manual_seed(1))
    study = gradients.Study(cfg, {"rnn": les}, {}, {},
                            {"rnn": gradients.reach_during_training(les, batch)})
    with i18n.using("zh"):
        note = gradients.lucky_note(study)
    acc = les.run.history.eval_accuracy
    assert note is not None and f"（{acc:.0%}）" in note and "吸引子" in note
    assert f"只有 {gradients.sci(study.reach_at_start('rnn'))} 传到了第 1 步" in note
    assert "换成 60 步" in note and fonts.cjk_share(note) >= 0.5
