"""A real browser in Chinese: a ?lang=zh link, the sidebar's switch, a Chinese browser's first
visit (chromium's locale), Chinese figures drawn with glyphs, not boxes."""

from __future__ import annotations

import re

import pytest

from .test_browser import ARTIFACTS, CHROME_ARGS, CHROMIUM, app_url, page  # noqa: F401

pytestmark = pytest.mark.browser
ZH_NAV = ("首页", "LSTM 长短时记忆", "GRU 门控循环单元", "普通 RNN", "为什么需要门", "突触",
          "原始文档")


def _heading(pg, text: str) -> None:
    pg.get_by_role("heading", name=text).first.wait_for(timeout=60_000)


def test_a_chinese_link_the_switch_and_back(app_url, page):  # noqa: F811
    page.goto(f"{app_url}/synapses?lang=zh", timeout=60_000)
    _heading(page, "突触：重复怎样变成持久的改变")
    for name in ZH_NAV:
        assert page.get_by_role("link", name=name, exact=True).is_visible(), name
    page.get_by_text("讲课模式", exact=True).first.wait_for(timeout=30_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.get_by_text("输入模式").wait_for(timeout=30_000)  # a figure title in Chinese
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_synapses_zh.png"), full_page=True)
    switch = page.get_by_role("radiogroup", name="Language / 语言")
    assert switch.get_by_role("radio", name="中文").get_attribute("aria-checked") == "true"
    switch.get_by_role("radio", name="English").click()
    _heading(page, "Synapses: how repetition becomes a lasting change")
    assert page.get_by_role("link", name="The documents", exact=True).is_visible()
    assert re.search(r"[?&]lang=en\b", page.url) and "/synapses" in page.url
    switch.get_by_role("radio", name="中文").click()
    _heading(page, "突触：重复怎样变成持久的改变")
    assert re.search(r"[?&]lang=zh\b", page.url)
    page.get_by_role("link", name="首页", exact=True).click()  # another page keeps Chinese
    _heading(page, "memviz：神经网络是怎样记忆的")
    page.wait_for_function("() => /[?&]lang=zh/.test(location.search)", timeout=30_000)


def test_a_chinese_browser_opens_in_chinese(app_url):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        pg.goto(app_url, timeout=60_000)  # no ?lang: the browser's language decides
        _heading(pg, "memviz：神经网络是怎样记忆的")
        pg.wait_for_function("() => /[?&]lang=zh/.test(location.search)", timeout=30_000)
        browser.close()
