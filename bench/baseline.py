"""The baseline: the usual Streamlit way, with the same pages drawing the same figures.

Whole tables are loaded into pandas DataFrames once per process (as st.cache_resource would keep
them), and every rerun filters and groups them: nothing computed is cached. The Overview and
Resident requests pages run unchanged on top of it: bench/baseline_app.py is an entry file like
dashboard.py whose page context answers ctx.fetch(query) from pandas instead of DuckDB. Within one
rerun each table is narrowed to the compounds in scope once and reused, as a hand-written app would.

`python -m bench.baseline --reps N` loads the tables, checks that every figure equals our query's
on this database (both scenarios, current and previous periods), then times the two pages through
AppTest. It prints a BENCH-JSON line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from functools import cached_property

import numpy as np
import pandas as pd

from bench.common import ROOT, emit, peak_rss_mb, status_mb
from oversight.ui.context import Context

TABLES = [
    "communities",
    "compounds",
    "renovation_items",
    "contributions",
    "requests",
    "volunteers",
    "services",
    "redemptions",
    "red_property_monthly",
    "meta",
]
PAGES = ("overview", "requests")  # url paths of the two pages the baseline draws
DAY = pd.Timedelta(days=1)
_loaded: dict[str, dict[str, pd.DataFrame]] = {}


def tables(db_file: str) -> dict[str, pd.DataFrame]:
    """Every table the two pages read, whole, loaded once per process."""
    if db_file not in _loaded:
        import duckdb

        con = duckdb.connect(db_file, read_only=True)
        try:
            _loaded[db_file] = {name: con.execute(f"SELECT * FROM {name}").df() for name in TABLES}  # noqa: S608
        finally:
            con.close()
    return _loaded[db_file]


class Scope:
    """The tables narrowed to the compounds in scope, each at most once per rerun."""

    def __init__(self, t: dict[str, pd.DataFrame], ids: list[str]):
        self.t, self.ids, self._done = t, ids, {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._done:
            frame = self.t[name]
            if name in ("services", "redemptions"):
                frame = frame[frame["volunteer_id"].isin(self["volunteers"]["volunteer_id"])]
            elif "compound_id" in frame.columns:
                frame = frame[frame["compound_id"].isin(self.ids)]
            self._done[name] = frame
        return self._done[name]


def _ts(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def _rate(hits, total):
    return hits / total if total else np.nan


def _period(frame: pd.DataFrame, col: str, p: dict) -> pd.DataFrame:
    return frame[(frame[col] >= _ts(p["period_start"])) & (frame[col] < _ts(p["period_end"]))]


def _responded(r: pd.DataFrame) -> pd.Series:
    return r["responded_at"] <= r["received_at"] + pd.Timedelta(hours=24)


def _names(s: Scope) -> pd.DataFrame:
    """compound_id -> compound, community."""
    c = s["compounds"][["compound_id", "name", "community_id"]].rename(columns={"name": "compound"})
    m = s.t["communities"][["community_id", "name"]].rename(columns={"name": "community"})
    return c.merge(m, on="community_id")


def _round1(x: pd.Series) -> pd.Series:
    """round(x, 1) as DuckDB does it: half away from zero."""
    return np.sign(x) * np.floor(np.abs(x) * 10 + 0.5) / 10


# One function per query of the two pages, same columns, rows and order as queries/<name>.sql.


def filter_options(s: Scope, p: dict) -> pd.DataFrame:
    out = _names(s)[["compound_id", "compound", "community_id", "community"]]
    return out.sort_values(["community_id", "compound_id"]).reset_index(drop=True)


def data_first_month(s: Scope, p: dict) -> pd.DataFrame:
    candidates = [s["red_property_monthly"]["month"].min(), s["requests"]["received_at"].min(), _ts(p["as_of"])]
    first = min(pd.Timestamp(c).normalize() for c in candidates if pd.notna(c))
    return pd.DataFrame({"first_day": [first]})


def kpi_renovation(s: Scope, p: dict) -> pd.DataFrame:
    c, i = s["compounds"], s["renovation_items"]
    as_of, as_at = _ts(p["as_of"]), _ts(p["as_at"])
    done_then = (i["stage"] == "done") & (i["actual_end"].fillna(as_of) <= as_at)
    planned = c[c["in_renovation_plan"] & (c["plan_batch"].isna() | (c["plan_batch"] <= as_at.strftime("%Y-%m")))]
    budget = i["budget_yuan"].sum()
    weighted = (i["progress_pct"] * i["budget_yuan"]).sum() / budget if budget else i["progress_pct"].mean()
    return pd.DataFrame(
        {
            "compounds_in_plan": [len(planned)],
            "households_benefiting": [planned["households"].sum()],
            "items_total": [len(i)],
            "items_done": [int(done_then.sum())],
            "budget_total": [budget],
            "budget_spent": [i["spent_yuan"].sum()],
            "overdue_items": [int(((i["planned_end"] < as_at) & ~done_then).sum())],
            "extra_items": [int((~i["in_plan"]).sum())],
            "weighted_progress": [weighted],
        }
    )


def kpi_partners(s: Scope, p: dict) -> pd.DataFrame:
    c = _period(s["contributions"], "contributed_on", p)
    return pd.DataFrame(
        {
            "partner_value": [c["value_yuan"].sum()],
            "partner_hours": [c["volunteer_hours"].sum()],
            "contributions_count": [len(c)],
            "partner_units_active": [c["unit_id"].nunique()],
            "households_benefited": [c["households_benefited"].sum()],
        }
    )


def kpi_volunteers(s: Scope, p: dict) -> pd.DataFrame:
    v, sv, d = s["volunteers"], s["services"], s["redemptions"]
    as_at = _ts(p["as_at"])
    sp, dp = _period(sv, "served_on", p), _period(d, "redeemed_on", p)
    outstanding = (
        sv.loc[sv["served_on"] <= as_at, "points"].sum() - d.loc[d["redeemed_on"] <= as_at, "points_spent"].sum()
    )
    return pd.DataFrame(
        {
            "volunteers_registered": [len(v)],
            "active_volunteers": [sp["volunteer_id"].nunique()],
            "volunteer_hours": [sp["hours"].sum()],
            "points_earned": [sp["points"].sum()],
            "points_redeemed": [dp["points_spent"].sum()],
            "points_outstanding": [outstanding],
        }
    )


def _open_on(s: Scope, as_at) -> pd.DataFrame:
    r, next_day = s["requests"], _ts(as_at) + DAY
    return r[(r["received_at"] < next_day) & (r["resolved_at"].isna() | (r["resolved_at"] >= next_day))]


def kpi_requests(s: Scope, p: dict) -> pd.DataFrame:
    r = _period(s["requests"], "received_at", p)
    n, rated = len(r), r["satisfaction"].notna().sum()
    hours = lambda col: ((r[col] - r["received_at"]).dt.total_seconds() / 3600).median()  # noqa: E731
    return pd.DataFrame(
        {
            "requests_total": [n],
            "response_rate": [_rate(_responded(r).sum(), n)],
            "resolution_rate": [_rate(r["resolved_at"].notna().sum(), n)],
            "satisfaction_rate": [_rate((r["satisfaction"] >= 4).sum(), rated)],
            "median_response_hours": [hours("responded_at")],
            "median_resolution_hours": [hours("resolved_at")],
            "open_backlog": [len(_open_on(s, p["as_at"]))],
            "open_over_30_days": [_old_open(s, p["as_at"]).shape[0]],
        }
    )


def overdue_items(s: Scope, p: dict) -> pd.DataFrame:
    i, as_at = s["renovation_items"], _ts(p["as_at"])
    i = i[(i["stage"] != "done") & (i["planned_end"] < as_at)].merge(_names(s)[["compound_id", "compound"]])
    i = i.assign(days_overdue=(as_at - i["planned_end"]).dt.days)
    i = i.sort_values(["days_overdue", "item_id"], ascending=[False, True])
    cols = ["item_id", "compound", "title", "item_type", "stage", "planned_end", "progress_pct", "days_overdue"]
    return i[cols].reset_index(drop=True)


def _three_rates(r: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    g = r.assign(
        responded=_responded(r),
        resolved=r["resolved_at"].notna(),
        happy=r["satisfaction"] >= 4,
        rated=r["satisfaction"].notna(),
        unresolved=r["resolved_at"].isna(),
    ).groupby(by, sort=False)
    out = g.agg(
        requests=("request_id", "size"),
        responded=("responded", "sum"),
        resolved=("resolved", "sum"),
        happy=("happy", "sum"),
        rated=("rated", "sum"),
        open_requests=("unresolved", "sum"),
    ).reset_index()
    out["response_rate"] = out["responded"] / out["requests"]
    out["resolution_rate"] = out["resolved"] / out["requests"]
    out["satisfaction_rate"] = (out["happy"] / out["rated"]).where(out["rated"] > 0)
    return out


def requests_by_compound(s: Scope, p: dict) -> pd.DataFrame:
    out = _three_rates(_period(s["requests"], "received_at", p), ["compound_id"]).merge(_names(s))
    out = out.sort_values(["resolution_rate", "compound_id"]).reset_index(drop=True)
    cols = ["compound_id", "compound", "community", "requests", "response_rate", "resolution_rate"]
    return out[[*cols, "satisfaction_rate", "rated", "open_requests"]]


def _old_open(s: Scope, as_at) -> pd.DataFrame:
    r = _open_on(s, as_at)
    return r[r["received_at"] < _ts(as_at) - 30 * DAY]


def old_open_requests(s: Scope, p: dict) -> pd.DataFrame:
    as_at = _ts(p["as_at"])
    r = _old_open(s, p["as_at"]).merge(_names(s)[["compound_id", "compound"]])
    r = r.assign(age_days=(as_at - r["received_at"].dt.normalize()).dt.days)
    r = r.sort_values(["received_at", "request_id"])
    if p.get("limit") is not None:
        r = r.head(int(p["limit"]))
    cols = ["request_id", "compound", "received_at", "channel", "category", "summary", "handler", "age_days"]
    return r[cols].reset_index(drop=True)


def progress_by_compound(s: Scope, p: dict) -> pd.DataFrame:
    i = s["renovation_items"]
    i = i.assign(
        weighted=i["progress_pct"] * i["budget_yuan"],
        done=i["stage"] == "done",
        late=(i["stage"] != "done") & (i["planned_end"] < _ts(p["as_at"])),
    )
    g = i.groupby("compound_id").agg(
        items=("item_id", "count"),
        items_done=("done", "sum"),
        weighted=("weighted", "sum"),
        mean=("progress_pct", "mean"),
        overdue=("late", "sum"),
        budget=("budget_yuan", "sum"),
        spent=("spent_yuan", "sum"),
    )
    g["progress"] = _round1((g["weighted"] / g["budget"].where(g["budget"] != 0)).fillna(g["mean"]))
    out = _names(s).merge(g.reset_index(), on="compound_id")
    out = out.sort_values(["progress", "compound_id"], ascending=[False, True]).reset_index(drop=True)
    return out[
        ["compound_id", "compound", "community", "items", "items_done", "progress", "overdue", "budget", "spent"]
    ]


def items_by_stage(s: Scope, p: dict) -> pd.DataFrame:
    g = (
        s["renovation_items"]
        .groupby(["stage", "category"])
        .agg(items=("item_id", "size"), budget=("budget_yuan", "sum"))
    )
    return g.reset_index().sort_values(["stage", "category"]).reset_index(drop=True)


def three_rates_by_month(s: Scope, p: dict) -> pd.DataFrame:
    r = _period(s["requests"], "received_at", p)
    r = r.assign(month=r["received_at"].dt.to_period("M").dt.to_timestamp())
    out = _three_rates(r, ["month"]).sort_values("month").reset_index(drop=True)
    return out[["month", "requests", "response_rate", "resolution_rate", "satisfaction_rate"]]


def requests_by_category(s: Scope, p: dict) -> pd.DataFrame:
    out = _three_rates(_period(s["requests"], "received_at", p), ["category"])
    out = out.sort_values(["requests", "category"], ascending=[False, True]).reset_index(drop=True)
    return out[["category", "requests", "resolution_rate"]]


def requests_by_channel(s: Scope, p: dict) -> pd.DataFrame:
    out = _three_rates(_period(s["requests"], "received_at", p), ["channel"])
    out = out.sort_values(["requests", "channel"], ascending=[False, True]).reset_index(drop=True)
    return out[["channel", "requests", "response_rate"]]


def requests_backlog_by_age(s: Scope, p: dict) -> pd.DataFrame:
    ages = (_ts(p["as_at"]) - _open_on(s, p["as_at"])["received_at"].dt.normalize()).dt.days
    rows = []
    for band, lo, hi in (("d0_7", 0, 7), ("d8_30", 8, 30), ("d31_90", 31, 90), ("d90_plus", 91, None)):
        inside = ages[(ages >= lo) & ((ages <= hi) if hi is not None else True)]
        rows.append({"age_band": band, "open_requests": len(inside), "oldest_days": inside.max()})
    return pd.DataFrame(rows)


def requests_list(s: Scope, p: dict) -> pd.DataFrame:
    r = _period(s["requests"], "received_at", p).merge(_names(s)[["compound_id", "compound"]])
    r = r.sort_values(["received_at", "request_id"], ascending=[False, True])
    if p.get("limit") is not None:
        r = r.head(int(p["limit"]))
    cols = ["request_id", "compound", "received_at", "channel", "category", "summary", "handler"]
    return r[[*cols, "responded_at", "resolved_at", "satisfaction"]].reset_index(drop=True)


QUERIES = {
    f.__name__: f
    for f in [
        filter_options,
        data_first_month,
        kpi_renovation,
        kpi_partners,
        kpi_volunteers,
        kpi_requests,
        overdue_items,
        requests_by_compound,
        old_open_requests,
        progress_by_compound,
        items_by_stage,
        three_rates_by_month,
        requests_by_category,
        requests_by_channel,
        requests_backlog_by_age,
        requests_list,
    ]
}


class BaselineContext(Context):
    """The page context of the baseline: ctx.fetch answers from the in-memory tables, every rerun anew."""

    @cached_property
    def _scopes(self) -> dict:  # one per rerun: the context is built afresh each run
        return {}

    def fetch(self, query: str, previous: bool = False, compound_ids: list[str] | None = None, **extra):
        ids = self.compound_ids if compound_ids is None else compound_ids
        params = {**self.filter.params(ids, previous), **extra}
        key = tuple(ids)
        if key not in self._scopes:
            self._scopes[key] = Scope(tables(self.db_file), ids)
        return QUERIES[query](self._scopes[key], params)


def same(ours: pd.DataFrame, theirs: pd.DataFrame) -> str | None:
    """None if the two frames hold the same figures (floats to 1e-9 relative); else the first difference."""
    if list(ours.columns) != list(theirs.columns):
        return f"columns {list(ours.columns)} != {list(theirs.columns)}"
    if len(ours) != len(theirs):
        return f"{len(ours)} rows != {len(theirs)} rows"
    for col in ours.columns:
        a, b = ours[col].reset_index(drop=True), theirs[col].reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(a) or pd.api.types.is_datetime64_any_dtype(b):
            a, b = pd.to_datetime(a), pd.to_datetime(b)
            ok = ((a == b) | (a.isna() & b.isna())).all()
        elif pd.api.types.is_numeric_dtype(a) or pd.api.types.is_numeric_dtype(b):
            x, y = pd.to_numeric(a).astype(float).to_numpy(), pd.to_numeric(b).astype(float).to_numpy()
            ok = np.allclose(x, y, rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            ok = ((a == b) | (a.isna() & b.isna())).all()
        if not ok:
            return f"column {col} differs"
    return None


def page_calls(community: str | None) -> dict[str, list[dict]]:
    """The queries our Overview and Resident requests pages run, with their parameters, per scenario."""
    import streamlit as st

    from bench import pages as bp
    from oversight import db

    bp.prepare()
    wanted = [p for p in bp.pages() if p.url in PAGES]
    calls = {}
    for key, comm in (("none", None), ("community", community)):
        st.cache_data.clear()
        with bp.Recorder() as rec:
            for page in wanted:
                bp.run_page(page, comm)
        calls[key] = bp.distinct(rec.calls)
    st.cache_data.clear()
    db.close_all()
    return calls


def compare(db_file: str, calls: dict[str, list[dict]]) -> list[dict]:
    """Every query our two pages ran (both scenarios, every period they asked for) against its pandas twin."""
    from bench.common import default_filter, scenario
    from oversight import db

    con = db.connect(db_file)
    t = tables(db_file)
    out = []
    for key, made in calls.items():
        sc = scenario(con, key)
        before = default_filter(con, sc).params(sc.compound_ids, previous=True)["period_start"]
        for call in made:
            name, params = call["query"], call["params"]
            previous = params.get("period_start") == before
            if name not in QUERIES:
                diff = "no pandas version of this query"
            else:
                try:
                    diff = same(
                        db.run(name, con, **params), QUERIES[name](Scope(t, list(params["compound_ids"])), params)
                    )
                except Exception as e:  # noqa: BLE001 - a query the baseline does not mirror any more
                    diff = f"{type(e).__name__}: {str(e)[:120]}"
            out.append({"scenario": key, "previous": previous, "query": name, "difference": diff})
    db.close_all()
    return out


def run_app(page: str, community: str | None) -> tuple[float, list[str]]:
    from streamlit.testing.v1 import AppTest

    from bench.common import pages

    at = AppTest.from_file(str(ROOT / "bench" / "baseline_app.py"), default_timeout=900)
    at.session_state["_bench_page"] = next(p.path for p in pages() if p.url == page)
    if community:
        at.session_state["community"] = [community]
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    return seconds, [str(e.value)[:300] for e in at.exception] + [str(e.value)[:300] for e in at.error]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    from bench.common import scenario
    from oversight import db, settings

    db_file = str(settings.db_path())
    started = time.perf_counter()
    tables(db_file)
    load_s = time.perf_counter() - started
    rss_after_load = status_mb(os.getpid(), "VmRSS")
    con = db.connect(db_file)
    community = scenario(con, "community").community_id
    db.close_all()
    checks = compare(db_file, page_calls(community))
    from bench.common import Stopwatch

    data = Stopwatch()  # the data work of a run: every ctx.fetch, and the filter options
    data.wrap(BaselineContext, "fetch")
    data.wrap(sys.modules[__name__], "filter_options")  # as bench/baseline_app.py calls them
    data.wrap(sys.modules[__name__], "data_first_month")
    runs = []
    for page in PAGES:
        for key, comm in (("none", None), ("community", community)):
            warmup, errors = run_app(page, comm)
            times, data_times = [], []
            for _ in range(args.reps):
                data.take()
                seconds, errs = run_app(page, comm)
                times.append(seconds)
                data_times.append(data.take())
                errors += errs
            runs.append(
                {"page": page, "scenario": key, "warmup_s": warmup, "seconds": times, "data_s": data_times,
                 "errors": errors}
            )  # fmt: skip
    emit(
        {
            "load_s": load_s,
            "rss_after_load_mb": rss_after_load,
            "rows_loaded": sum(len(f) for f in tables(db_file).values()),
            "checks": checks,
            "runs": runs,
            "peak_mb": peak_rss_mb(),
        }
    )
    return 0


if __name__ == "__main__":
    # Run as bench.baseline, the module baseline_app imports: one set of loaded tables, one BaselineContext.
    from bench.baseline import main as module_main

    sys.exit(module_main())
