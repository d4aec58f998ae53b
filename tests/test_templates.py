"""Templates: Chinese headers and an example row, a sheet explaining each column, and a filled
template imports."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from oversight import db, i18n, ingest, templates
from oversight.__main__ import main
from oversight.export import BOM


@pytest.mark.parametrize("table", ingest.IMPORTABLE_TABLES)
def test_csv_template_has_bom_chinese_headers_and_one_example(table):
    data = templates.csv_template(table)
    assert data.startswith(BOM.encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[0] == [i18n.t(f"col.{c}", "zh") for c in ingest.table_spec(table).column_names]
    assert all(h.strip() and not h.isascii() for h in rows[0])


@pytest.mark.parametrize("table", ingest.IMPORTABLE_TABLES)
def test_xlsx_template_explains_every_column(table):
    book = openpyxl.load_workbook(io.BytesIO(templates.xlsx_template(table, "zh")))
    data, help_sheet = book.worksheets
    spec = ingest.table_spec(table)
    header = [c.value for c in data[1]]
    assert header == templates.headers(table)
    assert any(c.value is not None for c in data[2])
    rows = list(help_sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(
        i18n.t(f"template.th_{k}", "zh") for k in ("name", "label", "type", "required", "allowed", "meaning")
    )
    assert [r[0] for r in rows[1:]] == spec.column_names
    for name, label, kind, required, _allowed, meaning in rows[1:]:
        assert label == i18n.t(f"col.{name}", "zh") and kind and meaning and "template." not in meaning
        assert required == ("是" if spec.column(name).required else "否")
    allowed = {r[0]: r[4] for r in rows[1:]}
    for check in spec.checks:
        assert allowed[check.column], (table, check.column)


def test_english_help_sheet_keeps_chinese_headers():
    book = openpyxl.load_workbook(io.BytesIO(templates.xlsx_template("requests", "en")))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[0][0] == "Field" and rows[1][1] == "诉求编号"
    assert "one of" in next(r[4] for r in rows if r[0] == "channel")


@pytest.mark.parametrize("table", ingest.IMPORTABLE_TABLES)
def test_template_example_row_is_refused_until_its_mark_is_removed(table, demo_db, tmp_path):
    con = db.connect(demo_db)
    before = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    for kind in ("csv", "xlsx"):
        path = templates.write_template(table, tmp_path / f"{table}.{kind}")
        result = ingest.import_file(table, path, con=con)
        # One problem, on row 2, saying to delete the example row: nothing else about that row.
        assert not result.ok and result.problem_count == 1, [p.line() for p in result.problems]
        problem = result.problems[0]
        assert problem.row == 2 and problem.rule == "example_row" and "示例行" in problem.line("zh")
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == before  # noqa: S608
    # With the mark taken off, the example is a valid row of the demo data: the rules are all met.
    text = templates.csv_template(table).decode("utf-8-sig").replace(ingest.EXAMPLE_MARK, "")
    path = tmp_path / f"{table}-filled.csv"
    path.write_text(text, encoding="utf-8-sig")
    result = ingest.import_file(table, path, con=con)
    assert result.ok, [p.line() for p in result.problems]
    assert result.added + result.replaced == 1


def test_filled_xlsx_template_round_trip(demo_db, tmp_path, capsys):
    path = tmp_path / "requests.xlsx"
    assert main(["template", "requests", "--out", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(i18n.t(f"col.{name}", "zh")) + 1 for name in ingest.table_spec("requests").column_names}
    filled = [
        (
            "T-001",
            "X002",
            "2023-09-10 09:00:00",
            "上门反映",
            "停车",
            "楼下车辆乱停",
            "社区",
            "2023-09-10 10:00",
            "2023-09-12 10:00",
            None,
            7,
            "已解决",
            "基本满意",
        ),
        (
            "T-002",
            "X003",
            "2023-09-11 10:30:00",
            "网上留言",
            "照明",
            "路灯不亮",
            "物业",
            "2023-09-11 11:00",
            None,
            None,
            5,
            None,
            None,
        ),
    ]
    for i, values in enumerate(filled, start=2):
        for name, value in zip(col, values, strict=True):
            sheet.cell(row=i, column=col[name], value=value)
    book.save(path)
    code = main(["import", "requests", str(path), "--db", str(demo_db)])
    out = capsys.readouterr().out
    assert code == 0, out
    rows = (
        db.connect(demo_db)
        .execute(
            "SELECT request_id, channel, category, handler, time_limit_days, followup_resolved, followup_satisfaction"
            " FROM requests WHERE request_id LIKE 'T-%' ORDER BY 1"
        )
        .fetchall()
    )
    assert rows == [
        ("T-001", "visit", "parking", "community", 7, "resolved", "basically_satisfied"),
        ("T-002", "online", "lighting", "property", 5, None, None),
    ]


def test_filled_csv_template_with_dates_as_excel_writes_them(demo_db, tmp_path):
    text = templates.csv_template("renovation_items").decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text)))
    example[0] = "X002-99"
    example[1] = "X002"
    for name, value in (("planned_start", "2023/3/1"), ("planned_end", "2023/12/31"), ("actual_start", "2023/3/15")):
        example[ingest.table_spec("renovation_items").column_names.index(name)] = value
    path = tmp_path / "items.csv"
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows([header, example])
    result = ingest.import_file("renovation_items", path, con=db.connect(demo_db))
    assert result.ok, [p.line() for p in result.problems]
    start = db.connect(demo_db).execute("SELECT planned_start FROM renovation_items WHERE item_id = 'X002-99'")
    assert start.fetchone()[0] == date(2023, 3, 1)


def test_template_command_refuses_other_endings_and_tables(tmp_path, capsys):
    assert main(["template", "requests", "--out", str(tmp_path / "t.txt")]) == 1
    assert main(["template", "meta", "--out", str(tmp_path / "t.csv")]) == 1
    assert main(["template", "compounds", "--out", str(tmp_path / "c.csv")]) == 0
    assert (tmp_path / "c.csv").read_bytes().startswith(BOM.encode("utf-8"))
    assert templates.file_name("requests", "xlsx", "zh") == "居民诉求模板.xlsx"
