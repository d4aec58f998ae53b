"""Applying a checked file to the store: rows upserted (and, with --replace, rows in scope that the
file lacks removed) inside the caller's transaction, the attempt logged, the data's version and
as_of set.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from oversight import db, i18n, settings, store
from oversight.ingest.catalogue import TableSpec, key_match, quote
from oversight.ingest.problems import ImportResult, Problem, problem
from oversight.ingest.validate import row_compound, still_referenced

Progress = Callable[[float, str], None]


_WRITE_BATCH_ROWS = 200_000  # rows inserted per statement (progress between them)


def upsert(con, spec: TableSpec, rows: int, progress: Progress, lang: str) -> tuple[int, int, int]:
    """Upsert _ingest_stage into the table (inside the caller's transaction): (added, replaced, unchanged)."""
    table = quote(spec.name)
    names = spec.column_names
    cols = ", ".join(quote(c) for c in names)
    match = key_match(spec, "t", "s")
    non_key = [c for c in names if c not in spec.primary_key]
    fk_cols = {fk.column for fk in spec.foreign_keys} - set(spec.primary_key)
    differs = " OR ".join(f"t.{quote(c)} IS DISTINCT FROM s.{quote(c)}" for c in non_key) or "false"
    replaced, changed = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {differs}) FROM _ingest_stage s JOIN {table} t ON {match}"  # noqa: S608
    ).fetchone()
    added = rows - replaced

    bounds = con.execute("SELECT min(_row), max(_row) FROM _ingest_stage").fetchone()
    lo, hi = bounds if bounds[0] is not None else (0, -1)
    step = max(_WRITE_BATCH_ROWS, 1)
    done = 0
    start = lo
    while start <= hi:
        end = start + step
        con.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _ingest_stage s "  # noqa: S608
            f"WHERE _row >= $lo AND _row < $hi AND NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})",
            {"lo": start, "hi": end},
        )
        done = min(rows, done + step)
        progress(0.85 + 0.1 * (done / max(rows, 1)), i18n.t("import.progress_writing", lang, done=done, total=rows))
        start = end

    if changed:
        # Plain columns are updated in place; a referencing (indexed) column only where it changes,
        # since DuckDB rewrites the whole row for that.
        plain = [c for c in non_key if c not in fk_cols]
        if plain:
            sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in plain)
            plain_differs = " OR ".join(f"t.{quote(c)} IS DISTINCT FROM s.{quote(c)}" for c in plain)
            con.execute(f"UPDATE {table} t SET {sets} FROM _ingest_stage s WHERE {match} AND ({plain_differs})")  # noqa: S608
        if fk_cols:
            sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in sorted(fk_cols))
            fk_differs = " OR ".join(f"t.{quote(c)} IS DISTINCT FROM s.{quote(c)}" for c in sorted(fk_cols))
            con.execute(f"UPDATE {table} t SET {sets} FROM _ingest_stage s WHERE {match} AND ({fk_differs})")  # noqa: S608
    return added, replaced, replaced - changed


def remove_absent(con, spec: TableSpec, allowed: list[str] | None, lang: str) -> tuple[list[Problem], int]:
    """--replace: delete the table's rows in scope (allowed compounds; None: all) that the staged file
    lacks, unless other rows still refer to them: (each such id as a problem, nothing deleted) or
    ([], how many rows were deleted)."""
    table = quote(spec.name)
    keys = ", ".join(f"t.{quote(k)}" for k in spec.primary_key)
    in_scope, params = "", {}
    if allowed is not None:
        in_scope, params = (
            f" AND list_contains($allowed::VARCHAR[], {row_compound(spec.name, 't')})",
            {"allowed": list(allowed)},
        )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _ingest_gone AS SELECT {keys} FROM {table} t "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM _ingest_stage s WHERE {key_match(spec, 't', 's')}){in_scope}",
        params,
    )
    problems = [
        problem(
            None,
            key,
            "",
            "",
            value,
            "replace_referenced",
            i18n.t("import.replace_referenced", lang, value=value, refs=refs),
        )
        for key, value, refs in still_referenced(con, spec, "_ingest_gone", lang)
    ]
    if problems:
        return problems, 0
    deleted = con.execute("SELECT count(*) FROM _ingest_gone").fetchone()[0]
    con.execute(f"DELETE FROM {table} t USING _ingest_gone g WHERE {key_match(spec, 't', 'g')}")  # noqa: S608
    return [], deleted


def new_data_version() -> str:
    """A data version no other import will produce."""
    return f"{datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"


def log_entry(result: ImportResult, user: str) -> dict:
    return dict(
        import_id=result.import_id,
        table_name=result.table,
        file_name=result.file_name,
        file_sha256=result.file_sha256,
        rows=result.rows,
        status="ok" if result.ok else "failed",
        message=result.message,
        imported_at=datetime.now().replace(microsecond=0),
        imported_by=user or "unknown",
    )


def log_attempt(con, result: ImportResult, user: str) -> None:
    db.run("import_log_insert", con, **log_entry(result, user))


def import_log(
    con: duckdb.DuckDBPyConnection | None = None, limit: int = 200, db_path: Path | str | None = None
) -> pd.DataFrame:
    """The latest import attempts, newest first: those that made a version (import_log in the data)
    and, for a versioned database at db_path, those that did not (kept in the store's history)."""
    con = con or db.connect(db_path)
    logged = db.run("import_log_recent", con, limit=limit)
    kept = store.failed_imports(db_path or store.store_of(con), limit)
    if kept.empty:
        return logged
    kept["imported_at"] = pd.to_datetime(kept["imported_at"])
    both = pd.concat([logged, kept[logged.columns]], ignore_index=True)
    return both.sort_values("imported_at", ascending=False, kind="stable").head(limit).reset_index(drop=True)


def set_as_of(
    day,
    con: duckdb.DuckDBPyConnection | None = None,
    db_path: Path | str | None = None,
    user: str = "",
    waiting: Callable[[float], None] | None = None,
) -> str:
    """Set meta.as_of, the day every figure treats as today, and give the data a new version
    (with con: in that connection; else as a new version of the data at db_path)."""
    version = new_data_version()
    if con is not None:
        db.run("import_set_as_of", con, as_of=day, data_version=version)
        return version
    with store.write(db_path or settings.db_path(), action="as_of", who=user or "unknown", waiting=waiting) as job:
        db.run("import_set_as_of", job.con, as_of=day, data_version=version)
        job.note = str(day)
    return version
