"""Excel-safe CSV: UTF-8 with BOM (so Excel shows Chinese), labelled headers, no formula injection."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd

BOM = "\ufeff"
# Excel treats a cell that starts with these as a formula (tab and CR also start DDE payloads).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The same first characters as bits of one integer, for SQL (see _neutralised).
_LOW, _HIGH = min(map(ord, _FORMULA_START)), max(map(ord, _FORMULA_START))
_MASK = sum(1 << (ord(c) - _LOW) for c in _FORMULA_START)
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


def _neutralised(text: str) -> str:
    """SQL: text with an apostrophe before a first character Excel would run as a formula.

    The first character's code point is looked up as a bit of one integer (tab 9 to @ 64 fit in a
    BIGINT): DuckDB plans a list or an IN list of constants as a join per column, which costs more.
    """
    point = f"ascii({text})"
    test = f"{point} BETWEEN {_LOW} AND {_HIGH} AND ((1::BIGINT << ({point} - {_LOW})) & {_MASK}) <> 0"
    return f"CASE WHEN {test} THEN '''' || {text} ELSE {text} END"


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
        elif display and fmt.is_rate(name) and name not in codes:
            parts.append(f"round({col} * 100, 1) AS {col}")
        elif name in codes:
            # A CASE over the few codes, each label a bound value neutralised here once: only a
            # code without a label is checked row by row.
            raw = f"CAST({col} AS VARCHAR)"
            whens = []
            for j, (code, label) in enumerate(codes[name].items()):
                params[f"_k{i}_{j}"], params[f"_v{i}_{j}"] = code, neutralise(label)
                whens.append(f"WHEN $_k{i}_{j} THEN $_v{i}_{j}")
            other = _neutralised(raw)
            parts.append((f"CASE {raw} {' '.join(whens)} ELSE {other} END" if whens else other) + f" AS {col}")
        elif kind == "DATE":  # starts with a digit: nothing to neutralise
            parts.append(f"strftime({col}, '%Y-%m-%d') AS {col}")
        elif kind.startswith("TIMESTAMP"):
            parts.append(f"strftime({col}, '%Y-%m-%d %H:%M') AS {col}")
        elif kind == "VARCHAR":
            parts.append(f"{_neutralised(col)} AS {col}")
        else:
            parts.append(col)
    return ", ".join(parts)


# The export's own DuckDB work stays within this whatever the row count: a sort beyond it spills
# to a temporary directory of the export's own.
MEMORY_LIMIT = "192MB"
# One thread: with two, each sorts half the rows in half the memory and they spill more; measured at
# city scale one thread took about 1.2 s less and a third less CPU, leaving a core to the pages.
EXPORT_THREADS = 1
CHUNK = 1 << 20  # bytes handed on at a time, from the pipe to the file or the response
# A download in parts (QueryCsv parts, a month each): COPYs run at once, and parts written ahead of
# the reader. Two at once took a year of requests (1.79 M rows) from about 4.5 s to 2.7 s at city scale.
PARTS_AT_ONCE = 2
PARTS_AHEAD = 3


@contextmanager
def _export_connection(con, tmp: str):
    """A DuckDB connection for one export, limited to MEMORY_LIMIT and spilling into tmp.

    A read-only database (every version of the store) is attached read-only to a DuckDB instance of
    the export's own, so the limit binds the export and not the pages served beside it. A plain file
    opened read-write cannot be attached twice, and a version read through an in-memory database (made
    before the roll-ups, until the next write) has no file of its own: their export runs on a cursor
    of con itself, with that instance's settings untouched (DuckDB cannot move a temporary directory
    once used).
    """
    import duckdb

    row = con.execute(
        "SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if not row or not row[0] or not row[1]:
        from oversight import db

        cursor = db.cursor(con)  # the COPY runs on a thread of its own
        try:
            yield cursor
        finally:
            cursor.close()
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


class QueryCsv:
    """A query's rows as Excel-safe CSV, in chunks of bytes: BOM and labelled header first, then
    the rows as DuckDB's COPY writes them (labels joined and formula cells neutralised in SQL)
    into a named pipe that this iterator reads, so no file and no more than a chunk of the CSV is
    ever held, whatever the row count. `rows` is the number of rows once the iteration is done.

    Closing the iterator early (a download cancelled) closes the pipe: DuckDB's write fails and its
    thread ends, and a sort still running is interrupted.

    parts: parameters to override for one COPY each, in order (see months_newest_first); the rows
    are those of the COPYs one after the other. None: one COPY with `params`.
    """

    def __init__(self, con, sql: str, params: dict, headers: dict[str, str], codes=None, display=False, parts=None):
        self.con, self.sql, self.params = con, sql, dict(params)
        self.headers, self.codes, self.display = headers, codes or {}, display
        self.parts: list[dict] = list(parts) if parts else [{}]
        self.rows: int | None = None

    def __iter__(self):
        import tempfile

        with tempfile.TemporaryDirectory(prefix="export-") as tmp, _export_connection(self.con, tmp) as work:
            params = self.params
            description = work.execute(f"SELECT * FROM ({self.sql}) q LIMIT 0", params).description  # noqa: S608
            select = _select_list(description, self.codes, params, self.display)
            header = ",".join(_csv_cell(neutralise(self.headers.get(d[0], d[0]))) for d in description)
            yield (BOM + header + "\r\n").encode("utf-8")
            copy = f"COPY (SELECT {select} FROM ({self.sql}) q) TO $_out (FORMAT csv, HEADER false)"  # noqa: S608
            if len(self.parts) == 1:
                yield from self._through_pipe(work, copy, {**params, **self.parts[0]}, tmp)
            else:
                yield from self._through_files(work, copy, params, tmp)

    def _through_pipe(self, work, copy: str, params: dict, tmp: str):
        """One COPY into a named pipe, read a chunk at a time: nothing of the CSV is kept anywhere."""
        import os
        import threading
        from pathlib import Path

        pipe = Path(tmp) / "rows.csv"
        os.mkfifo(pipe, 0o600)
        params = {**params, "_out": str(pipe)}
        # Our own read end opened first, then a write end of our own held until the COPY is over:
        # reads wait for data rather than meeting an end of file before DuckDB has opened the pipe.
        reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(reader, True)
        keeper = os.open(pipe, os.O_WRONLY)
        _widen(reader)
        outcome: dict = {}

        def run_copy() -> None:
            try:
                outcome["rows"] = work.execute(copy, params).fetchone()[0]
            except BaseException as e:  # noqa: BLE001 - handed to the reading side
                outcome["error"] = e
            finally:
                os.close(keeper)

        worker = threading.Thread(target=run_copy, name="export-copy", daemon=True)
        worker.start()
        try:
            with os.fdopen(reader, "rb", buffering=CHUNK) as source:  # read() fills a whole chunk
                reader = None
                while chunk := source.read(CHUNK):
                    yield chunk
        finally:
            if reader is not None:
                os.close(reader)
            if worker.is_alive():
                try:
                    work.interrupt()
                except Exception:  # noqa: BLE001, S110 - the COPY may be past interrupting
                    pass
            worker.join()
        if "error" in outcome:
            raise outcome["error"]
        self.rows = outcome["rows"]

    def _through_files(self, work, copy: str, params: dict, tmp: str):
        """The parts' COPYs PARTS_AT_ONCE at a time, each into a file of its own in tmp, read back in
        order as each is done and deleted once read. DuckDB's CSV writer runs on one thread per COPY,
        so two at once take about half the time; at most PARTS_AHEAD parts are written ahead of the
        reader, so a slow download holds a few months' CSV on disk, not the whole list."""
        from concurrent.futures import ThreadPoolExecutor
        from pathlib import Path

        cursors: list = []
        try:
            for _ in range(PARTS_AT_ONCE):
                cursors.append(_cursor(work))
        except BaseException:
            for cursor in cursors:
                cursor.close()
            raise
        free = list(cursors)  # one per pool thread, so a thread always finds one

        def run_part(i: int) -> int:
            cursor = free.pop()  # list.pop and append are atomic: each COPY has a cursor of its own
            try:
                out = {**params, **self.parts[i], "_out": str(Path(tmp) / f"part-{i}.csv")}
                return cursor.execute(copy, out).fetchone()[0]
            finally:
                free.append(cursor)

        pool = ThreadPoolExecutor(PARTS_AT_ONCE, thread_name_prefix="export-copy")
        running, rows = {}, 0
        try:
            for i in range(len(self.parts)):
                for ahead in range(i, min(i + PARTS_AHEAD, len(self.parts))):
                    if ahead not in running:
                        running[ahead] = pool.submit(run_part, ahead)
                rows += running.pop(i).result()
                part = Path(tmp) / f"part-{i}.csv"
                with part.open("rb", buffering=0) as source:
                    while chunk := source.read(CHUNK):
                        yield chunk
                part.unlink()
        finally:
            for future in running.values():
                future.cancel()
            for cursor in cursors:
                try:
                    cursor.interrupt()
                except Exception:  # noqa: BLE001, S110 - a cursor with nothing running
                    pass
            pool.shutdown(wait=True)
            for cursor in cursors:
                cursor.close()
        self.rows = rows


