"""居民诉求 Resident requests page: runs in both languages, KPI figures equal hand-written SQL."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

import duckdb
import pandas as pd
import pytest

from oversight import db, export, i18n, metrics, rollups
from oversight.filters import add_months
from tests.apptest import CJK, assert_headline, assert_kpis, hand_sql, open_page, page_words
from tests.period import DEFAULT_FILTER, END, START

PAGE = "app_pages/requests.py"
# The page's figures worked out by hand below (the 30-day list has tests of its own).
KPIS = [k for k in metrics.REQUESTS if k != "open_over_30_days"]


def expected_figures(path, compounds: list[str] | None) -> dict[str, object]:
    """The page's KPIs worked out by hand from the requests table."""
    with hand_sql(path, compounds) as (con, ids):
        rows = con.execute(
            "SELECT received_at, responded_at, resolved_at, followup_resolved, followup_satisfaction, time_limit_days"
            " FROM requests "
            "WHERE compound_id = ANY($ids) AND received_at >= $start::TIMESTAMP AND received_at < $end::TIMESTAMP",
            {"ids": ids, "start": START, "end": END},
        ).fetchall()
        backlog = con.execute(
            "SELECT count(*) FROM requests WHERE compound_id = ANY($ids) AND received_at < $end::TIMESTAMP "
            "AND (resolved_at IS NULL OR resolved_at >= $end::TIMESTAMP)",
            {"ids": ids, "end": END},
        ).fetchall()[0][0]
    n = len(rows)
    # 回访 answers: 解决率 among those asked whether it was solved, 满意率 (满意 + 基本满意) among those rated.
    asked = [r[3] for r in rows if r[3] is not None]
    rated = [r[4] for r in rows if r[4] is not None]
    respond = [(r[1] - r[0]).total_seconds() / 3600 for r in rows if r[1] is not None]
    close_days = [(r[2] - r[0]).total_seconds() / 86400 for r in rows if r[2] is not None]
    end_of_period = datetime.fromisoformat(END)
    over = sum(
        1
        for r in rows
        if (r[2] is not None and r[2] > r[0] + timedelta(days=r[5]))
        or ((r[2] is None or r[2] >= end_of_period) and r[0] + timedelta(days=r[5]) < end_of_period)
    )
    response = sum(1 for r in rows if r[1] is not None and (r[1] - r[0]).total_seconds() <= 86400) / n
    resolution = sum(1 for a in asked if a == "resolved") / len(asked) if asked else None
    satisfaction = sum(1 for s in rated if s in ("satisfied", "basically_satisfied")) / len(rated) if rated else None
    return {
        "requests_total": n,
        "response_rate": response,
        "closure_rate": sum(1 for r in rows if r[2] is not None) / n,
        "resolution_rate": resolution,
        "satisfaction_rate": satisfaction,
        # Default weights 10%, 45%, 45%.
        "composite_score": 100 * (0.1 * response + 0.45 * resolution + 0.45 * satisfaction) if rated else None,
        "median_response_hours": statistics.median(respond) if respond else None,
        "median_handling_days": statistics.median(close_days) if close_days else None,
        "overdue_requests": over,
        "open_backlog": backlog,
    }


@pytest.mark.parametrize("compound", [None, ["X001"]])
def test_kpis_equal_hand_sql(app_env, compound):
    expected = expected_figures(app_env, compound)
    at = open_page(PAGE, compound=compound)
    # By category, by channel, the three rates by month, the worst compounds; the backlog by age if any.
    assert_headline(at, i18n.t("requests.title", "zh"), expected, charts=4 + (expected["open_backlog"] > 0))
    # When the list is cut for the screen, its caption gives the full count of the period's requests.
    total = expected["requests_total"]
    note = i18n.t("page.rows_shown", "zh", shown=f"{min(total, 500):,}", total=f"{total:,}")
    assert (note in [c.value for c in at.caption]) == (total > 500)


def test_backlog_bands_and_list_download_cover_every_row(app_env):
    expected = expected_figures(app_env, None)
    # The page's default filter: the 12 months up to as_of.
    con = db.connect(app_env)
    params = DEFAULT_FILTER.params(db.all_compound_ids(con))
    bands = db.run("requests_backlog_by_age", con, **params)
    assert list(bands["age_band"]) == ["d0_7", "d8_30", "d31_90", "d90_plus"]
    assert bands["open_requests"].sum() == expected["open_backlog"]
    every = db.run("requests_list", con, **params, limit=None)
    assert len(every) == expected["requests_total"]
    assert len(db.run("requests_list", con, **params, limit=5)) == 5
    data = export.csv_bytes(every)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").count("\r\n") == len(every) + 1


