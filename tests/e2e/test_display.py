"""How figures look in a real browser (issue 12): nothing cut, Chinese page language, icons not read."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import dropdown, goto, settle, shot

pytestmark = pytest.mark.e2e

# Every element inside a metric card whose text overflows its box (what the eye sees as "…").
CUT = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"] *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
    .map(e => e.closest('[data-testid="stMetric"]').innerText.replace(/\\s+/g, ' '))"""

PAGES = ["", "renovation", "partners", "red-property", "requests", "volunteers"]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_metric_value_or_label_is_cut(server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    goto(page, server)
    for path in PAGES:
        goto(page, server, path)
        assert page.locator('[data-testid="stMetric"]').count() > 0, path
        shot(page, f"display_{path or 'overview'}_{width}")
        assert page.evaluate(CUT) == [], (path, width)


def test_page_language_and_icons_for_screen_readers(server, page):
    goto(page, server)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    # The sidebar link reads its title alone, not "flag 红色物业".
    link = page.get_by_role("link", name="红色物业", exact=True)
    assert link.count() == 1
    icons = page.locator('[data-testid="stSidebarNav"] [data-testid="stIconMaterial"]')
    assert icons.count() > 0
    assert all(icons.nth(i).get_attribute("aria-hidden") == "true" for i in range(icons.count()))
    page.locator('[data-testid="stSidebar"] button').filter(has_text="English").click()
    settle(page)
    assert page.evaluate("document.documentElement.lang") == "en"


def test_the_story_is_on_the_first_screen(server, page):
    """By default (whole street, last 12 months) the Overview and Partners headline the free chute removal."""
    page.set_viewport_size({"width": 1280, "height": 800})
    for path in ("", "partners"):
        goto(page, server, path)
        story = page.locator('[data-testid="stAlertContentSuccess"]').first
        text = story.inner_text()
        assert "中国交建一公局集团华中公司" in text and "3栋8单元" in text and "20.7 万元" in text, text
        box = story.bounding_box()
        assert box and box["y"] + box["height"] <= 800, box  # seen without scrolling


def test_cumulative_period_counts_from_the_first_plan_batch(server, page):
    goto(page, server, "partners")
    shot(page, "partners_current")
    page.locator('[data-testid="stSidebar"] button').filter(has_text="累计").click()
    settle(page)
    shot(page, "partners_cumulative")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "2021-10—2023-09" in main
    # No change is shown against a period before the data begins.
    assert page.locator('[data-testid="stMetricDelta"]').count() == 0


def test_data_page_speaks_chinese(server, page):
    """The table picker names tables in Chinese only; the uploader's own English is drawn over in Chinese."""
    goto(page, server, "data")
    shot(page, "data_zh")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="导入到哪张表").first.click()
    options = page.locator('[role="option"]').all_inner_texts()
    page.keyboard.press("Escape")
    assert "社区" in options and "居民诉求" in options, options
    assert not [o for o in options if re.search(r"[A-Za-z]{3,}", o)], options
    after = page.evaluate(
        """() => {
            const button = document.querySelector('[data-testid="stFileUploaderDropzone"] button p');
            const note = document.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span');
            return [button, note].map(e => e && getComputedStyle(e, '::after').content);
        }"""
    )
    assert after[0] == '"上传文件"' and "每个文件不超过" in after[1], after


# Metric values whose text breaks to a new line inside a word ("234 household / s").
SPLIT_WORDS = """() => {
    const split = [];
    for (const value of document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetricValue"]')) {
        const walker = document.createTreeWalker(value, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent;
            let top = null;
            for (let i = 0; i < text.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (!rect) continue;
                if (top !== null && rect.top > top + 2 && /\\w/.test(text[i]) && /\\w/.test(text[i - 1])) {
                    split.push(value.innerText.replace(/\\s+/g, ' '));
                }
                top = rect.top;
            }
        }
    }
    return split;
}"""


def test_no_english_figure_breaks_inside_a_word(server, page):
    goto(page, server, "profile?profile=长航宿舍")
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    settle(page)
    assert page.locator('[data-testid="stMetric"]').count() > 10
    shot(page, "display_profile_en_1400")
    assert page.evaluate(SPLIT_WORDS) == []


def test_a_tables_rows_leave_by_its_audited_download_only(server, page):
    """The grid's own toolbar searches and widens, but neither exports nor copies: its CSV would be other
    bytes than the table's download and would reach no audit entry."""
    goto(page, server, "requests")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    toolbar.locator('button[aria-label="Search"]').wait_for(timeout=10_000)
    assert toolbar.locator('button[aria-label="Download as CSV"]').count() == 0
    assert page.get_by_role("button", name="下载 CSV").count() + page.get_by_role("link", name="下载 CSV").count() > 0


def test_the_audit_log_reads_in_chinese(server, page):
    """The log's 详情 are words, not the JSON with English keys it keeps (the sign-in just made is one)."""
    goto(page, server, "data")
    page.get_by_role("tab", name="操作日志").click()
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    shot(page, "data_audit_zh")
    cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts()
    details = [c for c in cells if "结果" in c or "{" in c]
    assert details and all(c.startswith("结果：成功") and "{" not in c for c in details), details


def _dropdown(page, box, typed: str = "", picture: str = "") -> str:
    """What box's open dropdown reads, one option a line (after typing `typed` into its search), closed
    again: an option's text, or what the page's CSS draws over it."""
    with dropdown(page, box, typed) as listbox:
        shown = listbox.evaluate(
            """(box) => [...box.querySelectorAll('[role="option"]')].map((o) => {
                const after = getComputedStyle(o.querySelector('span') || o, '::after').content;
                return after && after !== 'none' && after !== 'normal' ? JSON.parse(after) : o.innerText;
            }).join('\\n')"""
        )
        if picture:
            shot(page, picture)
    return shown


def test_the_multiselects_offer_no_english(server, page):
    """Streamlit's multiselect adds "Select all" to a list of two or more and says "No results" when a
    search finds nothing: neither may show in the Chinese UI (the sidebar's filters, the 督办 ledger's)."""
    goto(page, server)
    sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    for box in (sidebar.first, sidebar.nth(1)):
        listed = _dropdown(page, box).split("\n")
        assert len(listed) >= 2 and not [t for t in listed if re.search(r"[A-Za-z]{3,}", t)], listed
    nothing = _dropdown(page, sidebar.first, typed="不存在的社区名", picture="multiselect_no_match_zh")
    assert nothing == "无匹配项", nothing
    goto(page, server, "supervision")
    for box in page.locator('[data-testid="stMain"] [data-testid="stMultiSelect"]').all():
        listed = _dropdown(page, box).split("\n")
        assert listed and not [t for t in listed if re.search(r"[A-Za-z]{3,}", t)], listed
