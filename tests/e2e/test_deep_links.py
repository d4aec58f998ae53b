"""Every page path opens that page, after sign-in when needed, with no English dialog."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import settle, shot, sign_in

pytestmark = pytest.mark.e2e

PAGES = {
    "overview": "总览",
    "profile": "小区档案",
    "renovation": "小区改造",
    "partners": "共建单位",
    "red-property": "红色物业",
    "requests": "居民诉求",
    "volunteers": "志愿积分",
    "data": "数据管理",
}


def no_dialog(page) -> None:
    text = page.locator("body").inner_text()
    assert "Page not found" not in text and "not found" not in text.lower()
    assert page.locator('[role="dialog"]').count() == 0


def test_every_page_path_opens_that_page_after_sign_in(server, browser):
    for path, title in PAGES.items():
        context = browser.new_context(viewport={"width": 420, "height": 900}, locale="zh-CN")  # a phone
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{server.url}/{path}")
        page.locator('input[type="password"]').wait_for()
        page.wait_for_timeout(500)
        no_dialog(page)
        if path == "overview":
            shot(page, "deep_link_signed_out_phone")
        sign_in(page, server)
        settle(page)
        assert page.locator("h1").first.inner_text() == title, path
        assert page.url.rstrip("/") == f"{server.url}/{path}", path
        no_dialog(page)
        context.close()
