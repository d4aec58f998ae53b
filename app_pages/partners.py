"""共建单位 Partner units: what each unit gave and saved residents, by unit, kind, compound and month."""

import streamlit as st

from oversight import metrics
from oversight.ui import charts, context, sections, widgets

ctx = context.current()
widgets.header(ctx, "partners.title")
widgets.story(ctx)

widgets.kpi_row(
    ctx,
    list(metrics.PARTNERS),
    per_row=3,
)

st.subheader(ctx.t("partners.unit_page"))
units = ctx.fetch("partners_unit_summary")
chosen = None
if units.empty:
    widgets.empty(ctx, "partners.no_units")
else:
    with st.container(border=True):
        chosen = sections.partner_unit(ctx, units)

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
    charts.chart(ctx, "unit_bars", by_unit, x="value_yuan", chosen=chosen, x_kind="yuan")
with right:
    st.subheader(ctx.t("partners.hours_by_unit"))
    charts.chart(ctx, "unit_bars", by_unit, x="volunteer_hours", chosen=chosen)

left, right = st.columns(2)
with left:
    st.subheader(ctx.t("partners.by_kind"))
    kinds = ctx.fetch("partners_by_kind")
    charts.vbar(ctx, kinds, x="kind", y="value_yuan", codes={"kind": "unit_kind"}, sort="-y", y_kind="yuan")
    widgets.table(ctx, kinds, "partners_by_kind", codes={"kind": "unit_kind"})
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
)

st.subheader(ctx.t("partners.contributions"))
st.caption(ctx.t("partners.contributions_hint"))
widgets.long_table(
    ctx,
    "partners_contributions",
    "partners_contributions",
    codes={"kind": "contribution_kind"},
    unit_id=None,
)
