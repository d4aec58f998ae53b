"""How numbers and dates are shown: yuan with separators (万元 in Chinese), one-decimal percentages."""

from __future__ import annotations

import math
from datetime import date, datetime


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def yuan(value, lang: str = "zh") -> str:
    """Money: 万元 from ten thousand up in Chinese, plain yuan with separators otherwise."""
    if _missing(value):
        return "—"
    value = float(value)
    if lang == "zh":
        if abs(value) >= 100_000_000:
            return f"{value / 100_000_000:,.2f} 亿元"
        if abs(value) >= 1_000_000:
            return f"{value / 10_000:,.1f} 万元"
        if abs(value) >= 10_000:
            return f"{value / 10_000:,.2f} 万元"
        return f"{value:,.0f} 元"
    if abs(value) >= 10_000_000:
        return f"¥{value / 1_000_000:,.1f}m"
    return f"¥{value:,.0f}"


def exact_yuan(value, lang: str = "zh") -> str:
    """Money to the yuan, for the tooltip behind a rounded figure."""
    if _missing(value):
        return "—"
    return f"{float(value):,.2f} 元" if lang == "zh" else f"¥{float(value):,.2f}"


def pct(value) -> str:
    """A share 0-1 as a percentage with one decimal."""
    return "—" if _missing(value) else f"{float(value) * 100:.1f}%"


def number(value, decimals: int = 0) -> str:
    return "—" if _missing(value) else f"{float(value):,.{decimals}f}"


def display_dates(frame):
    """Date columns as YYYY-MM-DD and timestamps to the minute, for tables and CSV files."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            values = out[col]
            midnight = values.dropna().dt.normalize().eq(values.dropna()).all()
            text = values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
            out[col] = text.where(values.notna(), None)
    return out


def labelled(frame, lang: str, codes: dict[str, str] | None = None):
    """Code columns turned into labels (codes: column -> codes.toml section), dates as text."""
    import pandas as pd

    from oversight import i18n

    out = display_dates(frame)
    for col, section in (codes or {}).items():
        labels = i18n.codes(section, lang)
        if col in out.columns and labels:
            if pd.api.types.is_bool_dtype(out[col]):
                labels = {True: labels.get("true", "true"), False: labels.get("false", "false")}
            # A dict lookup per value in pandas, not a Python call per cell.
            out[col] = out[col].map(labels).fillna(out[col].astype(object))
    return out


def day(value) -> str:
    if _missing(value) or value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def value(kind: str, v, lang: str = "zh") -> str:
    """Format v by a metric's kind: int, yuan, pct, hours, points, decimal."""
    if kind == "yuan":
        return yuan(v, lang)
    if kind == "pct":
        return pct(v)
    if kind in ("hours", "points", "decimal"):
        return number(v, 1)
    return number(v, 0)


def delta(kind: str, current, previous, lang: str = "zh") -> str | None:
    """The change from previous to current, formatted like the value (points for rates)."""
    if _missing(current) or _missing(previous):
        return None
    diff = float(current) - float(previous)
    if kind == "pct":
        unit = " 个百分点" if lang == "zh" else " pp"
        return f"{diff * 100:+.1f}{unit}"
    if kind == "yuan":
        return ("+" if diff >= 0 else "-") + yuan(abs(diff), lang)
    if kind in ("hours", "points", "decimal"):
        return f"{diff:+,.1f}"
    return f"{diff:+,.0f}"
