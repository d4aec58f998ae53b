"""督办台账 Supervision ledger: cases that open and close themselves, assigned, chased and closed."""

import streamlit as st

from oversight import settings, supervision
from oversight.ui import context, ledger, widgets

ctx = context.current()
widgets.header(ctx, "supervision.title")
st.caption(ctx.t("supervision.intro", line=f"{settings.satisfaction_line():.0%}", min_rated=settings.min_rated()))

cases = ctx.fetch("supervision_cases")
c1, c2, c3 = st.columns(3)
statuses = c1.multiselect(
    ctx.t("supervision.filter_status"),
    supervision.STATUSES,
    format_func=lambda v: ctx.t(f"supervision.status.{v}"),
    key="sv_status",
    bind="query-params",
    placeholder=ctx.t("filter.all"),
)
if asked := ledger.kinds_asked([]):
    st.session_state["sv_kind"] = asked
kinds = c2.multiselect(
    ctx.t("supervision.filter_kind"),
    supervision.KINDS,
    format_func=lambda v: ctx.t(f"supervision.kind.{v}"),
    key="sv_kind",
    bind="query-params",
    placeholder=ctx.t("filter.all"),
)
units = c3.multiselect(
    ctx.t("supervision.filter_unit"),
    sorted(u for u in cases["assignee_unit"].dropna().unique()),
    key="sv_unit",
    placeholder=ctx.t("filter.all"),
)
shown = ledger.filtered(cases, statuses, kinds, units)
st.caption(ledger.count_line(ctx, shown))
widgets.table(
    ctx,
    shown.drop(columns=["compound_id", "subject_id", "community_id"]),
    "supervision_cases",
    codes={"kind": "supervision.kind", "status": "supervision.status", "close_proposed": "bool"},
)
if not shown.empty:
    ledger.case_panel(ctx, shown)