def _cursor(work):
    """Another cursor reading what `work` reads: a DuckDB cursor inherits neither USE nor the search path.

    A version read through memory names its tables by rollups' search path, which db.cursor sets (a USE
    would reset it); the export's own instance reads the attached file, which USE names."""
    from oversight import db, rollups

    database, search_path = work.execute("SELECT current_database(), current_setting('search_path')").fetchone()
    cursor = db.cursor(work, search_path)
    try:
        if search_path != rollups.SEARCH_PATH:
            cursor.execute('USE "' + database.replace('"', '""') + '"')  # noqa: S608 - the connection's own name
    except BaseException:
        cursor.close()
        raise
    return cursor


def months_newest_first(params: dict) -> list[dict]:
    """The period [$period_start, $period_end) cut at the first of each month, newest month first.

    A query whose rows are ordered newest first by a day within its period (domain.BY_MONTH_DOWNLOADS)
    gives, month by month, the same rows in the same order as at once. Each month's sort then stays
    within the export's memory instead of spilling a year's rows, and a table stored in time order is
    read only where that month lies."""
    start, end = pd.Timestamp(params["period_start"]), pd.Timestamp(params["period_end"])
    parts, month = [], start.to_period("M").to_timestamp()
    while month < end:
        following = month + pd.DateOffset(months=1)
        first, last = max(month, start), min(following, end)
        if first < last:
            parts.append({"period_start": first.date(), "period_end": last.date()})
        month = following
    return parts[::-1]


