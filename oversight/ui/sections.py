"""Page sections too long to sit in a thin page, or drawn by more than one page."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from oversight import domain, fmt, i18n, metrics, settings
from oversight.filters import id_labels
from oversight.ui import charts, widgets
from oversight.ui.context import Context
from oversight.ui.text import md

LATE_CODES = {"stage": "stage", "item_type": "item_type"}
# The codes of queries/renovation_items_list.sql (Renovation and the compound profile).
ITEM_CODES = {
    "item_type": "item_type",
    "category": "category",
    "in_plan": "bool",
    "funding": "funding",
    "stage": "stage",
}
PRIORITY_WEIGHTS = ["w_elderly", "w_floors", "w_consent", "w_requests", "request_cap"]
BOARD_COLUMNS = ["rank", "composite_score", "response_rate", "resolution_rate", "satisfaction_rate", "rated"]


def late_items(ctx: Context, late_start, late_finish) -> None:
    """Items that should have started and have not, and items past their planned end, in two places."""
    with late_start:
        widgets.table(ctx, ctx.fetch("late_start_items"), "late_start_items", codes=LATE_CODES)
    with late_finish:
        widgets.table(ctx, ctx.fetch("overdue_items"), "overdue_items", codes=LATE_CODES)


def elevator_priority(ctx: Context, priority: pd.DataFrame) -> None:
    """The elevator priority formula in plain words, with the weights the query used, and the ranking."""
    if priority.empty:
        return
    w = priority.iloc[0]
    with st.container(border=True):
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
        priority.drop(columns=["compound_id", *PRIORITY_WEIGHTS]),
        "renovation_elevator_priority",
        column_config=widgets.progress("score", digits=1),
    )


@st.fragment
def item_history(ctx: Context, items: pd.DataFrame) -> None:
    """One chosen item's reported progress, as a step chart and a table. A fragment: choosing another
    item reruns only this section, not the whole page."""
    ids = items["item_id"].tolist()
    names = id_labels(
        ids, (f"{c} · {t}" for c, t in zip(items["compound"].tolist(), items["title"].tolist(), strict=True))
    )
    item_id = st.selectbox(ctx.t("renovation.choose_item"), ids, format_func=names.get, key="renovation_item")
    if item_id not in names:
        return
    compound_id = items["compound_id"].iloc[ids.index(item_id)]
    history = ctx.fetch("renovation_progress_history", compound_ids=[compound_id])
    history = history[history["item_id"] == item_id]
    if history.empty:
        widgets.empty(ctx, "renovation.no_history")
        return
    left, right = st.columns(2)
    with left:
        charts.chart(ctx, "progress_steps", history)
    with right:
        widgets.table(
            ctx,
            history[["reported_on", "stage", "progress_pct", "note"]],
            "renovation_item_history",
            codes={"stage": "stage"},
            column_config=widgets.progress("progress_pct"),
        )


def boards(ctx: Context, name_column: str, frame: pd.DataFrame, export_name: str) -> None:
    """红榜 and 黑榜 side by side: the best and the worst by 综合得分 among the ranked rows."""
    ranked = frame[frame["ranked"]]
    red, black = metrics.red_black(ranked, settings.ranking_size())
    if red.empty:
        widgets.empty(ctx, "requests.board_too_few")
        return
    left, right = st.columns(2)
    for place, rows, title in ((left, red, "requests.red_list"), (right, black, "requests.black_list")):
        with place:
            st.markdown(f"**{ctx.t(title)}**")
            widgets.table(ctx, rows[[name_column, *BOARD_COLUMNS]], f"{export_name}_{title.split('.')[1]}")


def compound_facts(ctx: Context, row) -> None:
    """The compound's facts: numbers as cards, names as labelled lines."""
    cards = st.columns(5)
    cards[0].metric(ctx.t("col.built_year"), str(int(row.built_year)) if pd.notna(row.built_year) else "—", border=True)
    cards[1].metric(ctx.t("col.buildings"), fmt.value("int", row.buildings, ctx.lang, "building"), border=True)
    cards[2].metric(ctx.t("col.units"), fmt.value("int", row.units, ctx.lang, "stairwell"), border=True)
    cards[3].metric(ctx.t("col.households"), fmt.value("int", row.households, ctx.lang, "household"), border=True)
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


