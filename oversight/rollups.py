"""Roll-up tables: the event tables summed by compound and month, so pages need not scan every event.

rebuild() runs inside every write (store.write, beside supervision.sync) and at the end of every
demo/generate build, so a version's roll-ups always match its rows and its meta.as_of. They are
derived: never imported, deleted from or put in a snapshot (db.TABLES does not list them).
The queries that read them fall back to the event tables for a period that is not whole months.
Beside the tables, rebuild() stores the table macros of queries/rollup_define_*.sql (counts several
queries share) and the definition's fingerprint: a version whose roll-ups were made by another
definition (an older release, or none at all) is opened through open_read_only(), which builds
them in memory beside it, or rebuilt by ensure() when opened for writing.
"""

from __future__ import annotations

import hashlib
import re

import duckdb

from oversight import db, settings

TABLES = (
    "rollup_requests_monthly",
    "rollup_requests_open",
    "rollup_requests_recent_open",
    "rollup_requests_breakdown",
    "rollup_request_times",
    "rollup_requests_newest",
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
# The macros the queries call, each made by queries/rollup_define_<name>.sql, in this order: DuckDB
# checks a macro's body when it is made, so one that calls another (request_rates) comes after it.
# Besides the roll-ups they read compounds, red_property_monthly and the SOURCES.
MACROS = ("scope", "request_counts", "request_rates", "request_breakdown", "volunteer_flows", "points_balance")
# Where rebuild() stores DEFINITION, so a reader knows whose roll-ups a version holds.
DEFINITION_TABLE = "rollup_definition"


def _definition() -> str:
    """A fingerprint of everything the roll-ups are made by: the tables, their writes and the macros."""
    texts = [*_create_statements()]
    texts += [db.query_text(n) for n in db.query_names() if n.startswith(("rollup_write_", "rollup_define_"))]
    return hashlib.sha256("\n;\n".join(texts).encode("utf-8")).hexdigest()


def _count_tables(con: duckdb.DuckDBPyConnection, names) -> int:
    return con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_tables() WHERE table_name IN (SELECT unnest($t::VARCHAR[]))",
        {"t": list(names)},
    ).fetchone()[0]


def has_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    """The roll-ups are there and were made by this release's definition of them."""
    if _count_tables(con, (*TABLES, DEFINITION_TABLE)) < len(TABLES) + 1:
        return False
    stored = con.execute(f"SELECT max(sha256) FROM {DEFINITION_TABLE}").fetchone()[0]  # noqa: S608 (a constant)
    return stored == _definition()


def _needs_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    """The event tables are there (not an empty file) and the roll-ups are not."""
    return not has_rollups(con) and _count_tables(con, SOURCES) == len(SOURCES)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Build the roll-ups of a read-write database made before they existed."""
    if _needs_rollups(con):
        rebuild(con)


def sources(table: str) -> frozenset[str]:
    """The tables a roll-up is made from: every table of db.TABLES its write names, with those of the
    roll-ups and the served table it reads. Named in a comment counts too: a roll-up is then rebuilt
    more often than it needs, never less."""
    text = db.query_text(table.replace("rollup_", "rollup_write_", 1))
    found = _named(text)
    if re.search(r"\b_rollup_served\b", text):
        found |= _named(db.query_text("rollup_write_served"))
    for other in TABLES:
        if other != table and re.search(rf"\b{other}\b", text):
            found |= sources(other)
    return frozenset(found)


def _named(text: str) -> set[str]:
    return {t for t in db.TABLES if re.search(rf"\b{t}\b", text)}


def rebuild(con: duckdb.DuckDBPyConnection, changed: set[str] | None = None) -> None:
    """Empty and refill the roll-ups from the event tables of con (creating them on an older database),
    then store the macros and the definition they were made by.

    changed: the tables the write changed (None: any). Roll-ups made from none of them are kept as they
    are, where they were made by this release's definition: an import of services leaves the requests'
    roll-ups, and a 督办 action all of them."""
    if changed is not None and has_rollups(con):
        stale = [t for t in TABLES if sources(t) & set(changed)]
        if stale:
            _write(con, stale)
        return
    # Qualified: where a version is read through memory (open_read_only), its own stale roll-ups stay.
    here = _here(con)
    con.execute(f"DROP TABLE IF EXISTS {here}.{DEFINITION_TABLE}")  # noqa: S608 (a constant)
    _write(con, TABLES)
    for name in MACROS:
        db.run(f"rollup_define_{name}", con)
    con.execute(f"CREATE TABLE {here}.{DEFINITION_TABLE} AS SELECT $d AS sha256", {"d": _definition()})  # noqa: S608


def _here(con: duckdb.DuckDBPyConnection) -> str:
    return '"' + con.execute("SELECT current_database()").fetchone()[0].replace('"', '""') + '".main'


def _write(con: duckdb.DuckDBPyConnection, tables) -> None:
    """Drop, create and fill these roll-ups, in TABLES' order."""
    con.execute("SET enable_progress_bar = false")
    here = _here(con)
    creates = {t: s for s in _create_statements() for t in TABLES if re.search(rf"\b{t}\b", s)}
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS {here}.{table}")  # noqa: S608 (our names): derived, made anew
        con.execute(creates[table])
    served = any("_rollup_served" in db.query_text(t.replace("rollup_", "rollup_write_", 1)) for t in tables)
    if served:
        db.run("rollup_write_served", con)  # services by volunteer and month, for both service roll-ups
    try:
        for table in tables:
            db.run(table.replace("rollup_", "rollup_write_", 1), con)
    finally:
        con.execute("DROP TABLE IF EXISTS _rollup_served")


# Where a version from before the roll-ups is read: its roll-ups in memory, its tables attached as `data`.
# A setting of one connection: every cursor on it must be given it again (db._Database.cursor).
SEARCH_PATH = "memory.main,data.main"


def open_read_only(file: str) -> duckdb.DuckDBPyConnection:
    """file opened read-only; if its roll-ups are missing or were made by another definition, an
    in-memory database that attaches it and holds roll-ups made anew, every table found by its plain name."""
    con = duckdb.connect(file, read_only=True)
    if not _needs_rollups(con):
        return con
    con.close()
    con = duckdb.connect()
    con.execute("ATTACH $file AS data (READ_ONLY)", {"file": file})
    con.execute(f"SET search_path = '{SEARCH_PATH}'")  # noqa: S608 (a constant)
    rebuild(con)
    return con
