"""Every page in a real browser in Chinese: a tiny ?lang=zh link trains where the page trains,
the trained result shows (a number only a trained model gives), the page's key terms are on
screen, and nothing fails. Screenshots go to the browser artifacts folder."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .test_browser import ARTIFACTS, app_url, page  # noqa: F401  (the shared server fixtures)

pytestmark = pytest.mark.browser
TINY = "seq_len=6&hidden=4&steps=20&seed=0"
# page -> (link query, text shown only once the page has its result, key terms)
PAGES = {
    "": ("", "细胞状态", ("细胞状态", "突触可塑性")),
    "lstm": (TINY, "留出集准确率", ("遗忘门", "输入门", "细胞状态")),
    "gru": (TINY, "留出集准确率", ("重置门", "更新门")),
    "rnn": (TINY, "留出集准确率", ("隐藏状态",)),
    "gates": ("seq_len=6&hidden=4&steps=30&seed=0", "训练用时", ("梯度消失", "遗忘门")),
    "cnn": ("c1=2&c2=4&steps=10", "测试准确率", ("卷积核", "感受野")),
    "horizon": ("", "感受野", ("延迟", "时间步")),
    "text": ("hidden=16&seq_len=16&steps=20&seed=1", "留出文本的每字符比特", ("字符级", "温度")),
    "series": ("window=3&epochs=5&hidden=4&seed=0", "测试集 MAE", ("持续性基线", "窗口")),
    "sentences": ("steps=20&hidden=8&max_gap=4", "留出集准确率", ("情感分析", "否定")),
    "attention": ("task=dates&steps=20&lag=5", "带注意力", ("注意力", "编码器", "解码器")),
    "synapses": ("", "突触可塑性", ("赫布",)),
    "documents": ("seq_len=4&hidden=2&steps=10", "留出数据上的准确率", ("遗忘门", "《")),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_in_chinese_trains_and_shows_its_terms(app_url, page, name):  # noqa: F811
    query, result, terms = PAGES[name]
    page.goto(f"{app_url}/{name}?lang=zh&{query}", timeout=60_000)
    page.get_by_text(result).first.wait_for(state="attached", timeout=180_000)
    main = "document.querySelector('[data-testid=\"stMain\"]').innerText"
    try:  # the rest of the page (the stepper, figures) may still be drawing
        page.wait_for_function(f"{json.dumps(terms)}.every(t => {main}.includes(t))",
                               timeout=60_000)
    except PlaywrightTimeout:
        pass
    text = page.evaluate(main)
    missing = [term for term in terms if term not in text]
    assert not missing, (name, missing)
    assert page.locator('[data-testid="stException"]').count() == 0, name
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"zh_{name or 'home'}.png"))
