"""Versions of the data: writes while readers serve, serialised writers, killed writers, history,
rollback, backup and restore. Real DuckDB files and real processes (the CLI), killed for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from oversight import db, ingest, settings, store
from oversight.__main__ import main


def _env(store_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(settings.ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["OVERSIGHT_DB"] = str(store_path)
    env["OVERSIGHT_ACCOUNTS"] = str(store_path.parent / "accounts.sqlite")
    env.pop("OVERSIGHT_TEST_PAUSE_AT", None)
    env.update(extra)
    return env


def cli_process(store_path: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "oversight", *args, "--db", str(store_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=settings.ROOT,
        env=_env(store_path, **env),
    )


def run_cli(store_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    proc = cli_process(store_path, *args, **env)
    out, err = proc.communicate(timeout=180)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_for_line(proc: subprocess.Popen, text: str, timeout: float = 60) -> None:
    """Read proc's stdout until a line holds text (the writer reached its pause point)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if text in line:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"process ended before {text!r}: {proc.stderr.read()}")
    raise AssertionError(f"no {text!r} within {timeout}s")


def as_of(store_path: Path) -> str:
    """The as_of of the current version, read by a fresh read-only connection as any tool would."""
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'as_of'").fetchone()[0]
    finally:
        con.close()


def test_init_makes_an_empty_versioned_database_that_any_tool_opens_read_only(tmp_path, capsys):
    path = tmp_path / "new" / "oversight.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    assert "已建立空数据库" in capsys.readouterr().out
    assert path.is_symlink() and store.current(path).seq == 1
    con = duckdb.connect(str(path), read_only=True)
    meta = db.meta(con)
    assert meta["as_of"] == time.strftime("%Y-%m-%d") and meta["data_version"]
    assert all(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0 for t in db.TABLES if t != "meta")  # noqa: S608
    con.close()
    # Private: the data and its folder are the owner's alone.
    assert os.stat(store.current(path).file).st_mode & 0o777 == 0o600
    assert os.stat(store.versions_dir(path)).st_mode & 0o777 == 0o700
    # A second init refuses, in one line, and changes nothing.
    assert main(["init", "--db", str(path)]) == 1
    assert "已经存在" in capsys.readouterr().err and store.current(path).seq == 1


def test_a_reader_sees_each_of_ten_writes_and_keeps_at_most_two_versions_open(store_db, monkeypatch):
    monkeypatch.setenv("OVERSIGHT_RETIRE_SECONDS", "0")
    keep = 3
    reader = db.connect(store_db)  # this process plays the dashboard
    assert db.meta(reader)["as_of"] == as_of(store_db)
    for day in range(1, 11):
        done = run_cli(store_db, "as-of", f"2024-01-{day:02d}", OVERSIGHT_KEEP_VERSIONS=str(keep))
        assert done.returncode == 0, done.stderr
        assert db.meta(db.connect(store_db))["as_of"] == f"2024-01-{day:02d}"
        assert len(db.open_files()) <= 2
    held = [
        f for f in os.listdir("/proc/self/fd") if "oversight.duckdb.versions" in os.path.realpath(f"/proc/self/fd/{f}")
    ]
    assert len(held) <= 2
    kept = sorted(p.name for p in store.versions_dir(store_db).glob("v*.duckdb"))
    # The newest `keep` versions, and at most one older one this process still had open.
    assert len(kept) <= keep + 1 and kept[-1] == store.current(store_db).file.name
    assert list(store.history(store_db)["version"][:1]) == [store.current(store_db).id]


@pytest.mark.parametrize("point, expected", [("building", "old"), ("built", "old"), ("swapped", "new")])
def test_a_writer_killed_at_any_point_leaves_exactly_the_old_or_the_new_version(store_db, point, expected):
    before = as_of(store_db)
    writer = cli_process(store_db, "as-of", "2024-03-31", OVERSIGHT_TEST_PAUSE_AT=point)
    wait_for_line(writer, f"paused at {point}")
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert as_of(store_db) == (before if expected == "old" else "2024-03-31")
    # The next write works, and clears what the killed one left behind.
    done = run_cli(store_db, "as-of", "2024-04-30")
    assert done.returncode == 0, done.stderr
    assert as_of(store_db) == "2024-04-30"
    folder = store.versions_dir(store_db)
    assert not list(folder.glob("*.building*"))
    assert max(int(p.name[1:7]) for p in folder.glob("v*.duckdb")) == store.current(store_db).seq
    history = store.history(store_db)
    assert list(history["version"]) == sorted(history["version"], reverse=True)
    assert history["current"].sum() == 1 and history.iloc[0]["note"] == "2024-04-30"


