"""`make bench`: the dashboard at city scale, measured against issue 6's targets.

    python -m bench.run [--compounds 5000 --months 36 --seed 1] [--quick]

Builds (or reuses) bench/cache/city-<compounds>-<months>-<seed>.duckdb with the generator, then
measures, one after another so that nothing competes for the two cores or the database file:
1. every page through AppTest: warm, uncached, the queries under it alone, the empty page (bench/pages.py);
2. every page cold, a fresh process per sample;
3. the pandas baseline on the Overview and Resident requests pages, and its figures against ours (bench/baseline.py);
4. the CSV export of the largest list and DuckDB's COPY of it; the import of a services file (bench/files.py);
   a write as a new version while a dashboard serves (bench/writes.py);
5. `streamlit run` in Chromium: resident memory after every page (bench/browser.py);
6. concurrent sessions at the server: `python -m oversight serve`, one process and two, driven by websocket
   clients that do not render (bench/concurrency.py);
7. the monthly report of the whole street, a fresh process per run (bench/monthly.py).
Writes bench/results.md (or --out) and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

from bench import report
from bench.common import ROOT, cache_dir, default_filter, load_average, pages, run_worker, scenario

PARTS = ("pages", "baseline", "files", "writes", "browser", "load", "monthly")
QUICK = {"reps": 1, "cold_reps": 1, "cold_warmup": 0, "baseline_reps": 1, "load_seconds": 20.0, "report_reps": 1}
FULL = {"reps": 5, "cold_reps": 3, "cold_warmup": 1, "baseline_reps": 3, "load_seconds": 60.0, "report_reps": 3}
QUICK["load_sweep"], FULL["load_sweep"] = "20,50,100", "10,20,30,40,50,75,100"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--compounds", type=int, default=5000)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="one repetition of each, a 20-second load of 20, 50 and 100")
    p.add_argument("--reps", type=int, help="warm, uncached and query repetitions (default 5; quick 1)")
    p.add_argument("--cold-reps", type=int, help="cold samples per page and filter (default 3; quick 1)")
    p.add_argument("--cold-warmup", type=int, help="discarded cold processes per page and filter (default 1)")
    p.add_argument("--baseline-reps", type=int, help="baseline runs per page and filter (default 3; quick 1)")
    p.add_argument("--load-sessions", type=int, default=20, help="the concurrency target's session count")
    p.add_argument(
        "--load-sweep",
        help="session counts on one process; the target's, 50 and the largest also on two (default 10,...,100)",
    )
    p.add_argument("--load-seconds", type=float, help="each load's length (default 60; quick 20)")
    p.add_argument("--import-rows", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    p.add_argument("--json", type=Path, help="also write the targets and measurements as JSON here")
    p.add_argument("--cache", type=Path, help="databases and scratch files (default bench/cache)")
    p.add_argument("--rebuild", action="store_true", help="build the database even if it is cached")
    p.add_argument("--render-only", action="store_true", help="rewrite the report from the last run's measurements")
    p.add_argument("--only", help=f"comma-separated parts to run (default all): {','.join(PARTS)}")
    return p


def say(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def ensure_db(args) -> Path:
    from oversight import generate

    db_file = cache_dir() / f"city-{args.compounds}-{args.months}-{args.seed}.duckdb"
    if args.rebuild or not db_file.exists():
        say(f"building {db_file.name} ...")
        generate.build(db_file, compounds=args.compounds, months=args.months, seed=args.seed, progress=True)
    _synced(db_file)
    return db_file


def _synced(db_file: Path) -> None:
    """The 督办 ledger synced once, as `python -m oversight generate` publishes it: the writes measured are
    then an office's next write, not the first after an upgrade (which syncs the ledger once more)."""
    import duckdb

    from oversight import db, supervision

    con = duckdb.connect(str(db_file))
    try:
        if db.meta(con).get(supervision.SYNCED_KEY) != supervision.rules():
            say("syncing the 督办 ledger ...")
            supervision.sync(con, who="bench")
            con.execute("CHECKPOINT")
    finally:
        con.close()


