"""总览 Overview: the street's headline figures, alerts, and progress by compound."""

import streamlit as st

from oversight import i18n
from oversight.ui import charts, context, ledger, reports, widgets

ctx = context.current()
widgets.header(ctx, "overview.title")
reports.download(ctx)

widgets.kpi_row(
    ctx,
    [
        "compounds_in_plan",
        "households_benefiting",
        "items_done",
        "budget_spent",
        "overdue_items",
        "partner_value",
        "volunteer_hours",
        "points_earned",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "open_backlog",
    ],
)

st.subheader(ctx.t("overview.alerts"))
ledger.overview_links(ctx)
by_compound = ctx.fetch("requests_by_compound")
low = by_compound[(by_compound["rated"] > 0) & (by_compound["satisfaction_rate"] < 0.8)]
counts = ctx.fetch("kpi_requests").iloc[0]
a1, a2, a3 = st.columns(3)
a1.metric(ctx.t("overview.alert_overdue"), int(ctx.fetch("kpi_renovation").iloc[0]["overdue_items"]), border=True)
a2.metric(ctx.t("overview.alert_low_satisfaction"), len(low), border=True)
a3.metric(ctx.t("overview.alert_old_open"), int(counts["open_over_30_days"]), border=True)
tab1, tab2, tab3 = st.tabs(
    [ctx.t("overview.alert_overdue"), ctx.t("overview.alert_low_satisfaction"), ctx.t("overview.alert_old_open")]
)
with tab1:
    widgets.table(ctx, ctx.fetch("overdue_items"), "overdue_items", codes={"stage": "stage", "item_type": "item_type"})
with tab2:
    widgets.table(
        ctx,
        low[["compound", "community", "requests", "rated", "satisfaction_rate", "resolution_rate"]],
        "low_satisfaction",
        column_config={
            "satisfaction_rate": st.column_config.NumberColumn(format="percent"),
            "resolution_rate": st.column_config.NumberColumn(format="percent"),
        },
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
    stages = ctx.fetch("items_by_stage")
    charts.vbar(
        ctx,
        stages,
        x="stage",
        y="items",
        color="category",
        codes={"stage": "stage", "category": "category"},
        sort=[
            i18n.label("stage", s, ctx.lang)
            for s in ("survey", "design", "tendering", "construction", "acceptance", "done")
        ],
    )
    st.subheader(ctx.t("overview.three_rates_by_month"))
    charts.lines(
        ctx,
        ctx.fetch("three_rates_by_month"),
        "month",
        ["response_rate", "resolution_rate", "satisfaction_rate"],
        y_kind="pct",
    )

st.subheader(ctx.t("overview.progress_table"))
widgets.table(
    ctx,
    progress,
    "progress_by_compound",
    column_config={"progress": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f")},
)
