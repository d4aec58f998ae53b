"""Roll-up tables: the event tables summed by compound and month, so pages need not scan every event.

rebuild() runs inside every write (store.write, beside supervision.sync) and at the end of every
demo/generate build, so a version's roll-ups always match its rows and its meta.as_of. They are
derived: never imported, deleted from or put in a snapshot (db.TABLES does not list them).
The queries that read them fall back to the event tables for a period that is not whole months.
"""

from __future__ import annotations

import duckdb

from oversight import db

TABLES = (
    "rollup_requests_monthly",
    "rollup_requests_open",
    "rollup_services_monthly",
    "rollup_redemptions_monthly",
    "rollup_volunteer_months",
)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Empty and refill every roll-up from the event tables of con (creating them on an older database)."""
    db.create_schema(con)  # a database made before the roll-ups existed gets their tables here
    con.execute("SET enable_progress_bar = false")
    for table in TABLES:
        con.execute(f"DELETE FROM {table}")  # noqa: S608 (a name from TABLES above, not a value)
        db.run(table.replace("rollup_", "rollup_write_", 1), con)
