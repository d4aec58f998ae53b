"""红色物业 Red property: party-led property services, their coverage, the three rates, league tables, fees."""

import streamlit as st

from oversight import metrics
from oversight.ui import charts, context, widgets

ctx = context.current()
widgets.header(ctx, "red_property.title")

# The rates come from kpi_requests, the query the Overview and Requests pages read.
widgets.kpi_row(ctx, list(metrics.RED_PROPERTY), per_row=4)
st.caption(ctx.t("red_property.cross_appointed_note"))

by_month = ctx.fetch("red_property_coverage_by_month")
# Full width: at half width the legends of these line charts are cut in English.
st.subheader(ctx.t("red_property.coverage_by_month"))
charts.lines(
    ctx,
    by_month,
    "month",
    ["property_coverage", "cross_appointed_coverage", "committee_coverage", "avg_committee_party_share"],
    y_kind="pct",
)
st.subheader(ctx.t("red_property.three_rates_by_month"))
charts.three_rates(ctx)

st.subheader(ctx.t("red_property.league_compounds"))
st.caption(ctx.t("red_property.league_compounds_note"))
league = ctx.fetch("red_property_league_compounds")
league["company"] = league["company"].fillna(ctx.t("red_property.no_company"))
widgets.table(
    ctx,
    league.drop(columns=["compound_id", "ranked"]),
    "red_property_league_compounds",
    column_config=widgets.numbers("avg_fee_collection"),
)

st.subheader(ctx.t("red_property.league_companies"))
st.caption(ctx.t("red_property.league_companies_note"))
companies = ctx.fetch("red_property_league_companies")
# Booleans become the codes.toml [bool] codes so the table and its CSV say 是/否 (Yes/No).
companies["has_party_branch"] = companies["has_party_branch"].map({True: "true", False: "false"})
widgets.table(
    ctx,
    companies.drop(columns=["ranked"]),
    "red_property_league_companies",
    codes={"kind": "company_kind", "has_party_branch": "bool"},
    column_config=widgets.numbers("avg_fee_collection"),
)

st.subheader(ctx.t("red_property.fee_collection"))
left, right = st.columns(2)
with left:
    st.caption(ctx.t("red_property.fee_by_month"))
    charts.lines(ctx, by_month, "month", ["avg_fee_collection"])
with right:
    st.caption(ctx.t("red_property.fee_by_compound"))
    # Lowest collection first: where a long list is cut, the compounds that need attention stay.
    charts.hbar(
        ctx,
        league.dropna(subset=["avg_fee_collection"]).sort_values(["avg_fee_collection", "compound_id"]),
        y="compound",
        x="avg_fee_collection",
        sort="x",
        tooltip=["compound", "community", "company", "avg_fee_collection"],
        key="fee_by_compound",
    )

st.subheader(ctx.t("red_property.by_month_table"))
widgets.table(
    ctx,
    by_month.assign(month=by_month["month"].dt.strftime("%Y-%m")),
    "red_property_by_month",
    column_config=widgets.numbers("avg_fee_collection"),
)
