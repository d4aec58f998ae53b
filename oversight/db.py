"""DuckDB connections and the one way to run a named query.

One database instance per process and file; each thread gets its own cursor on it, since a
DuckDB connection must not be shared between threads (Streamlit runs each session in a thread).
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from oversight import settings

# Tables in load order: parents before the rows that reference them.
TABLES = [
    "communities",
    "property_companies",
    "compounds",
    "partner_units",
    "renovation_items",
    "progress_updates",
    "contributions",
    "red_property_monthly",
    "requests",
    "volunteers",
    "services",
    "rewards",
    "redemptions",
    "meta",
]

_lock = threading.Lock()
_databases: dict[str, duckdb.DuckDBPyConnection] = {}
_local = threading.local()


def _database(path: Path) -> duckdb.DuckDBPyConnection:
    key = str(Path(path).resolve())
    with _lock:
        if key not in _databases:
            _databases[key] = duckdb.connect(key)
        return _databases[key]


def connect(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """This thread's own cursor on the database at path (default: settings.db_path())."""
    key = str(Path(path or settings.db_path()).resolve())
    cursors = getattr(_local, "cursors", None)
    if cursors is None:
        cursors = _local.cursors = {}
    if key not in cursors:
        cursors[key] = _database(Path(key)).cursor()
    return cursors[key]


def close_all() -> None:
    """Close every database this process opened (tests, and before a file is replaced)."""
    with _lock:
        for con in _databases.values():
            con.close()
        _databases.clear()
    _local.__dict__.clear()


@cache
def query_text(name: str) -> str:
    """The SQL of queries/<name>.sql."""
    path = settings.QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


def query_names() -> list[str]:
    return sorted(p.stem for p in settings.QUERY_DIR.glob("*.sql"))


def run(query_name: str, con: duckdb.DuckDBPyConnection | None = None, **params) -> pd.DataFrame:
    """Run queries/<query_name>.sql with bound named parameters and return a DataFrame.

    Only the parameters the query mentions are bound, so callers may pass a common set.
    """
    sql = query_text(query_name)
    return (con or connect()).execute(sql, bind(sql, params)).df()


def bind(sql: str, params: dict) -> dict:
    """The parameters the SQL mentions (outside comments), so callers may pass a common set."""
    used = set(re.findall(r"\$(\w+)", re.sub(r"--[^\n]*", "", sql)))
    # Figures' settings (score weights, minimum sample, time limit) unless the caller gives them.
    given = {**settings.query_settings(), **params}
    return {k: v for k, v in given.items() if k in used}


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(settings.SCHEMA_FILE.read_text(encoding="utf-8"))


def meta(con: duckdb.DuckDBPyConnection | None = None) -> dict[str, str]:
    rows = (con or connect()).execute("SELECT key, value FROM meta").fetchall()
    return dict(rows)


def all_compound_ids(con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    rows = (con or connect()).execute("SELECT compound_id FROM compounds ORDER BY compound_id")
    return [r[0] for r in rows.fetchall()]
