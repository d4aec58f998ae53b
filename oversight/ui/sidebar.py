"""The global filters in the entry file's sidebar, bound to the URL so a copied link reopens the view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from oversight import db, i18n, settings
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
MEMO_SIZE = 256  # filter choices remembered per scope; past it, the memo starts afresh
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


@dataclass(frozen=True)
class Options:
    """What the filters offer an account in one data version, worked out once (see options) and shared
    read-only by every rerun and session with that scope: nothing here is rebuilt per rerun."""

    allowed: tuple[str, ...] | None  # the account's compounds; None: every compound
    compound_ids: tuple[str, ...]  # in the order the filter lists them (by community, then id)
    sorted_ids: tuple[str, ...]
    community_of: dict[str, str]  # compound_id -> community_id
    community_ids: tuple[str, ...]
    community_names: dict[str, str]
    community_labels: dict[str, str]  # id -> the label shown and put in the URL (unique)
    compound_names: dict[str, str]
    compound_labels: dict[str, str]
    compound_by_label: dict[str, str]  # the unique label -> compound_id
    url_values: dict[str, frozenset[str]]  # the labels each URL-bound filter accepts
    first_day: date  # the first month with data
    first_batch: date | None  # the first day of the earliest plan batch in scope
    months: tuple[str, ...]
    period_default: tuple[str, str]

    # What the filters' choices leave, kept per choice: every rerun of every session with this scope
    # asks again, and walking 5,000 compounds costs more than the rest of the sidebar's Python.
    _kept: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def scope(self, flt: Filter) -> list[str]:
        """The compounds the filter leaves (as oversight.filters.scope, without a DataFrame)."""
        if not flt.communities and not flt.compounds:
            return list(self.sorted_ids)
        return list(self._memo(("scope", flt.communities, flt.compounds), self._scope, flt))

    @property
    def cascades(self) -> bool:
        """Whether the compound filter waits for a community (社区 → 小区): a city's 5,000 compounds in one
        list cost 3-4 ms of every rerun of every page, and make a list nobody scrolls."""
        return len(self.compound_ids) > settings.compound_list_max()

    def compound_options(self, communities: tuple[str, ...], picked: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The compounds the compound filter offers once these communities are chosen. With none chosen:
        every compound, or where the filter cascades only those already picked (by a link, or before)."""
        if communities:
            return self._memo(("offered", communities), self._offered, communities)
        if not self.cascades:
            return self.compound_ids
        return tuple(dict.fromkeys(c for c in picked if c in self.community_of))

    def _scope(self, flt: Filter) -> tuple[str, ...]:
        chosen, picked = set(flt.communities), set(flt.compounds)
        return tuple(
            c for c in self.sorted_ids if (not chosen or self.community_of[c] in chosen) and (not picked or c in picked)
        )

    def _offered(self, communities: tuple[str, ...]) -> tuple[str, ...]:
        chosen = set(communities)
        return tuple(c for c in self.compound_ids if self.community_of[c] in chosen)

    def _memo(self, key: tuple, make, arg) -> tuple[str, ...]:
        # Shared by sessions' threads: a lost race only works the same tuple out twice.
        found = self._kept.get(key)
        if found is None:
            if len(self._kept) >= MEMO_SIZE:
                self._kept.clear()
            found = self._kept[key] = make(arg)
        return found


