"""志愿积分 Volunteer points: service hours earn points, points buy rewards; what is outstanding and where."""

import streamlit as st

from oversight import fmt, metrics, settings
from oversight.ui import charts, context, sections, widgets

TOP_VOLUNTEERS = 20

ctx = context.current()
widgets.header(ctx, "volunteers.title")

widgets.kpi_row(
    ctx,
    list(metrics.VOLUNTEERS),
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

sections.rewards(ctx)

st.subheader(ctx.t("volunteers.by_month_table"))
widgets.table(
    ctx,
    month_labels,
    "volunteers_by_month",
    column_config=widgets.numbers("hours", "earned", "redeemed"),
)
