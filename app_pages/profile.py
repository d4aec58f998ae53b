"""小区档案 Compound profile: one compound's facts, renovation items and their history, partners,
red property, requests and volunteers. Every query is scoped to that one compound."""

import dataclasses
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from oversight import fmt, i18n
from oversight.filters import unique_labels
from oversight.ui import charts, context, state, widgets
from oversight.ui.text import md

# Contributions are listed from the beginning: the compound's whole record, not just the period.
SINCE_EVER = date(1900, 1, 1)
PROGRESS = st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")
MONEY = st.column_config.NumberColumn(format="localized")


def progress_chart(ctx, history) -> None:
    """Each item's progress over time as a step line: a report holds until the next one."""
    data = widgets.labelled(history, ctx.lang, {"stage": "stage"})
    col = lambda c: ctx.t(f"col.{c}")  # noqa: E731
    chart = (
        alt.Chart(data)
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X(
                "reported_on:T",
                title=col("reported_on"),
                axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True),
            ),
            y=alt.Y("progress_pct:Q", title=col("progress_pct"), scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "item:N",
                title=col("title"),
                scale=alt.Scale(range=charts.PALETTE),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=320),
            ),
            tooltip=[
                alt.Tooltip("item:N", title=col("title")),
                alt.Tooltip("reported_on:T", title=col("reported_on"), format="%Y-%m-%d"),
                alt.Tooltip("stage:N", title=col("stage")),
                alt.Tooltip("progress_pct:Q", title=col("progress_pct")),
                alt.Tooltip("note:N", title=col("note")),
            ],
        )
        .properties(height=320)
    )
    st.altair_chart(chart, width="stretch")


def facts(ctx, row) -> None:
    """The compound's facts: numbers as cards, names as labelled lines."""
    cards = st.columns(5)
    cards[0].metric(ctx.t("col.built_year"), str(int(row.built_year)) if pd.notna(row.built_year) else "—", border=True)
    cards[1].metric(
        ctx.t("col.buildings"), fmt.value("int", row.buildings, ctx.lang, ctx.t("unit.building")), border=True
    )
    cards[2].metric(ctx.t("col.units"), fmt.value("int", row.units, ctx.lang, ctx.t("unit.stairwell")), border=True)
    cards[3].metric(
        ctx.t("col.households"), fmt.value("int", row.households, ctx.lang, ctx.t("unit.household")), border=True
    )
    cards[4].metric(ctx.t("col.elderly_share"), fmt.pct(row.elderly_share), border=True)
    company = ctx.t("profile.no_company")
    if pd.notna(row.company):
        company = ctx.t(
            "profile.company_line", name=md(row.company), kind=i18n.label("company_kind", row.company_kind, ctx.lang)
        )
    plan = (
        md(row.plan_batch)
        if row.in_renovation_plan == "true" and pd.notna(row.plan_batch)
        else ctx.t("profile.not_in_plan")
    )
    lines = st.columns(4)
    for place, key, value in zip(
        lines,
        ("community", "structure", "plan_batch", "company"),
        (md(row.community), md(row.structure) if pd.notna(row.structure) else "—", plan, company),
        strict=True,
    ):
        place.markdown(f"**{ctx.t(f'col.{key}')}**  \n{value}")


ctx = context.current()
widgets.header(ctx, "profile.title")

# Names as the sidebar shows them (with the id where two compounds share a name): they go in the URL.
labels = unique_labels(list(ctx.labels), list(ctx.labels.values()))
# The compound asked for (by the Overview, a link or earlier here); outside the filter it is not shown.
wanted = st.session_state.get(state.PROFILE)
if wanted is None and st.query_params.get(state.PROFILE):
    wanted = {label: cid for cid, label in labels.items()}.get(st.query_params.get(state.PROFILE))
outside = wanted is not None and wanted not in ctx.compound_ids
chosen = st.selectbox(
    ctx.t("profile.choose"),
    ctx.compound_ids,
    index=None if outside else 0,
    format_func=labels.get,
    key=state.PROFILE,
    bind="query-params",
    placeholder=ctx.t("profile.choose_placeholder"),
)
if chosen is None or chosen not in ctx.compound_ids:
    widgets.empty(ctx, "profile.not_in_scope")
    st.stop()