def test_two_writers_one_waits_the_other_is_refused_clearly_and_nothing_is_lost(store_db):
    first = cli_process(store_db, "as-of", "2024-05-31", OVERSIGHT_TEST_PAUSE_AT="building")
    wait_for_line(first, "paused at building")
    refused = run_cli(store_db, "as-of", "2024-06-30", OVERSIGHT_WRITE_WAIT_SECONDS="1")
    assert refused.returncode == 1
    assert "另一项写入" in refused.stderr.strip().splitlines()[-1] and "Traceback" not in refused.stderr
    waiting = cli_process(store_db, "as-of", "2024-07-31", OVERSIGHT_WRITE_WAIT_SECONDS="60")
    said = waiting.stderr.readline()  # it says it waits for the other write, and keeps waiting
    assert "等待中" in said and waiting.poll() is None
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert as_of(store_db) == "2024-07-31"
    actions = list(store.history(store_db)["note"])
    assert actions[0] == "2024-07-31" and "2024-06-30" not in actions and "2024-05-31" not in actions


def test_the_data_page_refuses_clearly_while_another_write_holds_the_lock(store_db, monkeypatch):
    before = as_of(store_db)
    from streamlit.testing.v1 import AppTest  # noqa: F401 - AppTest is what apptest drives

    from tests import apptest

    monkeypatch.setenv("OVERSIGHT_DB", str(store_db))
    monkeypatch.setenv("OVERSIGHT_WRITE_WAIT_SECONDS", "1")
    first = cli_process(store_db, "as-of", "2024-05-31", OVERSIGHT_TEST_PAUSE_AT="building")
    try:
        wait_for_line(first, "paused at building")
        at = apptest.open_page("app_pages/data.py")
        expander = at.date_input(key="data_as_of")
        expander.set_value(__import__("datetime").date(2024, 8, 31))
        at.button(key="data_as_of_save").click()
        at.run()
        assert not at.exception
        assert any("另一项写入" in e.value for e in at.error), [e.value for e in at.error]
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    assert as_of(store_db) == before