def describe(db_file: Path) -> dict:
    """The database's size and rows, and the two filter scenarios (closed again before any worker starts)."""
    import duckdb
    import pandas
    import streamlit

    from oversight import db

    con = db.connect(db_file)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in db.TABLES}  # noqa: S608
        none, one = scenario(con, "none"), scenario(con, "community")
        flt = default_filter(con, none)
        options = db.run("filter_options", con, compound_ids=none.compound_ids)
        communities = list(dict.fromkeys(options["community"]))
    finally:
        db.close_all()
    return {
        "db_name": str(db_file.relative_to(ROOT)) if db_file.is_relative_to(ROOT) else db_file.name,
        "db_mb": db_file.stat().st_size / 2**20,
        "counts": counts,
        "total_rows": sum(counts.values()),
        "event_rows": counts["requests"] + counts["services"] + counts["progress_updates"],
        "compounds": counts["compounds"],
        "communities": counts["communities"],
        "as_of": none.as_of.isoformat(),
        "period": f"{flt.start:%Y-%m} to {flt.end:%Y-%m}",
        "community_id": one.community_id,
        "community_label": one.community_label,
        "community_compounds": len(one.compound_ids),
        "load_communities": [one.community_label] + [c for c in communities if c != one.community_label][:5],
        "cores": os.cpu_count(),
        "memory_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
    }


def measure_pages(db_file: Path, info: dict, o: dict) -> tuple[dict, dict]:
    say(f"pages warm and uncached, queries alone ({o['reps']} repetitions) ...")
    w = run_worker("bench.pages", ["warm", "--reps", str(o["reps"])], db_file, timeout=3600)
    if not w.data:
        raise RuntimeError("the warm page worker failed:\n" + w.log_tail)
    cold: dict[str, dict] = {}
    for page in pages():
        for key in ("none", "community"):
            args = ["cold", "--page", page.name, "--scenario", key, "--community", info["community_id"]]
            samples, errors = [], []
            for n in range(o["cold_warmup"] + o["cold_reps"]):
                r = run_worker("bench.pages", args, db_file, timeout=900)
                if not r.data:
                    errors.append(f"cold worker exit {r.returncode}: {r.log_tail[-300:]}")
                    continue
                errors += r.data["errors"]
                if n >= o["cold_warmup"]:
                    samples.append(r.data["seconds"])
            cold[f"{page.name}/{key}"] = {"seconds": samples, "errors": errors}
            say(f"cold {page.name}/{key}: {', '.join(f'{s:.2f}s' for s in samples)}")
    return w.data, cold


def measure_baseline(db_file: Path, o: dict) -> dict:
    say(f"pandas baseline ({o['baseline_reps']} repetitions) ...")
    r = run_worker("bench.baseline", ["--reps", str(o["baseline_reps"])], db_file, timeout=3600)
    if not r.data:
        return {"error": f"exit {r.returncode}: {r.log_tail[-600:]}"}
    return {**r.data, "peak_mb": r.peak_mb}


def measure_files(db_file: Path, import_rows: int, reps: int = 1) -> tuple[dict, dict]:
    from bench import files

    say(f"export ({reps} runs of each) ...")
    export = {
        "full": files.measure_export_median(db_file, "export", reps),
        "part": files.measure_export_median(db_file, "export", reps, months=3),
        "copy": files.measure_export_median(db_file, "copy", reps),
    }
    say(f"import of {import_rows:,} services rows ...")
    return export, files.measure_import(db_file, import_rows)


def measure_browser(db_file: Path, info: dict) -> dict:
    from bench import browser

    why = browser.available()
    if why:
        return {"not_measured": why}
    say("streamlit run: visiting every page ...")
    server = browser.bench_server(db_file).start()
    try:
        visit = browser.visit_every_page(server, info["community_label"])
        say(f"server resident {visit['rss_mb']:.0f} MB")
    finally:
        server.stop()
    return {"visit": visit}


