"""The Altair specs behind the pages' charts, without Streamlit: the pages draw them with
st.altair_chart (oversight/ui/charts.py) and the monthly report renders the same specs to PNG
(oversight/ui/report_charts.py). Charts only ever receive rows DuckDB has already aggregated."""

from __future__ import annotations

import altair as alt
import pandas as pd

from oversight import fmt, i18n

PALETTE = ["#b23a3a", "#d9822b", "#3a7ca5", "#5b8c5a", "#8e6c8a", "#7f7f7f", "#c9a227", "#2f4858"]


def title(lang: str, col: str) -> str:
    """A column's label; money columns name their unit (万元)."""
    label = i18n.t(f"col.{col}", lang)
    return fmt.unit_header(col, label, lang) if col in fmt.MONEY_COLUMNS else label


def axis_format(kind: str | None):
    # Money reaches the axis already in 万元 (see money).
    return {"pct": ".1%", "yuan": ",.1f", "int": ",d"}.get(kind or "", alt.Undefined)


def money(frame: pd.DataFrame) -> pd.DataFrame:
    """Money columns in 万元, as the cards show them."""
    out = frame.copy()
    for c in out.columns:
        if c in fmt.MONEY_COLUMNS:
            out[c] = out[c].astype(float) / 10_000
    return out


def tooltip(lang: str, col: str) -> alt.Tooltip:
    """A tooltip field with its unit: rates to one decimal, money in 万元."""
    if fmt.is_rate(col):
        return alt.Tooltip(col, title=title(lang, col), format=".1%")
    if col in fmt.MONEY_COLUMNS:
        return alt.Tooltip(col, title=title(lang, col), format=",.2f")
    return alt.Tooltip(col, title=title(lang, col))


def vbar(
    frame: pd.DataFrame,
    x: str,
    y: str,
    lang: str,
    color: str | None = None,
    codes: dict[str, str] | None = None,
    x_type: str = "N",
    sort=None,
    y_kind: str | None = None,
) -> alt.Chart:
    """Vertical bars for few categories or months (labels kept horizontal)."""
    data = money(fmt.labelled(frame, lang, codes))
    enc = {
        "x": alt.X(f"{x}:{x_type}", title=title(lang, x), sort=sort, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        "y": alt.Y(f"sum({y}):Q", title=title(lang, y), axis=alt.Axis(format=axis_format(y_kind), tickCount=5)),
        "tooltip": [tooltip(lang, c) for c in [x, y] + ([color] if color else [])],
    }
    if x_type == "T":
        enc["x"] = alt.X(f"yearmonth({x}):T", title=title(lang, x), axis=alt.Axis(format="%Y-%m", labelAngle=0))
    if color:
        enc["color"] = alt.Color(
            f"{color}:N", title=title(lang, color), scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")
        )
    return alt.Chart(data).mark_bar(color=PALETTE[0]).encode(**enc).properties(height=280)


def lines(
    frame: pd.DataFrame,
    x: str,
    columns: list[str],
    lang: str,
    y_kind: str | None = None,
    series_title: str = "page.series",
) -> alt.Chart:
    """Monthly lines, one per column, with the legend in the UI language."""
    long = frame.melt(id_vars=[x], value_vars=columns, var_name="series", value_name="value")
    long["series"] = long["series"].map(lambda c: title(lang, c))
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                f"{x}:T",
                title=title(lang, x),
                axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True, tickCount="month"),
            ),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=axis_format(y_kind), tickCount=5)),
            color=alt.Color(
                "series:N",
                title=i18n.t(series_title, lang),
                scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip(f"{x}:T", title=title(lang, x), format="%Y-%m"),
                alt.Tooltip("series:N", title=i18n.t(series_title, lang)),
                alt.Tooltip("value:Q", title=i18n.t("page.value", lang), format=".1%" if y_kind == "pct" else ",.1f"),
            ],
        )
        .properties(height=280)
    )


STAGES = ("survey", "consent", "design", "tendering", "construction", "acceptance", "done")


def stage_order(lang: str) -> list[str]:
    """Stage labels in the order renovation runs, for sorting axes."""
    return [i18n.label("stage", s, lang) for s in STAGES]
