"""The requests list's download, in a real browser against `python -m oversight serve`: a link to
/export/<token> that gives the file the page prepared, for its own session only."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from urllib.parse import unquote

import pandas as pd
import pytest

from oversight import audit, db, domain, export, i18n
from oversight.ui import widgets
from tests.e2e.conftest import goto, settle, shot
from tests.period import DEFAULT_FILTER

pytestmark = pytest.mark.e2e

LIST_CODES = domain.REQUEST_LIST_CODES
DEFAULT = DEFAULT_FILTER  # the page's default filter: the 12 months up to as_of


def expected_list(demo_master, tmp_path, compound_ids: list[str]) -> bytes:
    """Every request in the default filter for these compounds, as write_query_csv writes them."""
    con = db.connect(demo_master)
    sql = db.query_text("requests_list")
    bound = db.bind(sql, {**DEFAULT.params(compound_ids), "limit": None})
    columns = [d[0] for d in con.execute(f"SELECT * FROM ({sql}\n) q LIMIT 0", bound).description]  # noqa: S608
    names = widgets.headers(pd.DataFrame(columns=columns), "zh")
    labels = {col: i18n.codes(section, "zh") for col, section in LIST_CODES.items()}
    out = tmp_path / "expected.csv"
    export.write_query_csv(con, sql, bound, out, names, labels, display=True)
    return out.read_bytes()


def list_link(page):
    """The requests list's download link: the last table of the page."""
    return page.get_by_role("link", name="下载 CSV").last


def test_the_list_link_downloads_every_row_for_its_session_only(server, browser, page, demo_master, tmp_path):
    goto(page, server, "requests")
    link = list_link(page)
    link.scroll_into_view_if_needed()
    shot(page, "export_link_requests")
    href = link.get_attribute("href")
    assert href.startswith("/export/") and "?" not in href
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0  # no bytes through Streamlit

    with page.expect_download() as info:
        link.click()
    download = info.value
    data = open(download.path(), "rb").read()
    con = db.connect(demo_master)
    assert data == expected_list(demo_master, tmp_path, db.all_compound_ids(con))
    assert download.suggested_filename.startswith("诉求清单_") and "截至2023-09-30" in download.suggested_filename
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["诉求编号", "小区"]
    log = audit.entries()
    mine = log[(log["action"] == "download") & (log["who"] == "e2e_admin")]
    assert json.loads(mine["detail"].iloc[-1])["rows"] == len(rows) - 1 > 500  # more than the page shows

    # Without the session cookie, or from another official's session: refused in one line.
    url = server.url + href
    try:
        urllib.request.urlopen(url, timeout=30)
        raise AssertionError("a download without a session")
    except urllib.error.HTTPError as e:
        assert e.code == 403 and e.read().decode("utf-8").count("\n") == 1
    other = browser.new_context(locale="zh-CN", accept_downloads=True)
    staff = other.new_page()
    goto(staff, server, "requests", name="e2e_staff")
    refused = staff.context.request.get(url)
    assert refused.status == 404 and "Traceback" not in refused.text()

    # The staff member's own link gives the rows of C02's compounds only, whatever the URL asks.
    own = server.url + list_link(staff).get_attribute("href")
    everyone = "&".join(f"compound_ids={c}" for c in db.all_compound_ids(con))
    answer = staff.context.request.get(f"{own}?{everyone}")
    c02 = [r[0] for r in con.execute("SELECT compound_id FROM compounds WHERE community_id = 'C02'").fetchall()]
    assert answer.status == 200 and answer.body() == expected_list(demo_master, tmp_path, c02)
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert unquote(answer.headers["content-disposition"].split("''", 1)[1]).startswith("诉求清单_")
    other.close()


def test_the_audit_log_downloads_through_the_same_route(server, page):
    goto(page, server, "data")
    page.get_by_role("tab", name="操作日志").click()  # only the open tab runs
    settle(page)
    shot(page, "audit_tab")
    link = page.get_by_role("link", name="下载 CSV").last
    link.scroll_into_view_if_needed()
    assert link.get_attribute("href").startswith("/export/")
    with page.expect_download() as info:
        link.click()
    rows = list(csv.reader(io.StringIO(open(info.value.path(), "rb").read().decode("utf-8-sig"))))
    assert rows[0] == ["时间", "用户", "操作", "详情", "来源地址"]
    assert any(r[1] == "e2e_admin" and r[2] == "登录" for r in rows[1:])  # this sign-in, as the page shows it
    assert info.value.suggested_filename.startswith("操作日志_")
