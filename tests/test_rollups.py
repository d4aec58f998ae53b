"""The roll-up tables give the pages exactly the figures the event tables give.

Each query over the roll-ups keeps its former SQL over the event tables as the branch that periods
other than whole months take. Its roll-up branch is compared with that event branch, forced on by
making the whole-month test false and run on a copy whose roll-ups are empty (so it cannot read
them), on the demo and on a generated database, for the whole street, one community and one
compound, over whole-month periods, the period before, and a week (the weekly report's period)."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from oversight import db, generate, rollups, store
from oversight.filters import Filter, add_months

# The queries that read a roll-up or a roll-up macro (rollup_write_* and rollup_define_* make them);
# scope(), which every query calls, reads no roll-up.
MACRO_CALL = re.compile(r"\b(" + "|".join(m for m in rollups.MACROS if m != "scope") + r")\(")
# data_first_month reads the roll-up whatever the period (it wants a month): compared on its own below.
REWRITTEN = [
    n
    for n in db.query_names()
    if not n.startswith(("rollup_write_", "rollup_define_"))
    and n != "data_first_month"
    and ("rollup_" in db.query_text(n) or MACRO_CALL.search(db.query_text(n)))
]
# The tests that choose the roll-up branch, and what forces the event branch in their place (in a
# query, and in a macro, whose parameters have no $).
WHOLE_MONTHS = "$period_start::DATE = date_trunc('month', $period_start::DATE)"
STOCK_DAY = "($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE)"
FORCED = {
    WHOLE_MONTHS: "FALSE",
    WHOLE_MONTHS.replace("$", ""): "FALSE",
    STOCK_DAY: "(FALSE)",
    STOCK_DAY.replace("$", ""): "(FALSE)",
    "FROM rollup_requests_open r": "FROM requests r",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("rollups") / "gen.duckdb"
    generate.build(path, compounds=40, months=14, seed=3, progress=False)
    return path


def windows(con) -> list[tuple[str, dict]]:
    """(label, params) for several filters and periods, made as the pages and the report make them."""
    as_of = date.fromisoformat(db.meta(con)["as_of"])
    ids = db.all_compound_ids(con)
    community = con.execute("SELECT community_id FROM compounds ORDER BY community_id LIMIT 1").fetchone()[0]
    one_community = [
        r[0]
        for r in con.execute(
            "SELECT compound_id FROM compounds WHERE community_id = ? ORDER BY 1", [community]
        ).fetchall()
    ]
    this_month = date(as_of.year, as_of.month, 1)
    out = []
    for scope_name, scope in (("all", ids), ("community", one_community), ("compound", ids[:1]), ("none", [])):
        for months in (12, 3, 1):
            f = Filter(start=add_months(this_month, -(months - 1)), end=this_month, as_of=as_of)
            out.append((f"{scope_name} {months}m", f.params(scope)))
            out.append((f"{scope_name} {months}m previous", f.params(scope, previous=True)))
        past = Filter(start=add_months(this_month, -8), end=add_months(this_month, -6), as_of=as_of)
        out.append((f"{scope_name} past quarter", past.params(scope)))
        week_start = as_of - timedelta(days=as_of.weekday() + 14)
        out.append(
            (
                f"{scope_name} week",
                {
                    "compound_ids": scope,
                    "period_start": week_start,
                    "period_end": week_start + timedelta(days=7),
                    "as_of": as_of,
                    "as_at": week_start + timedelta(days=6),
                },
            )
        )
    return out


def forced(sql: str) -> str:
    for test, instead in FORCED.items():
        sql = sql.replace(test, instead)
    return sql


def events_sql(name: str) -> str:
    """The query with its roll-up branch switched off: what it gives for a period that is not whole months.
    A query that reads the roll-ups only through a macro is switched by the macro (force_macros)."""
    sql = forced(db.query_text(name))
    assert sql != db.query_text(name) or MACRO_CALL.search(sql), f"{name}: no roll-up test found to switch off"
    return sql


def force_macros(con) -> None:
    """The roll-up macros made anew on con with their roll-up branch switched off (request_rates has
    none of its own: it reads request_counts)."""
    texts = {name: db.query_text(f"rollup_define_{name}") for name in rollups.MACROS}
    for name, sql in texts.items():
        assert forced(sql) != sql or "FROM rollup_" not in sql, f"{name}: no roll-up test found to switch off"
        con.execute(forced(sql))


def events_version(name: str, con, params: dict) -> pd.DataFrame:
    sql = events_sql(name)
    return con.execute(sql, db.bind(sql, params)).df()


def without_rollups(path: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A copy of the database whose roll-up tables are empty: the event branch must not need them."""
    copy = tmp_path / f"events-{path.name}"
    shutil.copy(path, copy)
    con = duckdb.connect(str(copy))
    for table in rollups.TABLES:
        con.execute(f"DELETE FROM {table}")  # noqa: S608 (our own names)
    force_macros(con)
    return con


