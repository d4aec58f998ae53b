"""Each kind of rule in schema.sql rejects a row that breaks it."""

import duckdb
import pytest


@pytest.fixture
def con():
    from oversight import db

    c = duckdb.connect()
    db.create_schema(c)
    c.execute("INSERT INTO communities VALUES ('C1', '和美社区', '台北街道', '江岸区', '武汉市')")
    c.execute("INSERT INTO property_companies VALUES ('M1', '红色物业', 'public_interest', true, 3)")
    c.execute(
        "INSERT INTO compounds VALUES ('X1', 'C1', '省二轻宿舍', 1990, 1, 3, 36, 0.7, '钢筋混凝土', '2021-10', true,"
        " 'M1', 30.6, 114.3, 7)"
    )
    c.execute(
        "INSERT INTO renovation_items VALUES ('I1', 'X1', 'basic', 'roof', '屋面', true, 'government', 'design',"
        " 1000, 0, '2022-01-01', '2022-06-30', NULL, NULL, 15, 3, 1, NULL)"
    )
    c.execute("INSERT INTO volunteers VALUES ('V1', 'X1', '张*华', 'resident', NULL, '2022-07-01')")
    c.execute("INSERT INTO rewards VALUES ('R1', '大米', 20, 5)")
    c.execute("INSERT INTO partner_units VALUES ('P1', '中交一公局', 'soe', 'C1', '2021-10-15')")
    yield c
    c.close()


BAD_ROWS = {
    "primary key": "INSERT INTO communities VALUES ('C1', '重复', '台北街道', '江岸区', '武汉市')",
    "foreign key": "INSERT INTO compounds (compound_id, community_id, name, buildings, units, households,"
    " in_renovation_plan) VALUES ('X2', 'NOPE', 'x', 1, 1, 1, true)",
    "not null": "INSERT INTO communities VALUES ('C2', NULL, '台北街道', '江岸区', '武汉市')",
    "enum": "INSERT INTO property_companies VALUES ('M2', 'x', 'charity', true, 0)",
    "share 0-1": "UPDATE compounds SET elderly_share = 1.2",
    "percentage 0-100": "UPDATE renovation_items SET progress_pct = 101",
    "money not negative": "UPDATE renovation_items SET budget_yuan = -1",
    "date order": "UPDATE renovation_items SET planned_end = '2021-12-31'",
    "progress 100 only when done": "UPDATE renovation_items SET progress_pct = 100",
    "done means 100": "UPDATE renovation_items SET stage = 'done'",
    "month is a first day": "INSERT INTO red_property_monthly VALUES ('X1', '2022-01-15', 'M1', 1, 1, 0.3, 1, 80,"
    " true)",
    "satisfaction 1-5": "INSERT INTO requests VALUES ('Q1', 'X1', '2022-01-01 08:00', 'visit', 'leak', '', 'property',"
    " '2022-01-01 09:00', '2022-01-02 09:00', 6, NULL, NULL, NULL)",
    "resolved not before received": "INSERT INTO requests VALUES ('Q1', 'X1', '2022-01-05 08:00', 'visit', 'leak', '',"
    " 'property', '2022-01-05 09:00', '2022-01-04 09:00', 5, NULL, NULL, NULL)",
    "follow-up only after closing": "INSERT INTO requests VALUES ('Q1', 'X1', '2022-01-05 08:00', 'visit', 'leak', '',"
    " 'property', '2022-01-05 09:00', NULL, NULL, 7, 'resolved', 'satisfied')",
    "follow-up answers from the list": "INSERT INTO requests VALUES ('Q1', 'X1', '2022-01-05 08:00', 'visit', 'leak',"
    " '', 'property', '2022-01-05 09:00', '2022-01-06 09:00', NULL, 7, 'resolved', 'happy')",
    "time limit positive": "INSERT INTO requests VALUES ('Q1', 'X1', '2022-01-05 08:00', 'visit', 'leak', '',"
    " 'property', '2022-01-05 09:00', NULL, NULL, 0, NULL, NULL)",
    "no fee collection without a company": "INSERT INTO red_property_monthly VALUES ('X1', '2022-01-01', NULL, 0, 1,"
    " NULL, 1, 80, false)",
    "consent is a stage, 'vote' is not": "UPDATE renovation_items SET stage = 'vote'",
    "elevators not negative": "UPDATE renovation_items SET elevators = -1",
    "masked name": "INSERT INTO volunteers VALUES ('V2', 'X1', '张三华', 'resident', NULL, '2022-07-01')",
    "hours positive": "INSERT INTO services VALUES ('S1', 'V1', '2022-07-02', '清扫', 0, 0)",
    "hours not negative in contributions": "INSERT INTO contributions (contribution_id, unit_id, compound_id,"
    " contributed_on, kind, description, value_yuan, volunteer_hours) SELECT 'K1', 'P1', 'X1', '2022-01-01', 'works',"
    " 'x', 1, -1",
    "points spent positive": "INSERT INTO redemptions VALUES ('D1', 'V1', 'R1', '2022-07-03', -5)",
    "stock not negative": "UPDATE rewards SET stock = -1",
}


@pytest.mark.parametrize("rule", list(BAD_ROWS))
def test_rule_rejects_a_row_that_breaks_it(con, rule):
    before = con.execute("SELECT count(*) FROM renovation_items WHERE progress_pct = 15").fetchall()
    with pytest.raises(duckdb.ConstraintException):
        con.execute(BAD_ROWS[rule])
    assert con.execute("SELECT count(*) FROM renovation_items WHERE progress_pct = 15").fetchall() == before


def test_a_valid_row_is_accepted(con):
    con.execute("INSERT INTO services VALUES ('S1', 'V1', '2022-07-02', '楼道清扫', 2, 2)")
    assert con.execute("SELECT sum(points) FROM services").fetchone()[0] == 2
