"""The metric catalogue: every headline figure declared once.

A metric names the query that computes it (queries/<query>.sql, one row), the column it reads,
how it is formatted and whether up is good. Its label is locales/<lang>/*.toml [metric].<key>.
Pages ask for metrics by key; each query runs once per period however many metrics read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Metric:
    key: str
    query: str
    column: str
    kind: str  # int, yuan, pct, hours, days, points, decimal
    higher_is_better: bool | None
    has_delta: bool = True  # False where the data keeps no history to compare with
    unit: str | None = None  # locales [unit] key shown after the value (户, 户次, 台...); yuan and pct carry their own


_M = Metric
CATALOGUE: dict[str, Metric] = {
    m.key: m
    for m in [
        _M("compounds_in_plan", "kpi_renovation", "compounds_in_plan", "int", True, unit="compound"),
        _M("households_benefiting", "kpi_renovation", "households_benefiting", "int", True, unit="household"),
        _M("compounds_started", "kpi_renovation", "compounds_started", "int", True, unit="compound"),
        _M("start_rate", "kpi_renovation", "start_rate", "pct", True),
        _M("compounds_finished", "kpi_renovation", "compounds_finished", "int", True, unit="compound"),
        _M("finish_rate", "kpi_renovation", "finish_rate", "pct", True),
        _M("items_total", "kpi_renovation", "items_total", "int", None, has_delta=False, unit="item"),
        _M("items_done", "kpi_renovation", "items_done", "int", True, unit="item"),
        _M("budget_total", "kpi_renovation", "budget_total", "yuan", None, has_delta=False),
        _M("budget_spent", "kpi_renovation", "budget_spent", "yuan", None, has_delta=False),
        _M("late_start_items", "kpi_renovation", "late_start_items", "int", False, unit="item"),
        _M("overdue_items", "kpi_renovation", "overdue_items", "int", False, unit="item"),
        _M("extra_items", "kpi_renovation", "extra_items", "int", None, has_delta=False, unit="item"),
        _M("elevators_total", "kpi_renovation", "elevators_total", "int", True, has_delta=False, unit="elevator"),
        _M("elevators_done", "kpi_renovation", "elevators_done", "int", True, unit="elevator"),
        _M(
            "weighted_progress", "kpi_renovation", "weighted_progress", "decimal", True, has_delta=False, unit="percent"
        ),
        _M("partner_value", "kpi_partners", "partner_value", "yuan", True),
        _M("partner_hours", "kpi_partners", "partner_hours", "hours", True, unit="hour"),
        _M("contributions_count", "kpi_partners", "contributions_count", "int", True, unit="times"),
        _M("partner_units_active", "kpi_partners", "partner_units_active", "int", True, unit="unit"),
        _M("households_benefited", "kpi_partners", "households_benefited", "int", True, unit="household_times"),
        _M("requests_total", "kpi_requests", "requests_total", "int", None, unit="request"),
        _M("response_rate", "kpi_requests", "response_rate", "pct", True),
        _M("closure_rate", "kpi_requests", "closure_rate", "pct", True),
        _M("resolution_rate", "kpi_requests", "resolution_rate", "pct", True),
        _M("satisfaction_rate", "kpi_requests", "satisfaction_rate", "pct", True),
        _M("composite_score", "kpi_requests", "composite_score", "decimal", True, unit="score"),
        _M("median_response_hours", "kpi_requests_times", "median_response_hours", "hours", False, unit="hour"),
        _M("median_handling_days", "kpi_requests_times", "median_handling_days", "days", False, unit="day"),
        _M("overdue_requests", "kpi_requests", "overdue_requests", "int", False, unit="request"),
        _M("open_backlog", "kpi_requests", "open_backlog", "int", False, unit="request"),
        _M("open_over_30_days", "kpi_requests", "open_over_30_days", "int", False, unit="request"),
        _M("property_coverage", "kpi_red_property", "property_coverage", "pct", True),
        _M("party_org_coverage", "kpi_red_property", "party_org_coverage", "pct", True),
        _M("cross_appointed_coverage", "kpi_red_property", "cross_appointed_coverage", "pct", True),
        _M("committee_coverage", "kpi_red_property", "committee_coverage", "pct", True),
        _M("committee_party_share", "kpi_red_property", "committee_party_share", "pct", True),
        _M("fee_collection", "kpi_red_property", "fee_collection", "pct", True),
        _M("joint_meetings", "kpi_red_property", "joint_meetings", "int", True, unit="times"),
        _M(
            "volunteers_registered",
            "kpi_volunteers",
            "volunteers_registered",
            "int",
            True,
            has_delta=False,
            unit="person",
        ),
        _M("active_volunteers", "kpi_volunteers", "active_volunteers", "int", True, unit="person"),
        _M("volunteer_hours", "kpi_volunteers", "volunteer_hours", "hours", True, unit="hour"),
        _M("points_earned", "kpi_volunteers", "points_earned", "points", True, unit="point"),
        _M("points_redeemed", "kpi_volunteers", "points_redeemed", "points", None, unit="point"),
        _M("points_outstanding", "kpi_volunteers", "points_outstanding", "points", None, unit="point"),
    ]
}


def display(key: str, value, lang: str = "zh") -> str:
    """A metric's value as its card shows it: formatted by kind, with its unit."""
    from oversight import fmt

    m = CATALOGUE[key]
    return fmt.value(m.kind, value, lang, unit=m.unit)


