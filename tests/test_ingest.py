"""Imports: every bad file is refused with its row and column and changes nothing; good files in
every encoding and XLSX import; re-imports replace; a killed or locked import changes nothing."""

from __future__ import annotations

import csv
import gc
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from oversight import db, i18n, ingest, settings
from oversight.__main__ import main
from tests.apptest import CJK
from tests.cli import cli_import

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = json.loads((FIXTURES / "bad" / "index.json").read_text(encoding="utf-8"))
GOOD = json.loads((FIXTURES / "good" / "index.json").read_text(encoding="utf-8"))


def checksums(path: Path) -> dict[str, tuple]:
    """Row count and a content hash of every table but import_log."""
    con = db.connect(path)
    return {
        t: tuple(con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {t} t").fetchone()) for t in db.TABLES
    }


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def release(path: Path) -> None:
    """Let another process open the database: close this process's handles on it."""
    db.close_all()
    gc.collect()


def where(case: dict, lang: str = "zh") -> str:
    if case["row"] is None:
        return i18n.t("import.where_file", lang)
    return i18n.t("import.where_row", lang, row=case["row"])


def test_the_bad_corpus_is_big_enough_and_one_rule_each():
    assert len(BAD) >= 30
    assert len({c["file"] for c in BAD}) == len(BAD)
    for case in BAD:
        assert (FIXTURES / "bad" / case["file"]).is_file(), case["file"]


@pytest.mark.parametrize("case", BAD, ids=[c["file"] for c in BAD])
def test_bad_file_is_refused_naming_row_and_column(case, demo_db, capsys):
    before = checksums(demo_db)
    code, out, _err = cli(capsys, "import", case["table"], str(FIXTURES / "bad" / case["file"]), "--db", str(demo_db))
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith(where(case))]
    if case["column"] == "" and case["header"]:
        lines = [line for line in lines if f"{case['header']} 列" in line]  # a cell beyond the headers: its letter
    elif case["header"]:
        lines = [line for line in lines if f"「{case['header']}" in line]
    assert [line for line in lines if case["fragment"] in line], out
    # One rule broken, one problem reported.
    assert i18n.t("import.cli_failed", "zh", table=case["table"], count=1) in out
    assert checksums(demo_db) == before
    log = ingest.import_log(db.connect(demo_db))
    assert log.iloc[0]["status"] == "failed" and log.iloc[0]["file_name"] == case["file"]


def test_problems_speak_english_when_asked(demo_db, capsys):
    case = next(c for c in BAD if c["file"] == "enum_channel.csv")
    code, out, _ = cli(
        capsys, "import", "requests", str(FIXTURES / "bad" / case["file"]), "--db", str(demo_db), "--lang", "en"
    )
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("Row 2"))
    assert '"channel"' in line and "one of: hotline_12345" in line
    assert not CJK.search(line.replace("微信", "").replace("12345热线", ""))


def test_every_problem_is_reported_not_only_the_first(demo_db, tmp_path):
    path = tmp_path / "many.csv"
    rows = list(csv.reader((FIXTURES / "good" / "requests_utf8.csv").open(encoding="utf-8")))
    rows[1][3] = "wechat"  # row 2 channel
    rows[2][2] = "later"  # row 3 received_at
    rows[3][9] = "9"  # row 4 satisfaction
    rows[3][1] = "X999"  # row 4 compound_id
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = ingest.import_file("requests", path, con=db.connect(demo_db))
    assert not result.ok
    assert result.problem_count == 4
    assert [(p.row, p.column) for p in result.problems] == [
        (2, "channel"),
        (3, "received_at"),
        (4, "compound_id"),
        (4, "satisfaction"),
    ]
    frame = ingest.problems_frame(result.problems, "zh")
    assert list(frame.columns) == [
        i18n.t(f"import.th_{k}", "zh") for k in ("row", "column", "field", "value", "expected")
    ]
    assert len(frame) == 4


