"""Every query in queries/ runs on the demo and on a generated database, agrees with hand-written
checks for the headline figures, and reads compound data only through $compound_ids."""

from __future__ import annotations

import re
import threading
from datetime import date

import duckdb
import pandas as pd
import pytest

from oversight import db, generate, settings, store
from oversight.filters import Filter

# Parameters some queries take beyond the filter's own; a new one must be added here on purpose.
EXTRA_PARAMS = {
    "limit": 1000,
    "threshold": 10,
    "low_stock": 10,
    "community_ids": ["C01"],
    "case_id": "KG-X002-ELEV",
    "statuses": [],
    "kinds": [],
    "units": [],
    "unit_id": None,
}
# Queries that read no compound data (a catalogue shared by the whole street), and the one that
# turns an account's communities into the compound set all the others are restricted to.
UNSCOPED = {"rewards_catalogue", "rewards_low_stock", "account_scope"}


@pytest.fixture(scope="session")
def generated_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "gen.duckdb"
    generate.build(path, compounds=30, months=12, seed=7, progress=False)
    return path


def params_for(con, compound_ids=None, start=None, end=None):
    as_of = date.fromisoformat(db.meta(con)["as_of"])
    start = start or date(as_of.year - 1, as_of.month, 1)
    f = Filter(start=start, end=end or date(as_of.year, as_of.month, 1), as_of=as_of)
    ids = db.all_compound_ids(con) if compound_ids is None else compound_ids
    return {**f.params(ids), **EXTRA_PARAMS}


def runnable(name: str) -> bool:
    used = set(re.findall(r"\$(\w+)", db.query_text(name)))
    # Settings (score weights, minimum sample, time limit) are bound by db.bind itself.
    known = {"compound_ids", "period_start", "period_end", "as_of", "as_at", *EXTRA_PARAMS, *settings.query_settings()}
    return used <= known


def query_names():
    # Writes (imports, the 督办 ledger's sync and actions, the roll-ups' rebuild and macros) and snapshots
    # are tested where they are used.
    writes = ("import_", "snapshot_", "supervision_write_", "rollup_write_", "rollup_define_")
    return [n for n in db.query_names() if not n.startswith(writes)]


@pytest.fixture(scope="module")
def published(demo_master, generated_db, tmp_path_factory):
    """The demo and the generated database as versioned stores: a write syncs the 督办 ledger, so its
    queries have cases to find."""
    stores = {}
    for which, path in (("demo", demo_master), ("generated", generated_db)):
        stores[which] = tmp_path_factory.mktemp(which) / "oversight.duckdb"
        store.publish_file(stores[which], path, action="demo", who="test")
    return stores


def finds_more(full: pd.DataFrame, none: pd.DataFrame) -> bool:
    """More rows than with no compound in scope; or, for the same number of rows (totals, first days),
    other values."""
    if len(full) != len(none):
        return len(full) > len(none)

    def cells(frame: pd.DataFrame) -> list:
        numbers = frame.select_dtypes("number").columns
        frame = frame.astype({c: float for c in numbers}).fillna({c: 0.0 for c in numbers})
        return frame.astype(str).to_numpy().tolist()

    return cells(full) != cells(none)


