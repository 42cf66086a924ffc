"""The shared core in Chinese: the validator's and configs' errors (with their settings' names),
training jobs' reasons, CSV columns, task and architecture names, the command line's --lang.
English stays word for word what it was (tests/test_validate.py and others match it)."""

from __future__ import annotations

import math
import pickle
import re
from collections import Counter

import plotly.graph_objects as go
import pytest
import torch
from streamlit.testing.v1 import AppTest

from memviz import cli, export, i18n, jobs, plotting, runs, specs, worker, workers
from memviz import config as C
from memviz.fonts import cjk_share, has_cjk
from memviz.progress import History, TrainingDiverged

from .conftest import ROOT
from .test_validate import CASES

# values a student typed or may type, and names of a config.json's keys: kept as they are
KEPT = {"true", "false", "null", "nan", "NaN", "inf", "JSON", "UTF", "CNN", "view", "unit",
        "task", "model", "train", *C.ARCHS}
LISTED = re.compile(r"'[^']*'|\w+(?:, \w+)+")  # a quoted value, or a list of names


def _both(make) -> tuple[str, str]:
    """The ConfigError `make` raises, read in English and in Chinese."""
    with pytest.raises(specs.ConfigError) as e:
        make()
    with i18n.using("zh"):
        zh = str(e.value)
    return str(e.value), zh


@pytest.mark.parametrize("name", [n for n in CASES if n != "url many twice"])  # a test's label
def test_every_validation_error_reads_in_chinese_with_its_numbers(name):
    make, fragment = CASES[name]
    en, zh = _both(make)
    assert fragment in en  # English unchanged
    assert zh != en and "\n" not in zh
    left = LISTED.sub("", zh)  # what is not the student's own value or a list of choices
    assert set(re.findall(r"[A-Za-z]{2,}", left)) <= KEPT, zh
    assert cjk_share(left) >= 0.5, zh
    assert not Counter(re.findall(r"\d+", en)) - Counter(re.findall(r"\d+", zh)), (en, zh)


@pytest.mark.parametrize(("make", "en", "zh"), [
    (lambda: C.HIDDEN.check(300), "hidden size must be between 1 and 256, got 300",
     "隐藏层大小必须在 1 到 256 之间，收到的是：300"),
    (lambda: C.SEQ_LEN.check("20"),
     "sequence length must be a whole number, got the text '20' (write 20 without quotes)",
     "序列长度必须是整数，收到的是：文本 '20'（去掉引号，直接写 20）"),
    (lambda: C.TaskConfig("sine", 1), "the sine task needs a sequence length of at least 2, got 1",
     "正弦预测任务的序列长度至少要 2，收到的是：1"),
    (lambda: specs.Int("longest training length for reverse", 1, 8).check(9),
     "longest training length for reverse must be between 1 and 8, got 9",
     "reverse 任务的最长训练长度必须在 1 到 8 之间，收到的是：9"),
    (lambda: specs.load_json(b"[1 2]"),
     "config is not valid JSON: Expecting ',' delimiter: line 1 column 4 (char 3)",
     "配置文件不是有效的 JSON：第 1 行第 4 列（偏移 3）有语法错误：这里缺少逗号 ','"),
])
def test_exact_messages_in_both_languages(make, en, zh):
    assert _both(make) == (en, zh)


def test_a_label_is_translated_when_the_message_is_read_not_when_it_was_declared():
    declared_in_chinese = None
    with i18n.using("zh"):
        declared_in_chinese = specs.Int("hidden size", 1, 4)  # the label stays English text
    en, zh = _both(lambda: declared_in_chinese.check(5))
    assert en.startswith("hidden size must") and zh.startswith("隐藏层大小必须")
    by_key = specs.Int("specs.label.seed", 0, 1)  # a catalogue key works as a label too
    assert _both(lambda: by_key.check(2))[1].startswith("随机种子必须")
    already = specs.Int("步数", 1, 2)  # a page that translated its label itself
    assert _both(lambda: already.check(3))[1].startswith("步数必须")


def test_an_error_crosses_to_another_process_and_is_read_in_each_readers_language():
    with pytest.raises(specs.ConfigError) as e:
        C.HIDDEN.check(0)
    again = pickle.loads(pickle.dumps(e.value.args[0]))
    assert str(again) == str(e.value)
    with i18n.using("zh"):
        assert str(again).startswith("隐藏层大小")