@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_good_file_imports(case, demo_db, capsys):
    version = db.meta(db.connect(demo_db))["data_version"]
    args = ["import", case["table"], str(FIXTURES / "good" / case["file"]), "--db", str(demo_db), "--user", "tester"]
    if case.get("sheet"):
        args += ["--sheet", case["sheet"]]
    code, out, _ = cli(capsys, *args)
    assert code == 0, out
    con = db.connect(demo_db)
    key = ingest.table_spec(case["table"]).primary_key[0]
    assert con.execute(f"SELECT count(*) FROM {case['table']} WHERE {key} = ?", [case["first_id"]]).fetchone()[0] >= 1
    if "summary" in case:
        assert (
            con.execute("SELECT summary FROM requests WHERE request_id = ?", [case["first_id"]]).fetchone()[0]
            == (case["summary"])
        )
    assert db.meta(con)["data_version"] != version
    log = ingest.import_log(con).iloc[0]
    assert (log["status"], log["rows"], log["imported_by"], log["table_name"]) == ("ok", 3, "tester", case["table"])
    assert len(log["file_sha256"]) == 64


def test_gbk_file_is_detected_and_its_labels_become_codes(demo_db):
    assert ingest.detect_encoding(FIXTURES / "good" / "requests_gbk.csv") == "gb18030"
    assert ingest.detect_encoding(FIXTURES / "good" / "requests_utf8_bom.csv") == "utf-8-sig"
    result = ingest.import_file("requests", FIXTURES / "good" / "requests_gbk.csv", con=db.connect(demo_db))
    assert result.ok and result.added == 3
    row = (
        db.connect(demo_db)
        .execute("SELECT channel, category, handler, received_at::VARCHAR FROM requests WHERE request_id = 'GGBK-001'")
        .fetchone()
    )
    assert row == ("hotline_12345", "leak", "property", "2023-09-01 08:00:00")


def test_reimport_changes_nothing_and_changed_rows_replace(demo_db, tmp_path):
    con = db.connect(demo_db)
    good = FIXTURES / "good" / "requests_utf8.csv"
    first = ingest.import_file("requests", good, con=con)
    assert (first.ok, first.added, first.replaced) == (True, 3, 0)
    before = checksums(demo_db)
    again = ingest.import_file("requests", good, con=con)
    assert (again.ok, again.added, again.replaced, again.unchanged) == (True, 0, 3, 3)
    assert again.data_version is None
    assert checksums(demo_db) == before

    rows = list(csv.reader(good.open(encoding="utf-8")))
    rows[1][5] = "楼顶漏水，已修好一半"
    rows.append(["GU8-004", "X001", "2023-09-05 10:00:00", "council", "noise", "夜间噪音", "other", "", "", ""])
    changed = tmp_path / "changed.csv"
    with changed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = ingest.import_file("requests", changed, con=con)
    assert (result.ok, result.added, result.replaced, result.unchanged) == (True, 1, 3, 2)
    assert result.data_version and db.meta(con)["data_version"] == result.data_version
    summary = con.execute("SELECT summary FROM requests WHERE request_id = 'GU8-001'").fetchone()[0]
    assert summary == "楼顶漏水，已修好一半"
    assert con.execute("SELECT count(*) FROM requests WHERE request_id LIKE 'GU8-%'").fetchone()[0] == 4


