"""What an official does, in a real browser: each journey asserts what is on screen."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from oversight import db, i18n
from oversight.ui import pages
from tests.apptest import CJK, assert_cards
from tests.e2e.conftest import choose, errors_on, goto, kpis, settle, shot, sign_in

pytestmark = pytest.mark.e2e

PERIOD = dict(
    period_start=date(2022, 10, 1), period_end=date(2023, 10, 1), as_of=date(2023, 9, 30), as_at=date(2023, 9, 30)
)


def expected_kpis(demo_master, compound_ids=None) -> dict[str, object]:
    """Some of the Overview's figures, from the queries: {metric key: value} for assert_cards."""
    con = db.connect(demo_master)
    ids = compound_ids or db.all_compound_ids(con)
    ren = db.run("kpi_renovation", con, compound_ids=ids, **PERIOD).iloc[0]
    req = db.run("kpi_requests", con, compound_ids=ids, **PERIOD).iloc[0]
    return {
        key: row[key]
        for key, row in (
            ("start_rate", ren),
            ("finish_rate", ren),
            ("overdue_items", ren),
            ("resolution_rate", req),
            ("open_backlog", req),
        )
    }


def test_1_overview_in_chinese_with_figures_equal_to_sql(server, page, demo_master):
    goto(page, server)
    shot(page, "j1_overview")
    assert page.locator("h1").first.inner_text() == "总览"
    assert "数据截至 2023-09-30" in page.locator('[data-testid="stMain"]').inner_text()
    assert_cards(kpis(page), expected_kpis(demo_master))
    assert errors_on(page) == []
    # Renovation progress by compound, the stage distribution, the three rates by month: each drawn.
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() == 3 and charts.locator("svg.marks").count() == 3


def test_2_filter_by_community_then_compound(server, page, demo_master):
    goto(page, server)
    before = kpis(page)
    choose(page, "社区", "和美社区")
    choose(page, "小区", "湖北省第二轻工业局宿舍")
    shot(page, "j2_filtered")
    shown = kpis(page)
    assert shown != before
    assert_cards(shown, expected_kpis(demo_master, ["X001"]))
    table = page.locator('[data-testid="stMain"]').inner_text()
    assert "湖北省第二轻工业局宿舍" in table


def test_3_filters_survive_page_switch_and_copied_link(server, page, browser):
    goto(page, server)
    choose(page, "社区", "和美社区")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="居民诉求").click()
    settle(page)
    assert page.locator("h1").first.inner_text() == "居民诉求"
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "和美社区" in sidebar
    url = page.url
    assert "community=" in url
    figures = kpis(page)
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.goto(url)
    other.wait_for_selector('[data-testid="stApp"]')
    sign_in(other, server)
    # After signing in, the same link shows the same view.
    shot(other, "j3_copied_link")
    assert "和美社区" in other.locator('[data-testid="stSidebar"]').inner_text()
    assert kpis(other) == figures
    other.context.close()