def same(new: pd.DataFrame, old: pd.DataFrame, name: str, label: str) -> None:
    assert list(new.columns) == list(old.columns), (name, label)
    assert len(new) == len(old), (name, label)
    for col in old.columns:
        a, b = new[col].reset_index(drop=True), old[col].reset_index(drop=True)
        if pd.api.types.is_float_dtype(b) or pd.api.types.is_float_dtype(a):
            # Sums of DOUBLE hours and points may differ in the last bits with the order of addition.
            pd.testing.assert_series_equal(
                a.astype(float), b.astype(float), check_names=False, rtol=1e-9, atol=1e-9, obj=f"{name} {label} {col}"
            )
        else:
            assert (
                a.astype(object).where(a.notna(), None).tolist() == b.astype(object).where(b.notna(), None).tolist()
            ), (name, label, col)
            assert a.dtype == b.dtype, (name, label, col, a.dtype, b.dtype)


def test_every_macro_file_is_made_by_rebuild():
    """A rollup_define_* file left out of rollups.MACROS would change the fingerprint but never be made."""
    files = {n.removeprefix("rollup_define_") for n in db.query_names() if n.startswith("rollup_define_")}
    assert set(rollups.MACROS) == files and len(rollups.MACROS) == len(files)


def test_every_query_reading_a_roll_up_is_compared():
    assert len(REWRITTEN) >= 10 and "kpi_requests" in REWRITTEN and "old_open_requests" in REWRITTEN


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_rewritten_queries_give_the_event_tables_figures(which, demo_master, generated, tmp_path):
    path = demo_master if which == "demo" else generated
    con = duckdb.connect(str(path), read_only=True)
    events = without_rollups(path, tmp_path)
    try:
        for label, window in windows(con):
            for name in REWRITTEN:
                params = {**window, "limit": None}  # a list's every row (old_open_requests)
                same(db.run(name, con, **params), events_version(name, events, params), name, label)
    finally:
        con.close()
        events.close()


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_the_first_month_with_data_is_the_requests_and_monthly_tables_own(which, demo_master, generated):
    """The sidebar's first month: the month of the earliest request or monthly row in scope, else as_of."""
    con = duckdb.connect(str(demo_master if which == "demo" else generated), read_only=True)
    try:
        for label, window in windows(con):
            got = db.run("data_first_month", con, **window).iloc[0]["first_day"]
            ids = window["compound_ids"]
            firsts = con.execute(
                "SELECT (SELECT min(received_at) FROM requests WHERE list_contains($ids, compound_id)),"
                " (SELECT min(month) FROM red_property_monthly WHERE list_contains($ids, compound_id))",
                {"ids": ids},
            ).fetchone()
            days = [pd.Timestamp(d).date() for d in firsts if d is not None] + [window["as_of"]]
            expected = min(date(d.year, d.month, 1) if d != window["as_of"] else d for d in days)
            assert pd.Timestamp(got).date() == expected, (which, label, got, expected)
            if ids:
                assert expected < window["as_of"], (which, label)  # data in scope: a month, not as_of
    finally:
        con.close()


def test_the_figures_are_not_all_zero(demo_master):
    """The comparison above means something only if the figures are there to compare."""
    con = duckdb.connect(str(demo_master), read_only=True)
    try:
        params = windows(con)[0][1]
        kpi = db.run("kpi_requests", con, **params).iloc[0]
        assert kpi["requests_total"] > 100 and kpi["overdue_requests"] > 0 and kpi["open_backlog"] > 0
        vol = db.run("kpi_volunteers", con, **params).iloc[0]
        assert vol["active_volunteers"] > 10 and vol["points_outstanding"] > 0
    finally:
        con.close()


