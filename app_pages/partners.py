"""共建单位 Partner units: what each unit gave and saved residents, by unit, kind, compound and month."""

from datetime import date, timedelta

import altair as alt
import streamlit as st

from oversight import fmt, i18n
from oversight.ui import charts, context, widgets
from oversight.ui.text import md

# A unit's own page lists its contributions from the beginning, not just the period.
SINCE_EVER = date(1900, 1, 1)
MONEY = st.column_config.NumberColumn(format="localized")


def unit_bars(ctx, frame, x: str, chosen: str | None, x_kind: str | None = None) -> None:
    """Units as horizontal bars, one row each however few (every name stays readable), the chosen one marked."""
    col = lambda c: ctx.t(f"col.{c}")  # noqa: E731
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240, labelOverlap=False)),
            x=alt.X(
                f"{x}:Q", title=col(x), axis=alt.Axis(format=",.0f" if x_kind == "yuan" else alt.Undefined, tickCount=5)
            ),
            color=alt.condition(
                alt.datum.unit_id == (chosen or ""), alt.value(charts.PALETTE[0]), alt.value(charts.PALETTE[2])
            ),
            tooltip=[
                alt.Tooltip("unit:N", title=col("unit")),
                alt.Tooltip("value_yuan:Q", title=col("value_yuan"), format=",.0f"),
                alt.Tooltip("volunteer_hours:Q", title=col("volunteer_hours"), format=",.1f"),
                alt.Tooltip("contributions:Q", title=col("contributions")),
                alt.Tooltip("households_benefited:Q", title=col("households_benefited")),
            ],
        )
        .properties(height=alt.Step(28))
    )
    st.altair_chart(chart, width="stretch")


def unit_summary(ctx, units, ever) -> str | None:
    """One unit's page-in-page: its facts, what it gave to date and in the period, and its contributions."""
    names = dict(zip(units["unit_id"], units["unit"], strict=True))
    unit_id = st.selectbox(
        ctx.t("partners.choose_unit"), list(names), format_func=names.get, key="partner_unit", bind="query-params"
    )
    if unit_id not in names:
        return None
    u = units[units["unit_id"] == unit_id].iloc[0]
    st.caption(
        ctx.t(
            "partners.unit_line",
            kind=i18n.label("unit_kind", u.kind, ctx.lang),
            community=md(u.community),
            joined_on=fmt.day(u.joined_on),
        )
    )
    cards = st.columns(3) + st.columns(3)
    cards[0].metric(ctx.t("partners.value_to_date"), fmt.yuan(u.value_to_date, ctx.lang), border=True)
    cards[1].metric(ctx.t("partners.value_in_period"), fmt.yuan(u.value_yuan, ctx.lang), border=True)
    cards[2].metric(ctx.t("partners.hours_to_date"), fmt.number(u.hours_to_date, 1), border=True)
    cards[3].metric(ctx.t("partners.contributions_to_date"), fmt.number(u.contributions_to_date), border=True)
    cards[4].metric(ctx.t("partners.households_to_date"), fmt.number(u.households_to_date), border=True)
    cards[5].metric(ctx.t("partners.compounds_served"), fmt.number(u.compounds_served), border=True)
    own = ever[ever["unit_id"] == unit_id]
    if own.empty:
        widgets.empty(ctx, "partners.no_unit_contributions")
        return unit_id
    widgets.table(
        ctx,
        own.drop(columns=["unit_id", "unit"]),
        "partners_unit_contributions",
        codes={"kind": "contribution_kind"},
        column_config={"value_yuan": MONEY},
    )
    return unit_id


ctx = context.current()
widgets.header(ctx, "partners.title")

widgets.kpi_row(
    ctx,
    ["partner_value", "partner_hours", "contributions_count", "partner_units_active", "households_benefited"],
    per_row=3,
)

st.subheader(ctx.t("partners.unit_page"))
units = ctx.fetch("partners_unit_summary")
chosen = None
if units.empty:
    widgets.empty(ctx, "partners.no_units")
else:
    with st.container(border=True):
        ever = ctx.fetch(
            "partners_contributions", period_start=SINCE_EVER, period_end=ctx.as_of + timedelta(days=1), limit=None
        )
        chosen = unit_summary(ctx, units, ever)

by_unit = ctx.fetch("partners_by_unit")
if by_unit.empty:
    st.subheader(ctx.t("partners.by_unit"))
    widgets.empty(ctx, "partners.no_contributions")
    st.stop()

if chosen is not None:
    st.caption(ctx.t("partners.chosen_hint"))
left, right = st.columns(2)
with left:
    st.subheader(ctx.t("partners.value_by_unit"))
    unit_bars(ctx, by_unit, "value_yuan", chosen, x_kind="yuan")
with right:
    st.subheader(ctx.t("partners.hours_by_unit"))
    unit_bars(ctx, by_unit, "volunteer_hours", chosen)

left, right = st.columns(2)
with left:
    st.subheader(ctx.t("partners.by_kind"))
    kinds = ctx.fetch("partners_by_kind")
    charts.vbar(ctx, kinds, x="kind", y="value_yuan", codes={"kind": "unit_kind"}, sort="-y", y_kind="yuan")
    widgets.table(ctx, kinds, "partners_by_kind", codes={"kind": "unit_kind"}, column_config={"value_yuan": MONEY})
with right:
    st.subheader(ctx.t("partners.by_compound"))
    by_compound = ctx.fetch("partners_by_compound")
    charts.hbar(
        ctx,
        by_compound,
        y="compound",
        x="value_yuan",
        x_kind="yuan",
        key="partners_by_compound",
        tooltip=["compound", "community", "value_yuan", "volunteer_hours", "contributions", "units_active"],
    )

st.subheader(ctx.t("partners.by_month"))
monthly = ctx.fetch("partners_by_month")
left, right = st.columns(2)
with left:
    st.markdown(f"**{ctx.t('partners.value_by_month')}**")
    charts.vbar(
        ctx,
        monthly,
        x="month",
        y="value_yuan",
        color="kind",
        codes={"kind": "contribution_kind"},
        x_type="T",
        y_kind="yuan",
    )
with right:
    st.markdown(f"**{ctx.t('partners.hours_by_month')}**")
    charts.vbar(
        ctx, monthly, x="month", y="volunteer_hours", color="kind", codes={"kind": "contribution_kind"}, x_type="T"
    )

st.subheader(ctx.t("partners.units_table"))
widgets.table(
    ctx,
    units.drop(columns=["unit_id"]),
    "partners_units",
    codes={"kind": "unit_kind"},
    column_config={"value_yuan": MONEY, "value_to_date": MONEY},
)

st.subheader(ctx.t("partners.contributions"))
st.caption(ctx.t("partners.contributions_hint"))
widgets.long_table(
    ctx,
    "partners_contributions",
    "partners_contributions",
    codes={"kind": "contribution_kind"},
    column_config={"value_yuan": MONEY},
)