def test_versions_rollback_backup_and_restore(store_db, tmp_path, capsys):
    demo_as_of = as_of(store_db)
    assert main(["as-of", "2024-01-31", "--db", str(store_db)]) == 0
    assert "v000002" in capsys.readouterr().out
    assert main(["versions", "--db", str(store_db)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["v000002", "v000001"]
    assert "设置数据日期" in lines[0] and lines[0].endswith("（当前）") and "建立演示数据" in lines[1]

    backup = tmp_path / "backup.duckdb"
    reader = db.connect(store_db)  # backups are made while dashboards read
    assert main(["backup", "--out", str(backup), "--db", str(store_db)]) == 0
    assert os.stat(backup).st_mode & 0o777 == 0o600
    assert db.meta(duckdb.connect(str(backup), read_only=True))["as_of"] == "2024-01-31"

    assert main(["rollback", "v1", "--db", str(store_db)]) == 0
    assert "v000003" in capsys.readouterr().out
    assert as_of(store_db) == demo_as_of and db.meta(reader)["as_of"] == "2024-01-31"  # the old cursor's version
    assert db.meta(db.connect(store_db))["as_of"] == demo_as_of
    # A rollback is itself a version: undone by rolling back to the one before it.
    assert main(["rollback", "v000002", "--db", str(store_db)]) == 0
    assert as_of(store_db) == "2024-01-31"

    assert main(["restore", str(backup), "--db", str(store_db)]) == 0
    assert as_of(store_db) == "2024-01-31" and store.current(store_db).seq == 5
    history = store.history(store_db)
    assert list(history["action"]) == ["restore", "rollback", "rollback", "as_of", "demo"]
    capsys.readouterr()

    # Refusals: one line each, nothing changed.
    assert main(["rollback", "v000099", "--db", str(store_db)]) == 1
    assert main(["restore", str(tmp_path / "nothing.duckdb"), "--db", str(store_db)]) == 1
    not_db = tmp_path / "not.duckdb"
    not_db.write_text("request_id\nQ1\n", encoding="utf-8")
    assert main(["restore", str(not_db), "--db", str(store_db), "--lang", "en"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "没有版本 v000099" in err[0] and "is not a database of this system" in err[2]
    assert store.current(store_db).seq == 5


def test_a_plain_database_file_becomes_version_one_at_its_first_write(demo_db, capsys):
    assert not store.is_versioned(demo_db)
    assert main(["as-of", "2024-02-29", "--db", str(demo_db)]) == 0
    assert store.is_versioned(demo_db) and store.current(demo_db).seq == 2
    assert list(store.history(demo_db)["action"]) == ["as_of", "adopt"]
    assert as_of(demo_db) == "2024-02-29"


def test_import_and_delete_through_the_store_log_failed_attempts_without_a_version(store_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("request_id,compound_id\nQ1,NOPE\n", encoding="utf-8")
    result = ingest.import_file("requests", bad, db_path=store_db, user="clerk")
    assert not result.ok and store.current(store_db).seq == 1
    log = ingest.import_log(db_path=store_db)
    assert log.iloc[0]["status"] == "failed" and log.iloc[0]["imported_by"] == "clerk"
    assert log.iloc[0]["file_name"] == "bad.csv"


def test_the_data_page_lists_versions_rolls_back_and_compares_two(store_db, monkeypatch):
    from tests import apptest

    monkeypatch.setenv("OVERSIGHT_DB", str(store_db))
    demo_as_of = as_of(store_db)
    assert main(["as-of", "2024-01-31", "--db", str(store_db)]) == 0
    at = apptest.data_tab(apptest.open_page("app_pages/data.py"), "versions.tab_history")
    tables = [d.value for d in at.dataframe if d.value.columns[0] == "版本"]
    assert len(tables) == 1 and list(tables[0].iloc[:, 0]) == ["v000002（当前）", "v000001"]
    at.selectbox(key="versions_rollback_pick").set_value("v000001")
    at.checkbox(key="versions_rollback_confirm").check()
    at.run()  # the button is enabled once confirmed
    at.button(key="versions_rollback").click()
    at.run()
    assert not at.exception and as_of(store_db) == demo_as_of
    assert any("v000003" in s.value for s in at.success)
    # Compare the two versions: as_of moved, so the figures of the default period differ somewhere.
    at.selectbox(key="versions_before").set_value("v000001")
    at.selectbox(key="versions_after").set_value("v000002")
    at.button(key="versions_compare").click()
    at.run()
    figures = next(d.value for d in at.dataframe if d.value.columns[0] == "指标")
    assert len(figures) > 5 and (figures["较早快照"] != figures["较晚快照"]).any()


def test_every_command_line_write_is_in_the_audit_log(store_db, tmp_path, monkeypatch):
    from oversight import audit

    monkeypatch.setenv("OVERSIGHT_AUDIT", str(tmp_path / "audit.sqlite"))
    ids = tmp_path / "ids.csv"
    ids.write_text("request_id\nQ00001\n", encoding="utf-8")
    backup = tmp_path / "b.duckdb"
    for args in (
        ["as-of", "2024-01-31"],
        ["delete", "requests", str(ids)],
        ["backup", "--out", str(backup)],
        ["rollback", "v000001"],
        ["restore", str(backup)],
    ):
        assert main([*args, "--db", str(store_db), "--user", "clerk"] if args[0] != "backup" else
                    [*args, "--db", str(store_db)]) == 0, args  # fmt: skip
    log = audit.entries()
    log = log[log["action"] != "adopt"]
    assert list(log["action"]) == ["as_of", "delete", "backup", "rollback", "restore"]  # oldest first
    assert set(log.loc[log["action"] != "backup", "who"]) == {"clerk"}
    assert (log["address"] == "cli").all()


def test_a_missing_symlink_never_costs_the_versions_behind_it(store_db, tmp_path, capsys):
    """Following the advice to move the database away moves only the link: init must not then
    clear the versions folder it leaves behind."""
    assert main(["as-of", "2024-01-31", "--db", str(store_db)]) == 0
    store_db.rename(tmp_path / "moved-link")
    capsys.readouterr()
    assert main(["init", "--db", str(store_db)]) == 1
    assert "曾经使用过的版本" in capsys.readouterr().err
    assert sorted(p.name for p in store.versions_dir(store_db).glob("v*.duckdb")) == [
        "v000001.duckdb",
        "v000002.duckdb",
    ]
    assert len(store.history_rows(store_db)) == 2


def test_a_backup_is_never_written_over_the_store(store_db, tmp_path, capsys):
    current = store.current(store_db)
    for out in (store_db, current.file, store.versions_dir(store_db) / "x.duckdb", tmp_path):
        assert main(["backup", "--out", str(out), "--db", str(store_db)]) == 1, out
        assert "备份不能写到" in capsys.readouterr().err
    assert store.is_versioned(store_db) and store.current(store_db) == current
    assert not list(tmp_path.glob("*.part"))


def test_a_plain_file_where_the_link_was_becomes_the_next_version_keeping_the_history(store_db, demo_master):
    assert main(["as-of", "2024-01-31", "--db", str(store_db)]) == 0
    store_db.unlink()
    import shutil

    shutil.copy(demo_master, store_db)
    assert main(["as-of", "2024-02-29", "--db", str(store_db)]) == 0
    assert list(store.history(store_db)["action"]) == ["as_of", "adopt", "as_of", "demo"]
    assert store.current(store_db).seq == 4 and as_of(store_db) == "2024-02-29"


def test_a_long_lived_thread_reads_a_database_closed_and_opened_again(demo_db):
    """A thread that outlives a database's closing (the pages' prefetch threads) gets a cursor on the
    database opened again, not its old cursor on the closed one (as after a rollback to a retired version)."""
    from concurrent.futures import ThreadPoolExecutor

    count = "SELECT count(*) FROM compounds"
    expected = duckdb.connect(str(demo_db), read_only=True).execute(count).fetchone()[0]
    with ThreadPoolExecutor(max_workers=1) as worker:
        assert worker.submit(lambda: db.connect(demo_db).execute(count).fetchone()[0]).result() == expected
        db.close_all()  # from another thread: the worker's cursor is closed with its database
        assert db.connect(demo_db).execute(count).fetchone()[0] == expected  # opened again
        assert worker.submit(lambda: db.connect(demo_db).execute(count).fetchone()[0]).result() == expected


def test_a_database_closes_while_another_thread_is_running_a_query_on_it(demo_db):
    """close_all (tests, a file about to be replaced) while a prefetch thread's query runs: the query is
    interrupted and the database closed, rather than DuckDB refusing a connection busy with a call."""
    import threading

    started, outcome = threading.Event(), {}

    def long_query() -> None:
        cursor = db.connect(demo_db)
        started.set()
        try:
            outcome["rows"] = cursor.execute("SELECT count(*) FROM range(100000000000) a").fetchone()
        except duckdb.Error as e:
            outcome["error"] = e

    worker = threading.Thread(target=long_query)
    worker.start()
    started.wait(10)
    time.sleep(0.3)  # the query is running
    db.close_all()
    worker.join(30)
    assert not worker.is_alive() and "rows" not in outcome and isinstance(outcome.get("error"), duckdb.Error)
    assert db.open_files() == set()
    assert db.connect(demo_db).execute("SELECT count(*) FROM compounds").fetchone()[0] > 0  # opens again


def test_meta_of_reads_a_file_again_only_once_it_changed(store_db, demo_db, monkeypatch):
    """Every rerun asks for meta (as_of, data_version): a version's file never changes, so it is read
    once; a plain file is read again after a write to it, and a write to a store makes a new file."""
    reads = []
    original = db.meta
    monkeypatch.setattr(db, "meta", lambda con=None: reads.append(1) or original(con))
    current = store.current_file(store_db)
    first = db.meta_of(current)
    assert first["as_of"] == as_of(store_db)
    first["as_of"] = "changed by the caller"
    assert db.meta_of(current)["as_of"] == as_of(store_db) and len(reads) == 1
    assert run_cli(store_db, "as-of", "2024-02-03").returncode == 0
    assert db.meta_of(store.current_file(store_db))["as_of"] == "2024-02-03" and len(reads) == 2

    plain = db.meta_of(demo_db)
    db.connect(demo_db).execute("UPDATE meta SET value = '2030-01-01' WHERE key = 'as_of'")
    assert plain["as_of"] != "2030-01-01"
    assert db.meta_of(demo_db)["as_of"] == "2030-01-01"
    db.release(demo_db)  # checkpointed: the change is in the file now, the WAL gone
    db.connect(demo_db).execute("UPDATE meta SET value = '2030-02-01' WHERE key = 'as_of'")
    assert db.meta_of(demo_db)["as_of"] == "2030-02-01"


def test_meta_of_an_unreadable_file_raises_what_the_dashboard_handles(tmp_path):
    """A database the server may not read is reported as a database error (dashboard.py shows one line),
    not an OSError that would reach the official as a traceback."""
    plain = tmp_path / "x.duckdb"
    plain.write_bytes(b"")
    target = plain / "inner.duckdb"  # a path through a file: unreadable to anyone, root included
    with pytest.raises(duckdb.Error):
        db.meta_of(target)
