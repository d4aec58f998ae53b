"""Correcting the data: delete by a file of ids, import --replace, and staff confined to the rows of
their own compounds (also when an id of another community is re-imported); on real DuckDB files."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from oversight import contracts, db, delete, i18n, ingest, store
from oversight.__main__ import main
from tests.stores import read

STAFF_COMMUNITY = "C02"


def own_compounds(path: Path) -> list[str]:
    return [
        r[0] for r in read(path, "SELECT compound_id FROM compounds WHERE community_id = $c", {"c": STAFF_COMMUNITY})
    ]


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_delete_refuses_unknown_and_referenced_ids_naming_each_and_deletes_nothing(store_db, tmp_path, capsys):
    count = read(store_db, "SELECT count(*) FROM requests")[0][0]
    ids = write_csv(tmp_path / "ids.csv", ["诉求编号"], [["Q00001"], ["NO-SUCH"], ["Q00001"]])
    assert main(["delete", "requests", str(ids), "--db", str(store_db)]) == 1
    out = capsys.readouterr().out
    assert "第 3 行：「NOPE" not in out
    assert "第 3 行：「NO-SUCH」" in out and "没有这个编号" in out
    assert "第 4 行：「Q00001」" in out and "与第 2 行重复" in out
    assert read(store_db, "SELECT count(*) FROM requests")[0][0] == count and store.current(store_db).seq == 1

    # A compound that other rows still refer to: each referring table named with its count.
    ids = write_csv(tmp_path / "compounds.csv", ["compound_id"], [["X001"]])
    assert main(["delete", "compounds", str(ids), "--db", str(store_db)]) == 1
    out = capsys.readouterr().out
    items = read(store_db, "SELECT count(*) FROM renovation_items WHERE compound_id = 'X001'")[0][0]
    assert "第 2 行：「X001」" in out and f"「改造项目」{items} 行" in out
    assert store.current(store_db).seq == 1


def test_delete_removes_the_listed_rows_in_one_new_version(store_db, tmp_path, capsys):
    count = read(store_db, "SELECT count(*) FROM requests")[0][0]
    version = read(store_db, "SELECT value FROM meta WHERE key = 'data_version'")[0][0]
    ids = write_csv(tmp_path / "ids.csv", ["request_id", "summary"], [["Q00001", "ignored"], ["Q00002", ""]])
    assert main(["delete", "requests", str(ids), "--db", str(store_db)]) == 0
    assert "已删除 2 行" in capsys.readouterr().out
    assert read(store_db, "SELECT count(*) FROM requests")[0][0] == count - 2
    assert read(store_db, "SELECT count(*) FROM requests WHERE request_id IN ('Q00001', 'Q00002')")[0][0] == 0
    assert read(store_db, "SELECT value FROM meta WHERE key = 'data_version'")[0][0] != version
    top = store.history(store_db).iloc[0]
    assert (top["action"], top["table_name"], top["file_name"], top["rows"]) == ("delete", "requests", "ids.csv", 2)


def test_delete_of_a_composite_key_reads_dates_as_the_import_does(store_db, tmp_path):
    compound, month = read(store_db, "SELECT compound_id, month FROM red_property_monthly ORDER BY 1, 2 LIMIT 1")[0]
    ids = write_csv(tmp_path / "rp.csv", ["小区编号", "月份"], [[compound, f"{month:%Y-%m}"]])
    result = delete.delete_file("red_property_monthly", ids, db_path=store_db)
    assert result.ok and result.deleted == 1, [p.line() for p in result.problems]
    left = read(store_db, "SELECT count(*) FROM red_property_monthly WHERE compound_id = $c AND month = $m",
                {"c": compound, "m": month})  # fmt: skip
    assert left == [(0,)]


def test_staff_may_delete_only_rows_of_their_own_compounds(store_db, tmp_path):
    own = own_compounds(store_db)
    mine = read(store_db, "SELECT request_id FROM requests WHERE list_contains($own, compound_id) LIMIT 1",
                {"own": own})[0][0]  # fmt: skip
    theirs = read(store_db, "SELECT request_id FROM requests WHERE NOT list_contains($own, compound_id) LIMIT 1",
                  {"own": own})[0][0]  # fmt: skip
    ids = write_csv(tmp_path / "ids.csv", ["request_id"], [[mine], [theirs]])
    result = delete.delete_file("requests", ids, db_path=store_db, allowed_compounds=own, user="staff")
    assert not result.ok and [(p.row, p.value) for p in result.problems] == [(3, theirs)]
    assert read(store_db, "SELECT count(*) FROM requests WHERE request_id = $r", {"r": mine}) == [(1,)]
    refused = delete.delete_file("communities", ids, db_path=store_db, allowed_compounds=own, user="staff")
    assert not refused.ok and "街道管理员" in refused.problems[0].line("zh")


def test_import_replace_removes_the_rows_the_file_lacks_and_refuses_referenced_ones(store_db, tmp_path, capsys):
    header = ["reward_id", "name", "points_cost", "stock"]
    rewards = [list(r) for r in read(store_db, "SELECT reward_id, name, points_cost, stock FROM rewards ORDER BY 1")]
    used = {r[0] for r in read(store_db, "SELECT DISTINCT reward_id FROM redemptions")}
    assert main(["import", "rewards", str(write_csv(tmp_path / "new.csv", header, [["R-NEW", "雨伞", 10, 5]])),
                 "--db", str(store_db)]) == 0  # fmt: skip
    # Leaving out a reward that was redeemed: refused, naming it and what refers to it.
    dropped = next(r for r in rewards if r[0] in used)
    path = write_csv(tmp_path / "rewards.csv", header, [r for r in rewards if r is not dropped])
    capsys.readouterr()
    assert main(["import", "rewards", str(path), "--replace", "--db", str(store_db)]) == 1
    out = capsys.readouterr().out
    assert f"「{dropped[0]}」" in out and i18n.t("data.table_redemptions", "zh") in out and "R-NEW" not in out
    assert read(store_db, "SELECT count(*) FROM rewards")[0][0] == len(rewards) + 1
    # Leaving out only a reward nobody redeemed: it goes, the rest stay as the file says.
    path = write_csv(tmp_path / "rewards.csv", header, rewards)
    assert main(["import", "rewards", str(path), "--replace", "--db", str(store_db)]) == 0
    assert "另删除文件中没有的 1 行" in capsys.readouterr().out
    assert [
        list(r) for r in read(store_db, "SELECT reward_id, name, points_cost, stock FROM rewards ORDER BY 1")
    ] == rewards


def test_staff_replace_touches_only_their_own_compounds(store_db, tmp_path):
    own = own_compounds(store_db)
    before_theirs = read(store_db, "SELECT count(*) FROM requests WHERE NOT list_contains($own, compound_id)",
                         {"own": own})[0][0]  # fmt: skip
    columns = "request_id, compound_id, received_at, channel, category, summary, handler"
    mine = read(store_db, f"SELECT {columns} FROM requests WHERE list_contains($own, compound_id) ORDER BY 1 LIMIT 2",
                {"own": own})  # fmt: skip
    path = write_csv(
        tmp_path / "mine.csv",
        ["request_id", "compound_id", "received_at", "channel", "category", "summary", "handler"],
        [[r[0], r[1], f"{r[2]:%Y-%m-%d %H:%M:%S}", *r[3:]] for r in mine],
    )
    result = ingest.import_file("requests", path, db_path=store_db, allowed_compounds=own, replace=True, user="s")
    assert result.ok, [p.line() for p in result.problems]
    assert read(store_db, "SELECT count(*) FROM requests WHERE list_contains($own, compound_id)", {"own": own}) == [
        (2,)
    ]
    assert read(store_db, "SELECT count(*) FROM requests WHERE NOT list_contains($own, compound_id)",
                {"own": own})[0][0] == before_theirs  # fmt: skip


@pytest.mark.parametrize("table", sorted(c.table for c in contracts.CONTRACTS if c.scoped))
def test_staff_cannot_take_over_a_row_of_another_community(table, store_db, tmp_path):
    """Re-importing an existing id of another community with one of the staff's own compounds
    (or volunteers, for services and redemptions) is refused whole and changes nothing."""
    own = own_compounds(store_db)
    spec = ingest.table_spec(table)
    owner = ingest.row_compound(table, "t")
    con = duckdb.connect(str(store_db), read_only=True)
    frame = con.execute(
        f"SELECT * FROM {table} t WHERE NOT list_contains($own, {owner}) ORDER BY ALL LIMIT 1",  # noqa: S608
        {"own": own},
    ).df()
    own_volunteer = con.execute(
        "SELECT volunteer_id FROM volunteers WHERE list_contains($own, compound_id) LIMIT 1", {"own": own}
    ).fetchone()[0]
    con.close()
    assert len(frame) == 1
    key = {k: frame.iloc[0][k] for k in spec.primary_key}
    if "compound_id" in frame.columns and "compound_id" not in spec.primary_key:
        frame["compound_id"] = own[0]  # where the compound is part of the key, the same key is kept
    if table in ("services", "redemptions"):
        frame["volunteer_id"] = own_volunteer
    path = tmp_path / f"{table}.csv"
    frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    before = store.current(store_db).seq
    result = ingest.import_file(table, path, db_path=store_db, allowed_compounds=own, user="staff_c02")
    assert not result.ok
    assert {p.rule for p in result.problems} & {"scope", "scope_existing"}, [p.line() for p in result.problems]
    assert store.current(store_db).seq == before
    where = " AND ".join(f"{k} = ${k}" for k in key)
    row_now = read(store_db, f"SELECT {owner} FROM {table} t WHERE {where}", key)  # noqa: S608
    assert row_now and row_now[0][0] not in own


def test_compounds_without_the_optional_company_id_column_import_cleanly(demo_db, tmp_path):
    con = db.connect(demo_db)
    row = con.execute(
        "SELECT compound_id, community_id, name, built_year, buildings, units, households, elderly_share, structure, "
        "plan_batch, in_renovation_plan FROM compounds WHERE company_id IS NOT NULL ORDER BY 1 LIMIT 1"
    ).fetchone()
    company = con.execute("SELECT company_id FROM compounds WHERE compound_id = $c", {"c": row[0]}).fetchone()[0]
    header = ["compound_id", "community_id", "name", "built_year", "buildings", "units", "households",
              "elderly_share", "structure", "plan_batch", "in_renovation_plan"]  # fmt: skip
    changed = list(row)
    changed[6] = row[6] + 1  # one more household
    path = write_csv(tmp_path / "compounds.csv", header, [changed])
    result = ingest.import_file("compounds", path, con=con)
    assert result.ok, [p.line() for p in result.problems]
    households, company_now = con.execute(
        "SELECT households, company_id FROM compounds WHERE compound_id = $c", {"c": row[0]}
    ).fetchone()
    assert households == row[6] + 1 and company_now == company  # the absent column keeps its value


def test_staff_cannot_move_their_compound_into_another_community(store_db, tmp_path):
    own = own_compounds(store_db)
    columns = "compound_id, community_id, name, built_year, buildings, units, households, elderly_share, structure, " \
        "plan_batch, in_renovation_plan"  # fmt: skip
    row = list(read(store_db, f"SELECT {columns} FROM compounds WHERE compound_id = $c", {"c": own[0]})[0])  # noqa: S608
    other = read(store_db, "SELECT community_id FROM communities WHERE community_id <> $c LIMIT 1",
                 {"c": STAFF_COMMUNITY})[0][0]  # fmt: skip
    row[1] = other
    path = write_csv(tmp_path / "move.csv", [c.strip() for c in columns.split(",")], [row])
    result = ingest.import_file("compounds", path, db_path=store_db, allowed_compounds=own, user="staff")
    assert not result.ok and "own_community" in {p.rule for p in result.problems}
    assert read(store_db, "SELECT community_id FROM compounds WHERE compound_id = $c", {"c": own[0]}) == [
        (STAFF_COMMUNITY,)
    ]
