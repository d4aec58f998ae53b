"""Excel-safe CSV bytes: BOM, labelled headers, neutralised formulas, every row."""

import csv
import io

import pandas as pd
import pytest

from oversight import db, domain, export, i18n


def test_csv_bytes_bom_headers_and_injection_safe_cells():
    frame = pd.DataFrame(
        {"compound": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "普通文本", "\tx"], "requests": range(6)}
    )
    data = export.csv_bytes(frame, {"compound": "小区", "requests": "诉求数"})
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["小区", "诉求数"]
    cells = [r[0] for r in rows[1:]]
    assert cells[:4] == ['\'=HYPERLINK("http://x")', "'+1", "'-2+3", "'@SUM(A1)"]
    assert cells[4] == "普通文本" and cells[5] == "'\tx"
    assert [r[1] for r in rows[1:]] == [str(i) for i in range(6)]  # numbers untouched, negative or not


def test_export_row_count_equals_the_query(demo_db):
    con = db.connect(demo_db)
    ids = db.all_compound_ids(con)
    day = pd.Timestamp("2023-09-30").date()
    frame = db.run("progress_by_compound", con, compound_ids=ids, as_at=day, as_of=day)
    expected = con.execute("SELECT count(DISTINCT compound_id) FROM renovation_items").fetchone()[0]
    data = export.csv_bytes(frame, {c: i18n.t(f"col.{c}", "zh") for c in frame.columns})
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) - 1 == len(frame) == expected
    assert rows[0][:2] == ["小区编号", "小区"]


def test_file_name_names_page_filters_and_as_of():
    name = export.file_name("逾期改造项目", ["和美社区", "全部", "2022-10—2023-09"], "2023-09-30")
    assert name == "逾期改造项目_和美社区_全部_2022-10—2023-09_截至2023-09-30.csv"
    assert "/" not in export.file_name("a/b", ["c:d"], "2023-09-30")


def test_streamed_query_csv_bom_labels_neutralised_and_every_row(demo_db, tmp_path):
    from datetime import date

    con = db.connect(demo_db)
    con.execute("UPDATE requests SET summary = '=1+1' WHERE request_id = 'Q00001'")
    sql = db.query_text("requests_list")
    ids = db.all_compound_ids(con)
    params = db.bind(
        sql,
        {
            "compound_ids": ids,
            "period_start": date(2021, 1, 1),
            "period_end": date(2024, 1, 1),
            "as_at": date(2023, 9, 30),
            "limit": None,
        },
    )
    out = tmp_path / "requests.csv"
    written = export.write_query_csv(
        con, sql, params, out, {"request_id": "诉求编号", "channel": "渠道"}, {"channel": i18n.codes("channel", "zh")}
    )
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert written == len(rows) == con.execute("SELECT count(*) FROM requests").fetchone()[0]
    assert {r["渠道"] for r in rows} <= set(i18n.codes("channel", "zh").values())
    first = next(r for r in rows if r["诉求编号"] == "Q00001")
    assert first["summary"] == "'=1+1"
    assert all(len(r["received_at"]) == 16 for r in rows)  # YYYY-MM-DD HH:MM


def _requests_export(con, out, by_month: bool = False):
    from datetime import date

    sql = db.query_text("requests_list")
    params = db.bind(
        sql,
        {
            "compound_ids": db.all_compound_ids(con),
            "period_start": date(2021, 1, 1),
            "period_end": date(2024, 1, 1),
            "as_at": date(2023, 9, 30),
            "limit": None,
        },
    )
    codes = {"channel": i18n.codes("channel", "zh"), "category": i18n.codes("request_category", "zh")}
    parts = export.months_newest_first(params) if by_month else None
    return export.write_query_csv(con, sql, params, out, {"request_id": "诉求编号"}, codes, display=True, parts=parts)


def test_months_newest_first_cuts_the_period_at_each_month_and_keeps_its_ends():
    from datetime import date

    parts = export.months_newest_first({"period_start": date(2023, 1, 20), "period_end": date(2023, 4, 10)})
    assert parts == [
        {"period_start": date(2023, 4, 1), "period_end": date(2023, 4, 10)},
        {"period_start": date(2023, 3, 1), "period_end": date(2023, 4, 1)},
        {"period_start": date(2023, 2, 1), "period_end": date(2023, 3, 1)},
        {"period_start": date(2023, 1, 20), "period_end": date(2023, 2, 1)},
    ]
    whole = export.months_newest_first({"period_start": date(2023, 1, 1), "period_end": date(2024, 1, 1)})
    assert len(whole) == 12 and whole[0]["period_start"] == date(2023, 12, 1)
    assert export.months_newest_first({"period_start": date(2023, 5, 3), "period_end": date(2023, 5, 3)}) == []