def test_4_download_csv_with_bom_and_chinese_headers(server, page, demo_master):
    goto(page, server)
    page.get_by_role("tab", name="未按期完工项目").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV").first.click()
    download = info.value
    data = open(download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    assert download.suggested_filename.endswith(".csv") and "截至2023-09-30" in download.suggested_filename
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    con = db.connect(demo_master)
    expected = db.run("overdue_items", con, compound_ids=db.all_compound_ids(con), **PERIOD)
    assert rows[0][:3] == ["项目编号", "小区", "项目名称"]
    assert [r[0] for r in rows[1:]] == list(expected["item_id"])


def test_5_click_a_compound_bar_opens_its_profile(server, page):
    goto(page, server)
    bar = page.locator(
        '[data-testid="stVegaLiteChart"] path[aria-roledescription="bar"][aria-label*="湖北省第二轻工业局宿舍"]'
    )
    bar.first.click()
    # The click's rerun switches page: wait for the profile's title, not only for a quiet page (the
    # page can look settled before that rerun has started).
    page.locator("h1", has_text="小区档案").first.wait_for(timeout=30_000)
    settle(page)
    shot(page, "j5_profile")
    assert page.locator("h1").first.inner_text() == "小区档案"
    assert "湖北省第二轻工业局宿舍" in page.locator('[data-testid="stMain"]').inner_text()
    assert "profile" in page.url


def test_6_english_same_figures(server, page):
    goto(page, server)
    zh = kpis(page)
    page.locator('[data-testid="stSidebar"] button').filter(has_text="English").click()
    settle(page)
    shot(page, "j6_english")
    assert page.locator("h1").first.inner_text() == "Overview"
    en = kpis(page)
    assert [v for v in zh.values() if "%" in v] == [v for v in en.values() if "%" in v]
    labels = " ".join(en)
    assert not CJK.search(labels)


@pytest.mark.parametrize("width", [390, 1400])
def test_8_every_page_fits_phone_and_desktop(server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for path in ["" if p.default else p.url for p in pages.PAGES]:
        goto(page, server, path)
        shot(page, f"j8_{width}_{path or 'overview'}")
        assert errors_on(page) == [], path
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    context.close()


def test_7_bad_file_is_refused_and_a_good_one_changes_the_figures(server, page):
    from oversight import settings

    fixtures = settings.ROOT / "tests" / "fixtures"
    goto(page, server)
    before = kpis(page)

    def upload(path):
        goto(page, server, "data")
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="导入到哪张表").first
        box.click()
        page.locator('[role="option"]').filter(has_text="居民诉求").first.click()
        settle(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            str(path)
        )  # the import tab's
        settle(page)
        page.get_by_role("button", name="校验并导入").click()
        settle(page)

    upload(fixtures / "bad" / "range_satisfaction.csv")
    shot(page, "j7_bad_file")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "第 2 行" in text and "满意度" in text, text[-800:]
    goto(page, server)
    assert kpis(page) == before

    upload(fixtures / "good" / "requests_utf8.csv")
    shot(page, "j7_good_file")
    assert "新增 3" in page.locator('[data-testid="stMain"]').inner_text()
    goto(page, server)
    after = kpis(page)
    assert after != before
    assert after[i18n.t("metric.open_backlog", "zh")] != before[i18n.t("metric.open_backlog", "zh")]


def test_9_sign_in_see_only_own_communities_sign_out(server, page):
    page.goto(server.url)
    page.locator('input[type="password"]').wait_for(timeout=60_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0  # no figure before signing in
    page.get_by_label("用户名").fill("e2e_staff")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=用户名或密码不正确")
    sign_in(page, server, "e2e_staff")
    shot(page, "j9_staff")
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="社区")
    box.locator("input").click()
    options = page.locator('[role="option"]').all_inner_texts()
    page.keyboard.press("Escape")
    assert options == ["台北一路社区"]
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "湖北省第二轻工业局宿舍" not in main
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_selector("text=用户名")
    assert page.locator('[data-testid="stMetric"]').count() == 0


def test_9_ledger_from_overview_link_assign_and_close(server, page):
    """From 总览's 督办 count to the ledger filtered to that kind; an admin assigns and closes a case."""
    goto(page, server)
    # The first 需要关注 figure is 未按期开工; the button under it opens the ledger at that kind.
    link = page.locator('[data-testid="stMain"] button').filter(has_text="督办 ").first
    count = int(re.search(r"(\d+) 件", link.inner_text()).group(1))
    link.click()
    page.locator("h1", has_text="督办台账").first.wait_for(timeout=30_000)  # the rerun that switches page
    settle(page)
    assert page.locator("h1").first.inner_text() == "督办台账"
    main = page.locator('[data-testid="stMain"]')
    assert f"共 {count} 件" in main.inner_text()
    shot(page, "j9_ledger")
    form = page.locator('[data-testid="stForm"]')
    form.get_by_label("责任单位", exact=True).fill("区住建局")
    form.get_by_label("说明", exact=True).fill("请两周内开工")
    form.get_by_role("button", name="处理").click()
    main.get_by_text("已记录（新版本").wait_for(timeout=60_000)  # the write, then a rerun that says so
    settle(page)
    assert form.get_by_label("责任单位", exact=True).input_value() == "区住建局" and errors_on(page) == []
    form.locator("label").filter(has_text="销号").first.click()
    form.get_by_label("说明", exact=True).fill("已开工，情况已报区里")
    form.get_by_role("button", name="处理").click()
    main.get_by_text("已销号 1").wait_for(timeout=60_000)
    settle(page)
    shot(page, "j9_ledger_closed")
    assert f"共 {count} 件" in main.inner_text() and "已销号 1" in main.inner_text()


def test_the_data_pages_tabs_open_one_at_a_time(server, page):
    """Only the open tab of the Data page runs: its content appears when the tab is chosen."""
    goto(page, server, "data")
    main = page.locator('[data-testid="stMain"]')
    start = i18n.t("data.start_import", "zh")
    assert main.get_by_role("button", name=start).count() == 1
    assert main.get_by_text("模板（XLSX）").count() == 0
    page.get_by_role("tab", name=i18n.t("data.tab_templates", "zh")).click()
    settle(page)
    main.get_by_text("模板（XLSX）").first.wait_for(timeout=30_000)
    shot(page, "data_templates_tab")
    assert main.get_by_role("button", name=start).count() == 0
    assert errors_on(page) == []
