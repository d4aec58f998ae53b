"""The audit log on the Data page (street administrators only), and the page's audited actions."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from oversight import audit, export, i18n, supervision
from oversight.ui import widgets
from oversight.ui.context import Context
from oversight.ui.login import client_address
from oversight.ui.widgets import filter_words

SHOWN = widgets.TABLE_ROWS


def record_import(ctx: Context, result) -> None:
    audit.record("import", _who(ctx), audit.import_detail(result), client_address())


def record_write(ctx: Context, action: str, detail: dict) -> None:
    """A write other than an import (delete, as-of, rollback, a 督办 action), with who and from where."""
    audit.record(action, _who(ctx), detail, client_address())


def record_snapshot(ctx: Context, file_name: str) -> None:
    detail = {"file": file_name, "filter": "；".join(filter_words(ctx))}
    audit.record("export", _who(ctx), detail, client_address())


def audited(ctx: Context, what: str, make_bytes):
    """A download button's data callable that records the download when its file is made."""
    who, address = _who(ctx), client_address()

    def make() -> bytes:
        data = make_bytes()
        audit.record("download", who, {"file": what, "bytes": len(data)}, address)
        return data

    return make


def _who(ctx: Context) -> str:
    return ctx.account.name if ctx.account else ""


def section(ctx: Context) -> None:
    """The newest entries of the audit log, with the whole period as a CSV download.

    A busy street logs thousands of entries a week: a rerun reads the shown ones and counts the rest;
    the download reads the whole period only when it is made."""
    t = ctx.t
    st.caption(t("audit.intro"))  # under its tab, which names it
    days = st.segmented_control(
        t("audit.period"), [1, 7, 30, 365], default=7, format_func=lambda d: t(f"audit.days_{d}"), key="audit_days"
    )
    since = date.today() - timedelta(days=(days or 7) - 1)  # the log's time is the clock's, not as_of
    start = day_start(since)
    total = audit.count(since=start)
    if total == 0:
        st.info(t("audit.empty"))
        return
    headers = {c: t(f"audit.col_{c}") for c in audit.COLUMNS}
    if total > SHOWN:
        st.caption(t("audit.capped", shown=f"{SHOWN:,}", total=f"{total:,}"))
    shown = period_rows(ctx.lang, start, last=SHOWN)
    st.dataframe(shown.rename(columns=headers), hide_index=True, key="audit_table")
    lang = ctx.lang
    # Streamed by the /export route as the tables' downloads are, recorded as one (table "audit").
    widgets.download(
        ctx,
        "audit",
        lambda: export.FrameCsv(period_rows(lang, start), headers),
        file_name=f"{t('audit.file')}_{since.isoformat()}.csv",
        described=t(f"audit.days_{days or 7}"),
    )


def day_start(day: date) -> datetime:
    """The day's first instant on the server's clock: the log is kept in UTC, a Beijing day starts at 16:00
    UTC the day before."""
    return datetime.combine(day, time.min).astimezone()


def period_rows(lang: str, since: datetime, last: int | None = None) -> pd.DataFrame:
    """The entries from `since` on (the newest `last` of them), newest first, as the table shows them."""
    frame = audit.entries(since=since, last=last).iloc[::-1].reset_index(drop=True)
    # Stored in UTC; shown in the server's time zone (Beijing time on a street office's server). Once per
    # distinct value.
    times = {at: datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S") for at in set(frame["at"])}
    frame["at"] = frame["at"].map(times)
    keys = _keys(lang)
    actions = {a: i18n.t(f"audit.action_{a}", lang) if f"audit.action_{a}" in keys else a for a in set(frame["action"])}
    frame["action"] = frame["action"].map(actions)
    details = {d: describe(d, lang) for d in set(frame["detail"])}
    frame["detail"] = frame["detail"].map(details)
    return frame


# The order an entry's facts are read in: what it is about first, then how it went.
DETAIL_ORDER = (
    "table", "file", "path", "report", "case", "action", "name", "role", "communities", "compounds", "filter",
    "rows", "added", "replaced", "problems", "ok", "result", "method", "reason", "seconds",
    "more_in_the_last_minute", "bytes", "unit", "due_on", "to", "version", "as_of", "email", "page_address",
)  # fmt: skip
# Lists of places where an empty one means every place (a report, a snapshot, a street account).
ALL_WHEN_EMPTY = {"communities", "compounds"}


def describe(detail: str, lang: str) -> str:
    """An entry's detail (kept as JSON with English keys and codes) in the page's language:
    表：居民诉求 ｜ 行数：12. A detail that is not such JSON is shown as written."""
    try:
        facts = json.loads(detail) if detail else None
    except ValueError:
        facts = None
    if isinstance(facts, str):
        return facts
    if not isinstance(facts, dict):
        return detail
    # ｜ between facts, as the pages' filter line: a filter's own words are joined by ；.
    return (" ｜ " if lang == "zh" else " | ").join(_facts(facts, lang))


def _facts(facts: dict, lang: str) -> list[str]:
    keys = i18n.strings(lang)  # read, not copied: once per distinct detail of up to 500 entries
    label = lambda key: i18n.t(key, lang) if key in keys else None  # noqa: E731
    colon = "：" if lang == "zh" else ": "
    ordered = sorted(facts, key=lambda k: (DETAIL_ORDER.index(k) if k in DETAIL_ORDER else len(DETAIL_ORDER), k))
    out = []
    for k in ordered:
        value = facts[k]
        # A count of compounds (a report) and a list of them (a snapshot's filter) are named apart.
        name = label(f"audit.key_{k}_list" if isinstance(value, list) else f"audit.key_{k}") or label(f"audit.key_{k}")
        out.append(f"{name or k}{colon}{_value(k, value, lang, label)}")
    return out


def _value(key: str, value, lang: str, label) -> str:
    if isinstance(value, dict):  # a filter kept as its parts
        return ("，" if lang == "zh" else ", ").join(_facts(value, lang))
    if value == [] and key in ALL_WHEN_EMPTY:
        return i18n.t("filter.all", lang)
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return i18n.t("audit.yes" if value else "audit.no", lang)
    if key == "bytes" and isinstance(value, int):
        return fmt_size(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(str(v) for v in value)
    value = str(value)
    coded = {
        "table": (f"data.table_{value}", f"export.{value}"),
        "action": (f"supervision.action.{supervision.EVENT_OF.get(value, value)}",),
        "role": (f"role.{value}",),
        "result": (f"audit.result_{value}",),
        "method": (f"audit.method_{value}",),
        "reason": (f"audit.reason_{value}",),
    }.get(key, ())
    return next((words for words in map(label, coded) if words), value)


def fmt_size(size: int) -> str:
    """A file's size as officials read it: 2.0 KB, 286.4 MB."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size} B"


def _keys(lang: str) -> set[str]:
    return set(i18n.strings(lang))
