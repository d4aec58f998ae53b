"""The audit log: append-only, its own 0600 file, no secrets, printed by the command line."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from oversight import audit
from oversight.__main__ import main


@pytest.fixture
def audit_file(tmp_path, monkeypatch):
    path = tmp_path / "audit" / "audit.sqlite"
    monkeypatch.setenv("OVERSIGHT_AUDIT", str(path))
    return path


def test_entries_are_appended_in_order_with_who_what_and_address(audit_file):
    audit.record("sign_in", "wang", {"result": "ok"}, "10.0.0.5")
    audit.record("download", "wang", {"table": "requests", "rows": 12}, "10.0.0.5")
    frame = audit.entries()
    assert list(frame.columns) == ["at", "who", "action", "detail", "address"]
    assert list(frame["action"]) == ["sign_in", "download"]
    assert frame.iloc[1]["detail"] == '{"rows": 12, "table": "requests"}'
    assert frame.iloc[0]["address"] == "10.0.0.5" and frame.iloc[0]["at"].startswith(str(date.today().year))
    assert list(audit.entries(last=1)["action"]) == ["download"]
    assert len(audit.entries(since=date(2999, 1, 1))) == 0


def test_the_file_is_private_and_entries_cannot_be_changed_or_removed(audit_file):
    audit.record("sign_out", "wang")
    assert oct(audit_file.stat().st_mode)[-3:] == "600"
    con = sqlite3.connect(audit_file)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE audit SET who = 'li'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM audit")


def test_a_secret_in_the_detail_is_never_written(audit_file):
    audit.record("sign_in", "wang", {"password": "hunter22", "token": "abc", "one_time_code": "x", "result": "ok"})
    raw = audit_file.read_bytes()
    assert b"hunter22" not in raw and b"abc" not in raw
    assert audit.entries().iloc[0]["detail"] == '{"result": "ok"}'


def test_audit_command_prints_the_last_entries(audit_file, capsys):
    for i in range(5):
        audit.record("download", f"user{i}", {"rows": i})
    assert main(["audit", "--last", "2"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 3 and "user3" in out[1] and "user4" in out[2]  # a header line, then oldest first
    assert main(["audit", "--since", "2999-01-01"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


def test_user_changes_and_cli_imports_are_recorded(audit_file, demo_db, tmp_path, monkeypatch, capsys):
    import io

    from tests.test_ingest import FIXTURES

    monkeypatch.setenv("OVERSIGHT_ACCOUNTS", str(tmp_path / "accounts.sqlite"))
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["users", "add", "li", "--role", "viewer", "--community", "C02", "--password-stdin",
                 "--db", str(demo_db)]) == 0  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO("another long one\n"))
    assert main(["users", "passwd", "li", "--password-stdin", "--db", str(demo_db)]) == 0
    assert main(["users", "remove", "li", "--db", str(demo_db)]) == 0
    main(["import", "requests", str(FIXTURES / "bad" / "enum_channel.csv"), "--db", str(demo_db), "--user", "zhao"])
    capsys.readouterr()
    frame = audit.entries()
    assert list(frame["action"]) == ["user_add", "user_passwd", "user_remove", "import"]
    assert '"name": "li"' in frame.iloc[0]["detail"] and "long password" not in frame.to_csv()
    assert frame.iloc[3]["who"] == "zhao" and '"ok": false' in frame.iloc[3]["detail"]


def test_the_data_page_shows_the_log_to_street_admins_only(audit_file, app_env):
    from oversight import auth
    from tests.apptest import data_tab, open_page

    audit.record("sign_in", "wang", {"result": "bad_login"}, "10.0.0.5")
    at = data_tab(open_page("app_pages/data.py"), "audit.title")
    table = next(d for d in at.dataframe if "来源地址" in d.value.columns)
    assert list(table.value["用户"]) == ["wang"] and list(table.value["操作"]) == ["登录"]
    # The whole period as a CSV, offered as the tables' downloads are (a button under AppTest).
    assert any(b.proto.label == "下载 CSV" and "download_audit" in b.proto.id for b in at.get("download_button"))

    staff = auth.Account("li", "community_staff", ("C02",))
    at = open_page("app_pages/data.py", account=staff)
    assert at.tabs and "操作日志" not in [tab.label for tab in at.tabs]  # no audit tab to open
    at.session_state["data_tab"] = "操作日志"  # nor by asking for it
    at.run()
    assert not [d for d in at.dataframe if "来源地址" in d.value.columns]


def test_the_data_page_reads_the_shown_entries_only_and_the_download_has_the_whole_period(
    audit_file, app_env, monkeypatch
):
    """A busy street logs thousands of entries a week: a rerun of the Data page reads the newest that are
    shown and counts the rest; the download reads the whole period when it is made."""
    from oversight import export
    from oversight.ui import audit_view
    from tests.apptest import data_tab, open_page

    shown = audit_view.SHOWN
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with audit._connect() as con:
        con.executemany(
            "INSERT INTO audit (at, who, action, detail, address) VALUES (?, ?, 'download', '', '')",
            [(now, f"user{i}") for i in range(shown + 7)],
        )
    con.close()
    asked: list[int | None] = []
    entries = audit.entries
    monkeypatch.setattr(audit, "entries", lambda **kw: asked.append(kw.get("last")) or entries(**kw))

    at = data_tab(open_page("app_pages/data.py"), "audit.title")
    table = next(d for d in at.dataframe if "来源地址" in d.value.columns)
    # The newest first, as many as are shown, and the caption gives the period's count.
    assert len(table.value) == shown
    assert list(table.value["用户"][:2]) == [f"user{shown + 6}", f"user{shown + 5}"]
    assert any(f"{shown + 7:,}" in c.value for c in at.caption)
    assert asked and all(last is not None and last <= shown for last in asked)

    since = date.today()
    rows = audit_view.period_rows("zh", since)
    csv = b"".join(export.FrameCsv(rows, {c: c for c in rows.columns})).decode("utf-8-sig")
    assert len(rows) == shown + 7 and csv.count("\n") == shown + 8
    assert list(rows["who"][:1]) == [f"user{shown + 6}"]


def test_the_days_on_the_data_page_are_the_servers_days_not_utc_days(audit_file, app_env, monkeypatch):
    """On a Beijing server, 今天 starts at 00:00 Beijing time (16:00 UTC the day before): an entry written
    at 00:30 Beijing time is today's, in the count, the table and the download."""
    from oversight.ui import audit_view
    from tests.apptest import open_page

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        today = date.today()
        early = datetime(today.year, today.month, today.day, 0, 30).astimezone()  # local 00:30
        before = early - timedelta(hours=1)  # yesterday, local 23:30
        with audit._connect() as con:
            for at, who in ((before, "yesterday"), (early, "early")):
                con.execute(
                    "INSERT INTO audit (at, who, action, detail, address) VALUES (?, ?, 'sign_in', '', '')",
                    (at.astimezone(UTC).isoformat(timespec="seconds"), who),
                )
        con.close()
        midnight = audit_view.day_start(today)
        assert audit.count(since=midnight) == 1
        assert list(audit_view.period_rows("zh", midnight)["who"]) == ["early"]
        at = open_page("app_pages/data.py", state={"audit_days": 1, "data_tab": "操作日志"})
        table = next(d for d in at.dataframe if "来源地址" in d.value.columns)
        assert list(table.value["用户"]) == ["early"]
        assert list(table.value["时间"]) == [f"{today:%Y-%m-%d} 00:30:00"]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# What each kind of entry keeps, as the code that writes it does: whatever Latin letter the Chinese log