def contributions_to_date(ctx: Context, unit_id: str | None = None) -> pd.DataFrame:
    """Every contribution to the context's compounds up to as_of, newest first: by one unit, or by all."""
    return ctx.fetch(
        "partners_contributions",
        period_start=domain.SINCE_EVER,
        period_end=ctx.as_of + timedelta(days=1),
        limit=None,
        unit_id=unit_id,
    )


UNIT_KEY = "partner_unit"


def _unit_from_link(ctx: Context, ids: list[str], names: list[str], labels: set[str]) -> None:
    """A link naming a unit by its id or by a name only it has opens that unit; one the widget would
    drop, opening the first unit instead, gets a notice."""
    asked = st.query_params.get(UNIT_KEY)
    if not asked or asked in labels or UNIT_KEY in st.session_state:
        return
    found = [i for i, n in zip(ids, names, strict=True) if asked in (i, n)]
    if len(found) == 1:
        st.session_state[UNIT_KEY] = found[0]
    else:
        st.warning(ctx.t("partners.unit_not_found", value=md(asked[:60])), icon=":material/link_off:")


def partner_unit(ctx: Context, units: pd.DataFrame) -> str | None:
    """One unit's page-in-page: its facts, what it gave to date and in the period, and its contributions."""
    ids = list(units["unit_id"])
    # The id in every label (the list's and the link's): names repeat, and a label worked out from the
    # units one account sees would name another unit, or none, for an account that sees more.
    names = id_labels(ids, units["unit"].tolist())
    _unit_from_link(ctx, ids, list(units["unit"]), set(names.values()))
    unit_id = st.selectbox(ctx.t("partners.choose_unit"), ids, format_func=names.get, key=UNIT_KEY, bind="query-params")
    if unit_id not in names:
        return None
    u = units.iloc[ids.index(unit_id)]  # unit ids are unique
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
    cards[2].metric(ctx.t("partners.hours_to_date"), fmt.value("hours", u.hours_to_date, ctx.lang, "hour"), border=True)
    cards[3].metric(
        ctx.t("partners.contributions_to_date"),
        fmt.value("int", u.contributions_to_date, ctx.lang, "times"),
        border=True,
    )
    cards[4].metric(
        ctx.t("partners.households_to_date"),
        fmt.value("int", u.households_to_date, ctx.lang, "household_times"),
        border=True,
    )
    cards[5].metric(
        ctx.t("partners.compounds_served"),
        fmt.value("int", u.compounds_served, ctx.lang, "compound"),
        border=True,
    )
    # Its own contributions to these compounds, read by themselves: not every unit's, filtered here.
    own = contributions_to_date(ctx, unit_id)
    if own.empty:
        widgets.empty(ctx, "partners.no_unit_contributions")
        return unit_id
    widgets.table(
        ctx,
        own.drop(columns=["unit_id", "unit"]),
        "partners_unit_contributions",
        codes={"kind": "contribution_kind"},
    )
    return unit_id


# The low-stock threshold's first value; the official may change it on the page.
LOW_STOCK_DEFAULT = 10


@st.fragment
def rewards(ctx: Context) -> None:
    """The rewards catalogue and those low in stock. A fragment: changing the threshold reruns only this."""
    st.subheader(ctx.t("volunteers.rewards"))
    st.caption(ctx.t("volunteers.rewards_note"))
    threshold = st.columns(3)[0].number_input(
        ctx.t("volunteers.low_stock_threshold"),
        min_value=1,
        max_value=10_000,
        value=LOW_STOCK_DEFAULT,
        step=1,
        key="low_stock_threshold",
    )
    st.markdown(f"**{ctx.t('volunteers.low_stock', n=int(threshold))}**")
    low = ctx.fetch("rewards_catalogue", threshold=int(threshold))
    if low.empty:
        widgets.empty(ctx, "volunteers.no_low_stock")
    else:
        widgets.table(ctx, low, "rewards_low_stock", column_config=widgets.numbers("points_cost", "points_spent"))
    st.markdown(f"**{ctx.t('volunteers.catalogue')}**")
    widgets.table(
        ctx,
        ctx.fetch("rewards_catalogue", threshold=None),
        "rewards_catalogue",
        column_config=widgets.numbers("points_cost", "points_spent"),
    )
