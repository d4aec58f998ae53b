"""志愿积分 Volunteer points: service hours earn points, points buy rewards; what is outstanding and where."""

import streamlit as st

from oversight import fmt, settings
from oversight.ui import charts, context, widgets

TOP_VOLUNTEERS = 20
LOW_STOCK_DEFAULT = 10

ctx = context.current()
widgets.header(ctx, "volunteers.title")

widgets.kpi_row(
    ctx,
    [
        "active_volunteers",
        "volunteers_registered",
        "volunteer_hours",
        "points_earned",
        "points_redeemed",
        "points_outstanding",
    ],
    per_row=3,
)
as_at = fmt.day(ctx.as_at)
st.caption(ctx.t("volunteers.rule", points=f"{settings.points_per_hour():g}", as_at=as_at))

by_month = ctx.fetch("volunteers_by_month")
# Months as YYYY-MM labels for the bars and the table: a time axis adds a tick after the last bar.
month_labels = by_month.assign(month=by_month["month"].dt.strftime("%Y-%m"))
left, right = st.columns(2)
with left:
    st.subheader(ctx.t("volunteers.hours_by_month"))
    charts.vbar(ctx, month_labels, x="month", y="hours")
with right:
    st.subheader(ctx.t("volunteers.points_by_month"))
    charts.lines(ctx, by_month, "month", ["earned", "redeemed"])

st.subheader(ctx.t("volunteers.outstanding_by_compound"))
st.caption(ctx.t("volunteers.outstanding_note", as_at=as_at))
outstanding = ctx.fetch("volunteers_points_by_compound")
left, right = st.columns([2, 3])
with left:
    charts.hbar(
        ctx,
        outstanding,
        y="compound",
        x="balance",
        tooltip=["compound", "community", "volunteers", "earned", "redeemed", "balance"],
    )
with right:
    widgets.table(
        ctx,
        outstanding.drop(columns=["compound_id"]),
        "volunteers_points_by_compound",
        column_config=widgets.numbers("earned", "redeemed", "balance"),
    )

st.subheader(ctx.t("volunteers.top", n=TOP_VOLUNTEERS))
st.caption(ctx.t("volunteers.top_note", as_at=as_at))
widgets.table(
    ctx,
    ctx.fetch("volunteers_top", limit=TOP_VOLUNTEERS),
    "volunteers_top",
    codes={"kind": "volunteer_kind"},
    column_config=widgets.numbers("hours", "earned", "balance"),
)

st.subheader(ctx.t("volunteers.rewards"))
st.caption(ctx.t("volunteers.rewards_note"))
threshold = st.columns(3)[0].number_input(
    ctx.t("volunteers.low_stock_threshold"),
    min_value=1,
    max_value=10_000,
    value=LOW_STOCK_DEFAULT,
    step=1,
    key="low_stock_threshold",
)
st.markdown(f"**{ctx.t('volunteers.low_stock', n=int(threshold))}**")
low = ctx.fetch("rewards_catalogue", threshold=int(threshold))
if low.empty:
    widgets.empty(ctx, "volunteers.no_low_stock")
else:
    widgets.table(ctx, low, "rewards_low_stock", column_config=widgets.numbers("points_cost", "points_spent"))
st.markdown(f"**{ctx.t('volunteers.catalogue')}**")
widgets.table(
    ctx,
    ctx.fetch("rewards_catalogue", threshold=None),
    "rewards_catalogue",
    column_config=widgets.numbers("points_cost", "points_spent"),
)

st.subheader(ctx.t("volunteers.by_month_table"))
widgets.table(
    ctx,
    month_labels,
    "volunteers_by_month",
    column_config=widgets.numbers("hours", "earned", "redeemed"),
)
