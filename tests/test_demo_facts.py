"""The demo database tells the article's story (shared/seed/article-zh-hans.txt), checked with SQL."""

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


def test_requests_give_believable_three_rates(demo_con):
    response, resolution, satisfaction, low = one(
        demo_con,
        "SELECT count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) / count(*),"
        " count(resolved_at) / count(*), count(*) FILTER (WHERE satisfaction >= 4) / count(satisfaction),"
        " count(*) FILTER (WHERE satisfaction <= 2) FROM requests",
    )
    assert 0.7 < response < 0.97 and 0.8 < resolution < 0.99 and 0.7 < satisfaction < 0.95 and low > 0


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