def _widen(pipe: int) -> None:
    """A pipe of a megabyte rather than Linux's 64 KB: fewer waits between DuckDB and the reader."""
    import fcntl

    try:
        fcntl.fcntl(pipe, getattr(fcntl, "F_SETPIPE_SZ", 1031), CHUNK)
    except OSError:  # above /proc/sys/fs/pipe-max-size: the default size still works
        pass


class FrameCsv:
    """A table's rows already in memory (a page's small table) as one chunk of CSV bytes."""

    def __init__(self, frame: pd.DataFrame, headers: dict[str, str] | None = None):
        self.frame, self.headers, self.rows = frame, headers, None

    def __iter__(self):
        data = csv_bytes(self.frame, self.headers)
        self.rows = len(self.frame)
        yield data


def write_query_csv(
    con, sql: str, params: dict, out, headers: dict[str, str], codes=None, display=False, parts=None
) -> int:
    """Write a query's rows to the file `out` as Excel-safe CSV (see QueryCsv: the same bytes a
    download streams): BOM and labelled header, then every row, neither pandas nor memory beyond
    MEMORY_LIMIT involved however many rows there are.

    codes maps a column to its {code: label}; display scales money to 万元 and rates to % as pages
    show them; parts as for QueryCsv; returns the number of rows written.
    """
    stream = QueryCsv(con, sql, params, headers, codes, display, parts)
    with open(out, "wb") as target:
        for chunk in stream:
            target.write(chunk)
    return stream.rows


def _csv_cell(text: str) -> str:
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


# A download the page has prepared, fetched by the browser from the server's /export/<token> route.