def test_the_list_shows_the_newest_requests_of_the_scope_whole(app_env):
    """The list finds its rows on the sort keys alone, from the latest month whose requests reach the
    limit (counted in the roll-up), and then reads them whole: the same rows, in the same order and with
    the same columns, as the full list's first ones and a hand-written query; also where the limit is
    exactly the last month's count, one more, or more than the period holds."""
    con = db.connect(app_env)
    ids = db.all_compound_ids(con)
    for scope in (ids, ids[:3], []):
        params = DEFAULT_FILTER.params(scope)
        every = db.run("requests_list", con, **params, limit=None)
        # Every row (the download): the scope's requests of the period, newest first.
        hand_all = con.execute(
            "SELECT request_id FROM requests WHERE compound_id = ANY($ids) AND received_at >= $s"
            " AND received_at < $e ORDER BY received_at DESC, request_id",
            {"ids": scope, "s": params["period_start"], "e": params["period_end"]},
        ).fetchall()
        assert list(every["request_id"]) == [r[0] for r in hand_all], len(scope)
        last_month = add_months(params["period_end"], -1)
        in_last = int((every["received_at"] >= pd.Timestamp(last_month)).sum())
        for limit in sorted({7, in_last, in_last + 1, len(every) + 1} - {0}):
            first = db.run("requests_list", con, **params, limit=limit)
            assert first.equals(every.head(limit)), (len(scope), limit)
        first = db.run("requests_list", con, **params, limit=7)
        hand = con.execute(
            "SELECT request_id, summary FROM requests WHERE compound_id = ANY($ids) AND received_at >= $s"
            " AND received_at < $e ORDER BY received_at DESC, request_id LIMIT 7",
            {"ids": scope, "s": params["period_start"], "e": params["period_end"]},
        ).fetchall()
        assert list(zip(first["request_id"], first["summary"], strict=True)) == hand
        assert len(first) == (7 if scope else 0)
        # The whole street's last month alone holds 7 (the search starts there); three compounds' does not.
        assert (in_last > 7) == (scope == ids), len(scope)


def test_rates_note_gives_the_composite_score_weights(app_env):
    at = open_page(PAGE)
    # The default weights (settings.score_weights), as percentages.
    note = i18n.t("requests.rates_note", "zh", w_response="10%", w_resolution="45%", w_satisfaction="45%")
    assert note in [c.value for c in at.caption]


def test_worst_compounds_come_first(app_env):
    con = duckdb.connect(str(app_env))
    try:
        worst = con.execute(
            "SELECT c.name FROM requests r JOIN compounds c USING (compound_id) "
            "WHERE received_at >= $start::TIMESTAMP AND received_at < $end::TIMESTAMP "
            "GROUP BY c.compound_id, c.name ORDER BY count(resolved_at) / count(*), c.compound_id LIMIT 1",
            {"start": START, "end": END},
        ).fetchall()[0][0]
    finally:
        con.close()
    at = open_page(PAGE)
    compound_label, rate_label = i18n.t("col.compound", "zh"), i18n.t("col.closure_rate", "zh") + "（%）"
    tables = [d.value for d in at.dataframe if compound_label in d.value.columns and rate_label in d.value.columns]
    assert tables and tables[0][compound_label].iloc[0] == worst


def test_english(app_env):
    expected = expected_figures(app_env, None)
    at = open_page(PAGE, lang="en")
    assert at.title[0].value == "Resident requests"
    assert_kpis(at, expected, "en")
    texts = page_words(at)
    assert len(texts) > 20
    assert not [t for t in texts if CJK.search(t)]


def test_compound_without_requests_shows_empty_state(app_env):
    con = duckdb.connect(str(app_env))
    con.execute("DELETE FROM requests WHERE compound_id = 'X001'")
    rollups.rebuild(con)  # a change made beside store.write refreshes the roll-ups itself
    con.close()
    at = open_page(PAGE, compound=["X001"])
    infos = [i.value for i in at.info]
    assert i18n.t("page.empty", "zh") in infos
    assert i18n.t("requests.no_backlog", "zh") in infos
    assert_kpis(at, {"requests_total": 0})


def test_boards_rank_only_with_enough_follow_up_answers(app_env):
    """红黑榜: communities and property companies by 综合得分, each with at least 10 rated requests."""
    at = open_page(PAGE)
    score = i18n.t("col.composite_score", "zh")
    boards = [d.value for d in at.dataframe if score in d.value.columns]
    assert len(boards) == 4  # red and black for communities and for companies
    con = db.connect(app_env)
    communities = db.run("requests_rank_communities", con, **DEFAULT_FILTER.params(db.all_compound_ids(con)))
    assert (communities["ranked"] == (communities["rated"] >= 10)).all()
    red, black = boards[0], boards[1]
    assert red[score].min() >= black[score].max()
    assert set(red[i18n.t("col.community", "zh")]).isdisjoint(black[i18n.t("col.community", "zh")])
    # With a minimum sample above every community's, nobody is ranked.
    strict = db.run(
        "requests_rank_communities", con, **DEFAULT_FILTER.params(db.all_compound_ids(con)), min_rated=10_000
    )
    assert not strict["ranked"].any() and strict["rank"].isna().all()


def test_each_request_shows_its_time_limit_and_whether_it_ran_over(app_env):
    con = db.connect(app_env)
    rows = db.run("requests_list", con, **DEFAULT_FILTER.params(db.all_compound_ids(con)), limit=None)
    assert rows["time_limit_days"].notna().all()
    late = rows[rows["overdue_request"]]
    closed_late = late[late["resolved_at"].notna()]
    assert len(closed_late) and (closed_late["handling_days"] > closed_late["time_limit_days"] - 0.05).all()
    kpi = db.run("kpi_requests", con, **DEFAULT_FILTER.params(db.all_compound_ids(con)))
    assert kpi["overdue_requests"].iloc[0] == rows["overdue_request"].sum()
