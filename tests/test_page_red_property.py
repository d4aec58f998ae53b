"""红色物业 Red property page: runs in both languages, KPI figures equal hand-written SQL."""

from __future__ import annotations

import duckdb
import pytest

from oversight import db, i18n, metrics, rollups
from tests.apptest import CJK, assert_headline, assert_kpis, hand_sql, open_page, page_words
from tests.period import DEFAULT_FILTER, END, START

PAGE = "app_pages/red_property.py"
LAST_MONTH = "2023-09-01"  # the default period's last month
# The page's figures worked out by hand below (综合得分 has tests of its own).
KPIS = [k for k in metrics.RED_PROPERTY if k != "composite_score"]


def expected_figures(path, compounds: list[str] | None) -> dict[str, object]:
    """The page's KPIs by hand: coverage in the period's last month, meetings over the period, the three rates."""
    with hand_sql(path, compounds) as (con, ids):
        p = {"ids": ids, "start": START, "end": END, "last": LAST_MONTH}
        cov = con.execute(
            """
            SELECT
                avg(CASE WHEN r.company_id IS NOT NULL THEN 1 ELSE 0 END),
                avg(CASE WHEN c.has_party_branch THEN 1 ELSE 0 END),
                avg(CASE WHEN r.cross_appointed_staff > 0 THEN 1 ELSE 0 END),
                -- 业委会组建率, and the party share averaged only where a committee exists.
                avg(CASE WHEN r.has_owners_committee THEN 1 ELSE 0 END),
                avg(CASE WHEN r.has_owners_committee THEN r.committee_party_share END),
                avg(r.fee_collection_pct) / 100
            FROM red_property_monthly r LEFT JOIN property_companies c ON c.company_id = r.company_id
            WHERE r.compound_id = ANY($ids) AND r.month = $last::DATE
            """,
            {k: p[k] for k in ("ids", "last")},
        ).fetchall()[0]
        meetings = con.execute(
            "SELECT sum(joint_meetings) FROM red_property_monthly "
            "WHERE compound_id = ANY($ids) AND month >= $start::DATE AND month < $end::DATE",
            {k: p[k] for k in ("ids", "start", "end")},
        ).fetchall()[0][0]
        rates = con.execute(
            """
            SELECT
                avg(CASE WHEN responded_at <= received_at + INTERVAL 1 DAY THEN 1 ELSE 0 END),
                avg(CASE WHEN followup_resolved = 'resolved' THEN 1 WHEN followup_resolved IS NOT NULL THEN 0 END),
                avg(CASE WHEN followup_satisfaction IN ('satisfied', 'basically_satisfied') THEN 1
                         WHEN followup_satisfaction IS NOT NULL THEN 0 END)
            FROM requests
            WHERE compound_id = ANY($ids) AND received_at >= $start::TIMESTAMP AND received_at < $end::TIMESTAMP
            """,
            {k: p[k] for k in ("ids", "start", "end")},
        ).fetchall()[0]
    return dict(zip(KPIS, [*cov, meetings, *rates], strict=True))


@pytest.mark.parametrize("compound", [None, ["X001"]])
def test_kpis_equal_hand_sql(app_env, compound):
    expected = expected_figures(app_env, compound)
    at = open_page(PAGE, compound=compound)
    # Coverage by month, the three rates by month, fee collection by month and by compound.
    assert_headline(at, i18n.t("red_property.title", "zh"), expected, charts=4)
    assert i18n.t("red_property.cross_appointed_note", "zh") in [c.value for c in at.caption]


def test_league_tables_use_the_rates_of_requests_by_compound(app_env):
    """The compound league's three rates are requests_by_compound's; every company serving in scope is ranked."""
    con = db.connect(app_env)
    params = DEFAULT_FILTER.params(db.all_compound_ids(con))
    league = db.run("red_property_league_compounds", con, **params).set_index("compound_id")
    by_compound = db.run("requests_by_compound", con, **params).set_index("compound_id")
    assert len(league) == 29
    for col in ("requests", "response_rate", "resolution_rate", "satisfaction_rate", "rated"):
        assert (league.loc[by_compound.index, col] == by_compound[col]).all(), col
    companies = db.run("red_property_league_companies", con, **params)
    served = con.execute(
        "SELECT count(DISTINCT company_id) FROM red_property_monthly "
        "WHERE month >= '2022-10-01' AND month < '2023-10-01' AND company_id IS NOT NULL"
    ).fetchall()[0][0]
    assert len(companies) == served
    assert companies["requests"].sum() <= by_compound["requests"].sum()


def test_english(app_env):
    expected = expected_figures(app_env, None)
    at = open_page(PAGE, lang="en")
    assert at.title[0].value == "Red property"
    assert_kpis(at, expected, "en")
    # Code columns (kind, has a party branch) show English labels; names are data and stay as they are.
    texts = page_words(at, ("Kind", "Has party branch"))
    assert len(texts) > 20
    assert not [t for t in texts if CJK.search(t)]


def test_compound_without_data_shows_empty_state(app_env):
    con = duckdb.connect(str(app_env))
    con.execute("DELETE FROM requests WHERE compound_id = 'X001'")
    con.execute("DELETE FROM red_property_monthly WHERE compound_id = 'X001'")
    rollups.rebuild(con)  # a change made beside store.write refreshes the roll-ups itself
    con.close()
    at = open_page(PAGE, compound=["X001"])
    assert i18n.t("page.empty", "zh") in [i.value for i in at.info]
    assert {m.value for m in at.metric} <= {"—", "0次"}


def test_league_ranks_only_compounds_with_a_company_and_enough_answers(app_env):
    """A compound with one rating, or with no property company, is listed but not ranked."""
    con = db.connect(app_env)
    params = DEFAULT_FILTER.params(db.all_compound_ids(con))
    league = db.run("red_property_league_compounds", con, **params)
    ranked = league[league["rank"].notna()]
    assert len(ranked) and (ranked["rated"] >= 10).all() and ranked["company"].notna().all()
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert (ranked["composite_score"].diff().dropna() <= 0).all()
    unranked = league[league["rank"].isna()]
    assert len(unranked) and ((unranked["rated"] < 10) | unranked["company"].isna()).all()
    # Ranked rows come first: no unranked compound sits above a ranked one.
    assert league["rank"].notna().tolist() == sorted(league["rank"].notna().tolist(), reverse=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_compounds_league_caption_names_the_order_it_is_in(app_env, lang):
    """The caption said 按满意率 while the rows are in 综合得分 order (an official's review)."""
    at = open_page(PAGE, lang=lang)
    note = i18n.t("red_property.league_compounds_note", lang)
    assert note in [c.value for c in at.caption]
    score, rank = i18n.t("col.composite_score", lang), i18n.t("col.rank", lang)
    assert ("按综合得分从高到低" if lang == "zh" else "Highest composite score first") in note
    league = next(d.value for d in at.dataframe if score in d.value.columns and rank in d.value.columns)
    ranked = league[league[rank].notna()][score].astype(float).tolist()
    assert len(ranked) >= 3 and ranked == sorted(ranked, reverse=True)