def test_cuda_without_cuda_is_refused_in_chinese(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    en, zh = _both(lambda: C.TrainConfig(device="cuda"))
    assert "no CUDA device; use auto" in en
    assert "没有 CUDA 设备" in zh and "auto" in zh and cjk_share(zh) >= 0.5


def test_a_failed_job_tells_each_reader_in_their_language(tmp_path):
    def diverge(cfg, on_step):
        raise TrainingDiverged(3, math.nan, History())

    board = jobs.Board(runs.RunStore(disk=runs.DiskStore(tmp_path)), workers.Pool(1, "thread"))
    job = board.submit("test.diverge.zh", 1, diverge, "alice")
    assert board.wait(job, 10)
    assert "Lower the learning rate" in board.snapshot(job).error
    with i18n.using("zh"):  # a Chinese session watching the same shared job
        assert board.snapshot(job).error == ("训练在第 3 步发散了：损失变成了 nan。"
                                             "请调低学习率，再训练一次。")
    status, reason = worker.work(1, lambda cfg, on_step: 1 / 0, None,
                                   (lambda *m: None, lambda job_id: False))
    assert status == "failed"
    assert str(reason) == "training failed (ZeroDivisionError); try other settings"
    with i18n.using("zh"):
        assert str(reason) == "训练出错（ZeroDivisionError）；请换一组设置再试"


def _panels() -> go.Figure:
    """Two titled heatmap panels whose traces carry a field, and an untitled line."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, subplot_titles=("r", "z"))
    for row, name in ((1, "r"), (2, "z")):
        fig.add_trace(go.Heatmap(z=[[0.1, 0.2], [0.3, 0.4]], meta={"field": name}), row, 1)
        fig.update_xaxes(title_text="time step t", row=row, col=1)
        fig.update_yaxes(title_text="unit", row=row, col=1)
    return fig


def _csv_head(fig, lang: str) -> list[str]:
    with i18n.using(lang):
        return export.render(fig, "csv").decode().splitlines()[0].split(",")


def test_csv_columns_that_are_words_follow_the_language():
    assert _csv_head(_panels(), "en") == ["panel", "field", "time step t", "unit", "value"]
    assert _csv_head(_panels(), "zh") == ["子图", "变量", "time step t", "unit", "数值"]
    image = go.Figure(go.Heatmap(z=[[1, 2]]))
    assert _csv_head(image, "en") == ["column", "row", "value"]
    assert _csv_head(image, "zh") == ["列", "行", "数值"]
    line = go.Figure(go.Scatter(y=[1, 2]), layout={"xaxis": {"title": {"text": "t"}},
                                                   "yaxis": {"title": {"text": "t"}}})
    assert _csv_head(line, "en") == ["series", "t", "t (vertical)"]
    with i18n.using("zh"):
        rows = export.render(line, "csv").decode().splitlines()
    assert rows[0].split(",") == ["系列", "t", "t（纵轴）"] and rows[1].startswith("系列 1,")
    pie = go.Figure(go.Pie(values=[1, 2]))
    assert "pie" in export.unsupported_reason(pie)
    with i18n.using("zh"):
        assert export.unsupported_reason(pie) == "plotly 的“pie”类图形还不能离线导出"


def test_task_and_architecture_names_are_read_in_the_current_language():
    assert plotting.task_label("recall", goal=True) == "Delayed recall (name the first symbol)"
    assert plotting.TASK_LABELS.get("sine") == "Sine forecasting"
    assert plotting.ARCH_NAMES["rnn"] == "vanilla RNN"
    with i18n.using("zh"):
        assert plotting.task_label("recall", goal=True) == "延迟回忆（说出第一个符号）"
        assert [plotting.TASK_LABELS[k] for k in C.TASKS] == ["延迟回忆", "加法问题", "正弦预测",
                                                              "括号深度"]
        assert plotting.ARCH_NAMES["rnn"] == "普通 RNN" and plotting.ARCH_NAMES["lstm"] == "LSTM"
    assert list(plotting.TASK_LABELS) == list(C.TASKS) and plotting.TASK_LABELS.get("x") is None
    with i18n.using("zh"):
        format_func = plotting.TASK_LABELS.get  # handed to a widget during a Chinese page run
    assert format_func("adding") == "加法问题"  # formatted again later, elsewhere: still Chinese


def test_a_bad_link_on_a_chinese_page_is_told_in_chinese():
    at = AppTest.from_file(str(ROOT / "pages/lstm.py"), default_timeout=120)
    at.query_params.update({"lang": "zh", "hidden": "999", "seq_len": "abc"})
    at.run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "隐藏层大小必须在 1 到 256 之间，收到的是：999" in warning
    assert "序列长度必须是整数，收到的是：文本 'abc'" in warning
    assert "must be" not in warning and "got" not in warning and "; " not in warning
    assert at.selectbox(key="lstm_task").options == ["延迟回忆", "加法问题", "正弦预测", "括号深度"]


@pytest.mark.parametrize(("argv", "said"), [
    (["train", "--lang", "zh", "--hidden", "999"], "隐藏层大小必须在 1 到 256 之间，收到的是：999"),
    (["train", "--hidden", "999"], "hidden size must be between 1 and 256, got 999"),
    (["horizon", "--lang", "zh", "--lags", "5,5"], "5 重复出现了；每个只写一次"),
])
def test_every_command_takes_lang_and_says_its_errors_in_it(argv, said, tmp_path, capsys):
    assert cli.main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err, err


SPEC_LABEL = re.compile(r"""\b(?:Int|Float|Choice|Flag|Many|check_range)\(\s*(f?)"([^"]+)\"""")


def test_every_settings_label_in_the_code_has_a_chinese_name():
    """A label written in the code (Int("hidden size", …)) needs its entry in specs.toml's
    [label] table, or the Chinese page names that setting in English."""
    labels = {re.sub(r"\{[^}]*\}", "copy", text) if f else text
              for path in [*ROOT.glob("memviz/**/*.py"), *ROOT.glob("pages/*.py")]
              for f, text in SPEC_LABEL.findall(path.read_text())}
    assert len(labels) > 40
    with i18n.using("zh"):
        untranslated = sorted(x for x in labels if not has_cjk(specs.label_text(x)))
    assert untranslated == []
