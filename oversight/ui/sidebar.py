"""The global filters in the entry file's sidebar, bound to the URL so a copied link reopens the view."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from oversight import i18n
from oversight.filters import Filter, default_period, invalid_url_values, month_options, parse_month, unique_labels
from oversight.ui import context, state
from oversight.ui.text import md

LANG_KEY, COMMUNITY_KEY, COMPOUND_KEY, PERIOD_KEY, SPAN_KEY = (
    state.LANG,
    state.COMMUNITY,
    state.COMPOUND,
    state.PERIOD,
    state.SPAN,
)
# 本期: the months chosen on the slider; 累计: everything since the earliest plan batch up to as_of.
SPANS = ("current", "cumulative")
LANG_NAMES = {"zh": "中文", "en": "English"}


def language(default: str) -> str:
    options = list(LANG_NAMES)
    # The widget's own label is in both languages so either reader finds it.
    return (
        st.sidebar.segmented_control(
            "语言 / Language",
            options,
            default=default,
            format_func=LANG_NAMES.get,
            key=LANG_KEY,
            bind="query-params",
            required=True,
        )
        or default
    )


def _reset(defaults: tuple[str, str]) -> None:
    st.session_state[SPAN_KEY] = SPANS[0]
    st.session_state[COMMUNITY_KEY] = []
    st.session_state[COMPOUND_KEY] = []
    st.session_state[PERIOD_KEY] = defaults


def filters(
    options: pd.DataFrame, first_day: date, as_of: date, lang: str, allowed=None, first_batch: date | None = None
) -> Filter:
    """Draw the community, compound and period filters; return the Filter they describe.

    The period is 本期 (the months on the slider) or 累计 (from the earliest plan batch, first_batch,
    or the first month with data if earlier, to as_of)."""
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    community_ids = list(dict.fromkeys(options["community_id"]))
    community_names = dict(zip(options["community_id"], options["community"], strict=False))
    community_labels = unique_labels(community_ids, [community_names[c] for c in community_ids])
    months = month_options(first_day, as_of)
    period_default = default_period(as_of, months)

    compound_labels = unique_labels(list(options["compound_id"]), list(options["compound"]))

    # Values a widget would silently drop from the URL get a notice first.
    bad = invalid_url_values(
        {k: _url_values(k) for k in (COMMUNITY_KEY, COMPOUND_KEY, PERIOD_KEY)},
        {
            COMMUNITY_KEY: list(community_labels.values()),
            COMPOUND_KEY: list(compound_labels.values()),
            PERIOD_KEY: months,
        },
    )
    if bad:
        shown = "；".join(f"{t('filter.' + k)}={md('、'.join(v)[:60])}" for k, v in bad.items())
        st.sidebar.warning(t("filter.dropped", values=shown))

    side = st.sidebar
    communities = side.multiselect(
        t("filter.community"),
        community_ids,
        format_func=community_labels.get,
        key=COMMUNITY_KEY,
        bind="query-params",
        placeholder=t("filter.all"),
    )
    narrowed = options[options["community_id"].isin(communities)] if communities else options
    compound_options = list(narrowed["compound_id"])
    # A compound outside the chosen communities leaves the selection before the widget is drawn.
    if COMPOUND_KEY in st.session_state:
        kept = [c for c in st.session_state[COMPOUND_KEY] if c in set(compound_options)]
        if kept != st.session_state[COMPOUND_KEY]:
            st.session_state[COMPOUND_KEY] = kept
    compounds = side.multiselect(
        t("filter.compound"),
        compound_options,
        format_func=compound_labels.get,
        key=COMPOUND_KEY,
        bind="query-params",
        placeholder=t("filter.all"),
    )
    span = (
        side.segmented_control(
            t("filter.span"),
            SPANS,
            default=SPANS[0],
            format_func=lambda s: t(f"filter.span_{s}"),
            key=SPAN_KEY,
            bind="query-params",
            required=True,
        )
        or SPANS[0]
    )
    if len(months) > 1:
        start, end = side.select_slider(
            t("filter.period"),
            months,
            value=period_default,
            key=PERIOD_KEY,
            bind="query-params",
            disabled=span == "cumulative",
        )
    else:
        start = end = months[0]
    if span == "cumulative":
        first = min(d for d in (first_batch, first_day) if d is not None)
        start, end = f"{first:%Y-%m}", months[-1]
        side.caption(t("filter.cumulative_note", start=start, end=end))
    side.button(t("filter.reset"), on_click=_reset, args=(period_default,), icon=":material/restart_alt:")
    return Filter(
        communities=tuple(communities),
        compounds=tuple(compounds),
        start=parse_month(start),
        end=parse_month(end),
        as_of=as_of,
        allowed=allowed,
    )


def _url_values(key: str) -> list[str]:
    return st.query_params.get_all(key)


def load_options(db_file: str, data_version: str, compound_ids: list[str], as_of: date) -> tuple[pd.DataFrame, date]:
    """The filter's options and first month, cached by data version: they are read on every rerun."""
    options = context.cached(db_file, data_version, "filter_options", compound_ids=compound_ids)
    first = context.cached(db_file, data_version, "data_first_month", compound_ids=compound_ids, as_of=as_of)
    return options, pd.Timestamp(first.iloc[0]["first_day"]).date()


def first_plan_batch(db_file: str, data_version: str, compound_ids: list[str], as_of: date) -> date | None:
    """The first day of the earliest plan batch in scope (None when no compound is in the plan)."""
    first = context.cached(db_file, data_version, "data_first_month", compound_ids=compound_ids, as_of=as_of)
    value = first.iloc[0]["first_plan_batch"]
    return None if pd.isna(value) else pd.Timestamp(value).date()
