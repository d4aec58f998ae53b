"""Read, validate and load import files: all or nothing.

A file (CSV in UTF-8, UTF-8 with BOM, GBK or GB18030, or XLSX) holds one table of the import
contract. Its rows are read into a staging table of text columns, typed and checked there in
DuckDB (every row, every rule, every problem), and only a file without problems is written, in
one transaction: rows whose key exists replace the old row, new keys are added. Every attempt
is recorded in import_log; a failed attempt's log row is the only change it makes.

The rules come from schema.sql itself (types, NOT NULL, keys, references and CHECKs, read from
DuckDB's catalogue), plus the few the contract implies beyond it (points balances, points per
hour, a contribution's item belonging to its compound).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import tempfile
import time
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from oversight import contracts, db, i18n, settings, store

Progress = Callable[[float, str], None]

# Tables an import may never touch: the app's own bookkeeping.
REFUSED_TABLES = ("meta", "import_log", "supervision_cases", "supervision_events")
IMPORTABLE_TABLES = contracts.TABLES

MAX_LISTED_PROBLEMS = 1_000  # every problem is counted; this many are listed (and kept in memory)
MAX_COLUMNS = 200  # the widest table has 16 columns: a wider header is refused before any row is read
MAX_XLSX_RATIO = 100  # unpacked / packed size: real sheets stay below 20, a zip bomb far above
MIN_LEGACY_SAMPLE = 20  # non-ASCII characters needed before an encoding is judged by them
_BATCH_ROWS = 50_000  # rows staged per batch while reading
_WRITE_BATCH_ROWS = 200_000  # rows inserted per statement (progress between them)
_BLANKS = " \t\r\n\u3000\u00a0"
# The templates' example row starts with this mark, so it can never be imported as data.
EXAMPLE_MARK = "【示例】"
TRUE_WORDS = ("是", "true", "1", "yes", "y", "t")
FALSE_WORDS = ("否", "false", "0", "no", "n", "f")


# --------------------------------------------------------------------------------------------
# The contract, read from schema.sql
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One CHECK constraint: its kind, the column a problem is reported on, and its parameters."""

    kind: str  # enum, range, after, requires, equiv, first_of_month, masked, pattern, other
    column: str
    expression: str
    other: str | None = None  # the second column of after / requires / equiv
    values: tuple[str, ...] = ()  # enum codes; equiv: (number, code); pattern: (regex,)
    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # VARCHAR, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, BOOLEAN
    not_null: bool
    default: str | None

    @property
    def required(self) -> bool:
        """A file must have this column: NOT NULL without a default."""
        return self.not_null and self.default is None


@dataclass(frozen=True)
class ForeignKey:
    table: str  # the referencing table
    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    checks: tuple[Check, ...]
    referenced_by: tuple[ForeignKey, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def checks_on(self, column: str) -> list[Check]:
        return [c for c in self.checks if c.column == column]

    def enum(self, column: str) -> tuple[str, ...] | None:
        return next((c.values for c in self.checks if c.kind == "enum" and c.column == column), None)


_ID = r'"?(\w+)"?'
_NUM = r"(-?\d+(?:\.\d+)?)"
_PATTERNS = [
    ("enum", re.compile(rf"^\({_ID} IN \((.*)\)\)$")),
    ("between", re.compile(rf"^\({_ID} BETWEEN {_NUM} AND {_NUM}\)$")),
    ("compare", re.compile(rf"^\({_ID} (>=|>|<=|<) {_NUM}\)$")),
    ("compare2", re.compile(rf"^\(\({_ID} (>=|>|<=|<) {_NUM}\) AND \({_ID} (>=|>|<=|<) {_NUM}\)\)$")),
    ("after", re.compile(rf"^\({_ID} >= {_ID}\)$")),
    ("requires", re.compile(rf"^\(\({_ID} IS NULL\) OR \({_ID} IS NOT NULL\)\)$")),
    ("equiv", re.compile(rf"^\(\({_ID} = {_NUM}\) = \({_ID} = '(\w+)'\)\)$")),
    ("first_of_month", re.compile(rf'^\("?day"?\({_ID}\) = 1\)$')),
    ("masked", re.compile(rf"^contains\({_ID}, '\*'\)$")),
    ("pattern", re.compile(rf"^\(\({_ID} IS NULL\) OR regexp_full_match\({_ID}, '(.*)'\)\)$")),
]


def _bound(check: dict, op: str, number: str) -> None:
    if op.startswith(">"):
        check.update(low=float(number), low_inclusive=op == ">=")
    else:
        check.update(high=float(number), high_inclusive=op == "<=")


def parse_check(expression: str, columns: list[str]) -> Check:
    """Describe a CHECK expression as one of the kinds the importer explains in words."""
    for kind, pattern in _PATTERNS:
        m = pattern.match(expression)
        if not m:
            continue
        g = m.groups()
        if kind == "enum":
            return Check("enum", g[0], expression, values=tuple(re.findall(r"'([^']*)'", g[1])))
        if kind == "between":
            return Check("range", g[0], expression, low=float(g[1]), high=float(g[2]))
        if kind == "compare":
            spec: dict = {}
            _bound(spec, g[1], g[2])
            return Check("range", g[0], expression, **spec)
        if kind == "compare2" and g[0] == g[3]:
            spec = {}
            _bound(spec, g[1], g[2])
            _bound(spec, g[4], g[5])
            return Check("range", g[0], expression, **spec)
        if kind == "after":
            return Check("after", g[0], expression, other=g[1])
        if kind == "requires":
            # "b must be filled when a is": the problem is the missing b.
            return Check("requires", g[1], expression, other=g[0])
        if kind == "equiv":
            return Check("equiv", g[0], expression, other=g[2], values=(g[1], g[3]))
        if kind == "first_of_month":
            return Check("first_of_month", g[0], expression)
        if kind == "masked":
            return Check("masked", g[0], expression)
        if kind == "pattern" and g[0] == g[1]:
            return Check("pattern", g[0], expression, values=(g[2],))
    return Check("other", columns[0], expression)


@lru_cache(maxsize=1)
def schema() -> dict[str, TableSpec]:
    """Every table of schema.sql as a TableSpec, read from DuckDB's catalogue of a scratch database."""
    con = duckdb.connect()
    try:
        db.create_schema(con)
        cols = con.execute(
            "SELECT table_name, column_name, data_type, NOT is_nullable, column_default "
            "FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY table_name, column_index"
        ).fetchall()
        cons = con.execute(
            "SELECT table_name, constraint_type, expression, constraint_column_names, referenced_table, "
            "referenced_column_names FROM duckdb_constraints() WHERE schema_name = 'main' "
            "ORDER BY table_name, constraint_index"
        ).fetchall()
    finally:
        con.close()
    columns: dict[str, list[Column]] = {}
    for table, name, dtype, not_null, default in cols:
        columns.setdefault(table, []).append(Column(name, dtype, bool(not_null), default))
    pks: dict[str, tuple[str, ...]] = {}
    fks: dict[str, list[ForeignKey]] = {}
    checks: dict[str, list[Check]] = {}
    for table, kind, expression, names, ref_table, ref_names in cons:
        if kind == "PRIMARY KEY":
            pks[table] = tuple(names)
        elif kind == "FOREIGN KEY":
            if len(names) != 1:
                raise NotImplementedError(f"composite foreign key on {table}")
            fks.setdefault(table, []).append(ForeignKey(table, names[0], ref_table, ref_names[0]))
        elif kind == "CHECK":
            checks.setdefault(table, []).append(parse_check(expression, list(names)))
    specs = {}
    for table, table_columns in columns.items():
        referenced_by = tuple(fk for fk_list in fks.values() for fk in fk_list if fk.ref_table == table)
        specs[table] = TableSpec(
            table,
            tuple(table_columns),
            pks.get(table, ()),
            tuple(fks.get(table, [])),
            tuple(checks.get(table, [])),
            referenced_by,
        )
    return specs


def table_spec(table: str) -> TableSpec:
    """The contract of one table (KeyError for a name that is not a table)."""
    return schema()[table]


def code_words(table: str, column: str) -> dict[str, str]:
    """What a file may write for a coded column -> the code: the code itself, its zh and en labels."""
    spec = table_spec(table)
    codes = list(spec.enum(column) or ())
    section = contracts.code_section(table, column)
    words: dict[str, str] = {}
    for lang in i18n.LANGUAGES:
        if not section:
            break
        prefix = f"{section}."
        for key, text in i18n.strings(lang).items():
            if key.startswith(prefix):
                code = key[len(prefix) :]
                if not codes or code in codes:
                    words.setdefault(text.strip().lower(), code)
    for code in codes:
        words[code.lower()] = code
    return words


def _norm(text: str) -> str:
    """A header or label compared loosely: NFKC (full-width brackets), no spaces, lower case."""
    text = unicodedata.normalize("NFKC", str(text)).strip().rstrip("*").strip()
    return re.sub(r"\s+", "", text).lower()


def header_words(table: str) -> dict[str, str]:
    """Every header a file may use for a column of table -> the column name."""
    words: dict[str, str] = {}
    for col in table_spec(table).columns:
        words[_norm(col.name)] = col.name
        for lang in ("zh", "en"):
            label = i18n.strings(lang).get(f"col.{col.name}")
            if label:
                words.setdefault(_norm(label), col.name)
    return words


def column_label(column: str, lang: str) -> str:
    return i18n.strings(lang).get(f"col.{column}", column)


# --------------------------------------------------------------------------------------------
# Problems and results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing to fix: where (row as a spreadsheet shows it, header = row 1; None = the whole
    file), the column, the value found and what was expected, in the UI language."""

    row: int | None
    column: str  # the contract column, or the file's header for a column the contract lacks
    header: str  # the column as the file calls it (its label when the file lacks it)
    letter: str  # the spreadsheet column letter, "" when the file lacks the column
    value: str
    expected: str
    rule: str

    def line(self, lang: str = "zh") -> str:
        """The problem as one line of text."""
        if self.row is None:
            return i18n.t(
                "import.problem_line_file", lang, where=i18n.t("import.where_file", lang), message=self.expected
            )
        elif not self.header and self.letter:
            where = i18n.t("import.where_letter", lang, row=self.row, letter=self.letter)
        elif not self.header:
            where = i18n.t("import.where_row", lang, row=self.row)
        else:
            col = self.header if _norm(self.header) == _norm(self.column) else f"{self.header} ({self.column})"
            label = i18n.t(f"col.{self.column}", lang)
            if _norm(self.header) == _norm(self.column) and label != f"col.{self.column}" and lang == "zh":
                col = f"{self.header}（{label}）"  # an English header still gets its Chinese name
            key = "import.where_cell" if self.letter else "import.where_column"
            where = i18n.t(key, lang, row=self.row, letter=self.letter, column=col)
        if self.value:
            return i18n.t("import.problem_line", lang, where=where, value=self.value, expected=self.expected)
        return i18n.t("import.problem_line_empty", lang, where=where, expected=self.expected)


@dataclass
class ImportResult:
    """What an import did: ok with added/replaced counts, or the problems that stopped it."""

    ok: bool
    table: str
    file_name: str
    file_sha256: str = ""
    rows: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0  # of the replaced rows, those identical to what was there
    deleted: int = 0  # rows a --replace import removed (in scope, absent from the file)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    import_id: str = ""
    data_version: str | None = None
    message: str = ""
    seconds: float = 0.0


def is_lock_error(error: BaseException) -> bool:
    """Whether opening the database failed because another process (the dashboard) holds it."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def _field_label(column: str, lang: str) -> str:
    label = i18n.t(f"col.{column}", lang)
    return column if label == f"col.{column}" or not column else f"{label}（{column}）" if lang == "zh" else label


