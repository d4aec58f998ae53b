"""The monthly report at scale: `python -m bench.monthly --db PATH --out FILE.docx [--community ID]`.

A fresh process, as `python -m oversight report` is: times the whole report for the month of as_of
and its stages (the queries, the charts rendered to PNG, the .docx), and emits them.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from bench.common import emit, peak_rss_mb


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    p = argparse.ArgumentParser(prog="python -m bench.monthly")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--community", action="append", default=[])
    args = p.parse_args(argv)

    from oversight import db, report
    from oversight.filters import Filter, scope
    from oversight.ui import report_charts

    imported = time.perf_counter()
    report_charts.warm_up()
    con = db.connect(args.db)
    as_of = date.fromisoformat(db.meta(con)["as_of"])
    ids = scope(db.run("snapshot_compounds_scope", con), Filter(communities=tuple(args.community)))
    period = report.month_period(f"{as_of:%Y-%m}")
    t0 = time.perf_counter()
    data = report.gather(con, ids, period, as_of, "zh")
    t1 = time.perf_counter()
    pictures = {name: report_charts.render(name, frame, "zh") for name, frame in data.charts.items()}
    t2 = time.perf_counter()
    args.out.write_bytes(report.document(data, lambda name, frame, lang: pictures[name]))
    t3 = time.perf_counter()
    emit(
        {
            "compounds": len(ids),
            "period": period.label,
            "import_s": imported - started,
            "setup_s": t0 - imported,
            "queries_s": t1 - t0,
            "charts_s": t2 - t1,
            "document_s": t3 - t2,
            "in_process_s": t3 - started,
            "bytes": args.out.stat().st_size,
            "peak_mb": peak_rss_mb(),
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
