"""督办台账 Supervision ledger: cases that open and close themselves, assigned, chased and closed."""

import streamlit as st

from oversight import settings, supervision
from oversight.ui import context, ledger, state, widgets

ctx = context.current()
widgets.header(ctx, "supervision.title")
st.caption(
    ctx.t("supervision.intro", line=f"{settings.satisfaction_line():.0%}", min_rated=settings.ranking_min_rated())
)

c1, c2, c3 = st.columns(3)
statuses = c1.multiselect(
    ctx.t("supervision.filter_status"),
    supervision.STATUSES,
    format_func=lambda v: ctx.t(f"supervision.status.{v}"),
    key="sv_status",
    bind="query-params",
    placeholder=ctx.t("filter.all"),
    select_all=False,  # no English "Select all": choosing none is all
)
if asked := ledger.kinds_asked([]):
    st.session_state[state.LEDGER_KIND_FILTER] = asked
kinds = c2.multiselect(
    ctx.t("supervision.filter_kind"),
    supervision.KINDS,
    format_func=lambda v: ctx.t(f"supervision.kind.{v}"),
    key=state.LEDGER_KIND_FILTER,
    bind="query-params",
    placeholder=ctx.t("filter.all"),
    select_all=False,  # no English "Select all": choosing none is all
)
units = c3.multiselect(
    ctx.t("supervision.filter_unit"),
    list(ctx.fetch("supervision_units")["assignee_unit"]),
    key="sv_unit",
    placeholder=ctx.t("filter.all"),
    select_all=False,  # no English "Select all": choosing none is all
)
# Filtered in DuckDB: a city's ledger runs to hundreds of thousands of cases.
chosen = {"statuses": statuses, "kinds": kinds, "units": units}
counts = ctx.fetch("supervision_status_counts", kinds=kinds, units=units).set_index("status")["cases"]
st.caption(ledger.count_line(ctx, counts, statuses))
shown = widgets.long_table(
    ctx,
    "supervision_cases",
    "supervision_cases",
    codes={"kind": "supervision.kind", "status": "supervision.status", "close_proposed": "bool"},
    **chosen,
)
if not shown.empty:
    ledger.case_panel(ctx, shown)