def problems_frame(problems: list[Problem], lang: str = "zh") -> pd.DataFrame:
    """The problems as a table to show and download, with headers in lang."""
    return pd.DataFrame(
        {
            i18n.t("import.th_row", lang): [p.row if p.row is not None else "" for p in problems],
            i18n.t("import.th_column", lang): [
                (f"{p.letter} " if p.letter else "") + (p.header or "") for p in problems
            ],
            i18n.t("import.th_field", lang): [_field_label(p.column, lang) for p in problems],
            i18n.t("import.th_value", lang): [p.value for p in problems],
            i18n.t("import.th_expected", lang): [p.expected for p in problems],
        }
    )


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


class _Capped(list):
    """A problem list that keeps the first MAX_LISTED_PROBLEMS and counts the rest."""

    dropped = 0

    def append(self, item) -> None:
        if len(self) < MAX_LISTED_PROBLEMS:
            super().append(item)
        else:
            self.dropped += 1

    def clear(self) -> None:
        super().clear()
        self.dropped = 0


class _FileProblem(Exception):
    def __init__(self, rule: str, row: int | None = None, **params):
        super().__init__(rule)
        self.rule, self.row, self.params = rule, row, params


def file_kind(name: str, path: Path) -> str:
    """csv or xlsx, by the name's ending, else by the file's first bytes; xls is refused."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".xls":
        raise _FileProblem("xls", ext=".xls")
    if suffix in (".csv", ".txt"):
        return "csv"
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _FileProblem("xls", ext=".xls")
    return "csv"


def detect_encoding(path: Path) -> str:
    """utf-8-sig if the whole file decodes strictly as UTF-8, else gb18030 (a superset of GBK).

    A NUL byte is refused (with its line), and so is text that decodes as GB18030 only by accident:
    Big5 (traditional Chinese) and Shift-JIS (Japanese) files would otherwise be stored as garbage.
    """
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise _FileProblem("encoding")
        f.seek(0)
        _refuse_nul(f)
        for encoding in ("utf-8-sig", "gb18030"):
            decoder = codecs.getincrementaldecoder(encoding)("strict")
            sample: list[str] = []
            try:
                while chunk := f.read(1 << 20):
                    text = decoder.decode(chunk)
                    if len(sample) < 4:
                        sample.append(text)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                f.seek(0)
                continue
            if encoding == "gb18030":
                _refuse_legacy("".join(sample))
            return encoding
    raise _FileProblem("encoding")


def _refuse_nul(f) -> None:
    """A NUL byte (never in UTF-8 or GB18030 text; UTF-16 is refused before) names its line."""
    line = 1
    while chunk := f.read(1 << 20):
        at = chunk.find(b"\x00")
        if at >= 0:
            raise _FileProblem("nul", line + chunk.count(b"\n", 0, at))
        line += chunk.count(b"\n")
    f.seek(0)


def _refuse_legacy(text: str) -> None:
    """Big5 or Shift-JIS read as GB18030: most of its characters fall outside GB2312, where nearly
    every character of simplified Chinese text lies."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if len(wide) < MIN_LEGACY_SAMPLE:
        return
    common = {ch: _in_gb2312(ch) for ch in set(wide)}
    if sum(common[ch] for ch in wide) / len(wide) >= 0.9:
        return
    raw = text.encode("gb18030")
    for name, codec in (("Big5", "big5"), ("Shift-JIS", "shift_jis")):
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        raise _FileProblem("encoding_legacy", encoding=name)
    raise _FileProblem("encoding")


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def check_xlsx_archive(path: Path) -> None:
    """Refuse an XLSX whose unpacked size or compression ratio is out of bounds, from the zip's
    directory alone, before openpyxl inflates anything (a 430 KB file can unpack to 147 MB)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise _FileProblem("xlsx_unreadable", error=str(e)) from e
    unpacked = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    limit_mb = settings.xlsx_unpacked_limit_mb()
    # Each member on its own too: an incompressible padding member must not hide a bomb beside it.
    worst = max((m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1024 * 1024), default=0)
    if unpacked > limit_mb * 1024 * 1024 or max(unpacked / packed, worst) > MAX_XLSX_RATIO:
        raise _FileProblem(
            "xlsx_too_big", size=f"{unpacked / 1024 / 1024:.0f} MB", limit=f"{limit_mb} MB", ratio=MAX_XLSX_RATIO
        )


def check_header_width(cells: list) -> list:
    """The header row, refused when wider than MAX_COLUMNS; trailing blank cells past it are cut."""
    if len(cells) <= MAX_COLUMNS:
        return cells
    width = len(cells)
    while width and (cells[width - 1] is None or not str(cells[width - 1]).strip()):
        width -= 1
    if width > MAX_COLUMNS:
        raise _FileProblem("too_wide", columns=width, limit=MAX_COLUMNS)
    return cells[:width]


def _csv_records(path: Path, encoding: str, progress: Callable[[float], None]) -> Iterator[tuple[int, list]]:
    """(spreadsheet row, cells) for every record; the header is row 1, a quoted line break stays in its row."""
    size = max(path.stat().st_size, 1)
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        delimiter = _delimiter(text.readline())
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        row = 0
        try:
            for record in reader:
                row += 1
                if row % _BATCH_ROWS == 0:
                    progress(raw.tell() / size)
                yield row, record
        except csv.Error as e:
            raise _FileProblem("csv_error", row + 1, error=str(e)) from e


def _delimiter(first_line: str) -> str:
    return max((",", "\t", ";"), key=first_line.count) if first_line else ","


def _utf8_copy(path: Path, encoding: str, directory: Path) -> Path:
    """The file re-encoded as UTF-8 (DuckDB reads UTF-8 only); path itself when it already is."""
    if encoding == "utf-8-sig":
        return path
    out = directory / "utf8.csv"
    with open(path, encoding=encoding, newline="") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    return out


def _physical_lines(path: Path) -> int:
    count, last = 0, b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (1 if last and last != b"\n" else 0)


def _stage_csv_fast(con, source: Path, header_cells: list, header: _Header, problems: list[tuple]) -> int | None:
    """Stage a UTF-8 CSV with DuckDB's reader. Its rows are numbered by position, which is what a
    spreadsheet shows only when every record is one line: otherwise (blank lines, line breaks
    inside cells, cells beyond the last header, malformed quoting) None, and the exact reader runs."""
    with open(source, encoding="utf-8-sig", newline="") as f:
        delimiter = _delimiter(f.readline())
        f.seek(0)
        reader = csv.reader(f, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        next(reader, None)
        if reader.line_num != 1:
            return None
    fields = [f"_f{i}" for i in range(len(header_cells))]
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in fields)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _ingest_csv AS SELECT * FROM read_csv($path, columns = {{{columns}}}, "  # noqa: S608
            "header = false, skip = 1, delim = $delim, quote = '\"', escape = '\"', null_padding = true, "
            "strict_mode = true, auto_detect = false)",
            {"path": str(source), "delim": delimiter},
        )
    except duckdb.Error:
        return None
    records = con.execute("SELECT count(*) FROM _ingest_csv").fetchone()[0]
    if records != _physical_lines(source) - 1:
        con.execute("DROP TABLE _ingest_csv")
        return None
    # Cells under a blank trailing header: the exact reader's "beyond the headers" problem.
    for i in range(header.width, len(header_cells)):
        for row, value in con.execute(
            f"SELECT rowid + 2, _f{i} FROM _ingest_csv WHERE nullif(trim(_f{i}), '') IS NOT NULL"  # noqa: S608
        ).fetchall():
            problems.append((row, "", "", _column_letter(i), value, "extra_cells", None))
    picked = ", ".join(["rowid + 2 AS _row"] + [f"_f{i} AS {_raw(column)}" for i, column in header.mapped])
    not_blank = f"coalesce({', '.join(fields)}) IS NOT NULL"
    con.execute(f"CREATE OR REPLACE TEMP VIEW _ingest_raw AS SELECT {picked} FROM _ingest_csv WHERE {not_blank}")  # noqa: S608
    return con.execute("SELECT count(*) FROM _ingest_raw").fetchone()[0]


def _xlsx_cell(value) -> str | None:
    """An XLSX cell as the text a CSV of it would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == clock_time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _xlsx_records(path: Path, sheet: str | None, progress: Callable[[float], None]) -> Iterator[tuple[int, list]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_archive(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as e:
        raise _FileProblem("xlsx_unreadable", error=str(e)) from e
    except Exception as e:  # a corrupt zip raises zipfile.BadZipFile, among others
        raise _FileProblem("xlsx_unreadable", error=str(e)) from e
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise _FileProblem("sheet_missing", sheet=sheet, sheets="、".join(book.sheetnames))
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        total = ws.max_row or 0
        rows = ws.iter_rows(values_only=True)
        n = 0
        while True:
            try:
                values = next(rows, None)
            except Exception as e:  # broken sheet XML (a NUL reference, say) surfaces only while reading
                raise _FileProblem("xlsx_unreadable", n + 1, error=type(e).__name__) from e
            if values is None:
                break
            n += 1
            if total and n % _BATCH_ROWS == 0:
                progress(n / total)
            cells = [_xlsx_cell(v) for v in values]
            if any(c is not None and "\x00" in c for c in cells):
                raise _FileProblem("nul", n)
            yield n, cells
    finally:
        book.close()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class _Header:
    """How the file's columns map onto the contract."""

    mapped: list[tuple[int, str]]  # (file column index, contract column)
    headers: dict[str, tuple[str, str]]  # contract column -> (header text, letter)
    problems: list[tuple]  # (row, column, header, letter, value, rule, detail)
    width: int


def _map_header(spec: TableSpec, cells: list) -> _Header:
    words = header_words(spec.name)
    mapped: list[tuple[int, str]] = []
    headers: dict[str, tuple[str, str]] = {}
    problems: list[tuple] = []
    width = len(cells)
    while width and (cells[width - 1] is None or not str(cells[width - 1]).strip()):
        width -= 1
    for i, cell in enumerate(cells[:width]):
        text = "" if cell is None else str(cell).replace("\ufeff", "").strip()
        letter = _column_letter(i)
        if not text:
            problems.append((1, "", "", letter, "", "blank_header", None))
            continue
        column = words.get(_norm(text))
        if column is None:
            problems.append((1, text, text, letter, text, "unknown_column", None))
        elif column in headers:
            problems.append((1, column, text, letter, text, "duplicate_column", headers[column][0]))
        else:
            headers[column] = (text, letter)
            mapped.append((i, column))
    for col in spec.columns:
        if col.required and col.name not in headers:
            problems.append((1, col.name, "", "", "", "missing_column", None))
    return _Header(mapped, headers, problems, width)


def _stage_rows(
    con: duckdb.DuckDBPyConnection,
    header: _Header,
    records: Iterator[tuple[int, list]],
    problems: list[tuple],
) -> int:
    """Copy the data rows into the temp table _ingest_raw in batches; return how many there were."""
    names = [column for _i, column in header.mapped]
    columns = ", ".join(f"{_raw(n)} VARCHAR" for n in names)
    # Only the contract's own column names (quoted) are formatted in; the rows come through a bound insert.
    con.execute(f"CREATE OR REPLACE TEMP TABLE _ingest_raw (_row BIGINT{', ' + columns if columns else ''})")  # noqa: S608
    indices = [i for i, _c in header.mapped]
    width = header.width
    rows = 0
    batch: list[list] = []
    numbers: list[int] = []

    def flush() -> None:
        if not numbers:
            return
        data = {"_row": pa.array(numbers, pa.int64())}
        for i, name in zip(indices, names, strict=True):
            data[f"_raw_{name}"] = pa.array([r[i] if i < len(r) else None for r in batch], pa.string())
        con.register("_ingest_batch", pa.table(data))
        try:
            con.execute("INSERT INTO _ingest_raw SELECT * FROM _ingest_batch")
        finally:
            con.unregister("_ingest_batch")
        batch.clear()
        numbers.clear()

    for row, cells in records:
        if not any(cells):
            continue
        if len(cells) > width and any(c is not None and str(c).strip() for c in cells[width:]):
            extra = next(j for j in range(width, len(cells)) if cells[j] is not None and str(cells[j]).strip())
            problems.append((row, "", "", _column_letter(extra), str(cells[extra]), "extra_cells", None))
        rows += 1
        numbers.append(row)
        batch.append(cells)
        if len(numbers) >= _BATCH_ROWS:
            flush()
    flush()
    return rows


# --------------------------------------------------------------------------------------------
# Validation in DuckDB
# --------------------------------------------------------------------------------------------


def _q(identifier: str) -> str:
    """A schema identifier, quoted; anything else is refused."""
    if not re.fullmatch(r"\w+", identifier):
        raise ValueError(f"not an identifier: {identifier!r}")
    return f'"{identifier}"'


def _raw(column: str) -> str:
    return _q(f"_raw_{column}")


class _Params:
    """Named parameters collected while a statement is built."""

    def __init__(self):
        self.values: dict[str, object] = {}

    def __call__(self, value) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def _text_of(column: str) -> str:
    """The trimmed text of a present column in the stage's inner projection (NULL when blank)."""
    return _q(f"_v_{column}")


def _typed_expression(spec: TableSpec, col: Column, p: _Params) -> str:
    """SQL turning the column's trimmed text into its schema type; NULL where the text does not fit."""
    v = _text_of(col.name)
    t = col.type
    if t == "VARCHAR":
        words = code_words(spec.name, col.name)
        if words:
            return (
                f"coalesce(list_extract({p(list(words.values()))}::VARCHAR[], "
                f"list_position({p(list(words))}::VARCHAR[], lower({v}))), {v})"
            )
        return v
    if t == "BOOLEAN":
        return (
            f"CASE WHEN list_contains({p(list(TRUE_WORDS))}::VARCHAR[], lower({v})) THEN true "
            f"WHEN list_contains({p(list(FALSE_WORDS))}::VARCHAR[], lower({v})) THEN false END"
        )
    if t in ("INTEGER", "BIGINT", "DOUBLE") or _DECIMAL.fullmatch(t):
        # Thousands separators (1,050,000) are how Excel shows money; drop them.
        n = (
            f"CASE WHEN contains({v}, ',') AND regexp_full_match({v}, '[+-]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') "
            f"THEN replace({v}, ',', '') ELSE {v} END"
        )
        d = f"try_cast({n} AS DOUBLE)"
        if t == "DOUBLE":
            return f"CASE WHEN isfinite({d}) THEN {d} END"
        if t in ("INTEGER", "BIGINT"):
            limit = 2**31 - 1 if t == "INTEGER" else 2**53
            return f"CASE WHEN isfinite({d}) AND {d} = trunc({d}) AND abs({d}) <= {limit} THEN {d}::{t} END"
        precision, scale = (int(x) for x in _DECIMAL.fullmatch(t).groups())
        return (
            f"CASE WHEN isfinite({d}) AND round({d}, {scale}) = {d} AND abs({d}) < {10 ** (precision - scale)} "
            f"THEN coalesce(try_cast({n} AS {t}), {d}::{t}) END"
        )
    day = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    iso = f"regexp_replace({v}, '^{day}', '\\1-\\2-\\3')"
    # The usual spelling (2023-09-30, 2023-09-30 14:05:00) takes the fast path; others are respelled.
    strict_day = r"\d{4}-\d{2}-\d{2}"
    if t == "DATE":
        expr = (
            f"WHEN regexp_full_match({v}, '{strict_day}') THEN try_cast({v} AS DATE) "
            f"WHEN regexp_full_match({v}, '{day}( 0?0:00(:00)?)?') THEN try_cast(split_part({iso}, ' ', 1) AS DATE)"
        )
        if contracts.is_month(spec.name, col.name):
            expr += (
                f" WHEN regexp_full_match({v}, '\\d{{4}}[-/.]\\d{{1,2}}') "
                f"THEN try_cast(regexp_replace({v}, '^(\\d{{4}})[-/.](\\d{{1,2}})$', '\\1-\\2-01') AS DATE)"
            )
        return f"CASE {expr} END"
    if t == "TIMESTAMP":
        strict = f"{strict_day}( \\d{{2}}:\\d{{2}}(:\\d{{2}})?)?"
        loose = f"{day}([ T]\\d{{1,2}}:\\d{{2}}(:\\d{{2}}(\\.\\d{{1,6}})?)?)?"
        return (
            f"CASE WHEN regexp_full_match({v}, '{strict}') THEN try_cast({v} AS TIMESTAMP) "
            f"WHEN regexp_full_match({v}, '{loose}') THEN try_cast({iso} AS TIMESTAMP) END"
        )
    raise NotImplementedError(f"column type {t}")


def _key_match(spec: TableSpec, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{_q(k)} = {right}.{_q(k)}" for k in spec.primary_key)


def _create_stage(con, spec: TableSpec, present: list[str]) -> None:
    """_ingest_stage: _row, every column typed (absent ones NULL or their default), and the raw text
    of present ones. The trimmed text is worked out once, in an inner projection."""
    p = _Params()
    inner = ["_row"] + [f"{_raw(c)}, nullif(trim({_raw(c)}, {p(_BLANKS)}), '') AS {_text_of(c)}" for c in present]
    parts = ["_row"]
    numeric_default = re.compile(r"-?\d+(\.\d+)?")
    for col in spec.columns:
        has_default = col.default is not None and numeric_default.fullmatch(col.default)
        if col.name in present:
            typed = _typed_expression(spec, col, p)
            if has_default:
                typed = f"CASE WHEN {_text_of(col.name)} IS NULL THEN {col.default}::{col.type} ELSE {typed} END"
            parts.append(f"({typed})::{col.type} AS {_q(col.name)}")
            parts.append(_raw(col.name))
        elif has_default:
            parts.append(f"{col.default}::{col.type} AS {_q(col.name)}")
        else:
            parts.append(f"NULL::{col.type} AS {_q(col.name)}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _ingest_stage AS SELECT {', '.join(parts)} "  # noqa: S608
        f"FROM (SELECT {', '.join(inner)} FROM _ingest_raw)",
        p.values,
    )


def _fill_absent(con, spec: TableSpec, absent: list[str]) -> None:
    """Columns the file leaves out keep, for rows that replace an existing one, the current value."""
    if not absent or not spec.primary_key:
        return
    sets = ", ".join(f"{_q(c)} = t.{_q(c)}" for c in absent)
    con.execute(
        f"UPDATE _ingest_stage s SET {sets} FROM {_q(spec.name)} t WHERE {_key_match(spec, 't', 's')}"  # noqa: S608
    )


def _insert_problems(con, select_sql: str, params: dict | None = None) -> None:
    """select_sql yields (_row, col, value, rule, detail)."""
    con.execute(f"INSERT INTO _ingest_problems {select_sql}", params or {})  # noqa: S608 - callers' SQL, values bound


def _text(expr: str) -> str:
    return f"CAST({expr} AS VARCHAR)"


def _qualified(expr: str, alias: str) -> str:
    """raw_or_typed's expression with its column qualified by alias, for queries that join the table
    itself (a column the file lacks has the same name on both sides: "ambiguous reference")."""
    match = re.fullmatch(r'CAST\(("[^"]+")\ AS VARCHAR\)', expr)
    return f"CAST({alias}.{match.group(1)} AS VARCHAR)" if match else f"{alias}.{expr}"


def _validate(con, spec: TableSpec, present: list[str], step: Callable[[float], None]) -> None:
    """Fill _ingest_problems with every row problem of _ingest_stage (step(fraction) after each part)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _ingest_problems "
        "(_row BIGINT, col VARCHAR, value VARCHAR, rule VARCHAR, detail VARCHAR)"
    )
    table = _q(spec.name)
    raw_or_typed = {c: (_raw(c) if c in present else _text(_q(c))) for c in spec.column_names}

    # The template's example row, left in: named once, its other problems left out.
    if present:
        marked = " UNION ALL ".join(
            f"SELECT _row, '{c}' AS col, {_raw(c)} AS value FROM _ingest_stage "  # noqa: S608
            f"WHERE starts_with(trim({_raw(c)}), $mark)"
            for c in present
        )
        _insert_problems(
            con,
            f"SELECT _row, col, value, 'example_row', NULL FROM ({marked}) "  # noqa: S608
            "QUALIFY row_number() OVER (PARTITION BY _row) = 1",
            {"mark": EXAMPLE_MARK},
        )

    # Types, then required cells.
    parts = []
    for col in spec.columns:
        if col.name not in present:
            continue
        raw = _raw(col.name)
        parts.append(
            f"SELECT _row, '{col.name}', {raw}, 'type', NULL FROM _ingest_stage "  # noqa: S608
            f"WHERE {_q(col.name)} IS NULL AND nullif(trim({raw}, $blanks), '') IS NOT NULL"
        )
        if col.not_null:
            parts.append(
                f"SELECT _row, '{col.name}', NULL, 'required', NULL FROM _ingest_stage "  # noqa: S608
                f"WHERE nullif(trim({raw}, $blanks), '') IS NULL AND {_q(col.name)} IS NULL"
            )
    if parts:
        _insert_problems(con, " UNION ALL ".join(parts), {"blanks": _BLANKS})
    step(0.3)

    # Every CHECK of the schema, evaluated on the typed values exactly as DuckDB would.
    for index, check in enumerate(spec.checks):
        detail = "NULL"
        if check.kind in ("after", "equiv") and check.other:
            detail = _text(_q(check.other))
        _insert_problems(
            con,
            f"SELECT _row, '{check.column}', {raw_or_typed[check.column]}, 'check:{index}', {detail} "  # noqa: S608
            f"FROM _ingest_stage WHERE NOT ({check.expression})",
        )

    step(0.6)

    # Keys repeated inside the file.
    if spec.primary_key:
        keys = ", ".join(_q(k) for k in spec.primary_key)
        first_key = spec.primary_key[-1] if len(spec.primary_key) > 1 else spec.primary_key[0]
        not_null = " AND ".join(f"{_q(k)} IS NOT NULL" for k in spec.primary_key)
        _insert_problems(
            con,
            f"SELECT _row, '{first_key}', {raw_or_typed[first_key]}, 'duplicate', CAST(first_row AS VARCHAR) "  # noqa: S608
            f"FROM (SELECT *, min(_row) OVER (PARTITION BY {keys}) AS first_row FROM _ingest_stage WHERE {not_null}) "
            f"WHERE _row > first_row",
        )

    # References: to rows in the database, or in this file when the table refers to itself.
    for fk in spec.foreign_keys:
        col, ref, ref_col = _q(fk.column), _q(fk.ref_table), _q(fk.ref_column)
        in_file = ""
        if fk.ref_table == spec.name:
            in_file = f" AND NOT EXISTS (SELECT 1 FROM _ingest_stage f WHERE f.{ref_col} = s.{col})"  # noqa: S608
        _insert_problems(
            con,
            f"SELECT _row, '{fk.column}', {raw_or_typed[fk.column]}, 'reference', NULL FROM _ingest_stage s "  # noqa: S608
            f"WHERE s.{col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {ref} r WHERE r.{ref_col} = s.{col}){in_file}",
        )

    # DuckDB cannot change a referencing column of a row that other rows refer to.
    if spec.referenced_by and spec.primary_key:
        referenced = " OR ".join(
            f"EXISTS (SELECT 1 FROM {_q(fk.table)} c WHERE c.{_q(fk.column)} = t.{_q(fk.ref_column)})"  # noqa: S608
            for fk in spec.referenced_by
        )
        for fk in spec.foreign_keys:
            if fk.column in spec.primary_key:
                continue
            col = _q(fk.column)
            _insert_problems(
                con,
                f"SELECT s._row, '{fk.column}', {_qualified(raw_or_typed[fk.column], 's')}, 'referenced_change', "  # noqa: S608
                f"coalesce(CAST(t.{col} AS VARCHAR), '') "
                f"FROM _ingest_stage s JOIN {table} t ON {_key_match(spec, 't', 's')} "
                f"WHERE t.{col} IS DISTINCT FROM s.{col} AND ({referenced})",
            )

    step(0.8)
    for rule in contracts.contract(spec.name).rules:
        RULES[rule](con, spec, raw_or_typed)
    con.execute(
        "DELETE FROM _ingest_problems WHERE rule <> 'example_row' "
        "AND _row IN (SELECT _row FROM _ingest_problems WHERE rule = 'example_row')"
    )
    step(1.0)


def _points_rule(con, spec: TableSpec, raw_or_typed: dict[str, str]) -> None:
    """A service's points are its hours times the points per hour of settings."""
    _insert_problems(
        con,
        f"SELECT _row, 'points', {raw_or_typed['points']}, 'points_rule', NULL FROM _ingest_stage "  # noqa: S608
        "WHERE points IS NOT NULL AND hours IS NOT NULL AND abs(points - hours * $per_hour) > 1e-6",
        {"per_hour": settings.points_per_hour()},
    )


def _item_compound_rule(con, spec: TableSpec, raw_or_typed: dict[str, str]) -> None:
    """A contribution's renovation item belongs to the contribution's compound."""
    _insert_problems(
        con,
        f"SELECT s._row, 'item_id', {_qualified(raw_or_typed['item_id'], 's')}, 'item_compound', i.compound_id "  # noqa: S608
        "FROM _ingest_stage s JOIN renovation_items i ON i.item_id = s.item_id "
        "WHERE s.compound_id IS NOT NULL AND i.compound_id <> s.compound_id",
    )


def _own_community_rule(con, spec: TableSpec, allowed: list[str]) -> None:
    """Staff may not move a compound of theirs into another community either."""
    _insert_problems(
        con,
        "SELECT s._row, 'community_id', CAST(s.community_id AS VARCHAR), 'own_community', NULL "
        "FROM _ingest_stage s WHERE s.community_id NOT IN "
        "(SELECT community_id FROM compounds WHERE list_contains($allowed::VARCHAR[], compound_id))",
        {"allowed": list(allowed)},
    )


def row_compound(table: str, alias: str) -> str:
    """SQL for the compound of a row of table, the row being `alias`."""
    return contracts.contract(table).row_compound(alias)


def scope_column(spec: TableSpec) -> str:
    """The column a row outside the importer's scope is reported on."""
    return contracts.contract(spec.name).compound


def _scope_rule(con, spec: TableSpec, allowed: list[str]) -> None:
    """Rows outside the importer's scope, each named, and the file refused whole: a row of another
    compound in the file, and a row whose id already belongs to another compound (it may not be
    taken over, whatever compound the file gives it)."""
    owner, column = row_compound(spec.name, "s"), scope_column(spec)
    _insert_problems(
        con,
        f"SELECT s._row, '{column}', CAST(s.{_q(column)} AS VARCHAR), 'scope', NULL FROM _ingest_stage s "  # noqa: S608
        f"WHERE {owner} IS NULL OR NOT list_contains($allowed::VARCHAR[], {owner})",
        {"allowed": list(allowed)},
    )
    for rule in contracts.contract(spec.name).scope_rules:
        SCOPE_RULES[rule](con, spec, allowed)
    key = spec.primary_key[-1]
    existing = row_compound(spec.name, "t")
    _insert_problems(
        con,
        f"SELECT s._row, '{key}', CAST(s.{_q(key)} AS VARCHAR), 'scope_existing', NULL "  # noqa: S608
        f"FROM _ingest_stage s JOIN {_q(spec.name)} t ON {_key_match(spec, 't', 's')} "
        f"WHERE NOT list_contains($allowed::VARCHAR[], {existing})",
        {"allowed": list(allowed)},
    )


def _balance_rule(con, spec: TableSpec, raw_or_typed: dict[str, str]) -> None:
    """A volunteer's points balance, services minus redemptions in date order (services of a day
    first), may never go below zero: the database's rows, with the file's replacing or adding."""
    if spec.name == "services":
        file_events = "SELECT volunteer_id, served_on AS day, 0 AS ord, points AS delta, _row FROM _ingest_stage"
        db_services = (
            "SELECT volunteer_id, served_on, 0, points, NULL FROM services ANTI JOIN _ingest_stage USING (service_id)"
        )
        db_redemptions = "SELECT volunteer_id, redeemed_on, 1, -points_spent, NULL FROM redemptions"
        column = "points"
    else:
        file_events = (
            "SELECT volunteer_id, redeemed_on AS day, 1 AS ord, -points_spent AS delta, _row FROM _ingest_stage"
        )
        db_services = "SELECT volunteer_id, served_on, 0, points, NULL FROM services"
        db_redemptions = (
            "SELECT volunteer_id, redeemed_on, 1, -points_spent, NULL FROM redemptions "
            "ANTI JOIN _ingest_stage USING (redemption_id)"
        )
        column = "points_spent"
    _insert_problems(
        con,
        f"""
        WITH touched AS (SELECT DISTINCT volunteer_id FROM _ingest_stage WHERE volunteer_id IS NOT NULL),
        events AS (
            SELECT * FROM ({file_events}) WHERE volunteer_id IS NOT NULL AND day IS NOT NULL AND delta IS NOT NULL
            UNION ALL SELECT * FROM ({db_services}) WHERE volunteer_id IN (SELECT volunteer_id FROM touched)
            UNION ALL SELECT * FROM ({db_redemptions}) WHERE volunteer_id IN (SELECT volunteer_id FROM touched)
        ),
        running AS (
            SELECT *, sum(delta) OVER (PARTITION BY volunteer_id ORDER BY day, ord, _row
                                       ROWS UNBOUNDED PRECEDING) AS balance
            FROM events
        ),
        negative AS (
            SELECT *, row_number() OVER (PARTITION BY volunteer_id ORDER BY day, ord, _row) AS n
            FROM running WHERE balance < -1e-9
        ),
        first_in_file AS (SELECT volunteer_id, min(_row) AS first_row FROM _ingest_stage GROUP BY volunteer_id),
        target AS (
            SELECT g.volunteer_id, g.day, g.balance, coalesce(g._row, f.first_row) AS at_row
            FROM negative g JOIN first_in_file f USING (volunteer_id) WHERE g.n = 1
        )
        SELECT s._row, '{column}', {raw_or_typed[column]}, 'balance',
               t.volunteer_id || '|' || CAST(t.day AS VARCHAR) || '|' || CAST(round(t.balance, 2) AS VARCHAR)
        FROM target t JOIN _ingest_stage s ON s._row = t.at_row
        """,  # noqa: S608
    )


# The rules a contract names beyond schema.sql (contracts.Contract.rules and scope_rules).
RULES: dict[str, Callable[..., None]] = {
    "points_rule": _points_rule,
    "balance": _balance_rule,
    "item_compound": _item_compound_rule,
}
SCOPE_RULES: dict[str, Callable[..., None]] = {"own_community": _own_community_rule}


# --------------------------------------------------------------------------------------------
# Problem texts
# --------------------------------------------------------------------------------------------


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def type_expectation(spec: TableSpec, col: Column, lang: str) -> str:
    """What a cell of this column must look like, in words."""
    t = col.type
    if t == "BOOLEAN":
        return i18n.t(
            "import.expected_boolean", lang, words="、".join(TRUE_WORDS[:3]) + " / " + "、".join(FALSE_WORDS[:3])
        )
    if t in ("INTEGER", "BIGINT"):
        return i18n.t("import.expected_integer", lang)
    if t == "DOUBLE":
        return i18n.t("import.expected_number", lang)
    m = _DECIMAL.fullmatch(t)
    if m:
        return i18n.t("import.expected_decimal", lang, scale=m.group(2))
    if t == "DATE":
        if contracts.is_month(spec.name, col.name):
            return i18n.t("import.expected_month", lang)
        return i18n.t("import.expected_date", lang)
    if t == "TIMESTAMP":
        return i18n.t("import.expected_timestamp", lang)
    return i18n.t("import.expected_text", lang)


def code_list(table: str, column: str, lang: str) -> str:
    """The allowed codes of a column, each with its label."""
    section = contracts.code_section(table, column)
    parts = []
    for code in table_spec(table).enum(column) or ():
        label = i18n.label(section, code, lang) if section else code
        parts.append(code if label == code else i18n.t("import.code_with_label", lang, code=code, label=label))
    sep = "、" if lang == "zh" else ", "
    return sep.join(parts)


def _range_text(check: Check, lang: str) -> str:
    lo = None if check.low is None else _number(check.low)
    hi = None if check.high is None else _number(check.high)
    if lo is not None and hi is not None:
        if check.low_inclusive and check.high_inclusive:
            return i18n.t("import.range_between", lang, low=lo, high=hi)
        return i18n.t("import.range_above_upto", lang, low=lo, high=hi)
    if lo is not None:
        return i18n.t("import.range_min" if check.low_inclusive else "import.range_above", lang, low=lo)
    return i18n.t("import.range_max" if check.high_inclusive else "import.range_below", lang, high=hi)


def check_expectation(spec: TableSpec, check: Check, lang: str, detail: str | None = None) -> str:
    """What a CHECK asks for, in words (detail: the other column's value, where there is one)."""
    other = column_label(check.other, lang) if check.other else ""
    if check.kind == "enum":
        return i18n.t("import.expected_enum", lang, codes=code_list(spec.name, check.column, lang))
    if check.kind == "range":
        return _range_text(check, lang)
    if check.kind == "after":
        if detail:
            return i18n.t("import.expected_after_value", lang, other=other, value=detail)
        return i18n.t("import.expected_after", lang, other=other)
    if check.kind == "requires":
        return i18n.t("import.expected_requires", lang, other=other)
    if check.kind == "equiv":
        number, code = check.values
        section = contracts.code_section(spec.name, check.other or "")
        code_label = i18n.label(section, code, lang) if section else code
        if detail:
            shown = i18n.label(section, detail, lang) if section else detail
            return i18n.t("import.expected_equiv_value", lang, number=number, other=other, code=code_label, value=shown)
        return i18n.t("import.expected_equiv", lang, number=number, other=other, code=code_label)
    if check.kind == "first_of_month":
        return i18n.t("import.expected_first_of_month", lang)
    if check.kind == "masked":
        return i18n.t("import.expected_masked", lang)
    if check.kind == "pattern":
        example = {r"\d{4}-\d{2}": "2021-10"}.get(check.values[0], check.values[0])
        return i18n.t("import.expected_pattern", lang, example=example)
    return i18n.t("import.expected_check", lang, expression=check.expression)


def _expected(spec: TableSpec, rule: str, column: str, detail: str | None, lang: str) -> str:
    t = i18n.t
    if rule == "type":
        return type_expectation(spec, spec.column(column), lang)
    if rule == "required":
        return t("import.expected_required", lang)
    if rule.startswith("check:"):
        return check_expectation(spec, spec.checks[int(rule[6:])], lang, detail)
    if rule == "duplicate":
        return t("import.expected_unique", lang, row=detail)
    if rule == "reference":
        fk = next(f for f in spec.foreign_keys if f.column == column)
        return t("import.expected_reference", lang, table=t(f"data.table_{fk.ref_table}", lang))
    if rule == "referenced_change":
        return t("import.expected_keep", lang, value=detail or t("import.empty_value", lang))
    if rule == "points_rule":
        return t("import.expected_points", lang, per_hour=_number(settings.points_per_hour()))
    if rule == "balance":
        volunteer, day, balance = (detail or "||").split("|")
        return t("import.expected_balance", lang, volunteer=volunteer, day=day, balance=balance)
    if rule == "scope":
        return t("import.expected_scope", lang)
    if rule == "own_community":
        return t("import.expected_own_community", lang)
    if rule == "scope_existing":
        return t("import.expected_scope_existing", lang)
    if rule == "example_row":
        return t("import.expected_not_example", lang)
    if rule == "replace_referenced":
        return t("import.expected_not_referenced", lang, refs=detail)
    if rule == "item_compound":
        return t("import.expected_item_compound", lang, compound=detail)
    if rule == "missing_column":
        return t("import.expected_column_present", lang)
    if rule == "unknown_column":
        return t("import.expected_known_column", lang)
    if rule == "duplicate_column":
        return t("import.expected_column_once", lang, header=detail)
    if rule == "blank_header":
        return t("import.expected_header", lang)
    if rule == "extra_cells":
        return t("import.expected_no_extra", lang)
    return t(f"import.file_{rule}", lang)


def _check_problems(con, spec: TableSpec, lang: str) -> tuple[list[tuple], int]:
    """The listed row problems (row, column, value, rule, expected) and how many there are in all."""
    total = con.execute("SELECT count(*) FROM _ingest_problems").fetchone()[0]
    order = {c: i for i, c in enumerate(spec.column_names)}
    rows = con.execute(
        "SELECT _row, col, value, rule, detail FROM _ingest_problems ORDER BY _row, col LIMIT $limit",
        {"limit": MAX_LISTED_PROBLEMS},
    ).fetchall()
    rows.sort(key=lambda r: (r[0], order.get(r[1], 99)))
    out = []
    for row, column, value, rule, detail in rows:
        expected = _expected(spec, rule, column, detail, lang)
        out.append((row, column, value, rule, expected))
    return out, total


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _write(con, spec: TableSpec, rows: int, progress: Progress, lang: str) -> tuple[int, int, int]:
    """Upsert _ingest_stage into the table (inside the caller's transaction): (added, replaced, unchanged)."""
    table = _q(spec.name)
    names = spec.column_names
    cols = ", ".join(_q(c) for c in names)
    match = _key_match(spec, "t", "s")
    non_key = [c for c in names if c not in spec.primary_key]
    fk_cols = {fk.column for fk in spec.foreign_keys} - set(spec.primary_key)
    differs = " OR ".join(f"t.{_q(c)} IS DISTINCT FROM s.{_q(c)}" for c in non_key) or "false"
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
            sets = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in plain)
            plain_differs = " OR ".join(f"t.{_q(c)} IS DISTINCT FROM s.{_q(c)}" for c in plain)
            con.execute(f"UPDATE {table} t SET {sets} FROM _ingest_stage s WHERE {match} AND ({plain_differs})")  # noqa: S608
        if fk_cols:
            sets = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in sorted(fk_cols))
            fk_differs = " OR ".join(f"t.{_q(c)} IS DISTINCT FROM s.{_q(c)}" for c in sorted(fk_cols))
            con.execute(f"UPDATE {table} t SET {sets} FROM _ingest_stage s WHERE {match} AND ({fk_differs})")  # noqa: S608
    return added, replaced, replaced - changed


def new_data_version() -> str:
    """A data version no other import will produce."""
    return f"{datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"


def _log_entry(result: ImportResult, user: str) -> dict:
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


def _log(con, result: ImportResult, user: str) -> None:
    db.run("import_log_insert", con, **_log_entry(result, user))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


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


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------


def _problem(row, column, header, letter, value, rule, expected) -> Problem:
    return Problem(row, column or "", header or "", letter or "", "" if value is None else str(value), expected, rule)


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
        store.record_failed_import(target, _log_entry(result, user))

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
        result.problems = [_problem(None, "", "", "", "", "store", message)]
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
        self.log: Callable[[ImportResult], None] = lambda result: _log(con, result, user)

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
        return _problem(row, "", "", "", "", rule, self.t(f"import.file_{rule}", **params))

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
        self.result.file_sha256 = _sha256(self.path)
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

    def read(self, spec: TableSpec, work: Path) -> tuple[_Header, int, list[tuple]]:
        """Stage the file's rows in _ingest_raw: its header mapping, how many rows, and cells beyond the headers."""
        con, reading = self.con, self.t("import.progress_reading")
        kind = file_kind(self.result.file_name, self.path)

        def read_progress(fraction: float) -> None:
            self.report(0.5 * min(fraction, 1.0), reading)

        if kind == "csv":
            source = _utf8_copy(self.path, detect_encoding(self.path), work)
            records = _csv_records(source, "utf-8-sig", read_progress)
        else:
            records = _xlsx_records(self.path, self.sheet, read_progress)
        first = next(records, None)
        if first is None:
            raise _FileProblem("empty")
        first = (first[0], check_header_width(first[1]))
        header = _map_header(spec, first[1])
        extra: list[tuple] = _Capped()
        rows = None
        if kind == "csv":
            self.report(0.05, reading)
            rows = _stage_csv_fast(con, source, first[1], header, extra)
        if rows is None:
            extra.clear()
            rows = _stage_rows(con, header, records, extra)
        return header, rows, extra

    def read_check_write(self, spec: TableSpec, work: Path) -> ImportResult:
        con, result, lang = self.con, self.result, self.lang
        try:
            header, rows, extra = self.read(spec, work)
        except _FileProblem as e:
            return self.fail([self.file_problem(e.rule, e.row, **e.params)])
        result.rows = rows

        def where(column: str, header_text: str) -> tuple[str, str]:
            text, letter = header.headers.get(column, ("", ""))
            return (header_text or text or (column_label(column, lang) if column else "")), letter

        head_problems = [
            _problem(r, c, where(c, h)[0], letter, v, rule, _expected(spec, rule, c, d, lang))
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
                _create_stage(con, spec, present)
                _fill_absent(con, spec, absent)
                self.report(0.55, checking)
                _validate(con, spec, present, lambda f: self.report(0.55 + 0.3 * f, checking))
                if self.allowed_compounds is not None:
                    _scope_rule(con, spec, self.allowed_compounds)
                listed, total = _check_problems(con, spec, lang)
                problems = head_problems + [
                    _problem(row, column, *where(column, ""), value, rule, expected)
                    for row, column, value, rule, expected in listed
                ]
                if problems:
                    con.execute("ROLLBACK")
                    return self.fail(problems[:MAX_LISTED_PROBLEMS], len(head_problems) + extra.dropped + total)
                if self.replace:
                    gone_problems = self.remove_absent(spec)
                    if gone_problems:
                        con.execute("ROLLBACK")
                        return self.fail(gone_problems[:MAX_LISTED_PROBLEMS], len(gone_problems))
                self.report(0.85, self.t("import.progress_writing", done=0, total=rows))
                added, replaced, unchanged = _write(con, spec, rows, self.report, lang)
                if added or replaced - unchanged or result.deleted:
                    result.data_version = new_data_version()
                    db.run("import_set_data_version", con, data_version=result.data_version)
                result.ok = True
                result.added, result.replaced, result.unchanged = added, replaced, unchanged
                result.message = self.t("import.log_ok", added=added, replaced=replaced, unchanged=unchanged)
                if result.deleted:
                    result.message += self.t("import.log_deleted", deleted=result.deleted)
                result.seconds = time.monotonic() - self.started
                _log(con, result, self.user)
                self.report(0.97, self.t("import.progress_committing"))
                con.execute("COMMIT")
            except Exception:
                _rollback(con)
                raise
        except duckdb.Error as e:
            # A rule the checks above missed, or another import committed first: nothing was written.
            return self.fail([_problem(None, "", "", "", "", "database", self.t("import.file_database", error=str(e)))])
        self.report(1.0, self.t("import.progress_done"))
        return result

    def remove_absent(self, spec: TableSpec) -> list[Problem]:
        """--replace: delete the table's rows in scope that the file lacks, unless other rows still
        refer to them (each such id is a problem and nothing is deleted)."""
        con, table = self.con, _q(spec.name)
        keys = ", ".join(f"t.{_q(k)}" for k in spec.primary_key)
        in_scope, params = "", {}
        if self.allowed_compounds is not None:
            in_scope, params = (
                f" AND list_contains($allowed::VARCHAR[], {row_compound(spec.name, 't')})",
                {"allowed": list(self.allowed_compounds)},
            )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _ingest_gone AS SELECT {keys} FROM {table} t "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM _ingest_stage s WHERE {_key_match(spec, 't', 's')}){in_scope}",
            params,
        )
        problems = [
            _problem(
                None,
                key,
                "",
                "",
                value,
                "replace_referenced",
                self.t("import.replace_referenced", value=value, refs=refs),
            )
            for key, value, refs in still_referenced(con, spec, "_ingest_gone", self.lang)
        ]
        if problems:
            return problems
        self.result.deleted = con.execute("SELECT count(*) FROM _ingest_gone").fetchone()[0]
        con.execute(f"DELETE FROM {table} t USING _ingest_gone g WHERE {_key_match(spec, 't', 'g')}")  # noqa: S608
        return []


def still_referenced(con, spec: TableSpec, keys_table: str, lang: str) -> list[tuple[str, str, str]]:
    """Rows of keys_table (the table's key columns) that rows of other tables still refer to:
    (key column, key value, "table: n rows; ...") for each, in key order."""
    found: dict[str, list[str]] = {}
    key = spec.primary_key[-1]
    for fk in spec.referenced_by:
        if fk.table == spec.name:
            continue
        rows = con.execute(
            f"SELECT CAST(g.{_q(fk.ref_column)} AS VARCHAR), count(*) FROM {keys_table} g "  # noqa: S608
            f"JOIN {_q(fk.table)} c ON c.{_q(fk.column)} = g.{_q(fk.ref_column)} GROUP BY 1 ORDER BY 1"
        ).fetchall()
        for value, n in rows:
            found.setdefault(value, []).append(
                i18n.t("import.referenced_by", lang, table=i18n.t(f"data.table_{fk.table}", lang), rows=n)
            )
    return [(key, value, "；".join(refs) if lang == "zh" else "; ".join(refs)) for value, refs in sorted(found.items())]


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