@pytest.mark.parametrize("query", sorted(domain.BY_MONTH_DOWNLOADS))
def test_a_download_by_month_is_byte_for_byte_the_download_at_once(demo_db, tmp_path, query):
    """The lists downloaded month by month (newest first) give the same file as one COPY of the
    period: the same rows in the same order. The period starts and ends inside a month."""
    from datetime import date

    con = db.connect(demo_db)
    sql = db.query_text(query)
    params = db.bind(
        sql,
        {
            "compound_ids": db.all_compound_ids(con),
            "period_start": date(2022, 3, 17),
            "period_end": date(2023, 9, 12),
            "as_at": date(2023, 9, 11),
            "limit": None,
        },
    )
    at_once, by_month = tmp_path / "at-once.csv", tmp_path / "by-month.csv"
    rows = export.write_query_csv(con, sql, params, at_once, {}, display=True)
    parts = export.months_newest_first(params)
    assert len(parts) == 19
    assert export.write_query_csv(con, sql, params, by_month, {}, display=True, parts=parts) == rows > 100
    assert by_month.read_bytes() == at_once.read_bytes()


def test_export_of_a_version_runs_within_its_own_memory_limit_and_gives_the_same_file(store_db, demo_db, tmp_path):
    """A store version (read-only) is exported by a DuckDB instance of the export's own, limited and
    spilling to a temporary directory; the file is byte for byte what the read-write path writes."""
    from oversight import store

    version = db.connect(store_db)
    with export._export_connection(version, str(tmp_path)) as work:
        assert work is not version
        limit, spill = work.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
        assert limit.replace(" ", "").upper().startswith(("183", "192")) and spill == str(tmp_path)
        assert work.execute("SELECT count(*) FROM requests").fetchone()[0] > 0
    assert store.current(store_db).file.exists()
    own = tmp_path / "from-version.csv"
    plain = tmp_path / "from-plain.csv"
    rows = _requests_export(version, own)
    assert rows == _requests_export(db.connect(demo_db), plain) > 0
    assert own.read_bytes() == plain.read_bytes()
    assert own.read_bytes().startswith(
        b"\xef\xbb\xbf\xe8\xaf\x89\xe6\xb1\x82\xe7\xbc\x96\xe5\x8f\xb7,"
    )  # BOM, 诉求编号


@pytest.mark.parametrize("by_month", [False, True])
def test_a_version_read_through_memory_exports_the_same_file(demo_db, tmp_path, by_month):
    """Upgrade day: a version whose roll-ups an older release made is read through an in-memory
    database (rollups.open_read_only) that finds its tables by a search path; the export's cursor on
    it must find them too, and write what the plain file writes. So must the cursors of the parts of
    a download by month (a USE of the in-memory database would lose the path)."""
    import duckdb

    from oversight import rollups

    plain = tmp_path / "from-plain.csv"
    rows = _requests_export(db.connect(demo_db), plain)
    db.close_all()
    con = duckdb.connect(str(demo_db))
    con.execute(f"UPDATE {rollups.DEFINITION_TABLE} SET sha256 = 'an older definition'")  # noqa: S608
    con.close()
    old = rollups.open_read_only(str(demo_db))
    try:
        assert old.execute("SELECT current_database()").fetchone()[0] == "memory"  # read through memory
        through_memory = tmp_path / "through-memory.csv"
        assert _requests_export(old, through_memory, by_month=by_month) == rows > 0
        assert through_memory.read_bytes() == plain.read_bytes()
    finally:
        old.close()


def test_streamed_csv_neutralises_every_formula_start_and_nothing_else(tmp_path):
    import duckdb

    cells = ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "中文", "9", "A=1", "", None, "'quoted", "?", "~"]
    con = duckdb.connect()
    sql = "SELECT unnest($cells::VARCHAR[]) AS cell, generate_subscripts($cells::VARCHAR[], 1) AS i ORDER BY i"
    out = tmp_path / "cells.csv"
    assert export.write_query_csv(con, sql, {"cells": cells}, out, {"cell": "单元格"}) == len(cells)
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[0] == ["单元格", "i"]
    assert [r[0] for r in rows[1:]] == [export.neutralise(c) if c is not None else "" for c in cells]
