"""Reading an import file: CSV (UTF-8, UTF-8 with BOM, GBK or GB18030) or XLSX, within the limits
(size, width, zip bombs, NUL bytes, legacy encodings), its header mapped onto the contract and its
rows staged as text in the temp table _ingest_raw.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

import duckdb
import pyarrow as pa

from oversight import settings
from oversight.ingest.catalogue import TableSpec, header_words, normalise, raw_column

MAX_COLUMNS = 200  # the widest table has 16 columns: a wider header is refused before any row is read
MAX_XLSX_RATIO = 100  # unpacked / packed size: real sheets stay below 20, a zip bomb far above
MIN_LEGACY_SAMPLE = 20  # non-ASCII characters needed before an encoding is judged by them
_BATCH_ROWS = 50_000  # rows staged per batch while reading


class _Capped(list):
    """A problem list that keeps the first `limit` problems and counts the rest."""

    dropped = 0

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def append(self, item) -> None:
        if len(self) < self.limit:
            super().append(item)
        else:
            self.dropped += 1

    def clear(self) -> None:
        super().clear()
        self.dropped = 0


class FileProblem(Exception):
    def __init__(self, rule: str, row: int | None = None, **params):
        super().__init__(rule)
        self.rule, self.row, self.params = rule, row, params


def file_kind(name: str, path: Path) -> str:
    """csv or xlsx, by the name's ending, else by the file's first bytes; xls is refused."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".xls":
        raise FileProblem("xls", ext=".xls")
    if suffix in (".csv", ".txt"):
        return "csv"
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("xls", ext=".xls")
    return "csv"


def detect_encoding(path: Path) -> str:
    """utf-8-sig if the whole file decodes strictly as UTF-8, else gb18030 (a superset of GBK).

    A NUL byte is refused (with its line), and so is text that decodes as GB18030 only by accident:
    Big5 (traditional Chinese) and Shift-JIS (Japanese) files would otherwise be stored as garbage.
    """
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileProblem("encoding")
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
    raise FileProblem("encoding")


def _refuse_nul(f) -> None:
    """A NUL byte (never in UTF-8 or GB18030 text; UTF-16 is refused before) names its line."""
    line = 1
    while chunk := f.read(1 << 20):
        at = chunk.find(b"\x00")
        if at >= 0:
            raise FileProblem("nul", line + chunk.count(b"\n", 0, at))
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
        raise FileProblem("encoding_legacy", encoding=name)
    raise FileProblem("encoding")


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
        raise FileProblem("xlsx_unreadable", error=str(e)) from e
    unpacked = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    limit_mb = settings.xlsx_unpacked_limit_mb()
    # Each member on its own too: an incompressible padding member must not hide a bomb beside it.
    worst = max((m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1024 * 1024), default=0)
    if unpacked > limit_mb * 1024 * 1024 or max(unpacked / packed, worst) > MAX_XLSX_RATIO:
        raise FileProblem(
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
        raise FileProblem("too_wide", columns=width, limit=MAX_COLUMNS)
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
            raise FileProblem("csv_error", row + 1, error=str(e)) from e


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


def _stage_csv_fast(con, source: Path, header_cells: list, header: Header, problems: list[tuple]) -> int | None:
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
    picked = ", ".join(["rowid + 2 AS _row"] + [f"_f{i} AS {raw_column(column)}" for i, column in header.mapped])
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
        raise FileProblem("xlsx_unreadable", error=str(e)) from e
    except Exception as e:  # a corrupt zip raises zipfile.BadZipFile, among others
        raise FileProblem("xlsx_unreadable", error=str(e)) from e
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise FileProblem("sheet_missing", sheet=sheet, sheets="、".join(book.sheetnames))
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
                raise FileProblem("xlsx_unreadable", n + 1, error=type(e).__name__) from e
            if values is None:
                break
            n += 1
            if total and n % _BATCH_ROWS == 0:
                progress(n / total)
            cells = [_xlsx_cell(v) for v in values]
            if any(c is not None and "\x00" in c for c in cells):
                raise FileProblem("nul", n)
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
class Header:
    """How the file's columns map onto the contract."""

    mapped: list[tuple[int, str]]  # (file column index, contract column)
    headers: dict[str, tuple[str, str]]  # contract column -> (header text, letter)
    problems: list[tuple]  # (row, column, header, letter, value, rule, detail)
    width: int


def map_header(spec: TableSpec, cells: list) -> Header:
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
        column = words.get(normalise(text))
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
    return Header(mapped, headers, problems, width)


def _stage_rows(
    con: duckdb.DuckDBPyConnection,
    header: Header,
    records: Iterator[tuple[int, list]],
    problems: list[tuple],
) -> int:
    """Copy the data rows into the temp table _ingest_raw in batches; return how many there were."""
    names = [column for _i, column in header.mapped]
    columns = ", ".join(f"{raw_column(n)} VARCHAR" for n in names)
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


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def open_records(
    path: Path, name: str, sheet: str | None, work: Path, progress: Callable[[float], None] = lambda _f: None
) -> tuple[Path | None, Iterator[tuple[int, list]]]:
    """The file's records (spreadsheet row, cells), header first, and for a CSV its UTF-8 copy made
    in work (None for an XLSX); progress(fraction) is told how far reading has got."""
    if file_kind(name, path) == "csv":
        source = _utf8_copy(path, detect_encoding(path), work)
        return source, _csv_records(source, "utf-8-sig", progress)
    return None, _xlsx_records(path, sheet, progress)


def stage_file(
    con,
    spec: TableSpec,
    path: Path,
    name: str,
    sheet: str | None,
    work: Path,
    limit: int,
    report: Callable[[float], None],
) -> tuple[Header, int, list[tuple]]:
    """Stage the file's rows in _ingest_raw: its header mapping, how many rows, and cells beyond the
    headers (the first `limit` listed). report(fraction) runs from 0 to 0.5 while reading."""
    source, records = open_records(path, name, sheet, work, lambda fraction: report(0.5 * min(fraction, 1.0)))
    first = next(records, None)
    if first is None:
        raise FileProblem("empty")
    cells = check_header_width(first[1])
    header = map_header(spec, cells)
    extra = _Capped(limit)
    rows = None
    if source is not None:
        report(0.05)
        rows = _stage_csv_fast(con, source, cells, header, extra)
    if rows is None:
        extra.clear()
        rows = _stage_rows(con, header, records, extra)
    return header, rows, extra
