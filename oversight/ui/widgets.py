"""Page pieces: the as-of line, the KPI row, a table with its CSV download, the empty state."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit import dataframe_util

from oversight import audit, db, domain, export, fmt, i18n, metrics
from oversight.ui import context, state
from oversight.ui.context import Context
from oversight.ui.text import md

# Column configs the pages share. Money columns need none: table() shows every money column in 万元
# with separators whatever the page asks.
NUM = st.column_config.NumberColumn(format="localized")
PROGRESS = st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")


def numbers(*columns: str) -> dict:
    """Column configs: these columns as numbers with thousands separators."""
    return dict.fromkeys(columns, NUM)


def progress(column: str, digits: int = 0) -> dict:
    """Column config: a 0-100 column as a bar, with `digits` decimals."""
    if digits == 0:
        return {column: PROGRESS}
    return {column: st.column_config.ProgressColumn(min_value=0, max_value=100, format=f"%.{digits}f")}


# Metric cards wrap instead of cutting "3,708.5 万元" or a long label at 1280 px or on a phone.
_STYLE = """
<style>
[data-testid="stMetric"] [data-testid="stMetricValue"],
[data-testid="stMetric"] [data-testid="stMetricValue"] *,
[data-testid="stMetric"] [data-testid="stMetricLabel"] *,
[data-testid="stMetric"] [data-testid="stMetricDelta"] * {
    white-space: normal !important;
    overflow: visible !important;
    text-overflow: clip !important;
    overflow-wrap: break-word;  /* a word moves to the next line whole; broken only if longer than the card */
}
/* The value's size follows its card, not the window: "234 households" fits a fifth of the page whole. */
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetric"] [data-testid="stMetricValue"] { font-size: clamp(1.1rem, 0.4rem + 8cqi, 2rem); }
</style>
"""
# The page's language for screen readers and search (Streamlit serves lang="en"), and material
# icons hidden from them so a link reads "红色物业", not "flag 红色物业".
_SCRIPT = """
<script>
(() => {
  window.__oversightLang = "%s";
  const fix = () => {
    const lang = window.__oversightLang;
    if (document.documentElement.lang !== lang) document.documentElement.lang = lang;
    document.querySelectorAll('[data-testid="stIconMaterial"]:not([aria-hidden])')
      .forEach((icon) => icon.setAttribute("aria-hidden", "true"));
  };
  fix();
  if (!window.__oversightChrome) {
    window.__oversightChrome = new MutationObserver(fix);
    window.__oversightChrome.observe(document.body, { childList: true, subtree: true });
  }
})();
</script>
"""


# The file uploader's own words, and a multiselect's "No results", have no parameter: in Chinese they
# are drawn over by CSS (screen readers still hear the English; the guide says so).
_WIDGET_WORDS_ZH = """
<style>
[data-testid="stFileUploaderDropzone"] button p { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button p::after { content: "%s"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0 !important; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after { content: "%s"; font-size: 0.875rem; }
[data-testid="stMultiSelectDropdown"] [data-empty="true"] [role="option"] span { font-size: 0 !important; }
[data-testid="stMultiSelectDropdown"] [data-empty="true"] [role="option"] span::after {
  content: "%s"; font-size: 0.875rem;
}
</style>
"""


def chrome(lang: str) -> None:
    """Page-wide style and accessibility fixes, drawn once per run from the entry file."""
    st.html(_STYLE)
    if lang == "zh":
        from oversight import settings

        limit = i18n.t("data.uploader_limit", lang, limit=settings.upload_limit_mb())
        words = (i18n.t("data.uploader_button", lang), limit, i18n.t("filter.no_match", lang))
        st.html(_WIDGET_WORDS_ZH % words)
    st.html(_SCRIPT % ("zh-CN" if lang == "zh" else "en"), unsafe_allow_javascript=True)


def header(ctx: Context, title_key: str, needs_compounds: bool = True) -> None:
    """The page title and one line: as_of date and the active filters. When the filters leave no
    compound in scope, the page says so and stops there."""
    st.title(ctx.t(title_key))
    st.caption(filter_line(ctx))
    if not ctx.labels:
        starting_state(ctx, stop=needs_compounds)
    if needs_compounds and not ctx.compound_ids:
        empty(ctx)
        st.stop()


def starting_state(ctx: Context, stop: bool = True) -> None:
    """An empty database (a street office's first day): what to import, in which order, and where."""
    st.info(ctx.t("start.title"), icon=":material/rocket_launch:")
    st.markdown(ctx.t("start.steps"))
    data_page = st.session_state.get(state.PAGES, {}).get("data")
    if data_page is not None:
        st.page_link(data_page, label=ctx.t("start.link"), icon=":material/upload_file:")
    else:
        st.caption(ctx.t("start.ask_admin"))
    if stop:
        st.stop()


def filter_words(ctx: Context) -> list[str]:
    f = ctx.filter
    communities = "、".join(ctx.community_names.get(c, c) for c in f.communities) or ctx.t("filter.all")
    compounds = "、".join(ctx.labels.get(c, c) for c in f.compounds) or ctx.t("filter.all")
    period = f"{f.start:%Y-%m}—{f.end:%Y-%m}"
    return [communities, compounds, period]


def filter_line(ctx: Context) -> str:
    communities, compounds, period = filter_words(ctx)
    return ctx.t(
        "page.filter_line",
        as_of=fmt.day(ctx.as_of),
        communities=md(communities),
        compounds=md(compounds),
        period=period,
    )


def kpi_row(ctx: Context, keys: list[str], per_row: int = 4) -> list[metrics.Figure]:
    """A row of metric cards with the change from the previous period, coloured by whether up is good.

    No change is shown when the period before has no data; a change that rounds to zero is grey,
    without an arrow."""
    figures = metrics.figures(keys, lambda query, previous: ctx.fetch(query, previous=previous))
    previous_has_data = ctx.first_month is None or ctx.filter.start > ctx.first_month
    for start in range(0, len(figures), per_row):
        cols = st.columns(per_row)
        for col, fig in zip(cols, figures[start : start + per_row], strict=False):
            m = fig.metric
            delta = fmt.delta(m.kind, fig.value, fig.previous, ctx.lang) if m.has_delta and previous_has_data else None
            colour = {True: "normal", False: "inverse", None: "off"}[m.higher_is_better]
            arrow = "auto"
            if delta is not None and fmt.is_zero_change(m.kind, fig.value, fig.previous):
                delta, colour, arrow = ctx.t("page.no_change"), "off", "off"
            col.metric(
                ctx.t(f"metric.{m.key}"),
                metrics.display(m.key, fig.value, ctx.lang),
                delta=delta,
                delta_color=colour,
                delta_arrow=arrow,
                help=_help(ctx, fig, delta is not None),
                border=True,
            )
    return figures


def period_words(ctx: Context) -> str:
    """The period and the day stock figures stand on, in words."""
    return ctx.t(
        "page.period_words", start=f"{ctx.filter.start:%Y-%m}", end=f"{ctx.filter.end:%Y-%m}", as_at=fmt.day(ctx.as_at)
    )


def _help(ctx: Context, fig: metrics.Figure, with_delta: bool) -> str:
    """The tooltip: the exact figure and its 口径 (what is counted, over which period and rows), in words."""
    m = fig.metric
    exact = fmt.exact_yuan(fig.value, ctx.lang) if m.kind == "yuan" else metrics.display(m.key, fig.value, ctx.lang)
    lines = [ctx.t("page.exact", value=exact), ctx.t(f"caliber.{m.key}"), period_words(ctx)]
    if with_delta:
        lines.append(ctx.t("page.delta_help"))
    return "  \n".join(lines)


# Code columns to labels: in the core (fmt) so the report and the chart specs share it.
labelled = fmt.labelled


# Rows a table draws on screen; its download carries every row. A city's lists by compound run to
# 5,000 rows: drawing them all sent ten times the bytes for rows nobody scrolls to.
TABLE_ROWS = 500


@dataclass(frozen=True)
class Shown:
    """A table's rows as it shows them, made once per rows, language, codes and row limit and shared
    read-only by every rerun and session (st.cache_resource: no copy per rerun, unlike st.cache_data)."""

    rows: pd.DataFrame  # every row, as fetched
    lang: str
    codes: tuple  # (column, codes.toml section) pairs
    names: dict[str, str]  # column -> its header with the unit
    # The first `limit` rows under their headers, labelled, dates as text, money in 万元 (fmt.screen_table):
    # what st.dataframe is handed, so a rerun converts nothing.
    screen: pa.Table

    @property
    def frame(self) -> pd.DataFrame:
        """Every row as the table shows them (what the download writes): made when asked, not on every
        first draw, since only a download needs every row."""
        return fmt.display_units(labelled(self.rows, self.lang, dict(self.codes)))


@st.cache_data(show_spinner=False, max_entries=1)
def _generation() -> str:
    # Lives as long as st.cache_data's entries: clearing them (as the benchmark's uncached runs do)
    # makes every table's display be worked out again too.
    return secrets.token_hex(8)


@st.cache_resource(show_spinner=False, max_entries=500)
def _display(*, key: str, generation: str, lang: str, codes: tuple, limit: int | None, _frame: pd.DataFrame) -> Shown:
    # `key` stands for the rows (context.digest); labels, dates as text and 万元, made once per rows.
    names = headers(_frame, lang)
    try:
        screen = fmt.screen_table(_frame, lang, dict(codes), limit)
    except dataframe_util.get_arrow_conversion_errors():  # a column of mixed values: as st.dataframe converts it
        shown = fmt.display_units(labelled(_frame, lang, dict(codes)))
        head = shown if limit is None else shown.head(limit)
        screen = dataframe_util.convert_pandas_df_to_arrow_table(head.reset_index(drop=True))
    return Shown(_frame, lang, codes, names, screen.rename_columns([names[c] for c in screen.column_names]))


context.on_new_version(_display.clear)


def shown(frame: pd.DataFrame, lang: str, codes: dict[str, str] | None = None, limit: int | None = None) -> Shown:
    """The rows as a table shows them, the first `limit` (None: all) ready for the screen, made once per
    rows (see Shown): never change what it holds."""
    items = tuple(sorted((codes or {}).items()))
    key = context.digest(frame, lang, items)
    return _display(key=key, generation=_generation(), lang=lang, codes=items, limit=limit, _frame=frame)


def headers(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    """Each column's label with the unit its values are shown in (万元, %)."""
    return {c: fmt.unit_header(c, i18n.t(f"col.{c}", lang), lang) for c in frame.columns}


def _column_config(names: dict[str, str], given: dict | None) -> dict:
    """Money in 万元 with separators and rates with one decimal, whatever the page asked; keyed by shown header."""
    config = dict(given or {})
    for c in names:
        if c in fmt.MONEY_COLUMNS:
            config[c] = st.column_config.NumberColumn(format="localized")
        elif fmt.is_rate(c):
            config[c] = st.column_config.NumberColumn(format="%.1f")
    return {names.get(k, k): v for k, v in config.items()}


def download(ctx: Context, name: str, source, file_name: str | None = None, described: str | None = None) -> None:
    """The table's CSV download; source() makes its rows' CSV chunks (export.QueryCsv or FrameCsv).
    file_name and described (the filter in words, for the audit log) default to the page's filter.

    Served by `python -m oversight serve`: a link to /export/<token>, the download kept server-side
    for this session (oversight.ui.server), streamed and recorded in the audit log (who, table,
    filter, rows) when fetched. Elsewhere (plain `streamlit run`, AppTest): a button whose file is made
    only when clicked, recorded then.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from oversight.ui import server
    from oversight.ui.login import client_address

    who = ctx.account.name if ctx.account else ""
    address = client_address()
    described = "；".join(filter_words(ctx)) if described is None else described
    file_name = file_name or export.file_name(ctx.t(f"export.{name}"), filter_words(ctx), fmt.day(ctx.as_of))
    cookie = st.session_state.get(state.SESSION_TOKEN)
    run = get_script_run_ctx()
    if server.ACTIVE and cookie and run is not None:
        job = export.Download(export.session_key(cookie), name, file_name, who, address, described, source)
        token = server.DOWNLOADS.offer(f"{run.session_id}/{name}", job)
        st.html(server.download_link(server.EXPORT_PATH + token, ctx.t("page.download_csv")))
        return

    def audited() -> bytes:
        made = source()
        data = b"".join(made)
        audit.record("download", who, {"table": name, "filter": described, "rows": made.rows}, address)
        return data

    st.download_button(
        ctx.t("page.download_csv"),
        data=audited,
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"download_{name}",
        on_click="ignore",
    )


def table(
    ctx: Context,
    frame: pd.DataFrame,
    name: str,
    codes: dict[str, str] | None = None,
    column_config: dict | None = None,
    height: int | str = "auto",
    limit: int | None = TABLE_ROWS,
) -> None:
    """A table with labelled headers and a download of exactly its rows as Excel-safe CSV.

    At most `limit` rows are drawn (None: all), in the rows' order, with a caption giving the count
    shown and the total; the download has every row."""
    if frame.empty:
        empty(ctx)
        return
    if limit is not None and len(frame) > limit:
        st.caption(ctx.t("page.rows_shown", shown=f"{limit:,}", total=f"{len(frame):,}"))
    rows = _show(ctx, frame, codes, column_config, height, limit)
    download(ctx, name, lambda: export.FrameCsv(rows.frame, rows.names))


def _show(ctx: Context, rows: pd.DataFrame, codes, column_config, height, limit: int | None = None) -> Shown:
    """The rows on screen (the first `limit`), as tables show them; returns them all, with their headers."""
    made = shown(rows, ctx.lang, codes, limit)
    st.dataframe(
        made.screen,
        hide_index=True,
        placeholder="—",
        column_config=_column_config(made.names, column_config),
        height=height,
    )
    return made


def long_table(
    ctx: Context,
    query: str,
    name: str,
    codes: dict[str, str] | None = None,
    column_config: dict | None = None,
    limit: int = TABLE_ROWS,
    height: int | str = 420,
    total: int | None = None,
    **params,
) -> pd.DataFrame:
    """A list that can run to millions of rows at city scale: the first `limit` rows on screen,
    every row in the download, streamed from DuckDB when the download is fetched.

    The query takes $limit (NULL: every row); total, when a KPI already counts the rows, is
    shown in the caption. Returns the rows shown.
    """
    rows = ctx.fetch(query, limit=limit + 1, **params)
    if rows.empty:
        empty(ctx)
        return rows
    if len(rows) > limit:
        rows = rows.head(limit)
        if total is None:
            st.caption(ctx.t("page.rows_capped", shown=f"{limit:,}"))
        else:
            st.caption(ctx.t("page.rows_shown", shown=f"{limit:,}", total=f"{total:,}"))
    names = _show(ctx, rows, codes, column_config, height if len(rows) > 10 else "auto").names
    sql = db.query_text(query)
    bound = db.bind(sql, {**ctx.filter.params(ctx.scope_ids), **params, "limit": None})
    labels = {col: i18n.codes(section, ctx.lang) for col, section in (codes or {}).items()}
    db_file = ctx.db_file
    parts = export.months_newest_first(bound) if query in domain.BY_MONTH_DOWNLOADS else None
    download(ctx, name, lambda: export.QueryCsv(db.connect(db_file), sql, bound, names, labels, True, parts))
    return rows


def story(ctx: Context) -> pd.DataFrame:
    """The headline of partner work outside the plan, counted from the start (累计) whatever the
    period: the article's story (3栋8单元 of chutes removed free, 20.7万元 saved) on the first screen."""
    rows = ctx.fetch("partner_outside_plan")
    if rows.empty:  # itertuples() costs a millisecond even then
        return rows
    for row in rows.head(3).itertuples():
        st.success(
            ctx.t(
                "story.headline",
                unit=md(row.unit),  # imported text: never markdown
                item=md(i18n.label("item_type", row.item_type, ctx.lang)),
                buildings=int(row.buildings),
                units=int(row.units),
                compounds=int(row.compounds),
                value=fmt.yuan(row.value_yuan, ctx.lang),
                first=f"{row.first_on:%Y-%m}",
                last=f"{row.last_on:%Y-%m}",
            ),
            icon=":material/volunteer_activism:",
        )
    return rows


def empty(ctx: Context, key: str = "page.empty") -> None:
    st.info(ctx.t(key), icon=":material/filter_alt_off:")
