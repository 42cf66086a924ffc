"""What the pages say the documents say (issue 28 §2): each claim checked against the page's
words and, where the source documents sit beside the checkout, against the documents
themselves."""

from __future__ import annotations

import re

import numpy as np
import pytest

from memviz import i18n
from memviz.synapses import model as S
from memviz.text import generate

from .conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(),
                                 reason="the source documents are not beside the checkout")


def en(key: str, **fields) -> str:
    return i18n.t(key, lang="en", **fields)


def zh(key: str, **fields) -> str:
    return i18n.t(key, lang="zh", **fields)


def seed(n: str) -> str:
    (text,) = [p.read_text() for p in SEEDS.glob(f"{n}_*.txt")]
    return text


LEAK = dict(train_min=0.0, train_max=1.0, test_min=0.0, test_max=1.0, verdict="")


# ---------------------------------------------------------------- the pages' words


def test_document_004_is_not_said_to_sample():
    assert "004 samples" not in en("text.prose.generate")
    assert "001" in en("text.prose.generate") and "greedy" in en("text.prose.generate")
    assert "用的是采样" not in zh("text.prose.generate")
    assert "选择概率最大的单词" in zh("text.prose.generate")
    assert "004 samples" not in generate.__doc__ and "001" in generate.__doc__


def test_document_002_is_not_said_to_split_its_data():
    assert "before splitting" not in en("series.leak_intro", **LEAK)
    assert "never splits" in en("series.leak_intro", **LEAK)
    assert "再切分" not in zh("series.leak_intro", **LEAK)
    assert "根本没有切分数据" in zh("series.leak_intro", **LEAK)
    assert "切分数据之前" not in zh("series.intro")


def test_the_fading_trace_is_not_called_document_003s_short_term_memory():
    assert "the document's short-term versus long-term memory" not in en("synapses.closing")
    assert "plasticity itself" in en("synapses.closing")
    assert "就是文档所说的短期记忆" not in zh("synapses.closing")
    assert "突触可塑性本身" in zh("synapses.closing")


def test_the_imdb_project_is_said_as_document_002_says_it():
    text = en("sentences.intro")
    assert "ends with" not in text and "fifth" in text
    assert "slightly more" in text and "no number" in text and "never imports" in text
    assert "validation_data=(x_test, y_test)" in text
    assert "五分之一" in zh("sentences.intro") and "从没有导入" in zh("sentences.intro")


def test_whose_argument_kernel_short_cell_long_is():
    for key in ("cnn.prose.intro", "documents.d000.summary"):
        assert "ours" in en(key) and "feature" in en(key) and "deeper layers" in en(key), key
        assert "我们的" in zh(key) and "特征" in zh(key) and "更深" in zh(key), key


def test_the_bidirectional_remark_fits_004s_setup():
    text = en("documents.remark.d004_code")
    assert "cannot generate text left to right (its backward" not in text
    assert "sliding" in text and "not wrong" in text
    assert "滑动窗口" in zh("documents.remark.d004_code")


def test_oja_is_said_to_find_the_eigenvector_of_the_second_moment():
    assert "E[x xᵀ]" in en("synapses.symbols") and "centred" in en("synapses.symbols")
    assert "E[x xᵀ]" in zh("synapses.symbols") and "中心化" in zh("synapses.symbols")


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    c = abs(a @ b) / np.linalg.norm(a) / np.linalg.norm(b)
    return float(np.degrees(np.arccos(min(1.0, c))))


def _top(m: np.ndarray) -> np.ndarray:
    return np.linalg.eigh(m)[1][:, -1]


def test_oja_finds_the_second_moments_eigenvector_not_the_variances():
    """Uncentred input whose variance runs across its mean: Oja follows E[x xᵀ], not the
    covariance; on the page's own 0/1 pattern too (closer to E[x xᵀ]'s than to the covariance's)."""
    rng = np.random.default_rng(0)
    e = rng.normal(0, 0.3, 4000)
    x = np.stack([1 + e, 1 - e], axis=1)  # mean (1, 1); variance along (1, -1)
    w = S.oja_neuron(x, np.array([0.3, -0.1]), 0.01)[-1]
    assert _angle(w, _top(x.T @ x / len(x))) < 3
    assert _angle(w, _top(np.cov(x.T))) > 80
    cfg = S.SynapseConfig()
    p = S.pattern("repeated", cfg)
    w = S.oja_neuron(np.tile(p, (200, 1)), np.full(cfg.n, 0.1), 0.01)[-1]
    second, cov = _top(p.T @ p / len(p)), _top(np.cov(p.T, bias=True))
    assert _angle(w, second) < 1 < _angle(w, cov)


# ---------------------------------------------------------------- the documents themselves


@needs_seeds
def test_document_004_never_says_how_the_next_character_is_chosen():
    doc = seed("004")
    assert "概率分布" in doc
    for word in ("采样", "抽样", "温度", "argmax", "概率最大", "贪心"):
        assert word not in doc, word
    assert "选择概率最大的单词" in seed("001")


@needs_seeds
def test_document_002_trains_and_tests_on_the_same_windows():
    doc = seed("002")
    assert "train_test_split" not in doc
    assert "model.fit(X_padded, y" in doc and "predictions = model.predict(X_padded)" in doc
    assert "对测试集进行预测" in doc


@needs_seeds
def test_document_002s_imdb_project_as_the_page_says():
    doc = seed("002")
    where = doc.index("IMDb") / len(doc)
    assert 0.15 < where < 0.3  # "about a fifth of the way through"
    assert "略高于LSTM" in doc  # its claim
    assert "validation_data=(x_test, y_test)" in doc
    imports = [line for line in doc.splitlines() if "import" in line]
    assert "GRU(64" in doc and not any("GRU" in line for line in imports)
    result = doc[doc.index("#### 6. 结果分析"):doc.index("#### 6. 结果分析") + 400]
    assert not re.search(r"\d\.\d", result)  # no accuracy printed behind the claim


@needs_seeds
def test_document_000_argues_from_features_and_contradicts_itself():
    doc = seed("000")
    assert "感受野" not in doc  # the receptive-field argument is ours
    assert "卷积核用于提取图像特征，相当于短期记忆" in doc
    assert "RNN中的LSTM细胞状态" in doc  # the cell state as short-term memory
    assert "长期记忆则是由更深层的网络层负责存储的" in doc


@needs_seeds
def test_document_003_puts_short_term_memory_in_plasticity():
    doc = seed("003")
    assert "短期记忆依赖于神经元之间的突触连接，特别是突触的可塑性" in doc
    assert "痕迹" not in doc and "衰减" not in doc


@needs_seeds
def test_document_004_returns_one_output_per_window():
    doc = seed("004")
    assert "Bidirectional(LSTM(hidden_units))" in doc and "return_sequences" not in doc
