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
    kind: str  # int, yuan, pct, hours, points, decimal
    higher_is_better: bool | None
    has_delta: bool = True  # False where the data keeps no history to compare with


_M = Metric
CATALOGUE: dict[str, Metric] = {
    m.key: m
    for m in [
        _M("compounds_in_plan", "kpi_renovation", "compounds_in_plan", "int", True),
        _M("households_benefiting", "kpi_renovation", "households_benefiting", "int", True),
        _M("items_total", "kpi_renovation", "items_total", "int", None, has_delta=False),
        _M("items_done", "kpi_renovation", "items_done", "int", True),
        _M("budget_total", "kpi_renovation", "budget_total", "yuan", None, has_delta=False),
        _M("budget_spent", "kpi_renovation", "budget_spent", "yuan", None, has_delta=False),
        _M("overdue_items", "kpi_renovation", "overdue_items", "int", False),
        _M("extra_items", "kpi_renovation", "extra_items", "int", None, has_delta=False),
        _M("weighted_progress", "kpi_renovation", "weighted_progress", "decimal", True, has_delta=False),
        _M("partner_value", "kpi_partners", "partner_value", "yuan", True),
        _M("partner_hours", "kpi_partners", "partner_hours", "hours", True),
        _M("contributions_count", "kpi_partners", "contributions_count", "int", True),
        _M("partner_units_active", "kpi_partners", "partner_units_active", "int", True),
        _M("households_benefited", "kpi_partners", "households_benefited", "int", True),
        _M("requests_total", "kpi_requests", "requests_total", "int", None),
        _M("response_rate", "kpi_requests", "response_rate", "pct", True),
        _M("resolution_rate", "kpi_requests", "resolution_rate", "pct", True),
        _M("satisfaction_rate", "kpi_requests", "satisfaction_rate", "pct", True),
        _M("median_response_hours", "kpi_requests", "median_response_hours", "hours", False),
        _M("median_resolution_hours", "kpi_requests", "median_resolution_hours", "hours", False),
        _M("open_backlog", "kpi_requests", "open_backlog", "int", False),
        _M("open_over_30_days", "kpi_requests", "open_over_30_days", "int", False),
        _M("property_coverage", "kpi_red_property", "property_coverage", "pct", True),
        _M("party_org_coverage", "kpi_red_property", "party_org_coverage", "pct", True),
        _M("cross_appointed_coverage", "kpi_red_property", "cross_appointed_coverage", "pct", True),
        _M("committee_party_share", "kpi_red_property", "committee_party_share", "pct", True),
        _M("fee_collection", "kpi_red_property", "fee_collection", "pct", True),
        _M("joint_meetings", "kpi_red_property", "joint_meetings", "int", True),
        _M("volunteers_registered", "kpi_volunteers", "volunteers_registered", "int", True, has_delta=False),
        _M("active_volunteers", "kpi_volunteers", "active_volunteers", "int", True),
        _M("volunteer_hours", "kpi_volunteers", "volunteer_hours", "hours", True),
        _M("points_earned", "kpi_volunteers", "points_earned", "points", True),
        _M("points_redeemed", "kpi_volunteers", "points_redeemed", "points", None),
        _M("points_outstanding", "kpi_volunteers", "points_outstanding", "points", None),
    ]
}


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
