"""Served by `python -m oversight serve`: a sign-in survives reloads and new tabs, sign-out ends it
everywhere, download files die with the session, and every response carries the security headers."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request

import pytest

from oversight import audit
from tests.e2e.conftest import goto, settle, shot

pytestmark = pytest.mark.e2e


def signed_in(page) -> bool:
    return (
        page.locator('input[type="password"]').count() == 0 and page.locator('[data-testid="stSidebarNav"]').count() > 0
    )


def wait_ready(page) -> None:
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && (document.querySelector('input[type="password"]')
                    || document.querySelector('[data-testid="stSidebarNav"]'));
        }""",
        timeout=60_000,
    )
    page.wait_for_timeout(300)


def test_a_sign_in_survives_reload_and_new_tab_and_sign_out_ends_it(server, browser, page):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    goto(page, server, "requests")
    assert page.locator("h1").first.inner_text() == "居民诉求"
    cookie = next(c for c in page.context.cookies() if c["name"] == "oversight_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and "code=" not in page.url
    stored = sqlite3.connect(server.accounts).execute("SELECT token_hash FROM sessions").fetchall()
    assert len(stored) == 1 and stored[0][0] != cookie["value"] and len(stored[0][0]) == 64

    page.reload()
    wait_ready(page)
    settle(page)
    assert signed_in(page) and page.locator("h1").first.inner_text() == "居民诉求"

    other = page.context.new_page()
    other.goto(f"{server.url}/volunteers")
    wait_ready(other)
    settle(other)
    assert signed_in(other) and other.locator("h1").first.inner_text() == "志愿积分"

    # A download is reachable with the session, and not once the session has ended.
    with page.expect_download() as done:
        page.get_by_role("link", name="下载 CSV").first.click()
    media = done.value.url
    assert "/export/" in media
    request = page.context.request
    assert request.get(media).status == 200
    page.get_by_role("button", name="退出登录").click()
    page.locator('input[type="password"]').wait_for(timeout=60_000)
    shot(page, "sessions_signed_out")
    assert not [c for c in page.context.cookies() if c["name"] == "oversight_session"]
    assert sqlite3.connect(server.accounts).execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    other.reload()
    wait_ready(other)
    assert not signed_in(other)
    assert request.get(media).status == 403
    try:
        urllib.request.urlopen(server.url + media.split(server.url, 1)[1], timeout=10)
        raise AssertionError("media reachable without a session")
    except urllib.error.HTTPError as e:
        assert e.code == 403
    assert violations == []

    log = audit.entries()
    actions = list(log[log["who"] == "e2e_admin"]["action"])
    # Each fetch of the link is a download made and recorded: the click and the request after it.
    assert actions[-4:] == ["sign_in", "download", "download", "sign_out"]
    assert "code=" not in server.log_file.read_text()


def test_security_headers_health_and_readiness(server):
    for path in ("/", "/_stcore/health", "/ready"):
        with urllib.request.urlopen(server.url + path, timeout=10) as r:
            assert r.status == 200
            csp = r.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp and "img-src 'self' data:" in csp
            assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"]
    with urllib.request.urlopen(server.url + "/ready", timeout=10) as r:
        assert b'"as_of":"2023-09-30"' in r.read()


def test_a_wrong_password_is_recorded_with_the_name_tried(server, page):
    page.goto(server.url)
    page.get_by_label("用户名").fill("nobody_here")
    page.get_by_label("密码").fill("not the password")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("用户名或密码不正确").wait_for()
    log = audit.entries()
    row = log[log["who"] == "nobody_here"].iloc[-1]
    assert row["action"] == "sign_in" and '"result": "bad_login"' in row["detail"] and row["address"] == "127.0.0.1"
