"""Import cost is limited before parsing: header width, an XLSX's unpacked size and ratio, and the
number of problems kept; legacy encodings and NUL characters are refused, never stored as garbage."""

from __future__ import annotations

import csv
import zipfile

import pytest

from oversight import db, i18n, ingest
from tests.test_ingest import FIXTURES, checksums


def test_a_header_of_100000_columns_is_refused_before_any_row_is_read(demo_db, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 99_999 + "1\n", encoding="utf-8")
    before = checksums(demo_db)
    result = ingest.import_file("requests", path, con=db.connect(demo_db))
    assert not result.ok and [p.rule for p in result.problems] == ["too_wide"]
    assert "100000" in result.problems[0].expected and "200" in result.problems[0].expected
    assert checksums(demo_db) == before


def test_trailing_blank_header_cells_past_the_limit_are_only_trimmed(demo_db, tmp_path):
    rows = list(csv.reader((FIXTURES / "good" / "requests_utf8.csv").open(encoding="utf-8")))
    path = tmp_path / "trailing.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0] + [""] * 500] + rows[1:])
    assert ingest.import_file("requests", path, con=db.connect(demo_db)).ok


def zip_bomb(path, unpacked_mb: int) -> None:
    """A valid-looking XLSX whose sheet is megabytes of one repeated row: a tiny file, a huge unpack."""
    good = FIXTURES / "good" / "requests_sheet.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"</sheetData>", b"<row/>" * (unpacked_mb * 1024 * 1024 // 6) + b"</sheetData>")
            out.writestr(info.filename, data)


def test_an_xlsx_that_unpacks_far_beyond_its_size_is_refused_unopened(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    zip_bomb(path, 40)
    assert path.stat().st_size < 1024 * 1024
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(a))
    result = ingest.import_file("requests", path, con=db.connect(demo_db))
    assert not result.ok and result.problems[0].rule == "xlsx_too_big" and opened == []
    assert "MB" in result.problems[0].expected


def test_a_bomb_padded_with_incompressible_bytes_is_still_refused(demo_db, tmp_path):
    """Random padding keeps the file's overall ratio low; the sheet's own ratio gives it away."""
    import os

    path = tmp_path / "padded.xlsx"
    zip_bomb(path, 40)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as out:
        out.writestr("xl/media/padding.bin", os.urandom(2 * 1024 * 1024))
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    assert sum(m.file_size for m in members) / sum(m.compress_size for m in members) < 100
    result = ingest.import_file("requests", path, con=db.connect(demo_db))
    assert not result.ok and result.problems[0].rule == "xlsx_too_big"


def test_an_xlsx_above_the_unpacked_limit_is_refused(demo_db, monkeypatch):
    monkeypatch.setenv("OVERSIGHT_XLSX_UNPACKED_LIMIT_MB", "0")
    result = ingest.import_file("requests", FIXTURES / "good" / "requests_sheet.xlsx", con=db.connect(demo_db))
    assert not result.ok and result.problems[0].rule == "xlsx_too_big"


def test_problems_kept_stop_at_the_cap_but_all_are_counted(demo_db, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_LISTED_PROBLEMS", 50)
    rows = list(csv.reader((FIXTURES / "good" / "requests_utf8.csv").open(encoding="utf-8")))
    channel = rows[0].index("channel")
    path = tmp_path / "many.csv"
    body = []
    for i in range(400):
        row = list(rows[1])
        row[0], row[channel] = f"MANY-{i}", "wechat"
        body.append(row + ["extra"])  # a cell beyond the headers too: two problems a row
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0], *body])
    result = ingest.import_file("requests", path, con=db.connect(demo_db))
    assert not result.ok and len(result.problems) == 50 and result.problem_count == 800


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_legacy_encodings_are_named_in_the_users_language(demo_db, lang):
    result = ingest.import_file("requests", FIXTURES / "bad" / "big5.csv", con=db.connect(demo_db), lang=lang)
    assert result.problems[0].expected == i18n.t("import.file_encoding_legacy", lang, encoding="Big5")


def test_gbk_with_rare_name_characters_is_still_accepted(demo_db, tmp_path):
    rows = list(csv.reader((FIXTURES / "good" / "requests_utf8.csv").open(encoding="utf-8")))
    rows[1][rows[0].index("summary")] = (
        "张堃、王旻、李喆反映楼道灯不亮，请物业尽快维修更换灯泡谢谢"  # 堃旻喆: GBK, not GB2312
    )
    path = tmp_path / "gbk.csv"
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows)
    assert ingest.import_file("requests", path, con=db.connect(demo_db)).ok


def test_a_nul_in_an_xlsx_cell_is_refused(demo_db, tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(FIXTURES / "good" / "requests_sheet.xlsx")
    ws = book.worksheets[0]
    path = tmp_path / "nul.xlsx"
    book.save(path)
    # openpyxl refuses to write a NUL: put one into the sheet XML the way another program might.
    with zipfile.ZipFile(path) as src:
        entries = {i.filename: src.read(i.filename) for i in src.infolist()}
    sheet = next(n for n in entries if n.startswith("xl/worksheets/sheet"))
    assert ws.title
    entries[sheet] = entries[sheet].replace(
        b"</sheetData>", b'<row r="99"><c r="A99" t="inlineStr"><is><t>a&#0;b</t></is></c></row></sheetData>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries.items():
            out.writestr(name, data)
    result = ingest.import_file("requests", path, con=db.connect(demo_db))
    assert not result.ok and result.problems[0].rule in ("nul", "xlsx_unreadable")