# shows outside the entry's own names, files and dates is the log's own wording.
DETAILS = [
    ("sign_in", {"result": "ok", "method": "password"}),
    ("sign_in", {"result": "ok", "method": "sso"}),
    ("sign_in", {"result": "bad_login"}),
    ("lockout", {"seconds": 900}),
    ("session_end", {"reason": "idle"}),
    ("session_end", {"reason": "absolute"}),
    ("session_refused", {"reason": "code"}),
    ("download", {"table": "requests_list", "filter": "社区：和美社区", "rows": 1234}),
    ("download", {"file": "快照.zip", "bytes": 2048}),
    ("download_refused", {"reason": "expired", "more_in_the_last_minute": 0}),
    ("download_refused", {"reason": "session", "more_in_the_last_minute": 2}),
    ("download_refused", {"reason": "unknown", "more_in_the_last_minute": 0}),
    (
        "import",
        {"table": "requests", "file": "诉求.csv", "ok": True, "rows": 10, "added": 8, "replaced": 2, "problems": 0},
    ),
    ("delete", {"table": "services", "file": "删除.csv", "ok": False, "rows": 0, "problems": 3}),
    ("export", {"file": "月报.docx", "report": "2024年12月", "communities": ["和美社区"], "compounds": 5}),
    ("supervision", {"case": "督办一", "action": "assign", "unit": "区住建局", "due_on": "2024-12-31", "version": 7}),
    ("rollback", {"to": "版本三", "version": 9}),
    ("as_of", {"as_of": "2024-12-31"}),
    ("user_add", {"name": "李四", "role": "community_staff", "communities": ["和美社区", "幸福社区"], "email": None}),
    ("backup", {"file": "备份.duckdb.gz"}),
    ("init", {"path": "数据.duckdb", "version": 1}),
    ("demo", {"path": "演示.duckdb", "version": 1}),
    ("restore", {"file": "备份.gz", "version": 4}),
    ("user_remove", {"name": "李四"}),
    ("user_passwd", {"name": "李四"}),
    # Fetched from another address than the page's; the log's own download; a snapshot from the command line.
    ("download", {"table": "requests_list", "filter": "全部", "rows": 3, "page_address": "10.0.0.9"}),
    ("download", {"table": "audit", "filter": "近 7 天", "rows": 40}),
    ("export", {"file": "快照.zip", "filter": {"communities": ["和美社区"], "compounds": []}, "rows": 99}),
]


