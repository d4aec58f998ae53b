"""Altair charts with labelled axes. Charts only ever receive rows DuckDB has already aggregated."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from oversight import fmt, i18n
from oversight.ui.context import Context
from oversight.ui.widgets import empty, labelled

PALETTE = ["#b23a3a", "#d9822b", "#3a7ca5", "#5b8c5a", "#8e6c8a", "#7f7f7f", "#c9a227", "#2f4858"]


def _title(ctx: Context, col: str) -> str:
    return (
        fmt.unit_header(col, i18n.t(f"col.{col}", ctx.lang), ctx.lang)
        if col in fmt.MONEY_COLUMNS
        else (i18n.t(f"col.{col}", ctx.lang))
    )


def _fmt(kind: str | None):
    # Money reaches the axis already in 万元 (see _money).
    return {"pct": ".1%", "yuan": ",.1f", "int": ",d"}.get(kind or "", alt.Undefined)


def _money(frame: pd.DataFrame) -> pd.DataFrame:
    """Money columns in 万元, as the cards show them."""
    out = frame.copy()
    for c in out.columns:
        if c in fmt.MONEY_COLUMNS:
            out[c] = out[c].astype(float) / 10_000
    return out


def _tooltip(ctx: Context, col: str) -> alt.Tooltip:
    """A tooltip field with its unit: rates to one decimal, money in 万元."""
    if fmt.is_rate(col):
        return alt.Tooltip(col, title=_title(ctx, col), format=".1%")
    if col in fmt.MONEY_COLUMNS:
        return alt.Tooltip(col, title=_title(ctx, col), format=",.2f")
    return alt.Tooltip(col, title=_title(ctx, col))


def hbar(
    ctx: Context,
    frame: pd.DataFrame,
    y: str,
    x: str,
    color: str | None = None,
    codes: dict[str, str] | None = None,
    x_kind: str | None = None,
    sort: str = "-x",
    selectable: str | None = None,
    key: str | None = None,
    tooltip: list[str] | None = None,
    max_rows: int = 40,
):
    """Horizontal bars: names on the y axis never overlap however long they are.

    selectable names a field; clicking a bar then reruns the page and the selection is returned.
    """
    if frame.empty:
        empty(ctx)
        return None
    data = _money(labelled(frame, ctx.lang, codes))
    if len(data) > max_rows:
        # A city has thousands of compounds: draw the first rows in the query's order and say so.
        st.caption(ctx.t("page.bars_shown", shown=max_rows, total=len(data)))
        data = data.head(max_rows)
    enc = {
        # Names speak for themselves; a rotated Chinese axis title only takes room.
        "y": alt.Y(f"{y}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=180, labelOverlap=False)),
        "x": alt.X(
            f"{x}:Q",
            title=_title(ctx, x),
            axis=alt.Axis(format=_fmt(x_kind), tickCount=5, tickMinStep=alt.Undefined if x_kind == "pct" else 1),
        ),
        "tooltip": [_tooltip(ctx, c) for c in (tooltip or [y, x])],
    }
    if color:
        enc["color"] = alt.Color(
            f"{color}:N", title=_title(ctx, color), scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")
        )
    # A fixed step per bar keeps every name readable however many compounds are shown.
    chart = alt.Chart(data).mark_bar(color=PALETTE[0]).encode(**enc).properties(height=alt.Step(24))
    if selectable:
        pick = alt.selection_point(name="pick", fields=[selectable], on="click")
        chart = chart.add_params(pick)
        return st.altair_chart(chart, width="stretch", on_select="rerun", selection_mode="pick", key=key)
    st.altair_chart(chart, width="stretch", key=key)
    return None


def vbar(
    ctx: Context,
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    codes: dict[str, str] | None = None,
    x_type: str = "N",
    sort=None,
    y_kind: str | None = None,
):
    """Vertical bars for few categories or months (labels kept horizontal)."""
    if frame.empty:
        empty(ctx)
        return
    data = _money(labelled(frame, ctx.lang, codes))
    enc = {
        "x": alt.X(f"{x}:{x_type}", title=_title(ctx, x), sort=sort, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        "y": alt.Y(f"sum({y}):Q", title=_title(ctx, y), axis=alt.Axis(format=_fmt(y_kind), tickCount=5)),
        "tooltip": [_tooltip(ctx, c) for c in [x, y] + ([color] if color else [])],
    }
    if x_type == "T":
        enc["x"] = alt.X(f"yearmonth({x}):T", title=_title(ctx, x), axis=alt.Axis(format="%Y-%m", labelAngle=0))
    if color:
        enc["color"] = alt.Color(
            f"{color}:N", title=_title(ctx, color), scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")
        )
    st.altair_chart(alt.Chart(data).mark_bar(color=PALETTE[0]).encode(**enc).properties(height=280), width="stretch")


def lines(
    ctx: Context,
    frame: pd.DataFrame,
    x: str,
    columns: list[str],
    y_kind: str | None = None,
    series_title: str = "page.series",
):
    """Monthly lines, one per column, with the legend in the UI language."""
    if frame.empty:
        empty(ctx)
        return
    long = frame.melt(id_vars=[x], value_vars=columns, var_name="series", value_name="value")
    long["series"] = long["series"].map(lambda c: _title(ctx, c))
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                f"{x}:T",
                title=_title(ctx, x),
                axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True, tickCount="month"),
            ),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=_fmt(y_kind), tickCount=5)),
            color=alt.Color(
                "series:N",
                title=ctx.t(series_title),
                scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip(f"{x}:T", title=_title(ctx, x), format="%Y-%m"),
                alt.Tooltip("series:N", title=ctx.t(series_title)),
                alt.Tooltip("value:Q", title=ctx.t("page.value"), format=".1%" if y_kind == "pct" else ",.1f"),
            ],
        )
        .properties(height=280)
    )
    st.altair_chart(chart, width="stretch")


STAGES = ("survey", "consent", "design", "tendering", "construction", "acceptance", "done")


def stage_order(ctx: Context) -> list[str]:
    """Stage labels in the order renovation runs, for sorting axes."""
    return [i18n.label("stage", s, ctx.lang) for s in STAGES]


def compound_progress(ctx: Context, key: str) -> pd.DataFrame:
    """Progress by compound; clicking a compound's bar opens its profile. Returns the rows."""
    progress = ctx.fetch("progress_by_compound")
    picked = hbar(
        ctx,
        progress,
        y="compound",
        x="progress",
        selectable="compound_id",
        key=key,
        tooltip=["compound", "community", "progress", "items", "items_done", "overdue"],
    )
    chosen = picked.get("selection", {}).get("pick", []) if picked else []
    if chosen:
        st.session_state["profile"] = chosen[0]["compound_id"]
        st.switch_page(st.session_state["_pages"]["profile"])
    return progress