def options(db_file: str, data_version: str, as_of: date, communities: tuple[str, ...] | None) -> Options:
    """The filters' options for an account that sees `communities` (None: the whole street), once per
    data version: the account's scope, the option labels, the months."""
    generation = context.generation(db_file=db_file, data_version=data_version)
    return _options(
        db_file=db_file, data_version=data_version, generation=generation, as_of=as_of, communities=communities
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def _options(*, db_file: str, data_version: str, generation: str, as_of: date, communities) -> Options:
    # Shared read-only by every session with this scope: no copy per rerun, unlike st.cache_data.
    con = db.connect(db_file)
    allowed = (
        None
        if communities is None
        else tuple(db.run("account_scope", con, community_ids=list(communities))["compound_id"])
    )
    scope_ids = list(allowed) if allowed is not None else db.STREET
    frame, first = load_options(db_file, scope_ids, as_of)
    first_day, first_batch = _day(first["first_day"]) or as_of, _day(first["first_plan_batch"])
    # Most imports (requests, services, progress) leave compounds and communities as they were: the
    # options built from the same rows are used again, not built again for 5,000 compounds.
    key = context.digest(frame, first_day, first_batch, as_of, allowed)
    return _built(key=key, _frame=frame, _first_day=first_day, _first_batch=first_batch, _as_of=as_of, _allowed=allowed)


@st.cache_resource(show_spinner=False, max_entries=64)
def _built(*, key: str, _frame, _first_day, _first_batch, _as_of, _allowed) -> Options:
    # `key` (the digest of the rows, months and scope) stands for the rest, left out of Streamlit's hashing.
    return build_options(_frame, _first_day, _first_batch, _as_of, _allowed)


def build_options(
    frame: pd.DataFrame, first_day: date, first_batch: date | None, as_of: date, allowed: tuple[str, ...] | None
) -> Options:
    """Options from the rows of queries/filter_options.sql and the first months."""
    # Plain lists first: iterating a pandas (Arrow) string column value by value cost 60 ms for 5,000
    # compounds, on the first visit after every import.
    ids, names = frame["compound_id"].tolist(), frame["compound"].tolist()
    community_of_row, community_of_name = frame["community_id"].tolist(), frame["community"].tolist()
    community_names = dict(zip(community_of_row, community_of_name, strict=True))
    community_ids = tuple(community_names)  # in the rows' order: a dict keeps the first of each
    community_labels = unique_labels(list(community_ids), list(community_names.values()))
    compound_labels = unique_labels(ids, names)
    months = tuple(month_options(first_day, as_of))
    return Options(
        allowed=allowed,
        compound_ids=tuple(ids),
        sorted_ids=tuple(sorted(ids)),
        community_of=dict(zip(ids, community_of_row, strict=True)),
        community_ids=community_ids,
        community_names=community_names,
        community_labels=community_labels,
        compound_names=dict(zip(ids, names, strict=True)),
        compound_labels=compound_labels,
        compound_by_label={label: c for c, label in compound_labels.items()},
        url_values={
            COMMUNITY_KEY: frozenset(community_labels.values()),
            COMPOUND_KEY: frozenset(compound_labels.values()),
            PERIOD_KEY: frozenset(months),
        },
        first_day=first_day,
        first_batch=first_batch,
        months=months,
        period_default=default_period(as_of, list(months)),
    )


context.on_new_version(_options.clear)


def filters(opts: Options, as_of: date, lang: str) -> Filter:
    """Draw the community, compound and period filters; return the Filter they describe.

    The period is 本期 (the months on the slider) or 累计 (from the earliest plan batch, or the first
    month with data if earlier, to as_of)."""
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    community_labels, compound_labels = opts.community_labels, opts.compound_labels
    months, period_default, first_day, first_batch = (
        list(opts.months),
        opts.period_default,
        opts.first_day,
        opts.first_batch,
    )

    # Values a widget would silently drop from the URL get a notice first.
    in_url = {k: _url_values(k) for k in (COMMUNITY_KEY, COMPOUND_KEY, PERIOD_KEY)}
    bad = invalid_url_values(in_url, opts.url_values)
    if bad:
        shown = "；".join(f"{t('filter.' + k)}={md('、'.join(v)[:60])}" for k, v in bad.items())
        st.sidebar.warning(t("filter.dropped", values=shown))

    side = st.sidebar
    communities = side.multiselect(
        t("filter.community"),
        opts.community_ids,
        format_func=community_labels.get,
        key=COMMUNITY_KEY,
        bind="query-params",
        placeholder=t("filter.all"),
        select_all=False,  # no English "Select all": choosing none is all
    )
    picked = st.session_state.get(COMPOUND_KEY)
    waits = opts.cascades and not communities
    linked = ()
    if waits:
        # A link's compounds (opened, or back to by the browser's Back button) are offered, or the
        # widget would drop them from the URL.
        linked = tuple(opts.compound_by_label[v] for v in in_url[COMPOUND_KEY] if v in opts.compound_by_label)
    compound_options = opts.compound_options(tuple(communities), (*(picked or ()), *linked))
    # A compound outside the chosen communities leaves the selection before the widget is drawn, and
    # the official is told which.
    if picked:
        offered = set(compound_options)
        kept = [c for c in picked if c in offered]
        if kept != picked:
            st.session_state[COMPOUND_KEY] = kept
            gone = "、".join(md(compound_labels.get(c, c)) for c in picked if c not in offered)
            side.info(t("filter.compounds_removed", names=gone), icon=":material/info:")
    compounds = side.multiselect(
        t("filter.compound"),
        compound_options,
        format_func=compound_labels.get,
        key=COMPOUND_KEY,
        bind="query-params",
        placeholder=t("filter.all_pick_community" if waits else "filter.all"),
        help=t("filter.compound_cascade_help", count=f"{len(opts.compound_ids):,}") if waits else None,
        # Nothing to offer yet: closed, not an empty list reading Streamlit's English "No results".
        disabled=not compound_options,
        select_all=False,
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
        allowed=opts.allowed,
    )


def _url_values(key: str) -> list[str]:
    return st.query_params.get_all(key)


def load_options(db_file: str, compound_ids, as_of: date) -> tuple[pd.DataFrame, pd.Series]:
    """The filter's options and the data's first months (one row), read once per data version and scope
    by options(), which keeps what is built from them: not kept in st.cache_data as well, which would
    only pickle 5,000 rows once more on the first visit after every import."""
    # The two queries at once: after an import, every page's first run waits for both.
    first = context.beside(_first_months, db_file, compound_ids, as_of)
    options = db.run("filter_options", db.connect(db_file), compound_ids=compound_ids)
    return options, first().iloc[0]


def _first_months(db_file: str, compound_ids, as_of: date) -> pd.DataFrame:
    return db.run("data_first_month", db.connect(db_file), compound_ids=compound_ids, as_of=as_of)


def _day(value) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()