def red_black(ranked: pd.DataFrame, size: int, score: str = "composite_score") -> tuple[pd.DataFrame, pd.DataFrame]:
    """红榜 and 黑榜: the best and the worst `size` of the ranked rows by score, never the same row on
    both (with fewer than 2 × size rows each list takes half)."""
    rows = ranked.dropna(subset=[score]).sort_values(score, ascending=False, kind="stable")
    n = min(size, len(rows) // 2)
    return rows.head(n), rows.tail(n).iloc[::-1]


def low_satisfaction(by_compound: pd.DataFrame, line: float) -> pd.DataFrame:
    """Ranked compounds (enough 回访 answers) whose 满意率 is under the line (OVERSIGHT_SATISFACTION_LINE)."""
    return by_compound[by_compound["ranked"] & (by_compound["satisfaction_rate"] < line)]


# The renovation figures, in the order the Renovation page and the report's renovation section show them.
RENOVATION = (
    "compounds_in_plan",
    "compounds_started",
    "start_rate",
    "households_benefiting",
    "compounds_finished",
    "finish_rate",
    "late_start_items",
    "overdue_items",
    "items_total",
    "items_done",
    "budget_total",
    "budget_spent",
    "extra_items",
    "elevators_total",
    "elevators_done",
)

# The 三率 and 综合得分 (kpi_requests), shown by the 居民诉求 and 红色物业 pages and the report.
REQUEST_RATES = ("response_rate", "closure_rate", "resolution_rate", "satisfaction_rate", "composite_score")
# The 居民诉求 page's figures.
REQUESTS = (
    "requests_total",
    *REQUEST_RATES,
    "median_response_hours",
    "median_handling_days",
    "overdue_requests",
    "open_backlog",
    "open_over_30_days",
)
# Red property's own figures (kpi_red_property): coverage in the period's last month, fee collection.
PROPERTY = (
    "property_coverage",
    "party_org_coverage",
    "cross_appointed_coverage",
    "committee_coverage",
    "committee_party_share",
    "fee_collection",
)
# The 红色物业 page's figures: its own, the joint meetings, and the rates of kpi_requests (without 办结率).
RED_PROPERTY = (*PROPERTY, "joint_meetings", *(k for k in REQUEST_RATES if k != "closure_rate"))
# The 共建单位 page's figures and the report's partner section.
PARTNERS = ("partner_value", "partner_hours", "contributions_count", "partner_units_active", "households_benefited")
# The 志愿积分 page's figures.
VOLUNTEERS = (
    "active_volunteers",
    "volunteers_registered",
    "volunteer_hours",
    "points_earned",
    "points_redeemed",
    "points_outstanding",
)


@dataclass(frozen=True)
class Figure:
    metric: Metric
    value: object
    previous: object | None


def figures(keys: Iterable[str], fetch: Callable[[str, bool], pd.DataFrame]) -> list[Figure]:
    """The figures for keys. fetch(query, previous) returns that query's one-row frame for the
    current period (previous=False) or the period before it; each query is fetched once."""
    metrics = [CATALOGUE[k] for k in keys]
    rows: dict[tuple[str, bool], pd.Series] = {}

    def row(query: str, previous: bool) -> pd.Series:
        if (query, previous) not in rows:
            frame = fetch(query, previous)
            rows[(query, previous)] = frame.iloc[0] if len(frame) else pd.Series(dtype=object)
        return rows[(query, previous)]

    out = []
    for m in metrics:
        current = row(m.query, False).get(m.column)
        previous = row(m.query, True).get(m.column) if m.has_delta else None
        out.append(Figure(m, _plain(current), _plain(previous)))
    return out


def _plain(v):
    """numpy and Decimal scalars to plain Python numbers; NA to None."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return v
