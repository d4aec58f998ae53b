"""The audit log: an append-only record of who did what, when, and from which address.

It lives in its own SQLite file (settings.audit_path(), created 0600), never in the DuckDB data
file, which is replaced by new versions. Triggers refuse UPDATE and DELETE, so entries are only
ever added. A password, token, cookie or one-time code is never recorded: detail keys that name
one are dropped before writing.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from oversight import settings

log = logging.getLogger("oversight.audit")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_SECRET = re.compile(r"pass|token|secret|cookie|code|hash", re.IGNORECASE)
COLUMNS = ["at", "who", "action", "detail", "address"]


def _connect(path: Path | None = None) -> sqlite3.Connection:
    path = Path(path or settings.audit_path())
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600)
        path.chmod(0o600)
    con = sqlite3.connect(path, timeout=10)
    con.executescript(_SCHEMA)
    return con


def _clean(detail: str | dict) -> str:
    if isinstance(detail, dict):
        kept = {k: v for k, v in detail.items() if not _SECRET.search(str(k))}
        return json.dumps(kept, ensure_ascii=False, default=str, sort_keys=True)
    return str(detail or "")


def record(action: str, who: str, detail: str | dict = "", address: str = "") -> None:
    """Append one entry (UTC time). A failure to write is logged, never raised: it must not stop a
    sign-in or a download."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        with _connect() as con:
            con.execute(
                "INSERT INTO audit (at, who, action, detail, address) VALUES (?, ?, ?, ?, ?)",
                (at, str(who or "")[:128], action, _clean(detail), str(address or "")[:64]),
            )
        con.close()
    except (sqlite3.Error, OSError):
        log.exception("audit entry not written: %s %s", action, who)


def _from(since: date | datetime) -> str:
    """`since` as the stored times are compared: a day is a UTC day; a time (with its zone) is that instant."""
    if isinstance(since, datetime):
        return since.astimezone(UTC).isoformat(timespec="seconds")
    return since.isoformat()


def entries(last: int | None = None, since: date | datetime | None = None) -> pd.DataFrame:
    """Entries oldest first: all of them, those on or after `since` (a UTC day, or an instant), or the last N."""
    where, params = "", []
    if since is not None:
        where, params = "WHERE at >= ?", [_from(since)]
    sql = f"SELECT at, who, action, detail, address FROM audit {where} ORDER BY id DESC"  # noqa: S608 - fixed text
    if last is not None:
        sql += " LIMIT ?"
        params.append(int(last))
    con = _connect()
    try:
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    return pd.DataFrame(list(reversed(rows)), columns=COLUMNS)


def count(since: date | datetime | None = None) -> int:
    """How many entries there are (on or after `since`, as entries takes it): read by the index, no row fetched."""
    where, params = ("WHERE at >= ?", [_from(since)]) if since is not None else ("", [])
    con = _connect()
    try:
        return con.execute(f"SELECT count(*) FROM audit {where}", params).fetchone()[0]  # noqa: S608 - fixed text
    finally:
        con.close()


def import_detail(result) -> dict:
    """What the log keeps of an import attempt (an ingest.ImportResult)."""
    return {
        "table": result.table,
        "file": result.file_name,
        "ok": result.ok,
        "rows": result.rows,
        "added": result.added,
        "replaced": result.replaced,
        "problems": result.problem_count,
    }
