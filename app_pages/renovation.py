"""小区改造 Renovation: stages, the planned-versus-actual timeline, in-plan versus extra items, elevators."""

import altair as alt
import pandas as pd
import streamlit as st

from oversight import fmt
from oversight.ui import charts, context, widgets

# The timeline stays readable up to about this many items; the query picks the ones most worth a look.
TIMELINE_ITEMS = 60
# Timeline bars: the planned one in grey, the actual one coloured by how it stands.
BARS = {"planned": "#c8c8c8", "done": "#5b8c5a", "in_progress": "#3a7ca5", "overdue": "#b23a3a"}
MONEY = st.column_config.NumberColumn(format="localized")
PROGRESS = st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")


def timeline(ctx, frame: pd.DataFrame) -> None:
    """Planned bars (wide, grey) with the actual bars (narrow, coloured) over them, and a rule at as_of."""
    data = widgets.labelled(frame, ctx.lang, {"stage": "stage"})
    data["bar"] = data["bar"].map(lambda b: ctx.t(f"renovation.bar.{b}"))
    order = list(dict.fromkeys(data["item"]))
    col = lambda c: ctx.t(f"col.{c}")  # noqa: E731
    base = alt.Chart(data).encode(
        y=alt.Y("item:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)),
        x=alt.X("start_date:T", title=col("date"), axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True)),
        x2="end_date:T",
        color=alt.Color(
            "bar:N",
            title=col("kind_of_date"),
            scale=alt.Scale(domain=[ctx.t(f"renovation.bar.{b}") for b in BARS], range=list(BARS.values())),
            # Two columns: four long labels in one row are cut at the right edge.
            legend=alt.Legend(orient="bottom", columns=2, labelLimit=260),
        ),
        tooltip=[
            alt.Tooltip("item:N", title=col("item")),
            alt.Tooltip("bar:N", title=col("kind_of_date")),
            alt.Tooltip("start_date:T", title=col("start_date"), format="%Y-%m-%d"),
            alt.Tooltip("end_date:T", title=col("end_date"), format="%Y-%m-%d"),
            alt.Tooltip("stage:N", title=col("stage")),
            alt.Tooltip("progress_pct:Q", title=col("progress_pct")),
            alt.Tooltip("delay_days:Q", title=col("delay_days")),
        ],
    )
    planned = base.transform_filter(alt.datum.bar == ctx.t("renovation.bar.planned")).mark_bar(size=14)
    actual = base.transform_filter(alt.datum.bar != ctx.t("renovation.bar.planned")).mark_bar(size=6)
    today = (
        alt.Chart(pd.DataFrame({"as_of": [pd.Timestamp(ctx.as_of)]}))
        .mark_rule(strokeDash=[4, 3], color="#2f4858")
        .encode(x="as_of:T", tooltip=[alt.Tooltip("as_of:T", title=ctx.t("renovation.as_of_rule"), format="%Y-%m-%d")])
    )
    chart = alt.layer(planned, actual, today).properties(height=max(160, 22 * len(order) + 60))
    st.altair_chart(chart, width="stretch")


def pipeline_chart(ctx, frame: pd.DataFrame) -> None:
    """Elevator items at each stage, every stage shown in order (whole numbers on the axis)."""
    data = widgets.labelled(frame, ctx.lang, {"stage": "stage"})
    data["budget_wan"] = data["budget"].astype(float) / 10_000
    col = lambda c: ctx.t(f"col.{c}")  # noqa: E731
    chart = (
        alt.Chart(data)
        .mark_bar(color=charts.PALETTE[2])
        .encode(
            x=alt.X("stage:N", sort=charts.stage_order(ctx), title=col("stage"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("elevators:Q", title=col("elevator_units"), axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[
                alt.Tooltip("stage:N", title=col("stage")),
                alt.Tooltip("elevators:Q", title=col("elevator_units")),
                alt.Tooltip("units_affected:Q", title=col("units_affected")),
                alt.Tooltip("budget_wan:Q", title=fmt.unit_header("budget", col("budget"), ctx.lang), format=",.2f"),
            ],
        )
        .properties(height=280)
    )
    st.altair_chart(chart, width="stretch")


def history_chart(ctx, frame: pd.DataFrame) -> None:
    """One item's reported progress as a step line: a report holds until the next one."""
    data = widgets.labelled(frame, ctx.lang, {"stage": "stage"})
    col = lambda c: ctx.t(f"col.{c}")  # noqa: E731
    chart = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(color=charts.PALETTE[0]), interpolate="step-after", color=charts.PALETTE[0])
        .encode(
            x=alt.X(
                "reported_on:T",
                title=col("reported_on"),
                axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True, tickCount="month"),
            ),
            y=alt.Y("progress_pct:Q", title=col("progress_pct"), scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                alt.Tooltip("reported_on:T", title=col("reported_on"), format="%Y-%m-%d"),
                alt.Tooltip("stage:N", title=col("stage")),
                alt.Tooltip("progress_pct:Q", title=col("progress_pct")),
                alt.Tooltip("note:N", title=col("note")),
            ],
        )
        .properties(height=280)
    )
    st.altair_chart(chart, width="stretch")


ctx = context.current()
widgets.header(ctx, "renovation.title")

widgets.kpi_row(
    ctx,
    [
        "compounds_in_plan",
        "compounds_started",
        "start_rate",
        "households_benefiting",
        "compounds_finished",
        "finish_rate",
        "late_start_items",
        "overdue_items",
        "items_total",
        "items_done",
        "budget_total",
        "budget_spent",
        "extra_items",
        "elevators_total",
        "elevators_done",
    ],
)