def test_replacing_a_referenced_row_and_moving_an_unreferenced_one(demo_db, tmp_path):
    con = db.connect(demo_db)
    # X001 is referenced by items, requests, volunteers...: its plain columns can still change.
    header, *rows = list(csv.reader((settings.DEMO_DIR / "compounds.csv").open(encoding="utf-8")))
    x001 = next(r for r in rows if r[0] == "X001")
    x001[header.index("households")] = "40"
    keep = [c for c in header if c not in ("lat", "lon")]  # columns a file leaves out keep their value
    path = tmp_path / "x001.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(keep)
        w.writerow([x001[header.index(c)] for c in keep])
    lat = con.execute("SELECT lat FROM compounds WHERE compound_id = 'X001'").fetchone()[0]
    result = ingest.import_file("compounds", path, con=con)
    assert result.ok and (result.added, result.replaced, result.unchanged) == (0, 1, 0)
    assert con.execute("SELECT households, lat FROM compounds WHERE compound_id = 'X001'").fetchone() == (40, lat)

    # A new item nobody refers to yet can move to another compound on re-import.
    items = FIXTURES / "good" / "renovation_items.csv"
    assert ingest.import_file("renovation_items", items, con=con).ok
    rows = list(csv.reader(items.open(encoding="utf-8")))
    rows[1][1] = "X002"
    moved = tmp_path / "moved.csv"
    with moved.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = ingest.import_file("renovation_items", moved, con=con)
    assert result.ok and result.replaced == 3 and result.unchanged == 2
    assert con.execute("SELECT compound_id FROM renovation_items WHERE item_id = 'F-ITEM-1'").fetchone()[0] == "X002"


def test_refused_tables_and_files(demo_db, tmp_path, monkeypatch, capsys):
    before = checksums(demo_db)
    code, out, _ = cli(
        capsys, "import", "import_log", str(FIXTURES / "good" / "requests_utf8.csv"), "--db", str(demo_db)
    )
    assert code == 1 and "import_log" in out
    code, out, _ = cli(
        capsys, "import", "no_such_table", str(FIXTURES / "good" / "requests_utf8.csv"), "--db", str(demo_db)
    )
    assert code == 1 and "no_such_table" in out

    old_excel = tmp_path / "old.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    result = ingest.import_file("requests", old_excel, con=db.connect(demo_db))
    assert not result.ok and result.problems[0].rule == "xls"

    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("request_id\tcompound_id\n".encode("utf-16"))
    result = ingest.import_file("requests", utf16, con=db.connect(demo_db))
    assert not result.ok and result.problems[0].rule == "encoding"

    result = ingest.import_file(
        "requests", FIXTURES / "good" / "requests_sheet.xlsx", con=db.connect(demo_db), sheet="不存在"
    )
    assert not result.ok and result.problems[0].rule == "sheet_missing" and "诉求" in result.problems[0].expected

    monkeypatch.setenv("OVERSIGHT_UPLOAD_LIMIT_MB", "0")
    result = ingest.import_file("requests", FIXTURES / "good" / "requests_utf8.csv", con=db.connect(demo_db))
    assert not result.ok and result.problems[0].rule == "too_large"
    assert result.file_sha256 == ""  # refused before reading
    assert checksums(demo_db) == before
    log = ingest.import_log(db.connect(demo_db))
    assert len(log) == 6 and set(log["status"]) == {"failed"}


def test_progress_is_reported_in_order(demo_db):
    seen: list[tuple[float, str]] = []
    result = ingest.import_file(
        "requests",
        FIXTURES / "good" / "requests_utf8.csv",
        con=db.connect(demo_db),
        progress=lambda f, t: seen.append((f, t)),
    )
    assert result.ok
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any(t.startswith(i18n.t("import.progress_writing", "zh", done=0, total=3)[:4]) for _, t in seen)


def test_every_schema_check_is_explained_in_words():
    for spec in ingest.schema().values():
        for check in spec.checks:
            if spec.name in ingest.IMPORTABLE_TABLES:
                assert check.kind != "other", (spec.name, check.expression)
                for lang in i18n.LANGUAGES:
                    assert "import." not in ingest.check_expectation(spec, check, lang)


