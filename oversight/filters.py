"""The filter an official sets (communities, compounds, a month range) and what it means for queries.

The URL form is what the sidebar widgets bind to: ?community=和美社区&compound=...&period=2022-10&period=2023-09.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def month_label(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def parse_month(text: str) -> date | None:
    try:
        y, m = text.split("-")
        if len(y) != 4 or len(m) != 2:
            return None
        return date(int(y), int(m), 1)
    except (ValueError, AttributeError):
        return None


def month_options(first: date, as_of: date) -> list[str]:
    """Every month from first to as_of's month, as YYYY-MM labels."""
    months, m = [], month_start(first)
    while m <= month_start(as_of):
        months.append(month_label(m))
        m = add_months(m, 1)
    return months


def default_period(as_of: date, options: list[str]) -> tuple[str, str]:
    """The 12 months up to as_of, clipped to the months that have data."""
    end = month_label(as_of)
    start = month_label(add_months(month_start(as_of), -11))
    return (max(start, options[0]), end) if options else (start, end)


@dataclass(frozen=True)
class Filter:
    """What the official has chosen. Empty tuples mean 'all'."""

    communities: tuple[str, ...] = ()
    compounds: tuple[str, ...] = ()
    start: date = date(2000, 1, 1)  # first month, inclusive
    end: date = date(2000, 1, 1)  # last month, inclusive
    as_of: date = date(2000, 1, 1)
    allowed: tuple[str, ...] | None = field(default=None)  # the user's scope; None = every compound

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def as_at(self) -> date:
        """The day whose state a stock figure shows: the period's last day, never after as_of."""
        return self.params([])["as_at"]

    def params(self, compound_ids: list[str], previous: bool = False) -> dict:
        """The bound parameters every query takes."""
        start, end = self.start, add_months(self.end, 1)
        if previous:
            start, end = add_months(self.start, -self.months), self.start
        return {
            "compound_ids": compound_ids,
            "period_start": start,
            "period_end": end,
            "as_of": self.as_of,
            # The day whose state a stock figure shows: the period's last day, never after as_of.
            "as_at": min(date.fromordinal(end.toordinal() - 1), self.as_of),
        }


def scope(compounds: pd.DataFrame, flt: Filter) -> list[str]:
    """The compound ids a query may read: the user's scope narrowed by the chosen communities and compounds.

    compounds has columns compound_id and community_id.
    """
    rows = compounds
    if flt.allowed is not None:
        rows = rows[rows["compound_id"].isin(flt.allowed)]
    if flt.communities:
        rows = rows[rows["community_id"].isin(flt.communities)]
    if flt.compounds:
        rows = rows[rows["compound_id"].isin(flt.compounds)]
    return sorted(rows["compound_id"].tolist())


def id_labels(ids, texts) -> dict[str, str]:
    """id -> its text with the id after it, as pickers show rows whose texts may repeat (a widget hands
    back the label: two equal labels would both choose the last of them)."""
    return {i: f"{t}（{i}）" for i, t in zip(ids, texts, strict=True)}


def unique_labels(ids: list[str], names: list[str]) -> dict[str, str]:
    """id -> the label shown and put in the URL: the name, with the id only where names repeat."""
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    with_id = id_labels(ids, names)
    return {i: (n if seen[n] == 1 else with_id[i]) for i, n in zip(ids, names, strict=True)}


def invalid_url_values(query_params: dict[str, list[str]], valid: dict[str, list[str]]) -> dict[str, list[str]]:
    """The URL values a widget would silently drop: key -> the values not among its options."""
    bad: dict[str, list[str]] = {}
    for key, options in valid.items():
        values = query_params.get(key, [])
        if key == "period":
            # Two known months in either order (the slider sorts them); anything else is dropped.
            if values and (len(values) != 2 or any(v not in options for v in values)):
                bad[key] = values
            continue
        wrong = [v for v in values if v not in options]
        if wrong:
            bad[key] = wrong
    return bad