# Queries that may rightly find nothing, with what they would list: the generator makes no item outside
# the plan, a fresh store has no case assigned to a unit yet, and EXTRA_PARAMS' case is the demo's.
FINDS_ONLY = {
    "supervision_events": "SELECT count(*) FROM supervision_events WHERE case_id = 'KG-X002-ELEV'",
    "partner_outside_plan": "SELECT count(*) FROM renovation_items WHERE NOT in_plan",
    "renovation_extra_items": "SELECT count(*) FROM renovation_items WHERE NOT in_plan",
    "supervision_units": "SELECT count(*) FROM supervision_cases WHERE assignee_unit IS NOT NULL",
}


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_every_query_runs_and_is_scoped(which, published):
    con = duckdb.connect(str(published[which]), read_only=True)
    try:
        for name in query_names():
            assert runnable(name), f"{name} takes a parameter the tests do not know"
            full = db.run(name, con, **params_for(con))
            none = db.run(name, con, **params_for(con, compound_ids=[]))
            # The whole street bound as db.STREET (NULL, read by scope()) finds what every id finds.
            street = db.run(name, con, **params_for(con, compound_ids=db.STREET))
            pd.testing.assert_frame_equal(street, full, obj=name)
            if name in UNSCOPED:
                continue
            assert "$compound_ids" in db.query_text(name), name
            # Every use of the ids goes through scope(), so db.STREET means the street everywhere.
            code = re.sub(r"--[^\n]*", "", db.query_text(name))
            assert code.count("$compound_ids") == code.count("scope($compound_ids)"), name
            # With no compound in scope, a scoped query finds no rows, or only zeros and blanks.
            numbers = none.select_dtypes("number").fillna(0)
            assert len(none) == 0 or (numbers == 0).all().all(), (name, none.head())
            # With every compound, it finds what the data holds: something, unless there is nothing to find.
            there = con.execute(FINDS_ONLY[name]).fetchone()[0] > 0 if name in FINDS_ONLY else True
            assert finds_more(full, none) == there, (name, full.head())
    finally:
        con.close()


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_headline_figures_match_hand_written_checks(which, demo_master, generated_db):
    path = demo_master if which == "demo" else generated_db
    con = duckdb.connect(str(path), read_only=True)
    try:
        p = params_for(con)
        one = lambda sql, args=(): con.execute(sql, list(args)).fetchone()[0]  # noqa: E731
        ren = db.run("kpi_renovation", con, **p).iloc[0]
        assert ren["items_total"] == one("SELECT count(*) FROM renovation_items")
        assert float(ren["budget_spent"]) == float(one("SELECT sum(spent_yuan) FROM renovation_items"))
        assert ren["overdue_items"] == one(
            "SELECT count(*) FROM renovation_items WHERE stage <> 'done' AND planned_end < ?", [p["as_at"]]
        )
        req = db.run("kpi_requests", con, **p).iloc[0]
        window = "received_at >= ? AND received_at < ?"
        total = one(f"SELECT count(*) FROM requests WHERE {window}", [p["period_start"], p["period_end"]])
        fast = one(
            f"SELECT count(*) FROM requests WHERE {window} AND epoch(responded_at) - epoch(received_at) <= 86400",
            [p["period_start"], p["period_end"]],
        )
        assert req["requests_total"] == total
        assert req["response_rate"] == pytest.approx(fast / total)
        partners = db.run("kpi_partners", con, **p).iloc[0]
        assert float(partners["partner_value"]) == float(
            one(
                "SELECT coalesce(sum(value_yuan), 0) FROM contributions"
                " WHERE contributed_on >= ? AND contributed_on < ?",
                [p["period_start"], p["period_end"]],
            )
        )
        vol = db.run("kpi_volunteers", con, **p).iloc[0]
        earned = one("SELECT sum(points) FROM services WHERE served_on <= ?", [p["as_at"]])
        spent = one("SELECT coalesce(sum(points_spent), 0) FROM redemptions WHERE redeemed_on <= ?", [p["as_at"]])
        assert vol["points_outstanding"] == pytest.approx(earned - spent)
    finally:
        con.close()


def test_one_compound_filter_gives_that_compounds_figures(demo_master):
    con = duckdb.connect(str(demo_master), read_only=True)
    try:
        p = params_for(con, compound_ids=["X001"])
        req = db.run("kpi_requests", con, **p).iloc[0]
        assert (
            req["requests_total"]
            == con.execute(
                "SELECT count(*) FROM requests WHERE compound_id = 'X001' AND received_at >= ? AND received_at < ?",
                [p["period_start"], p["period_end"]],
            ).fetchone()[0]
        )
        ren = db.run("kpi_renovation", con, **p).iloc[0]
        assert (
            ren["items_total"]
            == con.execute("SELECT count(*) FROM renovation_items WHERE compound_id = 'X001'").fetchone()[0]
        )
    finally:
        con.close()


def test_only_db_street_widens_a_query_to_the_whole_street(demo_master):
    """A bare None for the ids is refused (a bug must not show the street to a community account);
    db.STREET binds NULL, the whole street; a list binds itself."""
    sql = db.query_text("kpi_requests")
    with pytest.raises(ValueError, match="db.STREET"):
        db.bind(sql, {"compound_ids": None})
    assert db.bind(sql, {"compound_ids": db.STREET})["compound_ids"] is None
    assert db.bind(sql, {"compound_ids": ["X001"]})["compound_ids"] == ["X001"]
    assert "compound_ids" not in db.bind(db.query_text("account_scope"), {"compound_ids": None})
    con = duckdb.connect(str(demo_master), read_only=True)
    try:
        street = db.run("kpi_requests", con, **params_for(con, compound_ids=db.STREET)).iloc[0]["requests_total"]
        one = db.run("kpi_requests", con, **params_for(con, compound_ids=["X001"])).iloc[0]["requests_total"]
        assert street == db.run("kpi_requests", con, **params_for(con)).iloc[0]["requests_total"] > one > 0
    finally:
        con.close()


def test_values_are_bound_not_formatted(demo_master):
    """A hostile value in a parameter is data, not SQL."""
    con = duckdb.connect(str(demo_master), read_only=True)
    try:
        compounds = con.execute("SELECT count(*) FROM compounds").fetchone()[0]
        p = params_for(con, compound_ids=["X001' OR '1'='1", "'); DROP TABLE compounds; --"])
        assert db.run("kpi_requests", con, **p).iloc[0]["requests_total"] == 0
        assert con.execute("SELECT count(*) FROM compounds").fetchone()[0] == compounds
    finally:
        con.close()


def test_eight_threads_agree_with_one(demo_master, monkeypatch):
    monkeypatch.setattr(settings, "db_path", lambda: demo_master)
    names = [n for n in query_names() if runnable(n)]
    con = db.connect(demo_master)
    p = params_for(con)
    serial = {n: db.run(n, **p) for n in names}
    results: dict[tuple[int, str], pd.DataFrame] = {}
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for _ in range(3):
                for n in names[worker % len(names) :] + names[: worker % len(names)]:
                    results[(worker, n)] = db.run(n, **p)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for (_, n), frame in results.items():
        pd.testing.assert_frame_equal(frame, serial[n])
    db.close_all()