ids = [chosen]
one = dataclasses.replace(ctx, compound_ids=ids)  # the KPI row reads the catalogue for this compound only
row = ctx.fetch("profile_facts", compound_ids=ids).iloc[0]

st.header(md(row.compound), divider="red")
facts(ctx, row)

widgets.kpi_row(
    one,
    [
        "weighted_progress",
        "items_done",
        "overdue_items",
        "budget_spent",
        "partner_value",
        "households_benefited",
        "volunteer_hours",
        "points_outstanding",
    ],
)

st.subheader(ctx.t("profile.items"))
items = ctx.fetch("renovation_items_list", compound_ids=ids, limit=None)
if items.empty:
    widgets.empty(ctx, "profile.no_items")
else:
    history = ctx.fetch("renovation_progress_history", compound_ids=ids)
    if history.empty:
        widgets.empty(ctx, "profile.no_history")
    else:
        progress_chart(ctx, history)
    widgets.table(
        ctx,
        items.drop(columns=["compound_id", "compound"]),
        "profile_items",
        codes={
            "item_type": "item_type",
            "category": "category",
            "in_plan": "bool",
            "funding": "funding",
            "stage": "stage",
        },
        column_config={
            "progress_pct": PROGRESS,
            "budget_yuan": MONEY,
            "spent_yuan": MONEY,
        },
    )
    with st.expander(ctx.t("profile.history_table")):
        widgets.table(
            ctx,
            history[["item_id", "title", "reported_on", "stage", "progress_pct", "note"]],
            "profile_progress_history",
            codes={"stage": "stage"},
            column_config={"progress_pct": PROGRESS},
        )

st.subheader(ctx.t("profile.contributions"))
given = ctx.fetch(
    "partners_contributions",
    compound_ids=ids,
    period_start=SINCE_EVER,
    period_end=ctx.as_of + timedelta(days=1),
    limit=None,
)
if given.empty:
    widgets.empty(ctx, "profile.no_contributions")
else:
    st.caption(
        ctx.t(
            "profile.contributions_hint",
            count=len(given),
            value=fmt.yuan(given["value_yuan"].sum(), ctx.lang),
            units=ctx.t("profile.list_separator").join(md(u) for u in dict.fromkeys(given["unit"])),
        )
    )
    widgets.table(
        ctx,
        given.drop(columns=["unit_id", "compound"]),
        "profile_contributions",
        codes={"kind": "contribution_kind"},
        column_config={"value_yuan": MONEY},
    )

st.subheader(ctx.t("profile.red_property"))
monthly = ctx.fetch("profile_red_property", compound_ids=ids)
if monthly.empty:
    widgets.empty(ctx)
else:
    left, right = st.columns(2)
    with left:
        charts.lines(ctx, monthly, "month", ["cross_appointed_staff", "party_members_serving", "joint_meetings"])
    with right:
        charts.lines(ctx, monthly, "month", ["fee_collection_pct"])
    with st.expander(ctx.t("profile.red_property_table")):
        widgets.table(ctx, monthly, "profile_red_property")

st.subheader(ctx.t("profile.requests"))
widgets.kpi_row(one, ["requests_total", "response_rate", "closure_rate", "resolution_rate", "satisfaction_rate"])
asked = ctx.fetch("profile_requests", compound_ids=ids)
widgets.table(
    ctx,
    asked.drop(columns=["compound"]),
    "profile_requests",
    codes={"channel": "channel", "category": "request_category", "handler": "handler"},
)

st.subheader(ctx.t("profile.volunteers"))
people = ctx.fetch("profile_volunteers", compound_ids=ids)
if not people.empty:
    st.caption(
        ctx.t(
            "profile.volunteers_hint",
            count=len(people),
            active=int((people["hours"] > 0).sum()),
            hours=fmt.number(people["hours"].sum(), 1),
            balance=fmt.number(people["balance"].sum(), 1),
        )
    )
widgets.table(ctx, people.drop(columns=["compound"]), "profile_volunteers", codes={"kind": "volunteer_kind"})
