"""The pages' charts: specs from oversight/ui/chartspecs.py drawn with labelled axes, an empty state
when there are no rows. Charts only ever receive rows DuckDB has already aggregated."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from oversight.ui import chartspecs, state
from oversight.ui.context import Context
from oversight.ui.widgets import empty, labelled

PALETTE = chartspecs.PALETTE


def draw(ctx: Context, builder: str, frame: pd.DataFrame, key: str | None = None, on_select: bool = False, **args):
    """chartspecs.<builder>(frame, lang=..., **args) drawn full width; with on_select, a click reruns
    the page and the selection is returned."""
    chart = getattr(chartspecs, builder)(frame, lang=ctx.lang, **args)
    if on_select:
        return st.altair_chart(chart, width="stretch", on_select="rerun", selection_mode="pick", key=key)
    st.altair_chart(chart, width="stretch", key=key)
    return None


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
    data = chartspecs.money(labelled(frame, ctx.lang, codes))
    if len(data) > max_rows:
        # A city has thousands of compounds: draw the first rows in the query's order and say so.
        st.caption(ctx.t("page.bars_shown", shown=max_rows, total=len(data)))
        data = data.head(max_rows)
    args = {"color": color, "x_kind": x_kind, "sort": sort, "tooltip_columns": tooltip, "selectable": selectable}
    return draw(ctx, "hbar", data, key=key, on_select=bool(selectable), y=y, x=x, **args)


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
    draw(ctx, "vbar", frame, x=x, y=y, color=color, codes=codes, x_type=x_type, sort=sort, y_kind=y_kind)


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
    draw(ctx, "lines", frame, x=x, columns=columns, y_kind=y_kind, series_title=series_title)


def chart(ctx: Context, builder: str, frame: pd.DataFrame, **args) -> None:
    """A named chart of chartspecs (three_rates, items_by_stage, ...), or the empty state."""
    if frame.empty:
        empty(ctx)
        return
    draw(ctx, builder, frame, **args)


def three_rates(ctx: Context) -> None:
    """三率 by month for the filter: the one chart the Overview, Red property and Requests pages share."""
    chart(ctx, "three_rates", ctx.fetch("three_rates_by_month"))


def items_by_stage(ctx: Context) -> None:
    chart(ctx, "items_by_stage", ctx.fetch("items_by_stage"))


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