@dataclass(eq=False)
class Download:
    """One prepared download: everything the route needs to make and record the file, so that
    nothing of it comes from the URL. `source` makes the rows' CSV chunks (QueryCsv or FrameCsv)."""

    session: str  # sha256 of the session cookie's token it was made for
    table: str  # the export's name, for the audit log
    file_name: str
    who: str
    address: str
    described: str  # the filter in words, for the audit log
    source: Callable[[], QueryCsv | FrameCsv]
    expires: float = 0.0
    uses: int = 0


class Refused(Exception):
    """A download link that is not this session's to use: unknown, another session's, expired or used up."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def session_key(cookie_token: str | None) -> str:
    """What a download is bound to: the hash of the session cookie's token (never the token itself)."""
    return hashlib.sha256((cookie_token or "").encode("utf-8")).hexdigest()


class Downloads:
    """The downloads prepared by the pages of this process, each under a random token.

    A page offers one download per table and browser tab (its `slot`); drawn again, the same slot
    keeps its token with the new rows and a new expiry, so the link on screen always gives what the
    page shows. A token is good for `uses` downloads within `seconds`, and only with the session
    cookie it was made for. At most `most` downloads are kept, and `per_session` for one session
    (each holds its page's rows until it expires): the oldest go first.
    """

    def __init__(self, seconds: float = 600.0, uses: int = 3, most: int = 5000, per_session: int = 200):
        self.seconds, self.uses, self.most, self.per_session = seconds, uses, most, per_session
        self._lock = threading.Lock()
        self._by_token: dict[str, Download] = {}
        self._by_slot: dict[str, str] = {}
        self._per_session: dict[str, int] = {}
        self._swept = 0.0

    def _drop(self, token: str) -> None:
        """Forget a token (called with the lock held)."""
        download = self._by_token.pop(token, None)
        if download is not None:
            left = self._per_session[download.session] - 1
            if left:
                self._per_session[download.session] = left
            else:
                del self._per_session[download.session]

    def offer(self, slot: str, download: Download, now: float | None = None) -> str:
        """Keep a download for its slot; returns the token of its link."""
        now = time.time() if now is None else now
        download.expires, download.uses = now + self.seconds, self.uses
        with self._lock:
            self._sweep(now)
            token = self._by_slot.get(slot)
            old = self._by_token.get(token) if token else None
            spent = old is None or old.uses <= 0 or old.expires < now
            if spent or not hmac.compare_digest(old.session, download.session):
                token = secrets.token_urlsafe(32)
            else:
                download.uses = old.uses
            self._drop(token)  # re-inserted last: the newest go last in the eviction order
            self._by_token[token], self._by_slot[slot] = download, token
            self._per_session[download.session] = self._per_session.get(download.session, 0) + 1
            if self._per_session[download.session] > self.per_session:  # this session's oldest first
                self._drop(next(t for t, d in self._by_token.items() if d.session == download.session))
            while len(self._by_token) > self.most:
                self._drop(next(iter(self._by_token)))
        return token

    def claim(self, token: str, session: str, now: float | None = None) -> Download:
        """The download behind a token for the session presenting it, one use spent; Refused otherwise."""
        now = time.time() if now is None else now
        with self._lock:
            download = self._by_token.get(token)
            if download is None:
                raise Refused("unknown")
            if not hmac.compare_digest(download.session, session):
                raise Refused("session")
            if download.expires < now or download.uses <= 0:
                raise Refused("expired")
            download.uses -= 1
            return download

    def give_back(self, token: str) -> None:
        """Return a use that was claimed but not served (the server was too busy)."""
        with self._lock:
            if token in self._by_token:
                self._by_token[token].uses += 1

    def _sweep(self, now: float) -> None:
        if now - self._swept < 30:  # a page offers a download per table on every rerun: not a scan each time
            return
        self._swept = now
        for token in [t for t, d in self._by_token.items() if d.expires < now]:
            self._drop(token)
        for slot in [s for s, t in self._by_slot.items() if t not in self._by_token]:
            del self._by_slot[slot]


def content_disposition(file_name: str) -> str:
    """An attachment header any browser reads: an ASCII fallback and the UTF-8 name (RFC 6266/5987)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", file_name).strip("_") or "export.csv"
    if not fallback.lower().endswith(".csv"):
        fallback += ".csv"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