def test_every_write_rebuilds_the_roll_ups(store_db):
    """A write that changes requests changes the roll-ups in the same new version."""
    con = duckdb.connect(str(store.current_file(store_db)), read_only=True)
    try:
        before = db.run("kpi_requests", con, **windows(con)[0][1]).iloc[0]
    finally:
        con.close()
    with store.write(store_db, action="test", who="tester") as job:
        gone = job.con.execute(
            "DELETE FROM requests WHERE request_id IN (SELECT request_id FROM requests ORDER BY received_at DESC "
            "LIMIT 5)"
        ).fetchone()[0]
    assert gone == 5
    con = duckdb.connect(str(store.current_file(store_db)), read_only=True)
    try:
        params = windows(con)[0][1]
        after = db.run("kpi_requests", con, **params).iloc[0]
        assert after["requests_total"] == before["requests_total"] - 5
        same(
            db.run("kpi_requests", con, **params), events_version("kpi_requests", con, params), "kpi_requests", "after"
        )
        counted = con.execute("SELECT sum(requests) FROM rollup_requests_monthly").fetchone()[0]
        assert counted == con.execute("SELECT count(*) FROM requests").fetchone()[0]
    finally:
        con.close()


def test_roll_ups_are_not_importable_or_snapshotted():
    from oversight import snapshots

    for table in rollups.TABLES:
        assert table not in db.TABLES and table not in snapshots.TABLES


def test_a_version_from_before_the_roll_ups_is_read_with_roll_ups_built_in_memory(demo_db):
    """A store's current version written by the previous release has no roll-ups until the next write:
    opened read-only, it is attached to an in-memory database that holds them, with the same figures."""
    con = duckdb.connect(str(demo_db))
    for table in rollups.TABLES:
        con.execute(f"DROP TABLE {table}")  # noqa: S608 (our own names)
    con.close()
    con = rollups.open_read_only(str(demo_db))
    try:
        assert rollups.has_rollups(con)
        params = windows(con)[0][1]
        same(db.run("kpi_requests", con, **params), events_version("kpi_requests", con, params), "kpi_requests", "old")
        same(
            db.run("kpi_volunteers", con, **params),
            events_version("kpi_volunteers", con, params),
            "kpi_volunteers",
            "old",
        )
    finally:
        con.close()
    plain = duckdb.connect(str(demo_db), read_only=True)
    try:
        assert not rollups.has_rollups(plain)  # the file itself is untouched
    finally:
        plain.close()


def stale(path) -> None:
    """Make path's roll-ups look made by another release's definition, and wrong (all requests gone)."""
    con = duckdb.connect(str(path))
    con.execute(f"UPDATE {rollups.DEFINITION_TABLE} SET sha256 = 'an older definition'")  # noqa: S608
    con.execute("DELETE FROM rollup_requests_monthly")
    con.close()


def test_roll_ups_made_by_another_definition_are_not_read(demo_db):
    """A version whose roll-ups an older release made (its definition differs from this release's) is
    read with roll-ups made anew in memory, never with its own; the file itself is left as it was."""
    stale(demo_db)
    con = rollups.open_read_only(str(demo_db))
    try:
        assert rollups.has_rollups(con)
        params = windows(con)[0][1]
        got = db.run("requests_by_compound", con, **params)
        assert (
            got["requests"].sum()
            == con.execute(
                "SELECT count(*) FROM requests WHERE received_at >= $s AND received_at < $e",
                {"s": params["period_start"], "e": params["period_end"]},
            ).fetchone()[0]
            > 0
        )
    finally:
        con.close()
    plain = duckdb.connect(str(demo_db), read_only=True)
    try:
        assert not rollups.has_rollups(plain)
        assert plain.execute("SELECT count(*) FROM rollup_requests_monthly").fetchone()[0] == 0
    finally:
        plain.close()


def test_a_writable_database_with_stale_roll_ups_is_rebuilt_on_opening(demo_db):
    stale(demo_db)
    con = duckdb.connect(str(demo_db))
    try:
        rollups.ensure(con)
        assert rollups.has_rollups(con)
        counted = con.execute("SELECT sum(requests) FROM rollup_requests_monthly").fetchone()[0]
        assert counted == con.execute("SELECT count(*) FROM requests").fetchone()[0] > 0
    finally:
        con.close()


