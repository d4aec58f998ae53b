"""The compound filter as a city sees it: past OVERSIGHT_COMPOUND_LIST_MAX compounds it waits for a
community (社区 → 小区). The demo's 12 compounds are made a city by lowering the limit to 2."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from bench.server import Server
from oversight import db, store
from tests.apptest import assert_cards
from tests.e2e.conftest import USERS, dropdown, goto, kpis, settle, shot, sign_in
from tests.e2e.test_journeys import expected_kpis

pytestmark = pytest.mark.e2e


@pytest.fixture
def city_server(demo_master, tmp_path):
    db_file = tmp_path / "e2e.duckdb"
    store.publish_file(db_file, demo_master, action="demo", who="e2e")
    srv = Server(db_file, how="serve", users=USERS, timeout=60, env={"OVERSIGHT_COMPOUND_LIST_MAX": "2"}).start()
    yield srv
    srv.stop()


def box(page, label: str):
    """The sidebar multiselect labelled exactly `label` (the 小区 box's placeholder names 社区 too)."""
    exact = page.locator('[data-testid="stWidgetLabel"]').filter(has_text=re.compile(f"^{label}$"))
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has=exact)


def offered(page, label: str, typed: str = "") -> list[str]:
    """The options box `label` lists (after typing `typed` into its search); an empty list: none."""
    with dropdown(page, box(page, label), typed) as listbox:
        empty = listbox.get_attribute("data-empty") == "true"
        names = [] if empty else page.locator('[role="option"]').all_inner_texts()
    return names


def pick(page, label: str, option: str) -> None:
    field = box(page, label).locator("input")
    field.click()
    field.fill(option)
    page.locator('[role="option"]').filter(has_text=option).first.click()
    page.keyboard.press("Escape")
    settle(page)


def test_past_the_list_max_compounds_are_picked_through_a_community(city_server, page, browser, demo_master):
    goto(page, city_server)
    compounds = box(page, "小区")
    assert compounds.locator("input").get_attribute("placeholder") == "全部（先选社区）"
    # Nothing to scroll through before a community, and no empty list reading "No results".
    assert compounds.locator("input").is_disabled()
    compounds.locator('[data-testid="stTooltipHoverTarget"]').hover()
    page.get_by_text("先选社区，再从中选小区").wait_for()
    shot(page, "cascade_waiting")
    whole = kpis(page)

    pick(page, "社区", "和美社区")
    listed = offered(page, "小区")
    con = db.connect(demo_master)
    rows = con.execute("SELECT name, community_id FROM compounds ORDER BY compound_id").fetchall()
    inside = [n for n, c in rows if c == "C01"]
    outside = [n for n, c in rows if c != "C01"]
    assert listed and listed == inside[: len(listed)]  # the list draws what fits, in order
    assert offered(page, "小区", typed=inside[-1]) == [inside[-1]]
    assert offered(page, "小区", typed=outside[0]) == []  # another community's compound is not offered
    pick(page, "小区", "湖北省第二轻工业局宿舍")
    shot(page, "cascade_community_then_compound")
    assert_cards(kpis(page), expected_kpis(demo_master, ["X001"]))

    # A link naming only the compound (a colleague removed the community from it) keeps the compound.
    parts = urlsplit(page.url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k != "community"]
    assert [k for k, _ in kept].count("compound") == 1
    link = urlunsplit(parts._replace(query=urlencode(kept)))
    other = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
    other.goto(link)
    other.wait_for_selector('[data-testid="stApp"]')
    sign_in(other, city_server)
    assert "湖北省第二轻工业局宿舍" in box(other, "小区").inner_text()
    assert "无法识别" not in other.locator('[data-testid="stSidebar"]').inner_text()
    assert_cards(kpis(other), expected_kpis(demo_master, ["X001"]))
    shot(other, "cascade_link_without_community")
    assert kpis(other) != whole
    other.context.close()
