"""The demo database tells the article's story (docs/data-model.md, the README), checked with SQL."""

from datetime import date
from decimal import Decimal

DORMS = ("湖北省第二轻工业局宿舍", "市水产宿舍", "汉口渔场宿舍")


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()


def test_taibei_street_with_hemei_and_three_more_communities(demo_con):
    rows = demo_con.execute("SELECT DISTINCT street, district, city FROM communities").fetchall()
    assert rows == [("台北街道", "江岸区", "武汉市")]
    names = [r[0] for r in demo_con.execute("SELECT name FROM communities").fetchall()]
    assert "和美社区" in names and len(names) >= 4


def test_hemei_has_exactly_12_compounds_in_the_october_2021_plan(demo_con):
    n = one(
        demo_con,
        "SELECT count(*) FROM compounds c JOIN communities m USING (community_id)"
        " WHERE m.name = '和美社区' AND in_renovation_plan AND plan_batch = '2021-10'",
    )[0]
    total = one(
        demo_con, "SELECT count(*) FROM compounds c JOIN communities m USING (community_id) WHERE m.name = '和美社区'"
    )[0]
    assert n == 12 and total == 12


def test_three_dormitories_mostly_elderly(demo_con):
    rows = demo_con.execute(
        "SELECT compounds.name, elderly_share FROM compounds JOIN communities m USING (community_id)"
        " WHERE m.name = '和美社区' AND compounds.name IN (?, ?, ?)",
        list(DORMS),
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(DORMS)
    assert all(share > 0.5 for _, share in rows)
    assert one(demo_con, "SELECT built_year FROM compounds WHERE name = '湖北省第二轻工业局宿舍'")[0] == 1990


def test_chute_removal_three_buildings_eight_units_outside_the_plan(demo_con):
    rows = demo_con.execute(
        "SELECT c.name, i.units_affected, i.in_plan, i.funding, i.budget_yuan FROM renovation_items i"
        " JOIN compounds c USING (compound_id) WHERE i.item_type = 'garbage_chute_removal'"
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(DORMS)  # one building each: 3 buildings
    assert sum(r[1] for r in rows) == 8
    assert all(r[2] is False and r[3] == "partner" for r in rows)
    assert all(Decimal(20_000) <= r[4] / r[1] <= Decimal(30_000) for r in rows)


def test_cccc_saved_residents_more_than_200000_yuan(demo_con):
    joined, total = one(
        demo_con,
        "SELECT u.joined_on, sum(k.value_yuan) FROM contributions k JOIN partner_units u USING (unit_id)"
        " JOIN renovation_items i USING (item_id) WHERE u.name = '中国交建一公局集团华中公司'"
        " AND i.item_type = 'garbage_chute_removal' GROUP BY u.joined_on",
    )
    assert joined.year == 2021 and joined.month == 10
    assert total > 200_000


def test_elevators_follow_in_the_dormitories(demo_con):
    rows = demo_con.execute(
        "SELECT c.name, min(e.planned_start) > max(g.actual_end) FROM renovation_items e"
        " JOIN renovation_items g ON g.compound_id = e.compound_id AND g.item_type = 'garbage_chute_removal'"
        " JOIN compounds c ON c.compound_id = e.compound_id WHERE e.item_type = 'elevator' GROUP BY c.name"
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(DORMS) and all(r[1] for r in rows)


def test_items_spread_over_categories_and_stages_some_overdue(demo_con):
    as_of = one(demo_con, "SELECT value::DATE FROM meta WHERE key = 'as_of'")[0]
    assert one(demo_con, "SELECT count(DISTINCT category) FROM renovation_items")[0] == 3
    assert one(demo_con, "SELECT count(DISTINCT stage) FROM renovation_items")[0] == 6
    assert (
        one(demo_con, "SELECT count(*) FROM renovation_items WHERE stage <> 'done' AND planned_end < ?", [as_of])[0] > 0
    )


def test_red_property_every_compound_every_month(demo_con):
    months, compounds, rows = one(
        demo_con,
        "SELECT count(DISTINCT month), (SELECT count(*) FROM compounds), count(*) FROM red_property_monthly"
        " WHERE month BETWEEN '2021-10-01' AND (SELECT value::DATE FROM meta WHERE key = 'as_of')",
    )
    assert months == 24 and rows == months * compounds


def test_requests_give_believable_rates(demo_con):
    response, closure, resolution, satisfaction, low = one(
        demo_con,
        "SELECT count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) / count(*),"
        " count(resolved_at) / count(*),"
        " count(*) FILTER (WHERE followup_resolved = 'resolved') / count(followup_resolved),"
        " count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))"
        " / count(followup_satisfaction),"
        " count(*) FILTER (WHERE followup_satisfaction = 'dissatisfied') FROM requests",
    )
    assert 0.7 < response < 0.97 and 0.8 < closure < 0.99 and 0.8 < resolution < 0.97 and 0.8 < satisfaction < 0.97
    assert low > 0 and resolution != satisfaction


def test_every_request_has_a_time_limit_and_few_run_over_it(demo_con):
    missing, over, closed = one(
        demo_con,
        "SELECT count(*) FILTER (WHERE time_limit_days IS NULL),"
        " count(*) FILTER (WHERE resolved_at > received_at + to_days(time_limit_days)), count(resolved_at)"
        " FROM requests",
    )
    assert missing == 0 and 0 < over / closed < 0.2


def test_volunteers_masked_and_no_balance_below_zero(demo_con):
    assert one(demo_con, "SELECT count(*) FROM volunteers WHERE NOT contains(display_name, '*')")[0] == 0
    # Replay every volunteer's points in date order: the running balance never dips below zero.
    lowest = one(
        demo_con,
        "WITH e AS (SELECT volunteer_id, served_on AS d, 0 AS o, points AS p FROM services"
        " UNION ALL SELECT volunteer_id, redeemed_on, 1, -points_spent FROM redemptions)"
        " SELECT min(b) FROM (SELECT sum(p) OVER (PARTITION BY volunteer_id ORDER BY d, o"
        " ROWS UNBOUNDED PRECEDING) AS b FROM e)",
    )[0]
    assert lowest >= 0
    assert one(demo_con, "SELECT count(*) FROM redemptions")[0] > 0


def test_meta_has_fixed_as_of_and_version(demo_con):
    meta = dict(demo_con.execute("SELECT key, value FROM meta").fetchall())
    assert meta["as_of"] == "2023-09-30" and meta["data_version"]


def test_committed_csvs_are_what_the_generator_writes(tmp_path):
    from oversight import demo, settings

    demo.write_csvs(tmp_path)
    for path in sorted(tmp_path.glob("*.csv")):
        assert path.read_bytes() == (settings.DEMO_DIR / path.name).read_bytes(), path.name


# The story figures as a district report gives them (issue 12).


def test_22_of_23_compounds_in_plan_started_and_4_finished(demo_con):
    in_plan, started, finished = one(
        demo_con,
        "WITH p AS (SELECT compound_id FROM compounds WHERE in_renovation_plan),"
        " i AS (SELECT * FROM renovation_items WHERE in_plan)"
        " SELECT count(*),"
        " count(*) FILTER (WHERE compound_id IN (SELECT compound_id FROM i WHERE actual_start IS NOT NULL)),"
        " count(*) FILTER (WHERE compound_id IN"
        " (SELECT compound_id FROM i GROUP BY ALL HAVING bool_and(stage = 'done')))"
        " FROM p",
    )
    assert (in_plan, started, finished) == (23, 22, 4)


def test_four_late_starts_including_the_shuichan_elevator(demo_con):
    rows = demo_con.execute(
        "SELECT c.name, i.item_type, i.planned_start, i.stage"
        " FROM renovation_items i JOIN compounds c USING (compound_id)"
        " WHERE i.planned_start < DATE '2023-09-30' AND i.actual_start IS NULL"
    ).fetchall()
    assert len(rows) == 4
    assert ("市水产宿舍", "elevator", date(2023, 5, 30), "tendering") in rows


def test_elevators_are_counted_in_tai_with_floors_recorded(demo_con):
    assert (
        one(demo_con, "SELECT count(*) FROM renovation_items WHERE item_type = 'elevator' AND elevators IS NULL")[0]
        == 0
    )
    assert one(demo_con, "SELECT count(*) FROM compounds WHERE floors IS NULL")[0] == 0
    # One elevator a unit in the dormitories: 8 units, 8 elevators.
    assert one(demo_con, "SELECT sum(elevators) FROM renovation_items WHERE item_id LIKE '%-ELEV'")[0] == 8


def test_partner_work_outside_the_plan_is_3_buildings_8_units_207000_yuan(demo_con):
    buildings, units, value = one(
        demo_con,
        "SELECT sum(i.buildings_affected), sum(i.units_affected), sum(k.value_yuan) FROM contributions k"
        " JOIN renovation_items i USING (item_id) WHERE NOT i.in_plan",
    )
    assert (buildings, units, value) == (3, 8, Decimal(207_000))


# Rules an official would check at once (issue 12), each kept by the generator too.


def test_no_covid_testing_help_after_mass_testing_ended(demo_con):
    assert (
        one(demo_con, "SELECT count(*) FROM services WHERE activity LIKE '%核酸%' AND served_on > '2022-12-31'")[0] == 0
    )
    assert (
        one(
            demo_con,
            "SELECT count(*) FROM contributions WHERE description LIKE '%核酸%' AND contributed_on > '2022-12-31'",
        )[0]
        == 0
    )


def test_donated_chute_removal_has_no_consultation_design_or_tender(demo_con):
    steps = one(
        demo_con,
        "SELECT count(*) FROM progress_updates u JOIN renovation_items i USING (item_id)"
        " WHERE i.item_type = 'garbage_chute_removal' AND u.stage IN ('consent', 'design', 'tendering')",
    )[0]
    assert steps == 0
    assert one(demo_con, "SELECT count(*) FROM progress_updates WHERE item_id LIKE '%-CHUTE'")[0] == 9


def test_no_fee_collection_where_no_company_serves(demo_con):
    assert (
        one(
            demo_con,
            "SELECT count(*) FROM red_property_monthly WHERE company_id IS NULL AND fee_collection_pct IS NOT NULL",
        )[0]
        == 0
    )
    assert one(demo_con, "SELECT count(*) FROM red_property_monthly WHERE company_id IS NULL")[0] > 0


def test_committee_share_only_where_a_committee_exists(demo_con):
    assert (
        one(
            demo_con,
            "SELECT count(*) FROM red_property_monthly"
            " WHERE NOT has_owners_committee AND committee_party_share IS NOT NULL",
        )[0]
        == 0
    )
    assert 0 < one(demo_con, "SELECT avg(has_owners_committee::INTEGER) FROM red_property_monthly")[0] < 1


def test_the_renovation_authority_is_no_partner_and_agencies_give_no_money(demo_con):
    assert one(demo_con, "SELECT count(*) FROM partner_units WHERE name LIKE '%住房%' OR name LIKE '%更新局%'")[0] == 0
    assert (
        one(
            demo_con,
            "SELECT count(*) FROM contributions JOIN partner_units u USING (unit_id)"
            " WHERE u.kind = 'agency' AND contributions.kind = 'funds'",
        )[0]
        == 0
    )


def test_works_are_building_jobs_and_publicity_is_a_small_service(demo_con):
    from oversight import demo

    works = [
        r[0]
        for r in demo_con.execute(
            "SELECT description FROM contributions WHERE kind = 'works' AND item_id IS NULL"
        ).fetchall()
    ]
    assert works and all(any(s in d for s in demo.CONTRIBUTION_SUBJECTS["works"]) for d in works)
    kinds, top = one(
        demo_con, "SELECT list(DISTINCT kind), max(value_yuan) FROM contributions WHERE description LIKE '%政策宣传%'"
    )
    assert kinds == ["service"] and top <= 4000