def test_the_current_version_from_before_the_roll_ups_serves_every_thread(store_db, monkeypatch, tmp_path):
    """Upgrade day: the store's current version has no roll-ups; every cursor db.connect hands out (one
    per thread, as the dashboard's sessions get) must still see the data and the roll-ups built for it."""
    import threading

    from oversight.ui import server

    current = store.current_file(store_db)
    con = duckdb.connect(str(current), read_only=True)
    params = windows(con)[0][1]
    expected = db.run("kpi_requests", con, **params)  # the figures with the roll-ups it was published with
    con.close()
    current.chmod(0o600)
    con = duckdb.connect(str(current))
    for table in rollups.TABLES:
        con.execute(f"DROP TABLE {table}")  # noqa: S608 (our own names)
    con.close()
    current.chmod(0o400)
    db.close_all()
    monkeypatch.setenv("OVERSIGHT_DB", str(store_db))
    monkeypatch.setenv("OVERSIGHT_ACCOUNTS", str(tmp_path / "accounts.sqlite"))
    assert server.readiness()["status"] == "ready"
    seen = {}

    def session(n):
        c = db.connect(store_db)
        seen[n] = db.run("kpi_requests", c, **params)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 3
    for frame in seen.values():
        same(frame, expected, "kpi_requests", "upgrade day")


def test_the_company_league_counts_each_request_for_the_company_serving_that_month(demo_db):
    """A compound changes company mid-period and the latest month is not reported yet: each request
    counts for the company that served its compound in the month it was received (red_property_monthly),
    not the compound's company of today (compounds.company_id), and each company is listed once."""
    con = duckdb.connect(str(demo_db))
    params = windows(con)[0][1]
    compound, today = con.execute(
        "SELECT compound_id, company_id FROM compounds WHERE company_id IS NOT NULL ORDER BY compound_id LIMIT 1"
    ).fetchone()
    other = con.execute(
        "SELECT company_id FROM property_companies WHERE company_id <> ? ORDER BY company_id LIMIT 1", [today]
    ).fetchone()[0]
    takeover = add_months(params["period_start"], 6)
    con.execute(
        "UPDATE red_property_monthly SET company_id = ? WHERE compound_id = ? AND month >= ?",
        [other, compound, takeover],
    )
    con.execute("DELETE FROM red_property_monthly WHERE month = (SELECT max(month) FROM red_property_monthly)")
    rollups.rebuild(con)
    league = db.run("red_property_league_companies", con, **params)
    expected = dict(
        con.execute(
            "SELECT s.company_id, count(*) FROM requests r JOIN red_property_monthly s"
            " ON s.compound_id = r.compound_id AND s.month = date_trunc('month', r.received_at)"
            " WHERE s.company_id IS NOT NULL AND r.received_at >= $s AND r.received_at < $e GROUP BY ALL",
            {"s": params["period_start"], "e": params["period_end"]},
        ).fetchall()
    )
    con.close()
    assert league["company_id"].is_unique
    assert list(league.columns).count("company_id") == 1
    got = {r.company_id: r.requests for r in league.itertuples() if r.requests}
    assert got == expected and expected[other] > 0


def street_medians_by_hand(con, start, end) -> tuple:
    """DuckDB's own median() of every request of the street received in [start, end)."""
    return con.execute(
        "SELECT median(epoch(responded_at - received_at) / 3600), median(epoch(resolved_at - received_at) / 86400)"
        " FROM requests WHERE received_at >= $s AND received_at < $e",
        {"s": start, "e": end},
    ).fetchone()


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_the_street_medians_from_the_roll_up_are_duckdbs_to_the_bit(which, demo_master, generated):
    """The whole street's medians over whole months come from rollup_request_times (the middle bucket's
    times only): for every period of whole months in the data, exactly (==) what median() gives."""
    con = duckdb.connect(str(demo_master if which == "demo" else generated), read_only=True)
    try:
        ids = db.all_compound_ids(con)
        as_of = date.fromisoformat(db.meta(con)["as_of"])
        first = con.execute("SELECT min(month) FROM rollup_request_times").fetchone()[0]
        months = []
        while first <= as_of:
            months.append(first)
            first = add_months(first, 1)
        months.append(first)
        checked = 0
        for i, start in enumerate(months):
            for end in months[i + 1 :: 3] if which == "demo" else months[i + 1 :: 5]:
                params = {"compound_ids": ids, "period_start": start, "period_end": end, "as_of": as_of}
                got = db.run("kpi_requests_times", con, **params).iloc[0]
                expected = street_medians_by_hand(con, start, end)
                assert (got["median_response_hours"], got["median_handling_days"]) == expected, (start, end)
                checked += 1
        assert checked > 20
    finally:
        con.close()


