"""Excel-safe CSV: UTF-8 with BOM (so Excel shows Chinese), labelled headers, no formula injection."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pandas as pd

BOM = "\ufeff"
# Excel treats a cell that starts with these as a formula (tab and CR also start DDE payloads).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_STARTS = ", ".join("'" + c + "'" for c in _FORMULA_START)  # as SQL string literals
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def neutralise(cell):
    """Prefix a text cell that Excel would run as a formula with an apostrophe."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def csv_bytes(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    """The frame as CSV bytes: BOM, headers renamed by `headers`, text cells neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    if headers:
        out = out.rename(columns=headers)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return (BOM + out.to_csv(index=False, lineterminator="\r\n", date_format="%Y-%m-%d %H:%M:%S")).encode("utf-8")


def file_name(page: str, filter_words: list[str], as_of: str) -> str:
    """page_filters_asof.csv, safe on every file system."""
    parts = [page, *filter_words[:4], f"截至{as_of}" if not page.isascii() else f"asof-{as_of}"]
    name = "_".join(_UNSAFE_FILE_CHARS.sub("-", p).strip("-") for p in parts if p)
    return name[:150] + ".csv"


def _select_list(description, codes: dict[str, dict[str, str]], params: dict, display: bool = False) -> str:
    """The outer SELECT that makes each column Excel-safe text: labels for codes, dates as
    YYYY-MM-DD, formula-like text neutralised. Labels travel as bound values, never as SQL text.
    display: money in 万元 and rates in % as the page's table shows them."""
    from oversight import fmt

    parts = []
    for i, (name, type_, *_rest) in enumerate(description):
        col = '"' + name.replace('"', '""') + '"'
        kind = str(type_).upper()
        if display and name in fmt.MONEY_COLUMNS:
            parts.append(f"round({col} / 10000, 2) AS {col}")
            continue
        if display and fmt.is_rate(name) and name not in codes:
            parts.append(f"round({col} * 100, 1) AS {col}")
            continue
        if name in codes:
            # A CASE over the few codes, each label a bound value: cheaper per row than a list lookup.
            raw = f"CAST({col} AS VARCHAR)"
            whens = []
            for j, (code, label) in enumerate(codes[name].items()):
                params[f"_k{i}_{j}"], params[f"_v{i}_{j}"] = code, label
                whens.append(f"WHEN $_k{i}_{j} THEN $_v{i}_{j}")
            text = f"CASE {raw} {' '.join(whens)} ELSE {raw} END" if whens else raw
        elif kind == "DATE":
            text = f"strftime({col}, '%Y-%m-%d')"
        elif kind.startswith("TIMESTAMP"):
            text = f"strftime({col}, '%Y-%m-%d %H:%M')"
        elif kind == "VARCHAR":
            text = col
        else:
            parts.append(col)
            continue
        # The first character decides, as in neutralise(): cheaper than a regular expression per cell.
        parts.append(f"CASE WHEN left({text}, 1) IN ({_STARTS}) THEN '''' || {text} ELSE {text} END AS {col}")
    return ", ".join(parts)


# The export's own DuckDB work stays within this whatever the row count: a sort beyond it spills
# to a temporary directory of the export's own.
MEMORY_LIMIT = "192MB"
EXPORT_THREADS = 2


@contextmanager
def _export_connection(con, tmp: str):
    """A DuckDB connection for one export, limited to MEMORY_LIMIT and spilling into tmp.

    A read-only database (every version of the store) is attached read-only to a DuckDB instance of
    the export's own, so the limit binds the export and not the pages served beside it. A plain file
    opened read-write cannot be attached twice, and a version read through an in-memory database (made
    before the roll-ups, until the next write) has no file of its own: their export runs on con itself,
    with that instance's settings untouched (DuckDB cannot move a temporary directory once used).
    """
    import duckdb

    row = con.execute(
        "SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if not row or not row[0] or not row[1]:
        yield con
        return
    own = duckdb.connect(
        ":memory:", config={"memory_limit": MEMORY_LIMIT, "threads": EXPORT_THREADS, "temp_directory": tmp}
    )
    try:
        own.execute("ATTACH $path AS data (READ_ONLY)", {"path": row[0]})
        own.execute("USE data")
        yield own
    finally:
        own.close()


def write_query_csv(con, sql: str, params: dict, out, headers: dict[str, str], codes=None, display=False) -> int:
    """Stream a query's rows to the file `out` as Excel-safe CSV: BOM and labelled header first,
    then the rows written by DuckDB's COPY (labels joined and formula cells neutralised in SQL), so
    neither pandas nor memory beyond MEMORY_LIMIT is involved however many rows there are.

    codes maps a column to its {code: label}; display scales money to 万元 and rates to % as pages
    show them; returns the number of rows written.
    """
    import shutil
    import tempfile
    from pathlib import Path

    params = dict(params)
    with tempfile.TemporaryDirectory(prefix="export-") as tmp, _export_connection(con, tmp) as work:
        description = work.execute(f"SELECT * FROM ({sql}) q LIMIT 0", params).description  # noqa: S608
        select = _select_list(description, codes or {}, params, display)
        header = ",".join(_csv_cell(neutralise(headers.get(d[0], d[0]))) for d in description)
        body = Path(tmp) / "rows.csv"
        params["_out"] = str(body)
        copy = f"COPY (SELECT {select} FROM ({sql}) q) TO $_out (FORMAT csv, HEADER false)"  # noqa: S608
        rows = work.execute(copy, params).fetchone()[0]
        with open(out, "wb") as target, open(body, "rb") as source:
            target.write((BOM + header + "\r\n").encode("utf-8"))
            shutil.copyfileobj(source, target, 1024 * 1024)
    return rows


def _csv_cell(text: str) -> str:
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
