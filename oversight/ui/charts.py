"""Altair charts with labelled axes. Charts only ever receive rows DuckDB has already aggregated."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from oversight.ui import chartspecs, state
from oversight.ui.context import Context
from oversight.ui.widgets import empty, labelled

PALETTE = chartspecs.PALETTE


def _title(ctx: Context, col: str) -> str:
    return chartspecs.title(ctx.lang, col)


def _fmt(kind: str | None):
    return chartspecs.axis_format(kind)


def _money(frame: pd.DataFrame) -> pd.DataFrame:
    return chartspecs.money(frame)


def _tooltip(ctx: Context, col: str) -> alt.Tooltip:
    return chartspecs.tooltip(ctx.lang, col)


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
    chart = chartspecs.vbar(frame, x, y, ctx.lang, color=color, codes=codes, x_type=x_type, sort=sort, y_kind=y_kind)
    st.altair_chart(chart, width="stretch")


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
    st.altair_chart(chartspecs.lines(frame, x, columns, ctx.lang, y_kind, series_title), width="stretch")


STAGES = chartspecs.STAGES


def stage_order(ctx: Context) -> list[str]:
    """Stage labels in the order renovation runs, for sorting axes."""
    return chartspecs.stage_order(ctx.lang)


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
        st.session_state[state.PROFILE] = chosen[0]["compound_id"]
        st.switch_page(st.session_state[state.PAGES]["profile"])
    return progress