def test_a_median_between_two_buckets_and_of_an_even_count(demo_db):
    """Four requests whose two middle times lie in different buckets (1.5 and 2.25 hours; 1.2 and 3.7
    days): the median is their mean, as median() gives it; three requests give the middle one."""
    con = duckdb.connect(str(demo_db))
    try:
        compound = con.execute("SELECT min(compound_id) FROM compounds").fetchone()[0]
        con.execute("DELETE FROM requests")
        hours, days = [1.0, 1.5, 2.25, 30.0], [0.5, 1.2, 3.7, 9.0]
        for n, (h, d) in enumerate(zip(hours, days, strict=True)):
            con.execute(
                "INSERT INTO requests (request_id, compound_id, received_at, channel, category, handler, responded_at,"
                " resolved_at) VALUES ($id, $c, TIMESTAMP '2024-03-05 08:00', 'visit', 'other', 'property',"
                " TIMESTAMP '2024-03-05 08:00' + to_seconds($h * 3600),"
                " TIMESTAMP '2024-03-05 08:00' + to_seconds($d * 86400))",
                {"id": f"T{n}", "c": compound, "h": h, "d": d},
            )
        rollups.rebuild(con)
        ids = db.all_compound_ids(con)
        params = {"compound_ids": ids, "period_start": date(2024, 3, 1), "period_end": date(2024, 4, 1)}
        got = db.run("kpi_requests_times", con, **params, as_of=date(2024, 12, 31)).iloc[0]
        assert got["median_response_hours"] == street_medians_by_hand(con, date(2024, 3, 1), date(2024, 4, 1))[0]
        assert (got["median_response_hours"], got["median_handling_days"]) == (1.875, 2.45)
        con.execute("DELETE FROM requests WHERE request_id = 'T3'")
        rollups.rebuild(con)
        got = db.run("kpi_requests_times", con, **params, as_of=date(2024, 12, 31)).iloc[0]
        assert (got["median_response_hours"], got["median_handling_days"]) == (1.5, 1.2)
        # One compound (not the whole street) reads the requests themselves: the same figures.
        one = db.run("kpi_requests_times", con, **{**params, "compound_ids": [compound]}, as_of=date(2024, 12, 31))
        assert (one.iloc[0]["median_response_hours"], one.iloc[0]["median_handling_days"]) == (1.5, 1.2)
    finally:
        con.close()


def test_with_as_of_in_the_middle_of_a_month_the_roll_ups_still_give_the_event_tables_figures(demo_db, tmp_path):
    """The demo's and the generator's as_of are a month's last day; stock figures on an as_of within a
    month (requests received and closed after it in the data) must still equal the events' figures."""
    con = duckdb.connect(str(demo_db))
    as_of = date.fromisoformat(db.meta(con)["as_of"]) - timedelta(days=13)
    con.execute("UPDATE meta SET value = $d WHERE key = 'as_of'", {"d": as_of.isoformat()})
    rollups.rebuild(con)
    con.close()
    con = duckdb.connect(str(demo_db), read_only=True)
    events = without_rollups(demo_db, tmp_path)
    try:
        checked = 0
        for label, window in windows(con):
            for name in REWRITTEN:
                params = {**window, "limit": None}
                same(db.run(name, con, **params), events_version(name, events, params), name, label)
                checked += window["as_at"] == as_of
        assert checked > len(REWRITTEN)  # the pages' windows stand on that day
        backlog = db.run("requests_backlog_by_age", con, **windows(con)[0][1])
        assert backlog["open_requests"].sum() > 0
    finally:
        con.close()
        events.close()


def test_a_stock_day_the_roll_ups_were_not_written_for_is_read_from_the_events(demo_db, tmp_path):
    """The backlog's recent bands are rolled up for month ends and the stored as_of: asked for another
    as_of (a caller's own date), the query reads the requests rather than find nothing (a reviewer saw
    the 0-30-day bands come back 0)."""
    con = duckdb.connect(str(demo_db), read_only=True)
    events = without_rollups(demo_db, tmp_path)
    stored = date.fromisoformat(db.meta(con)["as_of"])
    try:
        for days in (6, 13, 40):
            day = stored - timedelta(days=days)
            params = {**windows(con)[0][1], "as_of": day, "as_at": day}
            mine = db.run("requests_backlog_by_age", con, **params)
            same(mine, events_version("requests_backlog_by_age", events, params), "backlog", f"as_of {day}")
            assert mine["open_requests"].head(2).sum() > 0, day
    finally:
        con.close()
        events.close()