def test_headers_map_to_one_column_each():
    for table in ingest.IMPORTABLE_TABLES:
        spec = ingest.table_spec(table)
        labels = [ingest._norm(ingest.column_label(c, "zh")) for c in spec.column_names]
        assert len(set(labels)) == len(labels), table
        words = ingest.header_words(table)
        for col in spec.column_names:
            assert words[ingest._norm(col)] == col
            assert words[ingest._norm(ingest.column_label(col, "zh"))] == col


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(settings.ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_cli_process_exits_1_on_a_bad_file_and_imports_while_the_dashboard_reads(demo_db):
    bad = FIXTURES / "bad" / "enum_channel.csv"
    release(demo_db)
    proc = cli_import("requests", bad, demo_db, _subprocess_env())
    assert proc.returncode == 1 and "第 2 行" in proc.stdout

    before = checksums(demo_db)  # this process now reads the data, as a dashboard would
    proc = cli_import("requests", FIXTURES / "good" / "requests_utf8.csv", demo_db, _subprocess_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = checksums(demo_db)  # the reader follows the new version without reopening by hand
    assert after["requests"][0] == before["requests"][0] + 3
    assert {t: v for t, v in after.items() if t not in ("requests", "meta")} == {
        t: v for t, v in before.items() if t not in ("requests", "meta")
    }


def test_import_killed_halfway_leaves_the_database_as_before(demo_db, tmp_path):
    rows = 450_000
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["request_id", "compound_id", "received_at", "channel", "category", "summary", "handler"])
        for i in range(rows):
            w.writerow([f"KILL{i:07d}", "X001", "2023-09-01 08:00:00", "visit", "leak", "楼顶漏水", "property"])
    before = checksums(demo_db)
    release(demo_db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "oversight", "import", "requests", str(big), "--db", str(demo_db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=settings.ROOT,
        env=_subprocess_env(),
    )
    # Kill once the first batch is in the open transaction, well before the last one and the commit.
    written = i18n.t("import.progress_writing", "zh", done=200_000, total=rows)
    killed = False
    try:
        for line in proc.stderr:
            if written in line:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
    finally:
        if not killed:
            proc.kill()
        proc.wait(timeout=60)
    assert killed, "the import never reached its writing stage"
    assert proc.returncode == -signal.SIGKILL
    assert checksums(demo_db) == before
    con = db.connect(demo_db)
    assert con.execute("SELECT count(*) FROM requests WHERE request_id LIKE 'KILL%'").fetchone()[0] == 0
    # The database still takes the same file afterwards.
    result = ingest.import_file("requests", big, con=con)
    assert result.ok and result.added == rows


def test_fast_and_exact_readers_number_rows_alike(demo_db, tmp_path):
    """DuckDB's reader stages plain files; blank lines, line breaks in cells or cells beyond the
    headers go through the exact reader. Either way a problem names the row a spreadsheet shows."""
    header = "request_id,compound_id,received_at,channel,category,summary,handler,,\r\n"
    good = "Z1,X001,2023-09-01 08:00:00,visit,leak,漏水,property,,\r\n"
    bad = "Z2,X001,2023-09-01 08:00:00,微信,leak,漏水,property,,\r\n"
    beyond = "Z3,X001,2023-09-01 08:00:00,visit,leak,漏水,property,,多余\r\n"
    cases = {
        "plain.csv": (header + good + bad, [(3, "channel")]),
        "blank_line.csv": (header + good + "\r\n" + bad, [(4, "channel")]),
        "line_break.csv": (header + good.replace("漏水", '"漏\r\n水"') + bad, [(3, "channel")]),
        "beyond.csv": (header + good + beyond + bad, [(3, ""), (4, "channel")]),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8", newline="")
        result = ingest.import_file("requests", path, con=db.connect(demo_db))
        assert [(p.row, p.column) for p in result.problems] == expected, name
        assert result.rows == sum(line.startswith("Z") for line in text.splitlines()), name


def test_as_of_moves_today_and_the_data_version(demo_db):
    import subprocess
    import sys

    from oversight import db

    before = db.meta(db.connect(demo_db))
    db.close_all()
    ok = subprocess.run([sys.executable, "-m", "oversight", "as-of", "2023-10-31", "--db", str(demo_db)], timeout=60)
    bad = subprocess.run([sys.executable, "-m", "oversight", "as-of", "2023-13-01", "--db", str(demo_db)], timeout=60)
    assert ok.returncode == 0 and bad.returncode == 1
    after = db.meta(db.connect(demo_db))
    assert after["as_of"] == "2023-10-31" and after["data_version"] != before["data_version"]
