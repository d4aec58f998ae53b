"""总览 Overview: the partner story, the street's headline figures as officials report them, alerts, progress."""

import streamlit as st

from oversight import fmt, metrics, settings
from oversight.ui import charts, context, ledger, reports, sections, widgets

ctx = context.current()
widgets.header(ctx, "overview.title")
reports.download(ctx)
widgets.story(ctx)

figures = widgets.kpi_row(
    ctx,
    [
        "compounds_in_plan",
        "start_rate",
        "finish_rate",
        "households_benefiting",
        "late_start_items",
        "overdue_items",
        "elevators_total",
        "partner_value",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "open_backlog",
    ],
)
renovation = ctx.fetch("kpi_renovation").iloc[0]
st.caption(
    ctx.t(
        "overview.start_finish_counts",
        started=int(renovation["compounds_started"]),
        finished=int(renovation["compounds_finished"]),
        total=int(renovation["compounds_in_plan"]),
    )
)

st.subheader(ctx.t("overview.alerts"))
by_compound = ctx.fetch("requests_by_compound")
low = metrics.low_satisfaction(by_compound, settings.satisfaction_line())
counts = ctx.fetch("kpi_requests").iloc[0]
a1, a2, a3, a4 = st.columns(4)
for column, label, count, unit in (
    (a1, "alert_late_start", renovation["late_start_items"], "item"),
    (a2, "alert_overdue", renovation["overdue_items"], "item"),
    (a3, "alert_low_satisfaction", len(low), "compound"),
    (a4, "alert_old_open", counts["open_over_30_days"], "request"),
):
    # Formatted as the cards are (22个, 22 compounds).
    column.metric(ctx.t(f"overview.{label}"), fmt.value("int", count, ctx.lang, unit), border=True)
# Each count opens the 督办台账 at its kind (the cases stand on as_of, whatever the period).
ledger.overview_links(ctx, {"late_start": a1, "late_finish": a2, "low_satisfaction": a3, "request_overdue": a4})
tab0, tab1, tab2, tab3 = st.tabs(
    [
        ctx.t("overview.alert_late_start"),
        ctx.t("overview.alert_overdue"),
        ctx.t("overview.alert_low_satisfaction"),
        ctx.t("overview.alert_old_open"),
    ]
)
sections.late_items(ctx, tab0, tab1)
with tab2:
    st.caption(ctx.t("overview.low_satisfaction_note", min_rated=settings.ranking_min_rated()))
    widgets.table(
        ctx,
        low[["compound", "community", "requests", "rated", "satisfaction_rate", "resolution_rate"]],
        "low_satisfaction",
    )
with tab3:
    widgets.long_table(
        ctx,
        "old_open_requests",
        "old_open_requests",
        codes={"channel": "channel", "category": "request_category", "handler": "handler"},
    )

left, right = st.columns(2)
with left:
    st.subheader(ctx.t("overview.progress_by_compound"))
    st.caption(ctx.t("overview.click_hint"))
    progress = charts.compound_progress(ctx, "progress_chart")
with right:
    st.subheader(ctx.t("overview.items_by_stage"))
    charts.items_by_stage(ctx)
    st.subheader(ctx.t("overview.three_rates_by_month"))
    charts.three_rates(ctx)

st.subheader(ctx.t("overview.progress_table"))
widgets.table(
    ctx,
    progress,
    "progress_by_compound",
    codes={"started": "bool", "finished": "bool"},
    column_config=widgets.progress("progress", digits=1),
)
