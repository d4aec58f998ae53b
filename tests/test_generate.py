"""The synthetic generator: deterministic per seed, every rule of the schema and the data model holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from oversight import db, demo, generate, settings, supervision

ROOT = Path(__file__).resolve().parent.parent
COMPOUNDS, MONTHS = 40, 12
AS_OF = generate.AS_OF.isoformat()
RANDOM_TABLES = [
    "compounds",
    "renovation_items",
    "progress_updates",
    "contributions",
    "red_property_monthly",
    "requests",
    "volunteers",
    "services",
    "redemptions",
]


def checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent checksum of every table."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*), sum(hash(x)) FROM {t} x").fetchone() for t in db.TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("gen") / "one.duckdb"
    counts = generate.build(path, compounds=COMPOUNDS, months=MONTHS, seed=1, progress=False)
    return path, counts


@pytest.fixture(scope="module")
def con(built):
    c = duckdb.connect(str(built[0]), read_only=True)
    yield c
    c.close()


def one(con, sql: str, params=None):
    return con.execute(sql, params or []).fetchone()[0]


def test_same_seed_gives_identical_tables(built, tmp_path):
    again = tmp_path / "again.duckdb"
    generate.build(again, compounds=COMPOUNDS, months=MONTHS, seed=1, progress=False)
    assert checksums(again) == checksums(built[0])


def test_different_seed_differs(built, tmp_path):
    other = tmp_path / "other.duckdb"
    generate.build(other, compounds=COMPOUNDS, months=MONTHS, seed=2, progress=False)
    a, b = checksums(built[0]), checksums(other)
    for table in RANDOM_TABLES:
        assert a[table] != b[table], table


def test_returned_counts_are_the_table_counts(built, con):
    _path, counts = built
    assert list(counts) == db.TABLES
    for table in db.TABLES:
        assert counts[table] == one(con, f"SELECT count(*) FROM {table}"), table
        assert counts[table] > 0, table


def test_file_is_replaced_atomically(tmp_path):
    path = tmp_path / "x.duckdb"
    path.write_bytes(b"not a database")
    generate.build(path, compounds=3, months=2, seed=5, progress=False)
    assert not list(tmp_path.glob("*.building*"))
    assert checksums(path)["compounds"][0] == 3


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate.build(tmp_path / "x.duckdb", compounds=0)
    with pytest.raises(ValueError):
        generate.build(tmp_path / "x.duckdb", compounds=5, months=0)


def test_progress_goes_to_stderr(tmp_path, capsys):
    generate.build(tmp_path / "x.duckdb", compounds=3, months=2, seed=1, progress=True)
    err = capsys.readouterr().err
    assert f"[ 9/{len(db.TABLES)}] requests" in err
    assert "meta" in err


def test_meta(con):
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert meta == {"as_of": AS_OF, "data_version": f"generated-{COMPOUNDS}-{MONTHS}-1"}


def test_places(con):
    assert one(con, "SELECT count(*) FROM compounds") == COMPOUNDS
    assert one(con, "SELECT count(DISTINCT city) FROM communities") == 1
    assert one(con, "SELECT min(built_year) >= 1970 AND max(built_year) <= 2000 FROM compounds")
    assert one(con, "SELECT avg(in_renovation_plan::INTEGER) FROM compounds") > 0.6
    # Every community has compounds; plan batches only for compounds in the plan.
    assert (
        one(con, "SELECT count(*) FROM communities WHERE community_id NOT IN (SELECT community_id FROM compounds)") == 0
    )
    assert one(con, "SELECT count(*) FROM compounds WHERE (plan_batch IS NULL) = in_renovation_plan") == 0
    assert one(con, "SELECT bool_and(units >= buildings AND households >= units) FROM compounds")


def test_red_property_has_one_row_per_compound_and_month(con):
    assert one(con, "SELECT count(*) FROM red_property_monthly") == COMPOUNDS * MONTHS
    assert one(con, "SELECT count(DISTINCT month) FROM red_property_monthly") == MONTHS
    assert str(one(con, "SELECT max(month) FROM red_property_monthly")) == AS_OF[:8] + "01"


def test_renovation_stages_categories_and_overdue(con):
    stages = {r[0] for r in con.execute("SELECT DISTINCT stage FROM renovation_items").fetchall()}
    assert stages == set(demo.STAGES)
    categories = {r[0] for r in con.execute("SELECT DISTINCT category FROM renovation_items").fetchall()}
    assert categories == {"basic", "improvement", "upgrade"}
    overdue = one(con, "SELECT count(*) FROM renovation_items WHERE stage <> 'done' AND planned_end < $1", [AS_OF])
    assert overdue > 0
    assert one(con, "SELECT count(*) FROM renovation_items WHERE (progress_pct = 100) <> (stage = 'done')") == 0
    assert one(con, "SELECT count(*) FROM renovation_items WHERE actual_start > $1 OR actual_end > $1", [AS_OF]) == 0


def test_progress_updates_tell_each_items_history(con):
    # Strictly increasing dates per item, with stages in order and never after as_of.
    bad = one(
        con,
        """
        SELECT count(*) FROM (
            SELECT reported_on, lag(reported_on) OVER w AS prev_on,
                   list_position($1, stage) AS s, lag(list_position($1, stage)) OVER w AS prev_s
            FROM progress_updates WINDOW w AS (PARTITION BY item_id ORDER BY reported_on)
        ) WHERE prev_on IS NOT NULL AND (reported_on <= prev_on OR s <= prev_s)
        """,
        [demo.STAGES],
    )
    assert bad == 0
    assert one(con, "SELECT max(reported_on) FROM progress_updates") <= generate.AS_OF
    # The latest update is the item's current state, and every item has a history.
    mismatched = one(
        con,
        """
        SELECT count(*) FROM renovation_items i LEFT JOIN (
            SELECT item_id, arg_max(stage, reported_on) AS stage, arg_max(progress_pct, reported_on) AS pct
            FROM progress_updates GROUP BY item_id
        ) u USING (item_id)
        WHERE u.stage IS DISTINCT FROM i.stage OR u.pct IS DISTINCT FROM i.progress_pct
        """,
    )
    assert mismatched == 0


def test_requests(con):
    codes = {c for c, _s, _w in demo.REQUEST_CATEGORIES}
    found = {r[0] for r in con.execute("SELECT DISTINCT category FROM requests").fetchall()}
    assert found == codes
    # The 回访 answers (resolved / satisfied) replace the 1-5 score, which the generator leaves empty.
    within_day, unresolved, rated, resolved, satisfied, scored = con.execute(
        """
        SELECT avg((responded_at - received_at <= INTERVAL 24 HOUR)::INTEGER), avg((resolved_at IS NULL)::INTEGER),
               avg((followup_satisfaction IS NOT NULL)::INTEGER),
               count(*) FILTER (WHERE followup_resolved = 'resolved') / count(followup_resolved),
               count(*) FILTER (WHERE followup_satisfaction <> 'dissatisfied') / count(followup_satisfaction),
               count(satisfaction)
        FROM requests
        """
    ).fetchone()
    assert 0.75 < within_day < 0.98
    assert 0.05 < unresolved < 0.2
    assert 0.4 < rated < 0.95
    assert 0.75 < resolved < 0.98 and 0.75 < satisfied < 0.98 and scored == 0
    assert one(con, "SELECT count(*) FROM requests WHERE time_limit_days IS NULL") == 0
    assert one(con, "SELECT count(*) FROM requests WHERE followup_resolved IS NOT NULL AND resolved_at IS NULL") == 0
    latest = one(con, "SELECT max(greatest(received_at, responded_at, resolved_at)) FROM requests")
    assert latest.date() <= generate.AS_OF
    first = one(con, "SELECT min(month) FROM red_property_monthly")
    assert one(con, "SELECT min(received_at) FROM requests").date() >= first
    # About 29 a compound and month.
    assert 20 * COMPOUNDS * MONTHS < one(con, "SELECT count(*) FROM requests") < 40 * COMPOUNDS * MONTHS


def test_volunteers_and_points(con):
    assert one(con, "SELECT bool_and(contains(display_name, '*')) FROM volunteers")
    assert one(con, "SELECT count(*) FROM volunteers WHERE (unit_id IS NOT NULL) <> (kind = 'partner_staff')") == 0
    pph = settings.points_per_hour()
    assert one(con, "SELECT count(*) FROM services WHERE abs(points - hours * $1) > 1e-9", [pph]) == 0
    assert one(con, "SELECT max(served_on) FROM services") <= generate.AS_OF
    served_before_joining = (
        "SELECT count(*) FROM services s JOIN volunteers v USING (volunteer_id) WHERE served_on < joined_on"
    )
    assert one(con, served_before_joining) == 0


def test_no_balance_ever_below_zero(con):
    final = one(
        con,
        """
        SELECT min(coalesce(earned, 0) - coalesce(spent, 0)) FROM volunteers
        LEFT JOIN (SELECT volunteer_id, sum(points) AS earned FROM services GROUP BY 1) USING (volunteer_id)
        LEFT JOIN (SELECT volunteer_id, sum(points_spent) AS spent FROM redemptions GROUP BY 1) USING (volunteer_id)
        """,
    )
    assert final >= 0
    # Stricter: at the end of every day, too.
    negative_days = one(
        con,
        """
        WITH moves AS (
            SELECT volunteer_id, served_on AS day, points AS p FROM services
            UNION ALL SELECT volunteer_id, redeemed_on, -points_spent FROM redemptions
        ), daily AS (SELECT volunteer_id, day, sum(p) AS p FROM moves GROUP BY ALL)
        SELECT count(*) FROM (SELECT sum(p) OVER (PARTITION BY volunteer_id ORDER BY day) AS balance FROM daily)
        WHERE balance < -1e-9
        """,
    )
    assert negative_days == 0
    assert one(con, "SELECT count(*) FROM redemptions") > 0
    before_first_service = one(
        con,
        """
        SELECT count(*) FROM redemptions
        JOIN (SELECT volunteer_id, min(served_on) AS first FROM services GROUP BY 1) USING (volunteer_id)
        WHERE redeemed_on < first OR redeemed_on > $1
        """,
        [AS_OF],
    )
    assert before_first_service == 0
    cost_mismatch = "SELECT count(*) FROM redemptions JOIN rewards USING (reward_id) WHERE points_spent <> points_cost"
    assert one(con, cost_mismatch) == 0


def test_contributions(con):
    kinds = {r[0] for r in con.execute("SELECT DISTINCT kind FROM contributions").fetchall()}
    assert kinds == {"works", "funds", "materials", "service"}
    # A linked item belongs to the compound the contribution names.
    wrong = one(
        con,
        "SELECT count(*) FROM contributions c JOIN renovation_items i USING (item_id)"
        " WHERE i.compound_id <> c.compound_id",
    )
    assert wrong == 0
    assert one(con, "SELECT max(contributed_on) FROM contributions") <= generate.AS_OF


def test_command_line(tmp_path):
    path = tmp_path / "cli.duckdb"
    args = ["--compounds", "20", "--months", "6", "--seed", "3", "--db", str(path)]
    result = subprocess.run(
        [sys.executable, "-m", "oversight", "generate", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert path.is_file()
    assert "requests" in result.stderr
    sums = checksums(path)
    assert sums["compounds"][0] == 20
    assert sums["red_property_monthly"][0] == 20 * 6
    # Another process, the same seed: the same data. The published version's meta also records the
    # rules its 督办 ledger was synced by (a build alone syncs no ledger).
    here = tmp_path / "here.duckdb"
    generate.build(here, compounds=20, months=6, seed=3, progress=False)
    synced = read_meta(path).pop(supervision.SYNCED_KEY)
    assert synced == supervision.rules()
    assert read_meta(path) == read_meta(here) | {supervision.SYNCED_KEY: synced}
    assert {k: v for k, v in checksums(here).items() if k != "meta"} == {k: v for k, v in sums.items() if k != "meta"}


def read_meta(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return db.meta(con)
    finally:
        con.close()


def test_rules_an_official_would_check(con):
    """The demo's rules of issue 12 hold at any scale too."""
    assert one(con, "SELECT count(*) FROM services WHERE activity LIKE '%核酸%' AND served_on > '2022-12-31'") == 0
    assert (
        one(
            con, "SELECT count(*) FROM red_property_monthly WHERE company_id IS NULL AND fee_collection_pct IS NOT NULL"
        )
        == 0
    )
    assert (
        one(
            con,
            "SELECT count(*) FROM red_property_monthly"
            " WHERE NOT has_owners_committee AND committee_party_share IS NOT NULL",
        )
        == 0
    )
    assert one(con, "SELECT count(*) FROM partner_units WHERE name LIKE '%住房%'") == 0
    assert (
        one(
            con,
            "SELECT count(*) FROM contributions k JOIN partner_units u USING (unit_id)"
            " WHERE u.kind = 'agency' AND k.kind = 'funds'",
        )
        == 0
    )
    assert one(con, "SELECT count(*) FROM contributions WHERE kind = 'works' AND description LIKE '%政策宣传%'") == 0
    assert one(con, "SELECT count(*) FROM renovation_items WHERE item_type = 'elevator' AND elevators IS NULL") == 0
    assert one(con, "SELECT count(*) FROM renovation_items WHERE stage = 'consent'") > 0


def test_the_generator_fills_every_contract_table_in_the_contracts_order():
    """A new import table needs a generator step, placed as its contract is (parents before children)."""
    from oversight import contracts

    assert [name for name, _ in generate.STEPS] == [*contracts.TABLES, "meta"]
