"""居民诉求 Resident requests page: runs in both languages, KPI figures equal hand-written SQL."""

from __future__ import annotations

import json
import re
import statistics
from datetime import date

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from oversight import db, export, i18n
from oversight.filters import Filter
from tests import apptest

PAGE = "app_pages/requests.py"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
# The default period: the 12 months up to the demo's as_of (2023-09-30).
START, END, AS_AT = "2022-10-01", "2023-10-01", "2023-09-30"
KPIS = [
    "requests_total",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "median_response_hours",
    "median_resolution_hours",
    "open_backlog",
]


def open_page(lang: str = "zh", compound: list[str] | None = None, period: tuple[str, str] | None = None) -> AppTest:
    return apptest.open_page(PAGE, lang, compound, period)


def shown_metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_figures(path, compounds: list[str] | None) -> dict[str, object]:
    """The page's KPIs worked out by hand from the requests table."""
    con = duckdb.connect(str(path))
    try:
        ids = compounds or [r[0] for r in con.execute("SELECT compound_id FROM compounds").fetchall()]
        rows = con.execute(
            "SELECT received_at, responded_at, resolved_at, satisfaction FROM requests "
            "WHERE compound_id = ANY($ids) AND received_at >= $start::TIMESTAMP AND received_at < $end::TIMESTAMP",
            {"ids": ids, "start": START, "end": END},
        ).fetchall()
        backlog = con.execute(
            "SELECT count(*) FROM requests WHERE compound_id = ANY($ids) AND received_at < $end::TIMESTAMP "
            "AND (resolved_at IS NULL OR resolved_at >= $end::TIMESTAMP)",
            {"ids": ids, "end": END},
        ).fetchall()[0][0]
    finally:
        con.close()
    n = len(rows)
    rated = [r[3] for r in rows if r[3] is not None]
    respond = [(r[1] - r[0]).total_seconds() / 3600 for r in rows if r[1] is not None]
    resolve = [(r[2] - r[0]).total_seconds() / 3600 for r in rows if r[2] is not None]
    return {
        "requests_total": n,
        "response_rate": sum(1 for r in rows if r[1] is not None and (r[1] - r[0]).total_seconds() <= 86400) / n,
        "resolution_rate": sum(1 for r in rows if r[2] is not None) / n,
        "satisfaction_rate": sum(1 for s in rated if s >= 4) / len(rated) if rated else None,
        "median_response_hours": statistics.median(respond) if respond else None,
        "median_resolution_hours": statistics.median(resolve) if resolve else None,
        "open_backlog": backlog,
    }


def assert_kpis(at: AppTest, expected: dict[str, object], lang: str = "zh") -> None:
    apptest.assert_kpis(at, KPIS, expected, lang)


@pytest.mark.parametrize("compound", [None, ["X001"]])
def test_kpis_equal_hand_sql(app_env, compound):
    expected = expected_figures(app_env, compound)
    at = open_page(compound=compound)
    assert at.title[0].value == i18n.t("requests.title", "zh")
    assert_kpis(at, expected)
    assert len(at.get("vega_lite_chart")) >= 2
    # When the list is cut for the screen, its caption gives the full count of the period's requests.
    total = expected["requests_total"]
    note = i18n.t("page.rows_shown", "zh", shown=f"{min(total, 500):,}", total=f"{total:,}")
    assert (note in [c.value for c in at.caption]) == (total > 500)


def test_backlog_bands_and_list_download_cover_every_row(app_env):
    expected = expected_figures(app_env, None)
    # The page's default filter: the 12 months up to as_of.
    flt = Filter(start=date(2022, 10, 1), end=date(2023, 9, 1), as_of=date.fromisoformat(AS_AT))
    con = db.connect(app_env)
    params = flt.params(db.all_compound_ids(con))
    bands = db.run("requests_backlog_by_age", con, **params)
    assert list(bands["age_band"]) == ["d0_7", "d8_30", "d31_90", "d90_plus"]
    assert bands["open_requests"].sum() == expected["open_backlog"]
    every = db.run("requests_list", con, **params, limit=None)
    assert len(every) == expected["requests_total"]
    assert len(db.run("requests_list", con, **params, limit=5)) == 5
    data = export.csv_bytes(every)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").count("\r\n") == len(every) + 1


def test_worst_compounds_come_first(app_env):
    con = duckdb.connect(str(app_env))
    try:
        worst = con.execute(
            "SELECT c.name FROM requests r JOIN compounds c USING (compound_id) "
            "WHERE received_at >= $start::TIMESTAMP AND received_at < $end::TIMESTAMP "
            "GROUP BY c.compound_id, c.name ORDER BY count(resolved_at) / count(*), c.compound_id LIMIT 1",
            {"start": START, "end": END},
        ).fetchall()[0][0]
    finally:
        con.close()
    at = open_page()
    compound_label, rate_label = i18n.t("col.compound", "zh"), i18n.t("col.resolution_rate", "zh")
    tables = [d.value for d in at.dataframe if compound_label in d.value.columns and rate_label in d.value.columns]
    assert tables and tables[0][compound_label].iloc[0] == worst


def test_english(app_env):
    expected = expected_figures(app_env, None)
    at = open_page(lang="en")
    assert at.title[0].value == "Resident requests"
    assert_kpis(at, expected, "en")
    texts = [m.label for m in at.metric] + [s.value for s in at.subheader] + [c.value for c in at.caption]
    texts += [i.value for i in at.info] + [str(c) for d in at.dataframe for c in d.value.columns]
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec.pop("datasets", None)  # data values (names) may be Chinese
        texts.append(json.dumps(spec, ensure_ascii=False))
    assert len(texts) > 20
    assert not [t for t in texts if CJK.search(t)]


def test_compound_without_requests_shows_empty_state(app_env):
    con = duckdb.connect(str(app_env))
    con.execute("DELETE FROM requests WHERE compound_id = 'X001'")
    con.close()
    at = open_page(compound=["X001"])
    infos = [i.value for i in at.info]
    assert i18n.t("page.empty", "zh") in infos
    assert i18n.t("requests.no_backlog", "zh") in infos
    assert shown_metrics(at)[i18n.t("metric.requests_total", "zh")] == "0"
