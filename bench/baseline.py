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
import math
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
    "property_companies",
    "partner_units",
    "supervision_cases",
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
    """round(x, 1) as DuckDB does it: the double's exact value, half away from zero (75.55 is 75.549999...)."""
    from decimal import ROUND_HALF_UP, Decimal

    tenth = Decimal("0.1")
    return x.map(lambda v: v if pd.isna(v) else float(Decimal(float(v)).quantize(tenth, ROUND_HALF_UP))).astype(float)


def _avg(x: pd.Series) -> float:
    """avg() as DuckDB computes it here: the exactly rounded sum (pandas' mean may differ in the last bit,
    which round(..., 1) then shows: 96.05000000000001 against 96.05)."""
    values = x.dropna()
    return math.fsum(values) / len(values) if len(values) else np.nan


def _settings() -> dict:
    from oversight import settings

    return settings.query_settings()


def _due(r: pd.DataFrame) -> pd.Series:
    days = r["time_limit_days"].fillna(_settings()["default_time_limit_days"]).astype("int64")
    return r["received_at"] + pd.to_timedelta(days, unit="D")


def _counts(r: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The request counts every rate is made of (口径 as queries/kpi_requests.sql), grouped by `by`."""
    g = r.assign(
        responded=_responded(r),
        closed=r["resolved_at"].notna(),
        answered=r["followup_resolved"].notna(),
        fu_resolved=r["followup_resolved"] == "resolved",
        rated=r["followup_satisfaction"].notna(),
        satisfied=r["followup_satisfaction"].isin(["satisfied", "basically_satisfied"]),
        unresolved=r["resolved_at"].isna(),
    ).groupby(by, sort=False)
    return g.agg(
        requests=("request_id", "size"),
        responded=("responded", "sum"),
        closed=("closed", "sum"),
        answered=("answered", "sum"),
        fu_resolved=("fu_resolved", "sum"),
        rated=("rated", "sum"),
        satisfied=("satisfied", "sum"),
        open_requests=("unresolved", "sum"),
    ).reset_index()


def _with_rates(out: pd.DataFrame) -> pd.DataFrame:
    out["response_rate"] = out["responded"] / out["requests"]
    out["closure_rate"] = out["closed"] / out["requests"]
    out["resolution_rate"] = (out["fu_resolved"] / out["answered"]).where(out["answered"] > 0)
    out["satisfaction_rate"] = (out["satisfied"] / out["rated"]).where(out["rated"] > 0)
    return out


def _score(out: pd.DataFrame) -> pd.Series:
    q = _settings()
    return 100 * (
        q["w_response"] * out["response_rate"]
        + q["w_resolution"] * out["resolution_rate"]
        + q["w_satisfaction"] * out["satisfaction_rate"]
    )


def _ranked(out: pd.DataFrame, key: str) -> pd.DataFrame:
    """rank among the ranked rows by score (then key), ranked rows first, as the league queries order them."""
    out = out.sort_values(["ranked", "composite_score", key], ascending=[False, False, True], na_position="last")
    out = out.reset_index(drop=True)
    rank = pd.Series(range(1, len(out) + 1), dtype="float64")
    out.insert(0, "rank", rank.where(out["ranked"].to_numpy()))
    return out


# One function per query of the two pages, same columns, rows and order as queries/<name>.sql.


def data_first_month(s: Scope, p: dict) -> pd.DataFrame:
    candidates = [s["red_property_monthly"]["month"].min(), s["requests"]["received_at"].min(), _ts(p["as_of"])]
    first = min(pd.Timestamp(c).normalize() for c in candidates if pd.notna(c))
    c = s["compounds"]
    batch = c.loc[c["in_renovation_plan"], "plan_batch"].dropna().min()
    return pd.DataFrame({"first_day": [first], "first_plan_batch": [_ts(batch + "-01") if pd.notna(batch) else pd.NaT]})


def kpi_renovation(s: Scope, p: dict) -> pd.DataFrame:
    c, i = s["compounds"], s["renovation_items"]
    as_of, as_at = _ts(p["as_of"]), _ts(p["as_at"])
    done_then = (i["stage"] == "done") & (i["actual_end"].fillna(as_of) <= as_at)
    i = i.assign(done_then=done_then)
    planned = c[c["in_renovation_plan"] & (c["plan_batch"].isna() | (c["plan_batch"] <= as_at.strftime("%Y-%m")))]
    in_plan = i[i["in_plan"] & i["compound_id"].isin(planned["compound_id"])]
    g = in_plan.groupby("compound_id").agg(
        started=("actual_start", lambda x: bool((x <= as_at).any())), finished=("done_then", "all")
    )
    started = int(g["started"].sum())
    finished = int(g["finished"].sum())
    n = len(planned)
    budget = i["budget_yuan"].sum()
    weighted = (i["progress_pct"] * i["budget_yuan"]).sum() / budget if budget else i["progress_pct"].mean()
    elevators = i[i["item_type"] == "elevator"]
    late_start = (i["planned_start"] < as_at) & (i["actual_start"].isna() | (i["actual_start"] > as_at))
    return pd.DataFrame(
        {
            "compounds_in_plan": [n],
            "households_benefiting": [planned["households"].sum()],
            "compounds_started": [started],
            "compounds_finished": [finished],
            "start_rate": [started / n if n else np.nan],
            "finish_rate": [finished / n if n else np.nan],
            "items_total": [len(i)],
            "items_done": [int(done_then.sum())],
            "budget_total": [budget],
            "budget_spent": [i["spent_yuan"].sum()],
            "late_start_items": [int(late_start.sum())],
            "overdue_items": [int(((i["planned_end"] < as_at) & ~done_then).sum())],
            "extra_items": [int((~i["in_plan"]).sum())],
            "elevators_total": [elevators["elevators"].fillna(1).sum()],
            "elevators_done": [elevators.loc[elevators["done_then"], "elevators"].fillna(1).sum()],
            "weighted_progress": [weighted],
        }
    )


def kpi_requests(s: Scope, p: dict) -> pd.DataFrame:
    r = _period(s["requests"], "received_at", p)
    next_day = _ts(p["as_at"]) + DAY
    due = _due(r)
    overdue = (r["resolved_at"] > due) | ((r["resolved_at"].isna() | (r["resolved_at"] >= next_day)) & (due < next_day))
    out = _with_rates(_counts(r.assign(all=0), ["all"])) if len(r) else pd.DataFrame(
        {"requests": [0], "rated": [0], "response_rate": [np.nan], "closure_rate": [np.nan],
         "resolution_rate": [np.nan], "satisfaction_rate": [np.nan]})  # fmt: skip
    return pd.DataFrame(
        {
            "requests_total": [len(r)],
            "response_rate": out["response_rate"].to_numpy(),
            "closure_rate": out["closure_rate"].to_numpy(),
            "resolution_rate": out["resolution_rate"].to_numpy(),
            "satisfaction_rate": out["satisfaction_rate"].to_numpy(),
            "rated": out["rated"].to_numpy(),
            "overdue_requests": [int(overdue.sum())],
            "composite_score": _score(out).to_numpy(),
            "open_backlog": [len(_open_on(s, p["as_at"]))],
            "open_over_30_days": [_old_open(s, p["as_at"]).shape[0]],
        }
    )


def kpi_requests_times(s: Scope, p: dict) -> pd.DataFrame:
    r = _period(s["requests"], "received_at", p)
    took = lambda col, unit: ((r[col] - r["received_at"]).dt.total_seconds() / unit).median()  # noqa: E731
    return pd.DataFrame(
        {"median_response_hours": [took("responded_at", 3600)], "median_handling_days": [took("resolved_at", 86400)]}
    )


def requests_by_compound(s: Scope, p: dict) -> pd.DataFrame:
    out = _with_rates(_counts(_period(s["requests"], "received_at", p), ["compound_id"])).merge(_names(s))
    out["ranked"] = out["rated"] >= _settings()["min_rated"]
    out = out.sort_values(["closure_rate", "compound_id"]).reset_index(drop=True)
    cols = ["compound_id", "compound", "community", "requests", "response_rate", "closure_rate", "resolution_rate"]
    return out[[*cols, "satisfaction_rate", "rated", "ranked", "open_requests"]]


def requests_rank_communities(s: Scope, p: dict) -> pd.DataFrame:
    r = _period(s["requests"], "received_at", p).merge(s["compounds"][["compound_id", "community_id"]])
    out = _with_rates(_counts(r, ["community_id"]))
    out = out.merge(s.t["communities"][["community_id", "name"]].rename(columns={"name": "community"}))
    out["composite_score"] = _round1(_score(out))
    out["ranked"] = out["rated"] >= _settings()["min_rated"]
    out = _ranked(out, "community_id")
    cols = ["rank", "community_id", "community", "composite_score", "response_rate", "closure_rate"]
    return out[[*cols, "resolution_rate", "satisfaction_rate", "requests", "rated", "ranked"]]


def red_property_league_companies(s: Scope, p: dict) -> pd.DataFrame:
    rp = _period(s["red_property_monthly"], "month", p)
    served = rp[rp["company_id"].notna()][["compound_id", "month", "company_id", "fee_collection_pct"]]
    r = _period(s["requests"], "received_at", p)
    r = r.assign(month=r["received_at"].dt.to_period("M").dt.to_timestamp()).merge(
        served[["compound_id", "month", "company_id"]], on=["compound_id", "month"]
    )
    rq = _with_rates(_counts(r, ["company_id"]))
    fees = served.groupby("company_id").agg(
        compounds=("compound_id", "nunique"), avg_fee_collection=("fee_collection_pct", _avg)
    )
    fees["avg_fee_collection"] = _round1(fees["avg_fee_collection"])
    pc = s.t["property_companies"].rename(columns={"name": "company"})
    out = fees.reset_index().merge(pc, on="company_id").merge(rq, on="company_id", how="left")
    out["composite_score"] = _round1(_score(out))
    out["requests"] = out["requests"].fillna(0).astype("int64")
    out["rated"] = out["rated"].fillna(0).astype("int64")
    out["ranked"] = out["rated"] >= _settings()["min_rated"]
    out = _ranked(out, "company_id")
    cols = ["rank", "company_id", "company", "composite_score", "response_rate", "closure_rate", "resolution_rate"]
    cols += ["satisfaction_rate", "requests", "rated", "compounds", "avg_fee_collection", "has_party_branch"]
    return out[[*cols, "party_members", "kind", "ranked"]]


def partner_outside_plan(s: Scope, p: dict) -> pd.DataFrame:
    k = s["contributions"]
    k = k[k["contributed_on"] <= _ts(p["as_of"])]
    i = s.t["renovation_items"]
    k = k.merge(i[~i["in_plan"]].drop(columns=["compound_id"]), on="item_id").merge(
        s.t["partner_units"][["unit_id", "name"]].rename(columns={"name": "unit"}), on="unit_id"
    )
    k = k.assign(buildings=k["buildings_affected"].fillna(1))
    items = k.drop_duplicates("item_id").groupby(["unit", "item_type"])
    g = k.groupby(["unit", "item_type"]).agg(
        items=("item_id", "nunique"),
        value_yuan=("value_yuan", "sum"),
        first_on=("contributed_on", "min"),
        last_on=("contributed_on", "max"),
    )
    # sum over contribution rows, as the SQL's join does (an item with two contributions counts twice)
    g["compounds"] = k.groupby(["unit", "item_type"])["compound_id"].nunique()
    g["buildings"] = k.groupby(["unit", "item_type"])["buildings"].sum().astype("int64")
    g["units"] = k.groupby(["unit", "item_type"])["units_affected"].sum().fillna(0).astype("int64")
    del items
    out = g.reset_index().sort_values(["value_yuan", "unit"], ascending=[False, True]).reset_index(drop=True)
    return out[["unit", "item_type", "items", "compounds", "buildings", "units", "value_yuan", "first_on", "last_on"]]


def supervision_counts(s: Scope, p: dict) -> pd.DataFrame:
    c = s["supervision_cases"]
    c = c[c["status"] != "closed"]
    g = c.assign(late=c["due_on"] < _ts(p["as_of"])).groupby("kind")
    return g.agg(cases=("case_id", "size"), overdue=("late", "sum")).reset_index()


def late_start_items(s: Scope, p: dict) -> pd.DataFrame:
    i, as_at = s["renovation_items"], _ts(p["as_at"])
    i = i[(i["planned_start"] < as_at) & (i["actual_start"].isna() | (i["actual_start"] > as_at))]
    i = i.merge(_names(s)[["compound_id", "compound"]])
    i = i.assign(days_late=(as_at - i["planned_start"]).dt.days)
    i = i.sort_values(["days_late", "item_id"], ascending=[False, True])
    cols = ["item_id", "compound", "title", "item_type", "stage", "planned_start", "planned_end", "days_late"]
    return i[cols].reset_index(drop=True)


def progress_by_compound(s: Scope, p: dict) -> pd.DataFrame:
    i, as_at, as_of = s["renovation_items"], _ts(p["as_at"]), _ts(p["as_of"])
    i = i.assign(
        weighted=i["progress_pct"] * i["budget_yuan"],
        done=i["stage"] == "done",
        plan_started=i["in_plan"] & (i["actual_start"] <= as_at),
        plan_done=~i["in_plan"] | ((i["stage"] == "done") & (i["actual_end"].fillna(as_of) <= as_at)),
        late_start=i["actual_start"].isna() & (i["planned_start"] < as_at),
        late=(i["stage"] != "done") & (i["planned_end"] < as_at),
    )
    g = i.groupby("compound_id").agg(
        items=("item_id", "count"),
        items_done=("done", "sum"),
        weighted=("weighted", "sum"),
        mean=("progress_pct", "mean"),
        started=("plan_started", "any"),
        planned=("in_plan", "sum"),
        plan_done=("plan_done", "all"),
        late_start=("late_start", "sum"),
        overdue=("late", "sum"),
        budget=("budget_yuan", "sum"),
        spent=("spent_yuan", "sum"),
    )
    g["progress"] = _round1((g["weighted"] / g["budget"].where(g["budget"] != 0)).fillna(g["mean"]))
    g["finished"] = (g["planned"] > 0) & g["plan_done"]
    out = _names(s).merge(g.reset_index(), on="compound_id")
    out = out.sort_values(["progress", "compound_id"], ascending=[False, True]).reset_index(drop=True)
    cols = ["compound_id", "compound", "community", "items", "items_done", "progress", "started", "finished"]
    return out[[*cols, "late_start", "overdue", "budget", "spent"]]


def three_rates_by_month(s: Scope, p: dict) -> pd.DataFrame:
    r = _period(s["requests"], "received_at", p)
    r = r.assign(month=r["received_at"].dt.to_period("M").dt.to_timestamp())
    out = _with_rates(_counts(r, ["month"])).sort_values("month").reset_index(drop=True)
    return out[["month", "requests", "response_rate", "resolution_rate", "satisfaction_rate"]]


def requests_by_category(s: Scope, p: dict) -> pd.DataFrame:
    out = _with_rates(_counts(_period(s["requests"], "received_at", p), ["category"]))
    out = out.sort_values(["requests", "category"], ascending=[False, True]).reset_index(drop=True)
    return out[["category", "requests", "closure_rate"]]


def requests_list(s: Scope, p: dict) -> pd.DataFrame:
    r = _period(s["requests"], "received_at", p).merge(_names(s)[["compound_id", "compound"]])
    r = r.sort_values(["received_at", "request_id"], ascending=[False, True])
    if p.get("limit") is not None:
        r = r.head(int(p["limit"]))
    next_day = _ts(p["as_at"]) + DAY
    due = _due(r)
    r = r.assign(
        time_limit_days=r["time_limit_days"].fillna(_settings()["default_time_limit_days"]).astype("int64"),
        due_on=due.dt.normalize(),
        handling_days=_round1((r["resolved_at"] - r["received_at"]).dt.total_seconds() / 86400),
        overdue_request=(r["resolved_at"] > due).where(r["resolved_at"].notna(), due < next_day),
    )
    cols = ["request_id", "compound", "received_at", "channel", "category", "summary", "handler", "responded_at"]
    cols += ["resolved_at", "time_limit_days", "due_on", "handling_days", "overdue_request", "followup_resolved"]
    return r[[*cols, "followup_satisfaction"]].reset_index(drop=True)


def filter_options(s: Scope, p: dict) -> pd.DataFrame:
    out = _names(s)[["compound_id", "compound", "community_id", "community"]]
    return out.sort_values(["community_id", "compound_id"]).reset_index(drop=True)


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


def overdue_items(s: Scope, p: dict) -> pd.DataFrame:
    i, as_at = s["renovation_items"], _ts(p["as_at"])
    i = i[(i["stage"] != "done") & (i["planned_end"] < as_at)].merge(_names(s)[["compound_id", "compound"]])
    i = i.assign(days_overdue=(as_at - i["planned_end"]).dt.days)
    i = i.sort_values(["days_overdue", "item_id"], ascending=[False, True])
    cols = ["item_id", "compound", "title", "item_type", "stage", "planned_end", "progress_pct", "days_overdue"]
    return i[cols].reset_index(drop=True)


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


def items_by_stage(s: Scope, p: dict) -> pd.DataFrame:
    g = (
        s["renovation_items"]
        .groupby(["stage", "category"])
        .agg(items=("item_id", "size"), budget=("budget_yuan", "sum"))
    )
    return g.reset_index().sort_values(["stage", "category"]).reset_index(drop=True)


def requests_by_channel(s: Scope, p: dict) -> pd.DataFrame:
    out = _with_rates(_counts(_period(s["requests"], "received_at", p), ["channel"]))
    out = out.sort_values(["requests", "channel"], ascending=[False, True]).reset_index(drop=True)
    return out[["channel", "requests", "response_rate"]]


def requests_backlog_by_age(s: Scope, p: dict) -> pd.DataFrame:
    ages = (_ts(p["as_at"]) - _open_on(s, p["as_at"])["received_at"].dt.normalize()).dt.days
    rows = []
    for band, lo, hi in (("d0_7", 0, 7), ("d8_30", 8, 30), ("d31_90", 31, 90), ("d90_plus", 91, None)):
        inside = ages[(ages >= lo) & ((ages <= hi) if hi is not None else True)]
        rows.append({"age_band": band, "open_requests": len(inside), "oldest_days": inside.max()})
    return pd.DataFrame(rows)


QUERIES = {
    f.__name__: f
    for f in [
        filter_options,
        data_first_month,
        kpi_renovation,
        kpi_partners,
        kpi_volunteers,
        kpi_requests,
        kpi_requests_times,
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
        requests_rank_communities,
        red_property_league_companies,
        partner_outside_plan,
        supervision_counts,
        late_start_items,
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
            if params.get("compound_ids") is getattr(db, "STREET", None):  # the whole street, as the pages bind it
                params = {**params, "compound_ids": db.all_compound_ids(con)}
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
