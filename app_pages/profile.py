"""小区档案 Compound profile: one compound's facts, renovation items and their history, partners,
red property, requests and volunteers. Every query is scoped to that one compound."""

import dataclasses

import streamlit as st

from oversight import domain, fmt
from oversight.filters import unique_labels
from oversight.ui import charts, context, sections, state, widgets
from oversight.ui.text import md

ctx = context.current()
widgets.header(ctx, "profile.title")

# Names as the sidebar shows them (with the id where two compounds share a name): they go in the URL.
labels = ctx.compound_labels or unique_labels(list(ctx.labels), list(ctx.labels.values()))
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

# Every query below reads this compound only; what it read last time (for any compound) is fetched ahead.
one = dataclasses.replace(ctx, compound_ids=[chosen])
context.ahead(one, "profile/compound")
row = one.fetch("profile_facts").iloc[0]

st.header(md(row.compound), divider="red")
sections.compound_facts(ctx, row)

FIGURES = ["weighted_progress", "items_done", "overdue_items", "budget_spent", "partner_value"]
widgets.kpi_row(one, [*FIGURES, "households_benefited", "volunteer_hours", "points_outstanding"])

st.subheader(ctx.t("profile.items"))
items = one.fetch("renovation_items_list", limit=None)
if items.empty:
    widgets.empty(ctx, "profile.no_items")
else:
    history = one.fetch("renovation_progress_history")
    if history.empty:
        widgets.empty(ctx, "profile.no_history")
    else:
        charts.chart(ctx, "progress_steps", history, by_item=True)
    widgets.table(
        ctx,
        items.drop(columns=["compound_id", "compound"]),
        "profile_items",
        codes=sections.ITEM_CODES,
        column_config=widgets.progress("progress_pct"),
    )
    with st.expander(ctx.t("profile.history_table")):
        widgets.table(
            ctx,
            history[["item_id", "title", "reported_on", "stage", "progress_pct", "note"]],
            "profile_progress_history",
            codes={"stage": "stage"},
            column_config=widgets.progress("progress_pct"),
        )

st.subheader(ctx.t("profile.contributions"))
given = sections.contributions_to_date(one)
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
    )

st.subheader(ctx.t("profile.red_property"))
monthly = one.fetch("profile_red_property")
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
asked = one.fetch("profile_requests")
widgets.table(
    ctx,
    asked.drop(columns=["compound"]),
    "profile_requests",
    codes=domain.REQUEST_LIST_CODES,
)

st.subheader(ctx.t("profile.volunteers"))
people = one.fetch("profile_volunteers")
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
