"""Excel-safe CSV bytes: BOM, labelled headers, neutralised formulas, every row."""

import csv
import io

import pandas as pd

from oversight import db, export, i18n


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
    frame = db.run("progress_by_compound", con, compound_ids=ids, as_at=pd.Timestamp("2023-09-30").date())
    expected = con.execute("SELECT count(DISTINCT compound_id) FROM renovation_items").fetchone()[0]
    data = export.csv_bytes(frame, {c: i18n.t(f"col.{c}", "zh") for c in frame.columns})
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) - 1 == len(frame) == expected
    assert rows[0][:2] == ["小区编号", "小区"]


def test_file_name_names_page_filters_and_as_of():
    name = export.file_name("逾期改造项目", ["和美社区", "全部", "2022-10—2023-09"], "2023-09-30")
    assert name == "逾期改造项目_和美社区_全部_2022-10—2023-09_截至2023-09-30.csv"
    assert "/" not in export.file_name("a/b", ["c:d"], "2023-09-30")