# Keys whose values are the entry's own words; every other value is a code the log must put in words.
FREE_TEXT = {
    "file",
    "filter",
    "name",
    "path",
    "unit",
    "case",
    "to",
    "as_of",
    "due_on",
    "email",
    "report",
    "page_address",
}


@pytest.mark.parametrize(("action", "detail"), DETAILS)
def test_the_log_describes_each_entry_in_the_page_language(audit_file, action, detail):
    import re

    from oversight.ui import audit_view

    audit.record(action, "wang", detail, "10.0.0.5")
    stored = audit.entries().iloc[0]["detail"]
    zh = audit_view.describe(stored, "zh")
    en = audit_view.describe(stored, "en")
    assert zh and "{" not in zh and '"' not in zh
    words = zh
    for key, value in detail.items():  # names, files, places and dates are the entry's own data
        if key in FREE_TEXT:
            words = words.replace(value, "") if isinstance(value, str) else words
    words = re.sub(r"[\d.,]+ [KMG]?B\b", "", words)  # a file's size in KB or MB, as Chinese software writes it
    assert not re.search(r"[A-Za-z]", words), zh
    assert "{" not in en and not re.search(r"[\u4e00-\u9fff]", _labels_only(en)), en
    # Every number the entry kept is still there, grouped by thousands (a size in KB or MB).
    for key, value in detail.items():
        if isinstance(value, int) and not isinstance(value, bool):
            shown = audit_view.fmt_size(value) if key == "bytes" else f"{value:,}"
            assert shown in zh and shown in en


def _labels_only(text: str) -> str:
    """The English text's labels: what comes before each ': '."""
    return " ".join(part.split(": ", 1)[0] for part in text.split(" | "))


def test_the_log_reads_an_empty_list_of_communities_as_all_and_a_blank_as_none():
    from oversight.ui import audit_view

    text = audit_view.describe('{"communities": [], "name": "zhang", "role": "street_admin", "unit": ""}', "zh")
    assert text == "账号：zhang ｜ 角色：街道管理员 ｜ 社区：全部 ｜ 责任单位：—"
    filters = audit_view.describe('{"filter": {"communities": ["C01"], "compounds": []}, "rows": 9}', "zh")
    assert filters == "筛选条件：社区：C01，小区：全部 ｜ 行数：9"


def test_the_log_keeps_a_detail_it_has_no_words_for_as_written(audit_file):
    from oversight.ui import audit_view

    assert audit_view.describe("", "zh") == ""
    assert audit_view.describe("plain words", "zh") == "plain words"
    assert audit_view.describe('{"rows": 3, "table": "requests"}', "zh") == "表：居民诉求 ｜ 行数：3"


def test_the_data_page_shows_the_log_in_words_not_json(audit_file, app_env):
    from tests.apptest import data_tab, open_page

    audit.record("sign_in", "wang", {"result": "bad_login"}, "10.0.0.5")
    filter_words = "全部；全部；2024-01—2024-12"  # as widgets.filter_words joins them
    audit.record("download", "wang", {"table": "requests_list", "filter": filter_words, "rows": 501}, "10.0.0.5")
    at = data_tab(open_page("app_pages/data.py"), "audit.title")
    table = next(d for d in at.dataframe if "来源地址" in d.value.columns)
    assert list(table.value["详情"]) == [
        "表：诉求清单 ｜ 筛选条件：全部；全部；2024-01—2024-12 ｜ 行数：501",
        "结果：用户名或密码不正确",
    ]
