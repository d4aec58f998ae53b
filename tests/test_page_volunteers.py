"""志愿积分 Volunteer points page: runs in both languages, KPI figures equal hand-written SQL."""

from __future__ import annotations

import duckdb
import pytest

from oversight import db, i18n, metrics, rollups, settings
from tests.apptest import CJK, assert_headline, assert_kpis, hand_sql, open_page, page_words
from tests.period import AS_OF, DEFAULT_FILTER, END, START

PAGE = "app_pages/volunteers.py"
KPIS = list(metrics.VOLUNTEERS)


def expected_figures(path, compounds: list[str] | None) -> dict[str, object]:
    """The page's KPIs by hand: the period's flows and the balance outstanding on its last day."""
    with hand_sql(path, compounds) as (con, ids):
        p = {"ids": ids, "start": START, "end": END}
        registered = con.execute("SELECT count(*) FROM volunteers WHERE compound_id = ANY($ids)", {"ids": ids})
        registered = registered.fetchall()[0][0]
        active, hours, earned = con.execute(
            """
            SELECT count(DISTINCT s.volunteer_id), coalesce(sum(s.hours), 0), coalesce(sum(s.points), 0)
            FROM services s JOIN volunteers v ON v.volunteer_id = s.volunteer_id
            WHERE v.compound_id = ANY($ids) AND s.served_on >= $start::DATE AND s.served_on < $end::DATE
            """,
            p,
        ).fetchall()[0]
        redeemed = con.execute(
            """
            SELECT coalesce(sum(d.points_spent), 0)
            FROM redemptions d JOIN volunteers v ON v.volunteer_id = d.volunteer_id
            WHERE v.compound_id = ANY($ids) AND d.redeemed_on >= $start::DATE AND d.redeemed_on < $end::DATE
            """,
            p,
        ).fetchall()[0][0]
        earned_to_date = con.execute(
            "SELECT coalesce(sum(points), 0) FROM services JOIN volunteers USING (volunteer_id) "
            "WHERE compound_id = ANY($ids) AND served_on < $end::DATE",
            {"ids": ids, "end": END},
        ).fetchall()[0][0]
        spent_to_date = con.execute(
            "SELECT coalesce(sum(points_spent), 0) FROM redemptions JOIN volunteers USING (volunteer_id) "
            "WHERE compound_id = ANY($ids) AND redeemed_on < $end::DATE",
            {"ids": ids, "end": END},
        ).fetchall()[0][0]
    return dict(zip(KPIS, [active, registered, hours, earned, redeemed, earned_to_date - spent_to_date], strict=True))


@pytest.mark.parametrize("compound", [None, ["X001"]])
def test_kpis_equal_hand_sql(app_env, compound):
    expected = expected_figures(app_env, compound)
    at = open_page(PAGE, compound=compound)
    # Hours by month, points earned and redeemed by month, the balance by compound.
    assert_headline(at, i18n.t("volunteers.title", "zh"), expected, charts=3)
    rule = i18n.t("volunteers.rule", "zh", points=f"{settings.points_per_hour():g}", as_at=AS_OF)
    assert rule in [c.value for c in at.caption]


def test_outstanding_by_compound_adds_up_and_names_stay_masked(app_env):
    expected = expected_figures(app_env, None)
    con = db.connect(app_env)
    params = DEFAULT_FILTER.params(db.all_compound_ids(con))
    by_compound = db.run("volunteers_points_by_compound", con, **params)
    assert by_compound["balance"].sum() == pytest.approx(expected["points_outstanding"])
    top = db.run("volunteers_top", con, **params, limit=20)
    assert len(top) == 20 and top["display_name"].str.contains(r"\*").all()
    assert list(top["hours"]) == sorted(top["hours"], reverse=True)
    low = db.run("rewards_catalogue", con, **params, threshold=10)
    assert (low["stock"] < 10).all()
    assert len(db.run("rewards_catalogue", con, **params, threshold=None)) == len(
        con.execute("SELECT * FROM rewards").fetchall()
    )


def test_english(app_env):
    expected = expected_figures(app_env, None)
    at = open_page(PAGE, lang="en")
    assert at.title[0].value == "Volunteer points"
    assert_kpis(at, expected, "en")
    texts = page_words(at, ("Kind",), markdown=True)
    assert len(texts) > 20
    assert not [t for t in texts if CJK.search(t)]


def test_period_without_services_shows_empty_state(app_env):
    # The demo's services begin in July 2022: the first months of data have none.
    at = open_page(PAGE, period=("2021-10", "2022-06"))
    assert i18n.t("page.empty", "zh") in [i.value for i in at.info]
    assert_kpis(at, {"volunteer_hours": 0})


def test_compound_without_volunteers_shows_empty_state(app_env):
    con = duckdb.connect(str(app_env))
    of_x001 = "SELECT volunteer_id FROM volunteers WHERE compound_id = 'X001'"
    for table in ("redemptions", "services"):
        con.execute(f"DELETE FROM {table} WHERE volunteer_id IN ({of_x001})")
    con.execute("DELETE FROM volunteers WHERE compound_id = 'X001'")
    rollups.rebuild(con)  # a change made beside store.write refreshes the roll-ups itself
    con.close()
    at = open_page(PAGE, compound=["X001"])
    assert i18n.t("page.empty", "zh") in [i.value for i in at.info]
    assert_kpis(at, {"points_outstanding": 0})
