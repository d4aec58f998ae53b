"""Read, validate and load import files: all or nothing.

A file (CSV in UTF-8, UTF-8 with BOM, GBK or GB18030, or XLSX) holds one table of the import
contract. Its rows are read into a staging table of text columns, typed and checked there in
DuckDB (every row, every rule, every problem), and only a file without problems is written, in
one transaction: rows whose key exists replace the old row, new keys are added. Every attempt
is recorded in import_log; a failed attempt's log row is the only change it makes.

The rules come from schema.sql itself (types, NOT NULL, keys, references and CHECKs, read from
DuckDB's catalogue), plus the few the contract implies beyond it (points balances, points per
hour, a contribution's item belonging to its compound), named per table in oversight/contracts.py.

The package, by job: catalogue (schema.sql as the importer reads it, and the words a file may use),
read (decoding, limits, parsing and staging a file), validate (every row problem, in DuckDB),
problems (what a problem says), write (applying a checked file, the log, versions); this module
runs one attempt from file to commit.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from oversight import contracts, db, i18n, settings, store
from oversight.ingest.catalogue import (
    EXAMPLE_MARK,
    FALSE_WORDS,
    TRUE_WORDS,
    Check,
    Column,
    ForeignKey,
    TableSpec,
    code_words,
    column_label,
    header_words,
    key_match,
    normalise,
    parse_check,
    quote,
    schema,
    table_spec,
)
from oversight.ingest.problems import (
    ImportResult,
    Problem,
    check_expectation,
    code_list,
    expected_text,
    is_lock_error,
    problem,
    problems_frame,
    type_expectation,
)
from oversight.ingest.read import (
    MAX_COLUMNS,
    MAX_XLSX_RATIO,
    MIN_LEGACY_SAMPLE,
    FileProblem,
    check_header_width,
    check_xlsx_archive,
    detect_encoding,
    file_kind,
    open_records,
    sha256,
    stage_file,
)
from oversight.ingest.validate import (
    RULES,
    SCOPE_RULES,
    create_stage,
    fill_absent,
    listed_problems,
    row_compound,
    scope_column,
    scope_problems,
    still_referenced,
    validate_rows,
)
from oversight.ingest.write import (
    Progress,
    import_log,
    log_attempt,
    log_entry,
    new_data_version,
    remove_absent,
    set_as_of,
    upsert,
)

# What callers use: the import itself and the contract's pieces other modules explain or reuse.
__all__ = [
    "Check",
    "Column",
    "EXAMPLE_MARK",
    "FALSE_WORDS",
    "ForeignKey",
    "IMPORTABLE_TABLES",
    "ImportResult",
    "MAX_COLUMNS",
    "MAX_LISTED_PROBLEMS",
    "MAX_XLSX_RATIO",
    "MIN_LEGACY_SAMPLE",
    "Problem",
    "Progress",
    "REFUSED_TABLES",
    "RULES",
    "SCOPE_RULES",
    "TRUE_WORDS",
    "TableSpec",
    "FileProblem",
    "key_match",
    "normalise",
    "_norm",
    "problem",
    "quote",
    "check_expectation",
    "check_header_width",
    "check_xlsx_archive",
    "code_list",
    "code_words",
    "column_label",
    "detect_encoding",
    "file_kind",
    "open_records",
    "stage_file",
    "header_words",
    "import_file",
    "import_log",
    "is_lock_error",
    "new_data_version",
    "parse_check",
    "problems_frame",
    "row_compound",
    "schema",
    "scope_column",
    "set_as_of",
    "still_referenced",
    "store_message",
    "table_spec",
    "type_expectation",
]

_norm = normalise  # its earlier name, which tests still use

# Tables an import may never touch: the app's own bookkeeping.
REFUSED_TABLES = ("meta", "import_log", "supervision_cases", "supervision_events")
IMPORTABLE_TABLES = contracts.TABLES
# Every problem is counted; this many are listed (and kept in memory). Read at each import, so a
# test may lower it on this module.
MAX_LISTED_PROBLEMS = 1_000


def import_file(
    table: str,
    path: Path | str,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    db_path: Path | str | None = None,
    sheet: str | None = None,
    lang: str = "zh",
    user: str = "",
    file_name: str | None = None,
    progress: Progress | None = None,
    allowed_compounds: list[str] | None = None,
    replace: bool = False,
    waiting: Callable[[float], None] | None = None,
) -> ImportResult:
    """Validate the file at path as rows of table and, if it has no problem, load it all at once.

    Rows whose key exists replace the old row (columns the file leaves out keep their value);
    new keys are added; with replace, rows of the table in the importer's scope that the file
    lacks are removed. On success meta.data_version changes (when any row changed).

    By default the write is a new version of the data at db_path (settings.db_path()), made
    through store.write while dashboards keep reading; a failed attempt makes no version and is
    kept in the store's history. With con, the file is loaded into that connection directly, in
    one transaction (tests, and databases that are not versioned). lang is the language of the
    problems; progress(fraction, text) is told how far it has got; allowed_compounds (a community
    staff member's scope) refuses the whole file if any row is, or would replace a row, of another
    compound; None: no limit.
    """
    path = Path(path)
    name = file_name or path.name
    versioned = store.store_of(con) if con is not None else None
    if con is not None and versioned is None:
        return _Attempt(con, table, path, name, sheet, lang, user, progress, allowed_compounds, replace).run()
    # A connection to a version (read-only) means: write the next version of its store.
    target = Path(versioned or db_path or settings.db_path())

    def keep_attempt(result: ImportResult) -> None:
        store.record_failed_import(target, log_entry(result, user))

    try:
        with store.write(
            target, action="import", who=user or "unknown", table_name=table, file_name=name, waiting=waiting
        ) as job:
            attempt = _Attempt(job.con, table, path, name, sheet, lang, user, progress, allowed_compounds, replace)
            attempt.log = keep_attempt
            result = attempt.run()
            if result.ok and result.data_version:
                job.rows, job.note = result.added + result.replaced + result.deleted, result.message
            else:
                job.abort()  # refused, or nothing changed: no new version
                if result.ok:
                    keep_attempt(result)
    except store.StoreError as e:
        result = ImportResult(ok=False, table=table, file_name=name, import_id=uuid.uuid4().hex)
        message = store_message(e, lang)
        result.problems = [problem(None, "", "", "", "", "store", message)]
        result.problem_count, result.message = 1, message
        keep_attempt(result)
    return result


def store_message(error: store.StoreError, lang: str) -> str:
    """A store refusal (another write running, no database...) as one line in lang."""
    return i18n.t(f"store.error_{error.kind}", lang, **error.details)


class _Attempt:
    """One import attempt: its settings, its result, and the steps from file to commit."""

    def __init__(self, con, table, path: Path, file_name: str, sheet, lang, user, progress, allowed, replace):
        self.con, self.table, self.path, self.sheet, self.lang, self.user = con, table, path, sheet, lang, user
        self.started = time.monotonic()
        self.report = _monotonic(progress)
        self.result = ImportResult(ok=False, table=table, file_name=file_name, import_id=uuid.uuid4().hex)
        self.allowed_compounds: list[str] | None = allowed
        self.replace = replace
        # Where a failed attempt is recorded: import_log here, or the store's history (versioned).
        self.log: Callable[[ImportResult], None] = lambda result: log_attempt(con, result, user)

    def t(self, key: str, **fmt) -> str:
        return i18n.t(key, self.lang, **fmt)

    def fail(self, problems: list[Problem], total: int | None = None) -> ImportResult:
        """Log the failed attempt (its only change) and return it."""
        result = self.result
        result.ok = False
        result.added = result.replaced = result.unchanged = 0
        result.data_version = None
        result.problems = problems
        result.problem_count = total if total is not None else len(problems)
        first = problems[0].line(self.lang) if problems else ""
        result.message = self.t("import.log_failed", count=result.problem_count, first=first)
        result.seconds = time.monotonic() - self.started
        self.log(result)
        return result

    def file_problem(self, rule: str, row: int | None = None, **params) -> Problem:
        return problem(row, "", "", "", "", rule, self.t(f"import.file_{rule}", **params))

    def run(self) -> ImportResult:
        if self.table in REFUSED_TABLES:
            return self.fail([self.file_problem("not_allowed", table=self.table)])
        if self.table not in IMPORTABLE_TABLES:
            tables = "、".join(IMPORTABLE_TABLES)
            return self.fail([self.file_problem("unknown_table", table=self.table, tables=tables)])
        if not self.path.is_file():
            return self.fail([self.file_problem("missing", name=self.result.file_name)])
        if self.allowed_compounds is not None and not contracts.contract(self.table).scoped:
            return self.fail([self.file_problem("street_only", table=self.t(f"data.table_{self.table}"))])
        size, limit_mb = self.path.stat().st_size, settings.upload_limit_mb()
        if size > limit_mb * 1024 * 1024:
            shown = f"{size / 1024 / 1024:.1f} MB"
            return self.fail([self.file_problem("too_large", size=shown, limit=f"{limit_mb} MB")])

        self.report(0.0, self.t("import.progress_reading"))
        self.result.file_sha256 = sha256(self.path)
        try:
            with tempfile.TemporaryDirectory(prefix="ingest-") as work:
                return self.read_check_write(table_spec(self.table), Path(work))
        finally:
            for drop in (
                "DROP VIEW IF EXISTS _ingest_raw",
                "DROP TABLE IF EXISTS _ingest_raw",
                "DROP TABLE IF EXISTS _ingest_csv",
                "DROP TABLE IF EXISTS _ingest_stage",
                "DROP TABLE IF EXISTS _ingest_problems",
            ):
                try:
                    self.con.execute(drop)
                except duckdb.Error:
                    pass  # the name is a view, not a table (or the other way round)

    def read_check_write(self, spec: TableSpec, work: Path) -> ImportResult:
        con, result, lang = self.con, self.result, self.lang
        try:
            reading = self.t("import.progress_reading")
            header, rows, extra = stage_file(
                self.con,
                spec,
                self.path,
                self.result.file_name,
                self.sheet,
                work,
                MAX_LISTED_PROBLEMS,
                lambda fraction: self.report(fraction, reading),
            )
        except FileProblem as e:
            return self.fail([self.file_problem(e.rule, e.row, **e.params)])
        result.rows = rows

        def where(column: str, header_text: str) -> tuple[str, str]:
            text, letter = header.headers.get(column, ("", ""))
            return (header_text or text or (column_label(column, lang) if column else "")), letter

        head_problems = [
            problem(r, c, where(c, h)[0], letter, v, rule, expected_text(spec, rule, c, d, lang))
            for r, c, h, letter, v, rule, d in header.problems + extra
        ]
        if rows == 0:
            head_problems.append(self.file_problem("no_rows"))

        present = [c for _i, c in header.mapped]
        absent = [c for c in spec.column_names if c not in present]
        checking = self.t("import.progress_checking")
        self.report(0.5, checking)
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                create_stage(con, spec, present)
                fill_absent(con, spec, absent)
                self.report(0.55, checking)
                validate_rows(con, spec, present, lambda f: self.report(0.55 + 0.3 * f, checking))
                if self.allowed_compounds is not None:
                    scope_problems(con, spec, self.allowed_compounds)
                listed, total = listed_problems(con, spec, lang, MAX_LISTED_PROBLEMS)
                problems = head_problems + [
                    problem(row, column, *where(column, ""), value, rule, expected)
                    for row, column, value, rule, expected in listed
                ]
                if problems:
                    con.execute("ROLLBACK")
                    return self.fail(problems[:MAX_LISTED_PROBLEMS], len(head_problems) + extra.dropped + total)
                if self.replace:
                    gone_problems, result.deleted = remove_absent(con, spec, self.allowed_compounds, lang)
                    if gone_problems:
                        con.execute("ROLLBACK")
                        return self.fail(gone_problems[:MAX_LISTED_PROBLEMS], len(gone_problems))
                self.report(0.85, self.t("import.progress_writing", done=0, total=rows))
                added, replaced, unchanged = upsert(con, spec, rows, self.report, lang)
                if added or replaced - unchanged or result.deleted:
                    result.data_version = new_data_version()
                    db.run("import_set_data_version", con, data_version=result.data_version)
                result.ok = True
                result.added, result.replaced, result.unchanged = added, replaced, unchanged
                result.message = self.t("import.log_ok", added=added, replaced=replaced, unchanged=unchanged)
                if result.deleted:
                    result.message += self.t("import.log_deleted", deleted=result.deleted)
                result.seconds = time.monotonic() - self.started
                log_attempt(con, result, self.user)
                self.report(0.97, self.t("import.progress_committing"))
                con.execute("COMMIT")
            except Exception:
                _rollback(con)
                raise
        except duckdb.Error as e:
            # A rule the checks above missed, or another import committed first: nothing was written.
            return self.fail([problem(None, "", "", "", "", "database", self.t("import.file_database", error=str(e)))])
        self.report(1.0, self.t("import.progress_done"))
        return result


def _monotonic(progress: Progress | None) -> Progress:
    """progress, never going backwards and never above 1 (a progress bar's contract)."""
    state = {"at": 0.0}

    def report(fraction: float, text: str) -> None:
        state["at"] = min(1.0, max(state["at"], round(fraction, 4)))
        if progress:
            progress(state["at"], text)

    return report


def _rollback(con) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # no transaction was open
