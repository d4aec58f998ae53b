"""Every page path opens that page, after sign-in when needed, with no English dialog."""

from __future__ import annotations

import pytest

from oversight import i18n
from oversight.ui import pages
from tests.e2e.conftest import settle, shot, sign_in

pytestmark = pytest.mark.e2e

# Every registered page by its link, with the title it shows (the e2e admin may open them all).
PAGES = {p.url: i18n.t(p.title, "zh") for p in pages.PAGES}


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