def test_a_request_of_no_known_compound_counts_in_no_figure(demo_db, tmp_path):
    """A snapshot's tables are loaded without constraints (snapshots.load): a request whose compound is not
    in compounds (a hand-edited zip) counts nowhere, the street's own roll-up rows included, as in the
    events' figures (a reviewer found it in the street's categories)."""
    path = tmp_path / "loose.duckdb"
    con = duckdb.connect(str(path))
    con.execute("ATTACH $p AS src (READ_ONLY)", {"p": str(demo_db)})
    for table in db.TABLES:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")  # noqa: S608 (our own names)
    con.execute("DETACH src")
    as_of = date.fromisoformat(db.meta(con)["as_of"])
    newest = datetime.combine(as_of, datetime.min.time()) + timedelta(hours=23)
    con.execute(
        "INSERT INTO requests (request_id, compound_id, received_at, channel, category, summary, handler, "
        "responded_at, resolved_at) SELECT 'GHOST' || i, 'NOT_A_COMPOUND', $t, 'hotline_12345', "
        "'not_a_category', '?', '?', $t + INTERVAL 1 HOUR, $t + INTERVAL 2 HOUR FROM range(1200) r(i)",
        {"t": newest},
    )
    rollups.rebuild(con)
    con.close()
    con = duckdb.connect(str(path), read_only=True)
    events = without_rollups(path, tmp_path)
    try:
        street = [(label, w) for label, w in windows(con) if label.startswith("all")]
        for label, window in street:
            for name in REWRITTEN:
                params = {**window, "limit": 501}
                same(db.run(name, con, **params), events_version(name, events, params), name, label)
        listed = db.run("requests_list", con, **{**street[0][1], "limit": 501})
        assert len(listed) == 501 and not listed["request_id"].str.startswith("GHOST").any()
    finally:
        con.close()
        events.close()


def _rolled_up(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in rollups.TABLES:
            frame = con.execute(f"SELECT * FROM {table}").df()  # noqa: S608 (our own names)
            out[table] = frame.sort_values(list(frame.columns), ignore_index=True, key=lambda c: c.astype(str))
        return out
    finally:
        con.close()


@pytest.mark.parametrize(
    ("action", "table", "change"),
    [
        ("import", "services", "DELETE FROM services WHERE service_id IN (SELECT service_id FROM services LIMIT 7)"),
        ("import", "requests", "DELETE FROM requests WHERE request_id IN (SELECT max(request_id) FROM requests)"),
        (
            "delete",
            "redemptions",
            "DELETE FROM redemptions WHERE redemption_id IN (SELECT min(redemption_id) FROM redemptions)",
        ),
        ("as_of", "", "UPDATE meta SET value = (value::DATE - 20)::VARCHAR WHERE key = 'as_of'"),
        ("supervision", "supervision_cases", "SELECT 1"),
    ],
)
def test_a_write_rebuilds_the_roll_ups_made_from_what_it_changed_and_they_equal_a_full_rebuild(
    store_db, tmp_path, action, table, change
):
    """Only the roll-ups made from the tables a write changed are made again (an import of services leaves
    the requests' ones, a 督办 action every one); what the version then holds is what a full rebuild makes."""
    before = _rolled_up(store.current_file(store_db))
    with store.write(store_db, action=action, who="tester", table_name=table) as job:
        job.con.execute(change)
    after = _rolled_up(store.current_file(store_db))
    full = tmp_path / "full.duckdb"
    shutil.copy(store.current_file(store_db), full)
    con = duckdb.connect(str(full))
    rollups.rebuild(con)
    con.close()
    expected = _rolled_up(full)
    for name in rollups.TABLES:
        pd.testing.assert_frame_equal(after[name], expected[name], obj=f"{action} {name}")
    changed = {name for name in rollups.TABLES if not after[name].equals(before[name])}
    reads = {name for name in rollups.TABLES if rollups.sources(name) & {table, "meta" if action == "as_of" else ""}}
    assert changed <= reads and (changed or action == "supervision"), (action, changed)
