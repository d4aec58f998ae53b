"""督办台账: cases open and close themselves on every write, each role may do what it may and nothing
else, bad input is refused with a clear message and nothing written. Real versioned DuckDB stores."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from oversight import auth, db, ingest, store, supervision
from oversight.supervision import Action, SupervisionError
from tests.stores import read

ADMIN = auth.Account("admin", "street_admin", ())
STAFF = auth.Account("staff", "community_staff", ("C02",))
VIEWER = auth.Account("viewer", "viewer", ("C02",))


def causes(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        frame = db.run("supervision_write_causes", con, as_of=db.meta(con)["as_of"])
    finally:
        con.close()
    return set(frame["case_id"])


def own(path: Path) -> list[str]:
    return [r[0] for r in read(path, "SELECT compound_id FROM compounds WHERE community_id = 'C02'")]


def open_case(path: Path, kind: str, mine: bool | None = None) -> str:
    """An open case of `kind` (of the staff's community when mine, of another when mine is False)."""
    rows = read(path, "SELECT case_id, compound_id FROM supervision_cases WHERE kind = $k AND status <> 'closed' "
                "ORDER BY case_id", {"k": kind})  # fmt: skip
    mine_ids = set(own(path))
    for case_id, compound in rows:
        if mine is None or (compound in mine_ids) == mine:
            return case_id
    raise AssertionError(f"no {kind} case (mine={mine}) in the demo")


def test_every_cause_has_exactly_one_open_case_after_a_write(store_db):
    expected = causes(store_db)
    open_now = {r[0] for r in read(store_db, "SELECT case_id FROM supervision_cases WHERE status <> 'closed'")}
    assert open_now == expected and expected
    kinds = {r[0] for r in read(store_db, "SELECT DISTINCT kind FROM supervision_cases")}
    assert {"late_start", "late_finish", "request_overdue"} <= kinds
    # The article's elevator at 市水产宿舍, due to start 2023-05-30 and still at tendering, is late.
    late = read(store_db, "SELECT s.case_id FROM supervision_cases s JOIN renovation_items i "
                "ON i.item_id = s.subject_id WHERE s.kind = 'late_start' AND i.item_type = 'elevator' "
                "AND s.title LIKE '市水产宿舍%'")  # fmt: skip
    assert late
    # Another write (nothing about the causes changed) duplicates nothing.
    ingest.set_as_of(date.fromisoformat(read(store_db, "SELECT value FROM meta WHERE key='as_of'")[0][0]),
                     db_path=store_db)  # fmt: skip
    assert read(store_db, "SELECT count(*), count(DISTINCT case_id) FROM supervision_cases")[0] == (
        len(expected),
        len(expected),
    )


def test_a_case_closes_itself_when_its_cause_is_gone_and_reopens_when_it_is_back(store_db, tmp_path):
    case_id = open_case(store_db, "request_overdue")
    request_id = case_id.split("-", 1)[1]
    received = read(store_db, "SELECT received_at FROM requests WHERE request_id = $r", {"r": request_id})[0][0]
    row = read(store_db, "SELECT request_id, compound_id, received_at, channel, category, handler FROM requests "
               "WHERE request_id = $r", {"r": request_id})[0]  # fmt: skip
    done = received + timedelta(days=1)
    path = tmp_path / "solved.csv"
    path.write_text(
        "request_id,compound_id,received_at,channel,category,handler,responded_at,resolved_at\n"
        f"{row[0]},{row[1]},{row[2]:%Y-%m-%d %H:%M:%S},{row[3]},{row[4]},{row[5]},{done:%Y-%m-%d %H:%M:%S},"
        f"{done:%Y-%m-%d %H:%M:%S}\n",
        encoding="utf-8",
    )
    assert ingest.import_file("requests", path, db_path=store_db, user="clerk").ok
    status, closed_how = read(store_db, "SELECT status, closed_how FROM supervision_cases WHERE case_id = $c",
                              {"c": case_id})[0]  # fmt: skip
    assert (status, closed_how) == ("closed", "auto")
    history = [r[0] for r in read(store_db, "SELECT action FROM supervision_events WHERE case_id = $c ORDER BY seq",
                                  {"c": case_id})]  # fmt: skip
    assert history == ["opened", "auto_closed"]
    # Rolled back to before the fix: the cause is back, the same case reopens (no duplicate).
    store.rollback(store_db, "v1", "admin")
    assert read(store_db, "SELECT status FROM supervision_cases WHERE case_id = $c", {"c": case_id}) == [("open",)]


def test_street_admin_assigns_reminds_and_closes_with_a_full_history(store_db):
    case_id = open_case(store_db, "late_finish")
    as_of = date.fromisoformat(read(store_db, "SELECT value FROM meta WHERE key='as_of'")[0][0])
    supervision.act(store_db, ADMIN, Action(case_id, "assign", unit="区住建局", person="王*", due_on=as_of), None)
    supervision.act(store_db, ADMIN, Action(case_id, "remind", note="请于本周内复工"), None)
    supervision.act(store_db, ADMIN, Action(case_id, "close", note="已复工并完成验收"), None)
    case = read(store_db, "SELECT status, closed_how, assignee_unit, due_on FROM supervision_cases WHERE case_id = $c",
                {"c": case_id})[0]  # fmt: skip
    assert case == ("closed", "confirmed", "区住建局", as_of)
    events = read(store_db, "SELECT action, who, note FROM supervision_events WHERE case_id = $c ORDER BY seq",
                  {"c": case_id})  # fmt: skip
    assert events[1:] == [("assigned", "admin", None), ("reminded", "admin", "请于本周内复工"),
                          ("closed", "admin", "已复工并完成验收")]  # fmt: skip
    assert list(store.history(store_db)["action"][:3]) == ["supervision"] * 3  # three actions, three versions
    # A case an official closed stays closed on later writes, even if its cause remains.
    ingest.set_as_of(as_of, db_path=store_db)
    assert read(store_db, "SELECT status FROM supervision_cases WHERE case_id = $c", {"c": case_id}) == [("closed",)]


def test_staff_report_progress_and_propose_closing_which_an_admin_confirms(store_db):
    case_id = open_case(store_db, "request_overdue", mine=True)
    mine = own(store_db)
    supervision.act(store_db, STAFF, Action(case_id, "progress", note="已联系物业上门"), mine)
    supervision.act(store_db, STAFF, Action(case_id, "propose_close", note="居民确认已修好"), mine)
    assert read(store_db, "SELECT status, close_proposed FROM supervision_cases WHERE case_id = $c",
                {"c": case_id}) == [("in_progress", True)]  # fmt: skip
    supervision.act(store_db, ADMIN, Action(case_id, "close", note="核实无误，同意销号"), None)
    assert read(store_db, "SELECT status, close_proposed FROM supervision_cases WHERE case_id = $c",
                {"c": case_id}) == [("closed", False)]  # fmt: skip


@pytest.mark.parametrize(
    "account, action, scope, kind",
    [
        (STAFF, Action("", "assign", unit="x", due_on=date(2030, 1, 1)), "mine", "not_allowed"),
        (STAFF, Action("", "close", note="x"), "mine", "not_allowed"),
        (STAFF, Action("", "remind", note="x"), "mine", "not_allowed"),
        (VIEWER, Action("", "progress", note="x"), "mine", "not_allowed"),
        (ADMIN, Action("", "propose_close", note="x"), "mine", "not_allowed"),
        (STAFF, Action("", "progress", note="x"), "theirs", "not_your_case"),
        (STAFF, Action("", "progress", note="   "), "mine", "empty_note"),
        (ADMIN, Action("", "remind", note=""), "mine", "empty_note"),
        (ADMIN, Action("", "assign", unit="区住建局", due_on=date(2000, 1, 1)), "mine", "past_deadline"),
        (ADMIN, Action("", "assign", unit=" ", due_on=date(2030, 1, 1)), "mine", "no_unit"),
        (ADMIN, Action("no-such-case", "remind", note="x"), None, "no_case"),
    ],
)
def test_refusals_name_the_reason_and_write_nothing(store_db, account, action, scope, kind):
    case_id = action.case_id or open_case(store_db, "request_overdue", mine=scope == "mine")
    before = store.current(store_db).seq
    allowed = None if account.sees_everything else own(store_db)
    with pytest.raises(SupervisionError) as refused:
        supervision.act(store_db, account, Action(case_id, action.action, action.note, action.unit, "", action.due_on),
                        allowed)  # fmt: skip
    assert refused.value.kind == kind
    message = refused.value.message("zh")
    assert message and "supervision.error" not in message
    assert store.current(store_db).seq == before


def test_a_closed_case_takes_no_more_actions(store_db):
    case_id = open_case(store_db, "late_start")
    supervision.act(store_db, ADMIN, Action(case_id, "close", note="情况说明已报区里"), None)
    with pytest.raises(SupervisionError) as refused:
        supervision.act(store_db, ADMIN, Action(case_id, "remind", note="再催"), None)
    assert refused.value.kind == "closed"


def test_dissatisfied_followups_open_a_low_satisfaction_case(store_db, tmp_path):
    """Ten 回访 answers of 不满意 in a compound's last 12 months put it under the line: a case opens."""
    as_of = read(store_db, "SELECT value FROM meta WHERE key = 'as_of'")[0][0]
    con = duckdb.connect(str(store_db), read_only=True)
    compound = con.execute(
        "SELECT compound_id FROM requests WHERE resolved_at IS NOT NULL AND received_at > $d::DATE - INTERVAL 12 MONTH "
        "GROUP BY 1 HAVING count(*) >= 10 ORDER BY count(*) DESC, 1 LIMIT 1",
        {"d": as_of},
    ).fetchone()[0]
    assert f"MY-{compound}" not in causes(store_db)
    frame = con.execute(
        "SELECT * FROM requests WHERE compound_id = $c AND resolved_at IS NOT NULL "
        "AND received_at > $d::DATE - INTERVAL 12 MONTH ORDER BY received_at DESC",
        {"c": compound, "d": as_of},
    ).df()
    con.close()
    frame["followup_resolved"] = "unresolved"
    frame["followup_satisfaction"] = "dissatisfied"
    path = tmp_path / "followups.csv"
    frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    result = ingest.import_file("requests", path, db_path=store_db, user="clerk")
    assert result.ok, [p.line() for p in result.problems][:3]
    assert read(store_db, "SELECT kind, status FROM supervision_cases WHERE case_id = $c",
                {"c": f"MY-{compound}"}) == [("low_satisfaction", "open")]  # fmt: skip


def _causes_read(monkeypatch) -> list[str]:
    """The names of the queries that read the causes from now on."""
    read_causes: list[str] = []
    real = db.run

    def run(name, con=None, **params):
        if name == "supervision_write_causes":
            read_causes.append(name)
        return real(name, con, **params)

    monkeypatch.setattr(db, "run", run)
    return read_causes


def test_an_import_of_a_table_no_cause_reads_leaves_the_ledger_without_reading_the_causes(store_db, monkeypatch):
    """A services import cannot change a case's cause: the ledger, synced by the same rules and thresholds,
    is kept as it is. An import of requests is synced, and so is any import once a threshold changed."""
    fixtures = Path(__file__).parent / "fixtures" / "good"

    def services(n: int) -> Path:  # a file of one new service each time, so each import writes a version
        path = store_db.parent / f"services-{n}.csv"
        path.write_text(f"service_id,volunteer_id,served_on,activity,hours,points\nS98{n:04d},V0001,2023-09-20,"
                        "楼道清扫,2,2\n", encoding="utf-8")  # fmt: skip
        return path

    versions = len(store.history(store_db))
    before = read(store_db, "SELECT case_id, status FROM supervision_cases ORDER BY case_id")
    synced = read(store_db, "SELECT value FROM meta WHERE key = $k", {"k": supervision.SYNCED_KEY})
    assert synced and before
    read_causes = _causes_read(monkeypatch)
    assert ingest.import_file("services", services(1), db_path=store_db, user="clerk").ok
    assert len(store.history(store_db)) == versions + 1 and read_causes == []
    assert read(store_db, "SELECT case_id, status FROM supervision_cases ORDER BY case_id") == before
    assert ingest.import_file("requests", fixtures / "requests_utf8.csv", db_path=store_db, user="clerk").ok
    assert read_causes == ["supervision_write_causes"]
    monkeypatch.setenv("OVERSIGHT_SATISFACTION_LINE", "0.99")  # a new threshold: the ledger is synced again
    assert ingest.import_file("services", services(2), db_path=store_db, user="clerk").ok
    assert len(store.history(store_db)) == versions + 3 and read_causes == ["supervision_write_causes"] * 2
    assert read(store_db, "SELECT value FROM meta WHERE key = $k", {"k": supervision.SYNCED_KEY}) != synced
