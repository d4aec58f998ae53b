"""Snapshots: the manifest matches the files, a compound filter leaks no other compound's rows,
text is Excel-safe, and comparing two snapshots shows the change made between them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

from oversight import db, ingest, snapshots
from oversight.__main__ import main
from oversight.export import BOM


def read_zip(path: Path) -> tuple[dict, dict[str, list[list[str]]]]:
    """The manifest and every CSV's rows (header first)."""
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        files = {}
        for entry in manifest["files"]:
            data = zf.read(entry["file"])
            files[entry["table"]] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return manifest, files


def column(files: dict, manifest: dict, table: str, name: str) -> set[str]:
    entry = next(e for e in manifest["files"] if e["table"] == table)
    i = entry["columns"].index(name)
    return {row[i] for row in files[table][1:]}


def test_manifest_matches_its_files(demo_db, tmp_path):
    con = db.connect(demo_db)
    out = tmp_path / "all.zip"
    manifest = snapshots.write_snapshot(out, con=con, filters={}, created_by="tester")
    assert {"filters", "as_of", "data_version", "created_at", "created_by", "files"} <= set(manifest)
    assert manifest["as_of"] == db.meta(con)["as_of"] and manifest["created_by"] == "tester"
    assert [e["table"] for e in manifest["files"]] == [*db.TABLES, "supervision_cases", "supervision_events"]
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("manifest.json")) == manifest
        for entry in manifest["files"]:
            data = zf.read(entry["file"])
            assert data.startswith(BOM.encode("utf-8"))
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert len(rows) - 1 == entry["rows"]
            assert rows[0] == [ingest.column_label(c, "zh") for c in entry["columns"]]
            count = con.execute(f"SELECT count(*) FROM {entry['table']}").fetchone()[0]
            assert entry["rows"] == count, entry["table"]
    assert snapshots.verify(out) == []


def test_compound_filter_holds_no_row_of_another_compound(demo_db, tmp_path, capsys):
    out = tmp_path / "c02.zip"
    code = main(["export", "--out", str(out), "--community", "C02", "--db", str(demo_db), "--user", "tester"])
    assert code == 0
    manifest, files = read_zip(out)
    con = db.connect(demo_db)
    ids = set(manifest["compound_ids"])
    expected = {r[0] for r in con.execute("SELECT compound_id FROM compounds WHERE community_id = 'C02'").fetchall()}
    assert ids == expected and manifest["created_by"] == "tester"
    assert manifest["filters"] == {"communities": ["C02"], "compounds": []}
    for table in ("compounds", "renovation_items", "contributions", "red_property_monthly", "requests", "volunteers"):
        assert column(files, manifest, table, "compound_id") <= ids, table
        assert files[table][1:], f"{table} is empty: the filter test proves nothing"
    items = column(files, manifest, "renovation_items", "item_id")
    assert column(files, manifest, "progress_updates", "item_id") <= items
    volunteers = column(files, manifest, "volunteers", "volunteer_id")
    assert column(files, manifest, "services", "volunteer_id") <= volunteers
    assert column(files, manifest, "redemptions", "volunteer_id") <= volunteers
    assert column(files, manifest, "communities", "community_id") == {"C02"}
    units = column(files, manifest, "partner_units", "unit_id")
    assert column(files, manifest, "contributions", "unit_id") <= units
    assert len(files["rewards"]) - 1 == con.execute("SELECT count(*) FROM rewards").fetchone()[0]
    total = con.execute("SELECT count(*) FROM requests").fetchone()[0]
    assert len(files["requests"]) - 1 < total


def test_one_compound_filter_and_formula_cells(demo_db, tmp_path):
    con = db.connect(demo_db)
    first = con.execute("SELECT min(request_id) FROM requests WHERE compound_id = 'X001'").fetchone()[0]
    con.execute("UPDATE requests SET summary = ? WHERE request_id = ?", ['=HYPERLINK("http://x")', first])
    out = tmp_path / "x001.zip"
    assert main(["export", "--out", str(out), "--compound", "X001", "--db", str(demo_db)]) == 0
    manifest, files = read_zip(out)
    assert manifest["compound_ids"] == ["X001"]
    assert column(files, manifest, "requests", "compound_id") == {"X001"}
    summaries = column(files, manifest, "requests", "summary")
    assert '\'=HYPERLINK("http://x")' in summaries
    assert not any(s.startswith(("=", "+", "-", "@")) for s in summaries)
    # Loading undoes the apostrophe, so figures and comparisons see the stored text.
    loaded, _ = snapshots.load(out)
    try:
        assert loaded.execute("SELECT count(*) FROM requests WHERE summary LIKE '=HYPERLINK%'").fetchone()[0] == 1
    finally:
        loaded.close()


def test_compare_reports_the_change_made_between_two_snapshots(demo_db, tmp_path):
    con = db.connect(demo_db)
    first = snapshots.save_snapshot(con=con, created_by="a", directory=tmp_path)
    # Finish the elevator of X001 through an import, as a community would.
    spec = ingest.table_spec("renovation_items")
    row = con.execute("SELECT * FROM renovation_items WHERE item_id = 'X001-ELEV'").df()
    assert row["stage"][0] != "done"
    row["stage"], row["progress_pct"], row["actual_end"] = "done", 100.0, row["actual_start"]
    path = tmp_path / "finish.csv"
    row[spec.column_names].to_csv(path, index=False)
    assert ingest.import_file("renovation_items", path, con=con).ok
    second = snapshots.save_snapshot(con=con, created_by="b", directory=tmp_path)

    listed = snapshots.list_snapshots(tmp_path)
    assert [s.path for s in listed] == [second, first]
    assert len({s.data_version for s in listed}) == 2 and {s.created_by for s in listed} == {"a", "b"}

    result = snapshots.compare(first, second, lang="zh")
    items = result.items
    assert len(items) == 1
    record = items.iloc[0].tolist()
    assert "X001-ELEV" in record and "完成" in record
    done = result.figures.set_index("key").loc["items_done"]
    assert done["after_value"] == done["before_value"] + 1
    unchanged = result.figures.set_index("key").loc["requests_total"]
    assert unchanged["after_value"] == unchanged["before_value"]

    english = snapshots.compare(first, second, lang="en")
    assert "Done" in english.items.iloc[0].tolist()


def test_list_ignores_files_that_are_not_snapshots(tmp_path):
    (tmp_path / "other.zip").write_bytes(b"not a zip")
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as zf:
        zf.writestr("a.txt", "x")
    assert snapshots.list_snapshots(tmp_path) == []
    assert snapshots.list_snapshots(tmp_path / "missing") == []


def test_verify_notices_an_edited_file(demo_db, tmp_path):
    original = tmp_path / "s.zip"
    snapshots.write_snapshot(original, ["X001"], con=db.connect(demo_db))
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(edited, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "requests.csv":
                data += b"Q99999,X001,2023-09-01 08:00:00,visit,leak,x,property,,,\n"
            dst.writestr(info.filename, data)
    assert snapshots.verify(original) == []
    assert snapshots.verify(edited) == ["requests.csv"]
