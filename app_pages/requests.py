"""居民诉求 Resident requests: the rates as 接诉即办 reports them, 红黑榜, what residents ask, the backlog."""

import streamlit as st

from oversight import domain, fmt, metrics, settings
from oversight.ui import charts, context, sections, widgets

# The compounds with the lowest closure rate named beside the chart.
WORST_SHOWN = 10
# The closure rate next to the name, so it shows without scrolling in the half-width table.
WORST_COLUMNS = [
    "compound",
    "closure_rate",
    "requests",
    "open_requests",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "rated",
    "community",
]

ctx = context.current()


def table_height(rows: int) -> int | str:
    """Long tables scroll in a fixed height; short ones take only the room they need."""
    return "auto" if rows <= 10 else 420


widgets.header(ctx, "requests.title")

widgets.kpi_row(
    ctx,
    list(metrics.REQUESTS),
    per_row=4,
)
weights = {name: f"{w:.0%}" for name, w in settings.score_weights().items()}
st.caption(ctx.t("requests.rates_note", **weights))


st.subheader(ctx.t("requests.boards"))
st.caption(ctx.t("requests.boards_note", min_rated=settings.ranking_min_rated(), size=settings.ranking_size()))
st.markdown(f"##### {ctx.t('requests.board_communities')}")
sections.boards(ctx, "community", ctx.fetch("requests_rank_communities"), "requests_board_communities")
st.markdown(f"##### {ctx.t('requests.board_companies')}")
sections.boards(ctx, "company", ctx.fetch("red_property_league_companies"), "requests_board_companies")

# Requests by category (with 办结率) and by channel (with 响应率), side by side.
for column, (by, section, rate) in zip(
    st.columns(2),
    [("category", "request_category", "closure_rate"), ("channel", "channel", "response_rate")],
    strict=True,
):
    with column:
        st.subheader(ctx.t(f"requests.by_{by}"))
        frame = ctx.fetch(f"requests_by_{by}")
        charts.hbar(ctx, frame, y=by, x="requests", codes={by: section}, tooltip=[by, "requests", rate])

st.subheader(ctx.t("requests.three_rates_by_month"))
charts.three_rates(ctx)

st.subheader(ctx.t("requests.worst_compounds"))
st.caption(ctx.t("requests.worst_note", period=widgets.filter_words(ctx)[2], shown=WORST_SHOWN))
by_compound = ctx.fetch("requests_by_compound")  # worst closure rate first
left, right = st.columns([2, 3])
with left:
    charts.hbar(
        ctx,
        by_compound.head(WORST_SHOWN),
        y="compound",
        x="closure_rate",
        x_kind="pct",
        sort="x",
        tooltip=["compound", "community", "requests", "open_requests", "closure_rate"],
    )
with right:
    widgets.table(
        ctx,
        by_compound[WORST_COLUMNS],
        "requests_worst_compounds",
        height=table_height(len(by_compound)),
    )

st.subheader(ctx.t("requests.backlog_by_age"))
st.caption(ctx.t("requests.backlog_note", as_at=fmt.day(ctx.as_at)))
backlog = ctx.fetch("requests_backlog_by_age")
if backlog["open_requests"].sum() == 0:
    widgets.empty(ctx, "requests.no_backlog")
else:
    left, right = st.columns([3, 2])
    with left:
        charts.chart(ctx, "backlog_by_age", backlog)
    with right:
        widgets.table(ctx, backlog, "requests_backlog", codes={"age_band": "requests.age_band"})

st.subheader(ctx.t("requests.list"))
total = int(ctx.fetch("kpi_requests")["requests_total"].iloc[0])
widgets.long_table(ctx, "requests_list", "requests_list", codes=domain.REQUEST_LIST_CODES, total=total)
