"""Delete rows named in a file of ids, all or nothing.

The file is read like an import file (CSV in any encoding the import reads, or XLSX; headers as
column names or their Chinese labels) but only the table's key columns count, so the same
spreadsheet that was imported can be given back to remove its rows. Ids that do not exist, ids
listed twice, rows outside a staff member's scope and rows other rows still refer to are each
named; a file with any of them deletes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from oversight import contracts, db, i18n, ingest, settings, store
from oversight.ingest import Problem, problem, quote


@dataclass
class DeleteResult:
    ok: bool
    table: str
    file_name: str
    rows: int = 0
    deleted: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    message: str = ""


def delete_file(
    table: str,
    path: Path | str,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    db_path: Path | str | None = None,
    sheet: str | None = None,
    lang: str = "zh",
    user: str = "",
    file_name: str | None = None,
    allowed_compounds: list[str] | None = None,
    waiting: Callable[[float], None] | None = None,
) -> DeleteResult:
    """Delete the rows of table whose ids the file lists, or nothing if any id is a problem.

    As a new version of the data at db_path (default settings.db_path()), or, with con, directly
    in that connection (one transaction). allowed_compounds limits a staff member to rows whose
    compound is theirs; None: no limit.
    """
    path = Path(path)
    result = DeleteResult(False, table, file_name or path.name)
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    if table not in contracts.BY_TABLE:
        return _fail(result, [_file_problem(t("cli.unknown_table", table=table, tables="、".join(contracts.TABLES)))])
    if allowed_compounds is not None and not contracts.contract(table).scoped:
        return _fail(result, [_file_problem(t("import.file_street_only", table=t(f"data.table_{table}")))])
    spec = ingest.table_spec(table)
    try:
        ids = _read_ids(spec, path, result.file_name, sheet, lang)
    except ingest.FileProblem as e:
        return _fail(result, [_file_problem(t(f"import.file_{e.rule}", **e.params), e.row)])
    except _MissingKey as e:
        return _fail(
            result, [_file_problem(t("delete.missing_key_column", column=ingest.column_label(e.column, lang)))]
        )
    result.rows = len(ids)
    if ids.empty:
        return _fail(result, [_file_problem(t("delete.no_rows"))])

    versioned = store.store_of(con) if con is not None else None
    if versioned is not None:
        con, db_path = None, versioned  # a version is read-only: write the next one
    if con is not None:
        con.execute("BEGIN TRANSACTION")
        try:
            _apply(con, spec, ids, result, allowed_compounds, lang)
        except Exception:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT" if result.ok else "ROLLBACK")
        return result
    try:
        with store.write(
            db_path or settings.db_path(),
            action="delete",
            who=user or "unknown",
            table_name=table,
            file_name=result.file_name,
            waiting=waiting,
        ) as job:
            _apply(job.con, spec, ids, result, allowed_compounds, lang)
            if result.ok:
                job.rows, job.note = result.deleted, result.message
            else:
                job.abort()
    except store.StoreError as e:
        return _fail(result, [_file_problem(ingest.store_message(e, lang))])
    return result


class _MissingKey(Exception):
    def __init__(self, column: str):
        super().__init__(column)
        self.column = column


def _read_ids(spec: ingest.TableSpec, path: Path, name: str, sheet: str | None, lang: str) -> pd.DataFrame:
    """The key cells of every data row: a frame of _row (as the spreadsheet numbers it) and key columns."""
    with tempfile.TemporaryDirectory(prefix="delete-") as work:
        records = list(ingest.open_records(path, name, sheet, Path(work))[1])
    if not records:
        raise ingest.FileProblem("empty")
    words = ingest.header_words(spec.name)
    header = [words.get(ingest.normalise(str(c or "").replace("\ufeff", "").strip())) for c in records[0][1]]
    where = {}
    for key in spec.primary_key:
        if key not in header:
            raise _MissingKey(key)
        where[key] = header.index(key)
    rows = []
    for row, cells in records[1:]:
        values = [str(cells[i]).strip() if i < len(cells) and cells[i] is not None else "" for i in where.values()]
        if any(values):
            rows.append([row, *values])
    return pd.DataFrame(rows, columns=["_row", *spec.primary_key])


def _key_value(spec: ingest.TableSpec, column: str) -> str:
    """SQL turning the file's text of a key column into the column's type (dates as the import reads them)."""
    text = f"nullif(trim(d.{quote(column)}), '')"
    kind = spec.column(column).type
    if kind == "DATE":
        text = f"replace({text}, '/', '-')"
        if contracts.is_month(spec.name, column):
            text = f"CASE WHEN length({text}) <= 7 THEN {text} || '-01' ELSE {text} END"
        return f"try_cast({text} AS DATE)"
    return text


def _apply(con, spec: ingest.TableSpec, ids: pd.DataFrame, result: DeleteResult, allowed, lang: str) -> None:
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    table, keys = quote(spec.name), spec.primary_key
    con.register("_delete_file", ids)
    try:
        typed = ", ".join(f"{_key_value(spec, k)} AS {quote(k)}" for k in keys)
        texts = ", ".join(f"d.{quote(k)} AS {quote('_text_' + k)}" for k in keys)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _delete_ids AS SELECT d._row, {texts}, {typed} FROM _delete_file d")  # noqa: S608
    finally:
        con.unregister("_delete_file")
    match = " AND ".join(f"t.{quote(k)} = d.{quote(k)}" for k in keys)
    last = keys[-1]
    problems: list[Problem] = []

    def add(rows, rule_text: Callable[[tuple], str]) -> None:
        for row in rows:
            problems.append(problem(row[0], last, "", "", row[1], "delete", rule_text(row)))

    shown = quote("_text_" + last)
    key_list = ", ".join(quote(k) for k in keys)
    any_null = " OR ".join(f"{quote(k)} IS NULL" for k in keys)
    all_set = " AND ".join(f"d.{quote(k)} IS NOT NULL" for k in keys)
    # Only identifiers of the schema are formatted into these statements; values are bound.
    unreadable = f"SELECT _row, {shown} FROM _delete_ids WHERE {any_null}"  # noqa: S608
    add(con.execute(unreadable).fetchall(), lambda _r: ingest.type_expectation(spec, spec.column(last), lang))
    repeated = (
        f"SELECT _row, {shown}, first_row FROM (SELECT *, min(_row) OVER (PARTITION BY {key_list}) AS first_row "  # noqa: S608
        f"FROM _delete_ids d WHERE {all_set}) WHERE _row > first_row"
    )
    add(con.execute(repeated).fetchall(), lambda r: t("delete.duplicate", row=r[2]))
    absent = (
        f"SELECT d._row, d.{shown} FROM _delete_ids d WHERE {all_set} "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {table} t WHERE {match}) ORDER BY 1"
    )
    add(con.execute(absent).fetchall(), lambda _r: t("delete.not_found"))
    if allowed is not None:
        add(
            con.execute(
                f"SELECT d._row, d.{shown} FROM _delete_ids d JOIN {table} t ON {match} "  # noqa: S608
                f"WHERE NOT list_contains($allowed::VARCHAR[], {ingest.row_compound(spec.name, 't')}) ORDER BY 1",
                {"allowed": list(allowed)},
            ).fetchall(),
            lambda _r: t("delete.expected_scope"),
        )
    key_cols = ", ".join(f"t.{quote(k)}" for k in keys)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _delete_keys AS SELECT DISTINCT {key_cols} FROM {table} t "  # noqa: S608
        f"JOIN _delete_ids d ON {match}"
    )
    first_rows = f"SELECT CAST({quote(last)} AS VARCHAR), min(_row) FROM _delete_ids GROUP BY 1"  # noqa: S608
    rows_of = dict(con.execute(first_rows).fetchall())
    for _key, value, refs in ingest.still_referenced(con, spec, "_delete_keys", lang):
        problems.append(
            problem(rows_of.get(value), last, "", "", value, "delete", t("import.expected_not_referenced", refs=refs))
        )
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        _fail(result, problems, lang)
        return
    result.deleted = con.execute("SELECT count(*) FROM _delete_keys").fetchone()[0]
    con.execute(f"DELETE FROM {table} t USING _delete_keys d WHERE {match}")  # noqa: S608
    db.run("import_set_data_version", con, data_version=ingest.new_data_version())
    result.ok = True
    result.message = t("delete.ok", table=t(f"data.table_{spec.name}"), rows=result.deleted)


def _file_problem(message: str, row: int | None = None) -> Problem:
    return problem(row, "", "", "", "", "delete", message)


def _fail(result: DeleteResult, problems: list[Problem], lang: str = "zh") -> DeleteResult:
    result.ok = False
    result.deleted = 0
    result.problems = problems[: ingest.MAX_LISTED_PROBLEMS]
    result.problem_count = len(problems)
    result.message = problems[0].line(lang) if problems else ""
    return result
