"""小区改造 Renovation: stages, the planned-versus-actual timeline, in-plan versus extra items, elevators."""

import streamlit as st

from oversight import metrics
from oversight.ui import charts, context, sections, widgets

# The timeline stays readable up to about this many items; the query picks the ones most worth a look.
TIMELINE_ITEMS = 60

ctx = context.current()
widgets.header(ctx, "renovation.title")
widgets.kpi_row(ctx, list(metrics.RENOVATION))

# Late starts and late finishes are reported apart, as districts count them.
st.subheader(ctx.t("renovation.late"))
sections.late_items(ctx, *st.tabs([ctx.t("metric.late_start_items"), ctx.t("metric.overdue_items")]))

left, right = st.columns(2)
with left:
    st.subheader(ctx.t("renovation.items_by_stage"))
    charts.items_by_stage(ctx)
with right:
    st.subheader(ctx.t("renovation.progress_by_compound"))
    st.caption(ctx.t("renovation.click_hint"))
    charts.compound_progress(ctx, "renovation_progress_chart")

st.subheader(ctx.t("renovation.timeline"))
bars = ctx.fetch("renovation_timeline", limit=TIMELINE_ITEMS)
if bars.empty:
    widgets.empty(ctx, "renovation.no_items")
else:
    total = int(bars["items_in_scope"].iloc[0])
    shown = bars["item_id"].nunique()
    if total > shown:
        st.caption(ctx.t("renovation.timeline_some", shown=shown, total=total))
    st.caption(ctx.t("renovation.timeline_hint"))
    charts.chart(ctx, "renovation_timeline", bars, as_of=ctx.as_of)

st.subheader(ctx.t("renovation.plan_and_funding"))
st.caption(ctx.t("renovation.plan_and_funding_hint"))
funding = ctx.fetch("renovation_plan_funding")
plan_codes = {"plan_status": "renovation.plan_status", "funding": "funding"}
# Extra items cost a fraction of the plan: each side gets its own scale so both can be read.
for place, status in zip(st.columns(2), ("in_plan", "extra"), strict=True):
    with place:
        st.markdown(f"**{ctx.t(f'renovation.budget_by_funding_{status}')}**")
        rows = funding[funding["plan_status"] == status]
        charts.vbar(ctx, rows, x="funding", y="budget", color="funding", codes=plan_codes, y_kind="yuan")
widgets.table(ctx, funding, "renovation_plan_funding", codes=plan_codes)
st.markdown(f"**{ctx.t('renovation.extra_items')}**")
widgets.table(
    ctx,
    ctx.fetch("renovation_extra_items"),
    "renovation_extra_items",
    codes={"item_type": "item_type", "funding": "funding", "stage": "stage"},
)

st.subheader(ctx.t("renovation.elevators"))
left, right = st.columns(2)
with left:
    st.markdown(f"**{ctx.t('renovation.elevator_pipeline')}**")
    pipeline = ctx.fetch("renovation_elevator_pipeline")
    if pipeline["elevators"].sum() == 0:
        widgets.empty(ctx, "renovation.no_elevators")
    else:
        charts.chart(ctx, "elevator_pipeline", pipeline)
        done = int(pipeline.loc[pipeline["stage"] == "done", "elevators"].sum())
        st.caption(ctx.t("renovation.elevator_units", done=done, total=int(pipeline["elevators"].sum())))
priority = ctx.fetch("renovation_elevator_priority")
with right:
    st.markdown(f"**{ctx.t('renovation.elevator_priority')}**")
    tips = ["priority_rank", "compound", "score", "elderly_share", "floors", "consent_factor", "open_stairs_requests"]
    charts.hbar(ctx, priority, y="compound", x="score", key="renovation_priority_chart", tooltip=tips)
sections.elevator_priority(ctx, priority)

st.subheader(ctx.t("renovation.items_table"))
items = widgets.long_table(
    ctx,
    "renovation_items_list",
    "renovation_items",
    codes=sections.ITEM_CODES,
    column_config=widgets.progress("progress_pct"),
)
if items.empty:
    st.stop()

st.subheader(ctx.t("renovation.item_history"))
sections.item_history(ctx, items)