# Late starts and late finishes are reported apart, as districts count them.
st.subheader(ctx.t("renovation.late"))
late_start, late_finish = st.tabs([ctx.t("metric.late_start_items"), ctx.t("metric.overdue_items")])
with late_start:
    widgets.table(
        ctx, ctx.fetch("late_start_items"), "late_start_items", codes={"stage": "stage", "item_type": "item_type"}
    )
with late_finish:
    widgets.table(ctx, ctx.fetch("overdue_items"), "overdue_items", codes={"stage": "stage", "item_type": "item_type"})

left, right = st.columns(2)
with left:
    st.subheader(ctx.t("renovation.items_by_stage"))
    charts.vbar(
        ctx,
        ctx.fetch("items_by_stage"),
        x="stage",
        y="items",
        color="category",
        codes={"stage": "stage", "category": "category"},
        sort=charts.stage_order(ctx),
    )
with right:
    st.subheader(ctx.t("renovation.progress_by_compound"))
    st.caption(ctx.t("renovation.click_hint"))
    progress = charts.compound_progress(ctx, "renovation_progress_chart")

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
    timeline(ctx, bars)

st.subheader(ctx.t("renovation.plan_and_funding"))
st.caption(ctx.t("renovation.plan_and_funding_hint"))
funding = ctx.fetch("renovation_plan_funding")
plan_codes = {"plan_status": "renovation.plan_status", "funding": "funding"}
# Extra items cost a fraction of the plan: each side gets its own scale so both can be read.
left, right = st.columns(2)
for place, status in ((left, "in_plan"), (right, "extra")):
    with place:
        st.markdown(f"**{ctx.t(f'renovation.budget_by_funding_{status}')}**")
        charts.vbar(
            ctx,
            funding[funding["plan_status"] == status],
            x="funding",
            y="budget",
            color="funding",
            codes=plan_codes,
            y_kind="yuan",
        )
widgets.table(
    ctx, funding, "renovation_plan_funding", codes=plan_codes, column_config={"budget": MONEY, "spent": MONEY}
)
st.markdown(f"**{ctx.t('renovation.extra_items')}**")
widgets.table(
    ctx,
    ctx.fetch("renovation_extra_items"),
    "renovation_extra_items",
    codes={"item_type": "item_type", "funding": "funding", "stage": "stage"},
    column_config={"budget_yuan": MONEY, "value_yuan": MONEY},
)

st.subheader(ctx.t("renovation.elevators"))
left, right = st.columns(2)
with left:
    st.markdown(f"**{ctx.t('renovation.elevator_pipeline')}**")
    pipeline = ctx.fetch("renovation_elevator_pipeline")
    if pipeline["elevators"].sum() == 0:
        widgets.empty(ctx, "renovation.no_elevators")
    else:
        pipeline_chart(ctx, pipeline)
        st.caption(
            ctx.t(
                "renovation.elevator_units",
                done=int(pipeline.loc[pipeline["stage"] == "done", "elevators"].sum()),
                total=int(pipeline["elevators"].sum()),
            )
        )
priority = ctx.fetch("renovation_elevator_priority")
with right:
    st.markdown(f"**{ctx.t('renovation.elevator_priority')}**")
    charts.hbar(
        ctx,
        priority,
        y="compound",
        x="score",
        key="renovation_priority_chart",
        tooltip=[
            "priority_rank",
            "compound",
            "score",
            "elderly_share",
            "floors",
            "consent_factor",
            "open_stairs_requests",
        ],
    )
if not priority.empty:
    w = priority.iloc[0]
    with st.container(border=True):
        # The formula in plain words, with the weights the query used.
        st.markdown(f"**{ctx.t('renovation.formula_title')}**")
        st.markdown(
            ctx.t(
                "renovation.formula",
                w_elderly=f"{w.w_elderly:g}",
                w_floors=f"{w.w_floors:g}",
                w_consent=f"{w.w_consent:g}",
                w_requests=f"{w.w_requests:g}",
                cap=int(w.request_cap),
            )
        )
        st.caption(ctx.t("renovation.formula_scope"))
    widgets.table(
        ctx,
        priority.drop(columns=["compound_id", "w_elderly", "w_floors", "w_consent", "w_requests", "request_cap"]),
        "renovation_elevator_priority",
        column_config={"score": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f")},
    )

st.subheader(ctx.t("renovation.items_table"))
items = widgets.long_table(
    ctx,
    "renovation_items_list",
    "renovation_items",
    codes={"item_type": "item_type", "category": "category", "in_plan": "bool", "funding": "funding", "stage": "stage"},
    column_config={"progress_pct": PROGRESS, "budget_yuan": MONEY, "spent_yuan": MONEY},
)
if items.empty:
    st.stop()

st.subheader(ctx.t("renovation.item_history"))
names = dict(
    zip(items["item_id"], items["compound"] + " · " + items["title"] + "（" + items["item_id"] + "）", strict=True)
)
item_id = st.selectbox(ctx.t("renovation.choose_item"), list(names), format_func=names.get, key="renovation_item")
if item_id in names:
    compound_id = items.loc[items["item_id"] == item_id, "compound_id"].iloc[0]
    history = ctx.fetch("renovation_progress_history", compound_ids=[compound_id])
    history = history[history["item_id"] == item_id]
    if history.empty:
        widgets.empty(ctx, "renovation.no_history")
    else:
        left, right = st.columns(2)
        with left:
            history_chart(ctx, history)
        with right:
            widgets.table(
                ctx,
                history[["reported_on", "stage", "progress_pct", "note"]],
                "renovation_item_history",
                codes={"stage": "stage"},
                column_config={"progress_pct": PROGRESS},
            )
