"""DuckDB connections and the one way to run a named query.

One database instance per process and file; each thread gets its own cursor on it, since a
DuckDB connection must not be shared between threads (Streamlit runs each session in a thread).
"""

from __future__ import annotations

import os
import re
import threading
import time
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from oversight import contracts, settings, store

# Tables in load order (parents before the rows that reference them): the import contract's, then meta.
TABLES = [*contracts.TABLES, "meta"]

_lock = threading.Lock()
_databases: dict[str, _Database] = {}
CLOSE_TRIES = 100  # 5 s for an interrupted query on another thread to end before a database is closed
_local = threading.local()


class _Database:
    """One open DuckDB file and every cursor handed out on it, so a superseded version can be closed."""

    def __init__(self, file: str, read_only: bool):
        from oversight import rollups  # a database from before the roll-ups gets them on opening

        if read_only:
            self.con = rollups.open_read_only(file)
        else:
            self.con = duckdb.connect(file, read_only=read_only)
            rollups.ensure(self.con)
        self.cursors: list[duckdb.DuckDBPyConnection] = []
        self.last_used = time.monotonic()
        # A version read through an in-memory database (no roll-ups of its own) names its tables by a
        # search path, which a cursor does not inherit.
        self.search_path = self.con.execute("SELECT current_setting('search_path')").fetchone()[0]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = cursor(self.con, self.search_path)
        self.cursors.append(cur)
        return cur

    def close(self) -> None:
        # A cursor may be running a query on another thread (a page's prefetch): it is interrupted, and the
        # closing waits for it to end (DuckDB refuses to close a connection busy with a call).
        for cur in self.cursors:
            try:
                cur.interrupt()
            except duckdb.Error:
                pass  # already closed
        for _ in range(CLOSE_TRIES):
            for cur in self.cursors:
                try:
                    cur.close()
                except duckdb.Error:
                    pass  # already closed, or still busy: tried again below
            try:
                self.con.close()
                return
            except duckdb.ResourceInUseException:
                time.sleep(0.05)
        self.con.close()


def cursor(con: duckdb.DuckDBPyConnection, search_path: str | None = None) -> duckdb.DuckDBPyConnection:
    """A new cursor on con (for another thread) that finds the same tables: a DuckDB cursor does not
    inherit the search path by which a version read through memory names its tables (rollups).
    search_path: con's, when the caller knows it (con itself is then not queried)."""
    from oversight import rollups

    if search_path is None:
        search_path = con.execute("SELECT current_setting('search_path')").fetchone()[0]
    cur = con.cursor()
    if search_path == rollups.SEARCH_PATH:
        cur.execute(f"SET search_path = '{rollups.SEARCH_PATH}'")  # noqa: S608 (rollups' constant)
    return cur


def _retire(current_keys: set[str]) -> None:
    """Close versions nobody has used for a while (called with _lock held): memory stays flat."""
    now = time.monotonic()
    for key in [k for k, d in _databases.items() if k not in current_keys]:
        if now - _databases[key].last_used > settings.retire_seconds():
            _databases.pop(key).close()


def connect(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """This thread's own cursor on the data at path (default: settings.db_path()).

    A versioned path (see store) opens its current version read-only, and follows it to the next
    version after a write; a plain file opens read-write, as before versions existed.
    """
    path = Path(path or settings.db_path())
    file = store.current_file(path)
    read_only = store.is_versioned(path) or file.parent.name.endswith(".versions")
    key = str(file.resolve())
    cursors = getattr(_local, "cursors", None)
    if cursors is None:
        cursors = _local.cursors = {}
    with _lock:
        database = _databases.get(key)
        if database is None:
            database = _databases[key] = _Database(key, read_only)
            _retire({key})
        database.last_used = time.monotonic()
        # Each cursor kept with its database: a thread that outlived a closing (the prefetch threads) finds
        # the file opened again under the same key, and must not use its cursor on the closed one.
        if key not in cursors or cursors[key][0] is not database:
            cursors[key] = (database, database.cursor())
        for stale in [k for k in cursors if k not in _databases]:
            del cursors[stale]
    return cursors[key][1]


def release(path: Path | str) -> None:
    """Checkpoint and close this process's database on path (a plain file about to become a version)."""
    key = str(Path(path).resolve())
    with _lock:
        database = _databases.pop(key, None)
    if database is not None:
        try:
            database.con.execute("CHECKPOINT")
        except duckdb.Error:
            pass  # read-only, or nothing to write
        database.close()


def open_files() -> set[str]:
    """The database files this process has open."""
    with _lock:
        return set(_databases)


def close_all() -> None:
    """Close every database this process opened (tests, and before a file is replaced)."""
    with _lock:
        for database in _databases.values():
            database.close()
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


class _Street:
    """The whole street as $compound_ids: every compound of the version read (see STREET)."""

    def __repr__(self) -> str:
        return "STREET"


# $compound_ids for every compound of the version: bound as NULL, which queries' scope() macro reads as
# the street's own list (queries/rollup_define_scope.sql), so 5,000 ids are not planned as a constant.
# A bare None is refused by bind: only this, passed on purpose, widens a query to the whole street.
STREET = _Street()


def bind(sql: str, params: dict) -> dict:
    """The parameters the SQL mentions (outside comments), so callers may pass a common set."""
    used = set(re.findall(r"\$(\w+)", re.sub(r"--[^\n]*", "", sql)))
    # Figures' settings (score weights, minimum sample, time limit) unless the caller gives them.
    given = {**settings.query_settings(), **params}
    bound = {k: v for k, v in given.items() if k in used}
    if "compound_ids" in bound:
        if bound["compound_ids"] is None:
            raise ValueError("compound_ids is None: pass a list of ids, or db.STREET for the whole street")
        if bound["compound_ids"] is STREET:
            bound["compound_ids"] = None
    return bound


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(settings.SCHEMA_FILE.read_text(encoding="utf-8"))


def meta(con: duckdb.DuckDBPyConnection | None = None) -> dict[str, str]:
    rows = (con or connect()).execute("SELECT key, value FROM meta").fetchall()
    return dict(rows)


def meta_of(path: Path | str) -> dict[str, str]:
    """The meta of the database file at path, read again only once the file has changed.

    Every rerun of every page asks (as_of, data_version). A version's file never changes; a plain file
    changes by a write, which leaves it or its WAL with another size or time."""
    key = str(path)
    stamp = _stamp(key)
    with _lock:
        held = _meta_held.get(key)
    if held is None or held[0] != stamp:
        held = (stamp, meta(connect(key)))
        with _lock:
            if len(_meta_held) >= 16:  # superseded versions' entries: dropped, not kept for good
                _meta_held.clear()
            _meta_held[key] = held
    return dict(held[1])


_meta_held: dict[str, tuple[tuple, dict[str, str]]] = {}


def _stamp(path: str) -> tuple:
    stamps = []
    for file in (path, path + ".wal"):
        try:
            found = os.stat(file)
        except FileNotFoundError:
            stamps.append(None)
        except OSError:
            # Unreadable: never the stamp of a read; DuckDB's own error then says what is wrong.
            stamps.append(("unreadable", time.monotonic_ns()))
        else:
            stamps.append((found.st_ino, found.st_size, found.st_mtime_ns))
    return tuple(stamps)


def all_compound_ids(con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    rows = (con or connect()).execute("SELECT compound_id FROM compounds ORDER BY compound_id")
    return [r[0] for r in rows.fetchall()]