def measure_load(db_file: Path, info: dict, o: dict, sessions: int) -> dict:
    """Concurrent sessions at the server, one process and two (bench/concurrency.py)."""
    from bench import concurrency

    sweep = tuple(int(n) for n in str(o["load_sweep"]).split(",") if n)
    say(f"load: {sweep} sessions for {o['load_seconds']:.0f} s on one process, {max(sweep)} on two ...")
    try:
        return concurrency.measure(
            db_file, sessions, sweep, o["load_seconds"], communities=info["load_communities"][:3], progress=say
        )
    except Exception as e:  # noqa: BLE001 - the report says what failed; the other parts stand
        return {"error": f"{type(e).__name__}: {e}"[:600]}


def measure_monthly(db_file: Path, reps: int) -> dict:
    """The monthly report of the whole street for the month of as_of: `reps` fresh processes."""
    say(f"monthly report of the whole street ({reps} fresh processes) ...")
    out = cache_dir() / "monthly-report.docx"
    runs = []
    for _ in range(reps):
        r = run_worker("bench.monthly", ["--db", str(db_file), "--out", str(out)], None, timeout=600)
        if not r.data:
            return {"error": f"exit {r.returncode}: {r.log_tail[-600:]}", "runs": runs}
        runs.append({**r.data, "seconds": r.seconds})
        say(f"monthly report: {r.seconds:.2f}s (queries {r.data['queries_s']:.2f}s, charts {r.data['charts_s']:.2f}s)")
    out.unlink(missing_ok=True)
    return {"runs": runs}


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; write the report; return {'markdown', 'targets', 'results', 'info'}."""
    args = parser().parse_args(argv)
    if args.cache:
        os.environ["BENCH_CACHE"] = str(args.cache.resolve())
    o = dict(QUICK if args.quick else FULL)
    for key in ("reps", "cold_reps", "cold_warmup", "baseline_reps", "load_seconds", "load_sweep"):
        if getattr(args, key) is not None:
            o[key] = getattr(args, key)
    last = cache_dir() / "last-run.json"
    if args.render_only:
        saved = json.loads(last.read_text(encoding="utf-8"))
        return _write(args, saved["info"], saved["results"], saved["command"])
    started, t0, load_before = datetime.now(), time.perf_counter(), load_average()
    db_file = ensure_db(args)
    info = describe(db_file)
    parts = set(args.only.split(",")) if args.only else set(PARTS)
    results: dict = {}
    if "pages" in parts:
        results["warm"], results["cold"] = measure_pages(db_file, info, o)
    if "baseline" in parts:
        results["baseline"] = measure_baseline(db_file, o)
    if "files" in parts:
        results["export"], results["import"] = measure_files(db_file, args.import_rows, o["reps"])
    if "writes" in parts:
        from bench import files

        say(f"a write of {args.import_rows:,} rows while a dashboard serves ...")
        results["writes"] = files.measure_writes(db_file, args.import_rows)
    if "browser" in parts:
        results["browser"] = measure_browser(db_file, info)
    if "load" in parts:
        results["load"] = measure_load(db_file, info, o, args.load_sessions)
    if "monthly" in parts:
        results["monthly"] = measure_monthly(db_file, o["report_reps"])
    info.update(
        started=f"{started:%Y-%m-%d %H:%M}",
        minutes=(time.perf_counter() - t0) / 60,
        load_before=load_before,
        load_after=load_average(),
        reps=o["reps"],
        cold_reps=o["cold_reps"],
        cold_warmup=o["cold_warmup"],
    )
    command = ("python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    saved = {"info": info, "results": results, "command": command}
    last.write_text(json.dumps(saved, default=str, ensure_ascii=False), encoding="utf-8")
    return _write(args, info, results, command)


def _write(args, info: dict, results: dict, command: str) -> dict:
    markdown, targets = report.render(info, results, command)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown, encoding="utf-8")
    if args.json:
        payload = {"targets": targets, "results": results, "info": info}
        args.json.write_text(json.dumps(payload, default=str, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown)
    say(f"wrote {args.out}")
    return {"markdown": markdown, "targets": targets, "results": results, "info": info}


if __name__ == "__main__":
    main()
    sys.exit(0)
