"""Data out and in at scale: the CSV export of the largest list, and the import of a services file.

Workers (`python -m bench.files MODE ...`), each in a process of its own so that the parent reads
its peak resident memory (wait4):
- export: what the Resident requests page's download runs on click (every filtered request under
  no filter: db.run, code labels, export.csv_bytes), written to a file. `--months` narrows the
  period, to see whether memory grows with the rows.
- copy: the same rows written by DuckDB's COPY, no labels: the floor an export can reach.
The import runs the command line (`python -m oversight import services FILE --db COPY`) on a
scratch copy of the database; its file is made here from the services table, with new ids.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.common import ROOT, cache_dir, default_filter, emit, peak_rss_mb, run_worker, scenario, spawn, status_mb
from oversight import domain

# The list's code columns and their label sections, as the requests page labels them.
LIST_CODES = domain.REQUEST_LIST_CODES


def _params(months: int | None) -> dict:
    from oversight import db
    from oversight.filters import add_months

    con = db.connect()
    sc = scenario(con, "none")
    flt = default_filter(con, sc)
    if months:
        flt = replace(flt, start=max(flt.start, add_months(flt.end, 1 - months)))
    # No filter: the whole street, bound as the page binds it (db.STREET), where this release has it.
    return flt.params(getattr(db, "STREET", sc.compound_ids))


def export_worker(out: Path, months: int | None, lang: str) -> dict:
    """The download of every filtered request, the way the Resident requests page builds it today."""
    import duckdb
    import pandas as pd

    from oversight import db, export, i18n, settings
    from oversight.ui import widgets

    params = _params(months)
    db.close_all()
    # Read-only, as the dashboard opens every version of the store: the export then runs in a DuckDB
    # instance of its own with export.MEMORY_LIMIT (a plain file opened read-write could not be attached).
    con = duckdb.connect(str(settings.db_path()), read_only=True)
    sql = db.query_text("requests_list")
    if hasattr(export, "write_query_csv"):
        # widgets.long_table's download: DuckDB streams every row (COPY) behind a BOM and labelled header.
        bound = db.bind(sql, {**params, "limit": None})
        columns = [d[0] for d in con.execute(f"SELECT * FROM ({sql}\n) q LIMIT 0", bound).description]  # noqa: S608
        names = widgets.headers(pd.DataFrame(columns=columns), lang)
        labels = {col: i18n.codes(section, lang) for col, section in LIST_CODES.items()}
        rss_before = status_mb(os.getpid(), "VmRSS")
        started = time.perf_counter()
        parts = export.months_newest_first(bound) if hasattr(export, "months_newest_first") else None
        rows = export.write_query_csv(con, sql, bound, out, names, labels, parts=parts)
        path = (
            f"export.write_query_csv (DuckDB COPY in its own instance, memory_limit {export.MEMORY_LIMIT}, spilling"
            + (f"; {len(parts)} months, newest first)" if parts else ")")
        )
    else:
        # The older download: a DataFrame of every row, labelled, then export.csv_bytes.
        rss_before = status_mb(os.getpid(), "VmRSS")
        started = time.perf_counter()
        frame = widgets.labelled(db.run("requests_list", con, **params, limit=None), lang, LIST_CODES)
        out.write_bytes(export.csv_bytes(frame, widgets.headers(frame, lang)))
        rows, path = len(frame), "db.run, labels, export.csv_bytes (pandas)"
    seconds = time.perf_counter() - started
    return {"rows": rows, "bytes": out.stat().st_size, "seconds": seconds, "rss_before_mb": rss_before, "path": path}


def copy_worker(out: Path, months: int | None) -> dict:
    from oversight import db

    params = {**_params(months), "limit": None}
    con = db.connect()
    sql = db.query_text("requests_list")
    used = db.bind(sql, params)
    rss_before = status_mb(os.getpid(), "VmRSS")
    started = time.perf_counter()
    rows = con.execute(f"COPY ({sql}\n) TO '{out}' (HEADER, DELIMITER ',')", used).fetchone()[0]
    seconds = time.perf_counter() - started
    return {"rows": rows, "bytes": out.stat().st_size, "seconds": seconds, "rss_before_mb": rss_before}


def measure_export(db_file: Path, mode: str, months: int | None = None) -> dict:
    """One export in a fresh process: rows, seconds, peak and own memory (peak minus the memory before it)."""
    out = cache_dir() / f"export-{mode}-{months or 'all'}.csv"
    args = [mode, "--out", str(out)] + (["--months", str(months)] if months else [])
    r = spawn([sys.executable, "-m", "bench.files", *args], {**os.environ, "OVERSIGHT_DB": str(db_file)})
    out.unlink(missing_ok=True)
    if r.returncode != 0 or not r.data:
        return {"error": f"exit {r.returncode}: {r.log_tail[-800:]}"}
    return {**r.data, "peak_mb": r.peak_mb, "own_mb": r.peak_mb - r.data["rss_before_mb"]}


def measure_export_median(db_file: Path, mode: str, reps: int, months: int | None = None) -> dict:
    """measure_export `reps` times, each in a fresh process (one run on a shared machine says little):
    the median run (of an even count, the slower middle one), with every run's seconds (`runs_s`), the
    worst peak and the worst growth over the runs, and the errors of the runs that failed (`failed`)."""
    asked = max(reps, 1)
    runs = [measure_export(db_file, mode, months) for _ in range(asked)]
    done = [r for r in runs if "seconds" in r]
    failed = [r.get("error", "no result") for r in runs if "seconds" not in r]
    if not done:
        return runs[0]
    chosen = sorted(done, key=lambda r: r["seconds"])[len(done) // 2]
    return {
        **chosen,
        "runs_s": [r["seconds"] for r in done],
        "runs_asked": asked,
        "failed": failed,
        "peak_mb": max(r["peak_mb"] for r in done),
        "own_mb": max(r["own_mb"] for r in done),
    }


def import_available() -> str | None:
    """None if the import core can be measured; else why not."""
    if importlib.util.find_spec("oversight.ingest") is None:
        return "import core not available (no oversight/ingest.py)"
    probe = subprocess.run(
        [sys.executable, "-m", "oversight", "import", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if probe.returncode != 0:
        return "import core not available (`python -m oversight import` does not run)"
    return None


def services_file(db_file: Path, out: Path, rows: int) -> None:
    """A services CSV of `rows` new rows (new ids, existing volunteers), as an official would import."""
    import duckdb

    con = duckdb.connect(str(db_file), read_only=True)
    try:
        have = con.execute("SELECT count(*) FROM services").fetchone()[0]
        repeat = max(1, -(-rows // max(have, 1)))
        con.execute(
            f"""
            COPY (
                SELECT 'BENCH' || lpad(CAST(row_number() OVER () AS VARCHAR), 8, '0') AS service_id,
                       volunteer_id, served_on, activity, hours, points
                FROM services CROSS JOIN range({int(repeat)})
                LIMIT {int(rows)}
            ) TO '{out}' (HEADER, DELIMITER ',')
            """  # noqa: S608 - integers and our own path only
        )
    finally:
        con.close()


def measure_import(db_file: Path, rows: int) -> dict:
    """The command-line import of a `rows`-row services file into a scratch copy: time, peak memory, outcome."""
    why = import_available()
    if why:
        return {"not_measured": why}
    scratch = cache_dir() / "import-scratch.duckdb"
    csv = cache_dir() / f"services-{rows}.csv"
    try:
        shutil.copy(db_file, scratch)
        services_file(scratch, csv, rows)
        cmd = [sys.executable, "-m", "oversight", "import", "services", str(csv), "--db", str(scratch)]
        r = spawn(cmd, {**os.environ, "OVERSIGHT_DB": str(scratch)}, timeout=1800)
        if r.returncode != 0:
            return {"error": f"exit {r.returncode}: {r.log_tail[-800:]}", "seconds": r.seconds, "peak_mb": r.peak_mb}
        return {"rows": rows, "seconds": r.seconds, "peak_mb": r.peak_mb, "file_mb": csv.stat().st_size / 2**20}
    finally:
        for path in (scratch, Path(str(scratch) + ".wal"), csv):
            path.unlink(missing_ok=True)
        shutil.rmtree(Path(str(scratch) + ".versions"), ignore_errors=True)


def measure_writes(db_file: Path, rows: int) -> dict:
    """A write of `rows` services rows as a new version of a versioned copy, while a dashboard serves it."""
    from oversight import store

    scratch = cache_dir() / "writes-scratch" / "oversight.duckdb"
    shutil.rmtree(scratch.parent, ignore_errors=True)
    scratch.parent.mkdir(parents=True)
    csv = cache_dir() / f"services-{rows}.csv"
    try:
        store.publish_file(scratch, db_file, action="generate", who="bench")
        services_file(store.current_file(scratch), csv, rows)
        r = run_worker("bench.writes", ["--store", str(scratch), "--csv", str(csv)], scratch, timeout=1800)
        if not r.data:
            return {"error": f"exit {r.returncode}: {r.log_tail[-800:]}"}
        return {**r.data, "rows": rows}
    finally:
        shutil.rmtree(scratch.parent, ignore_errors=True)
        csv.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.files")
    parser.add_argument("mode", choices=["export", "copy"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--months", type=int, default=None)
    parser.add_argument("--lang", default="zh")
    args = parser.parse_args(argv)
    if args.mode == "export":
        result = export_worker(args.out, args.months, args.lang)
    else:
        result = copy_worker(args.out, args.months)
    emit({**result, "peak_mb": peak_rss_mb()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
