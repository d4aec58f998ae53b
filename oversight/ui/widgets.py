"""Page pieces: the as-of line, the KPI row, a table with its CSV download, the empty state."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from oversight import export, fmt, i18n, metrics
from oversight.ui.context import Context

# Columns whose values are codes with labels in locales/*/codes.toml.
CODE_SECTIONS = {
    "stage": "stage",
    "category": "category",
    "funding": "funding",
    "item_type": "item_type",
    "channel": "channel",
    "handler": "handler",
    "request_category": "request_category",
    "unit_kind": "unit_kind",
    "company_kind": "company_kind",
    "contribution_kind": "contribution_kind",
    "volunteer_kind": "volunteer_kind",
}


def header(ctx: Context, title_key: str) -> None:
    """The page title and one line: as_of date and the active filters."""
    st.title(ctx.t(title_key))
    st.caption(filter_line(ctx))


def filter_words(ctx: Context) -> list[str]:
    f = ctx.filter
    communities = "、".join(ctx.community_names.get(c, c) for c in f.communities) or ctx.t("filter.all")
    compounds = "、".join(ctx.labels.get(c, c) for c in f.compounds) or ctx.t("filter.all")
    period = f"{f.start:%Y-%m}—{f.end:%Y-%m}"
    return [communities, compounds, period]


def filter_line(ctx: Context) -> str:
    communities, compounds, period = filter_words(ctx)
    return ctx.t(
        "page.filter_line", as_of=fmt.day(ctx.as_of), communities=communities, compounds=compounds, period=period
    )


def kpi_row(ctx: Context, keys: list[str], per_row: int = 4) -> list[metrics.Figure]:
    """A row of metric cards with the change from the previous period, coloured by whether up is good."""
    figures = metrics.figures(keys, lambda query, previous: ctx.fetch(query, previous=previous))
    for start in range(0, len(figures), per_row):
        cols = st.columns(per_row)
        for col, fig in zip(cols, figures[start : start + per_row], strict=False):
            m = fig.metric
            delta = fmt.delta(m.kind, fig.value, fig.previous, ctx.lang) if m.has_delta else None
            colour = {True: "normal", False: "inverse", None: "off"}[m.higher_is_better]
            col.metric(
                ctx.t(f"metric.{m.key}"),
                fmt.value(m.kind, fig.value, ctx.lang),
                delta=delta,
                delta_color=colour,
                help=_help(ctx, fig),
                border=True,
            )
    return figures


def _help(ctx: Context, fig: metrics.Figure) -> str:
    """The tooltip: the exact figure, where it comes from, and what the delta compares."""
    m = fig.metric
    exact = fmt.exact_yuan(fig.value, ctx.lang) if m.kind == "yuan" else fmt.value(m.kind, fig.value, ctx.lang)
    lines = [ctx.t("page.exact", value=exact), ctx.t("page.source", query=f"queries/{m.query}.sql", column=m.column)]
    if m.has_delta:
        lines.append(ctx.t("page.delta_help"))
    return "  \n".join(lines)


def labelled(frame: pd.DataFrame, lang: str, codes: dict[str, str] | None = None) -> pd.DataFrame:
    """Code columns turned into labels (codes: column -> codes.toml section)."""
    out = fmt.display_dates(frame)
    for col, section in (codes or {}).items():
        if col in out.columns:
            out[col] = out[col].map(lambda v, s=section: i18n.label(s, v, lang))
    return out


def headers(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    return {c: i18n.t(f"col.{c}", lang) for c in frame.columns}


def table(
    ctx: Context,
    frame: pd.DataFrame,
    name: str,
    codes: dict[str, str] | None = None,
    column_config: dict | None = None,
    height: int | str = "auto",
) -> None:
    """A table with labelled headers and a download of exactly its rows as Excel-safe CSV."""
    if frame.empty:
        empty(ctx)
        return
    shown = labelled(frame, ctx.lang, codes)
    names = headers(shown, ctx.lang)
    st.dataframe(
        shown.rename(columns=names),
        hide_index=True,
        placeholder="—",
        column_config={names.get(k, k): v for k, v in (column_config or {}).items()},
        height=height,
    )
    st.download_button(
        ctx.t("page.download_csv"),
        data=export.csv_bytes(shown, names),
        file_name=export.file_name(ctx.t(f"export.{name}"), filter_words(ctx), fmt.day(ctx.as_of)),
        mime="text/csv",
        icon=":material/download:",
        key=f"download_{name}",
    )


def empty(ctx: Context, key: str = "page.empty") -> None:
    st.info(ctx.t(key), icon=":material/filter_alt_off:")
