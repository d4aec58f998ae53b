"""Roll-up tables: the event tables summed by compound and month, so pages need not scan every event.

rebuild() runs inside every write (store.write, beside supervision.sync) and at the end of every
demo/generate build, so a version's roll-ups always match its rows and its meta.as_of. They are
derived: never imported, deleted from or put in a snapshot (db.TABLES does not list them).
The queries that read them fall back to the event tables for a period that is not whole months.
A version written before the roll-ups existed is opened through open_read_only(), which builds
them in memory beside it.
"""

from __future__ import annotations

import re

import duckdb

from oversight import db, settings

TABLES = (
    "rollup_requests_monthly",
    "rollup_requests_open",
    "rollup_services_monthly",
    "rollup_redemptions_monthly",
    "rollup_volunteer_months",
)


def _create_statements() -> list[str]:
    """The roll-ups' CREATE TABLE statements from schema.sql."""
    text = settings.SCHEMA_FILE.read_text(encoding="utf-8")
    statements = re.sub(r"--[^\n]*", "", text).split(";")  # comments may hold a semicolon
    return [s for s in statements if "CREATE TABLE IF NOT EXISTS rollup_" in s]


SOURCES = ("requests", "volunteers", "services", "redemptions", "meta")


def _count_tables(con: duckdb.DuckDBPyConnection, names) -> int:
    return con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_tables() WHERE table_name IN (SELECT unnest($t::VARCHAR[]))",
        {"t": list(names)},
    ).fetchone()[0]


def has_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    return _count_tables(con, TABLES) == len(TABLES)


def _needs_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    """The event tables are there (not an empty file) and the roll-ups are not."""
    return not has_rollups(con) and _count_tables(con, SOURCES) == len(SOURCES)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Build the roll-ups of a read-write database made before they existed."""
    if _needs_rollups(con):
        rebuild(con)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Empty and refill every roll-up from the event tables of con (creating them on an older database)."""
    con.execute("SET enable_progress_bar = false")
    for table in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 (our names): derived, made anew as schema.sql says
    for statement in _create_statements():
        con.execute(statement)
    db.run("rollup_write_served", con)  # services by volunteer and month, for both service roll-ups
    try:
        for table in TABLES:
            db.run(table.replace("rollup_", "rollup_write_", 1), con)
    finally:
        con.execute("DROP TABLE IF EXISTS _rollup_served")


# Where a version from before the roll-ups is read: its roll-ups in memory, its tables attached as `data`.
# A setting of one connection: every cursor on it must be given it again (db._Database.cursor).
SEARCH_PATH = "memory.main,data.main"


def open_read_only(file: str) -> duckdb.DuckDBPyConnection:
    """file opened read-only; if it was written before the roll-ups existed, an in-memory database
    that attaches it and holds its roll-ups, every table found by its plain name."""
    con = duckdb.connect(file, read_only=True)
    if not _needs_rollups(con):
        return con
    con.close()
    con = duckdb.connect()
    con.execute("ATTACH $file AS data (READ_ONLY)", {"file": file})
    con.execute(f"SET search_path = '{SEARCH_PATH}'")  # noqa: S608 (a constant)
    rebuild(con)
    return con
