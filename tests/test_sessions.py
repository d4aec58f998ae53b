"""Sessions: one-time codes, hashed tokens, idle and absolute ends, ended everywhere by account changes."""

from __future__ import annotations

import sqlite3

import pytest

from oversight import auth, sessions


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("OVERSIGHT_IDLE_MINUTES", "30")
    monkeypatch.setenv("OVERSIGHT_SESSION_HOURS", "12")
    path = tmp_path / "accounts.sqlite"
    auth.add_user("wang", "community_staff", "correct horse", ["C01"], path=path)
    return path


def test_a_code_opens_one_session_once_from_its_address_within_a_minute(store):
    code = sessions.issue_code("wang", "10.0.0.5", path=store, now=1000)
    assert sessions.open_session(code, "10.0.0.6", path=store, now=1001) is None  # another address
    code = sessions.issue_code("wang", "10.0.0.5", path=store, now=1000)
    assert sessions.open_session(code, "10.0.0.5", path=store, now=1061) is None  # too late
    code = sessions.issue_code("wang", "10.0.0.5", path=store, now=1000)
    name, token = sessions.open_session(code, "10.0.0.5", path=store, now=1010)
    assert name == "wang" and len(token) >= 40
    assert sessions.open_session(code, "10.0.0.5", path=store, now=1011) is None  # used
    assert sessions.check(token, path=store, now=1020) == sessions.Check("wang")


def test_only_hashes_are_stored(store):
    code = sessions.issue_code("wang", path=store, now=1000)
    _, token = sessions.open_session(code, path=store, now=1000)
    raw = store.read_bytes()
    assert token.encode() not in raw and code.encode() not in raw
    assert oct(store.stat().st_mode)[-3:] == "600"


def open_one(store, now=1000):
    return sessions.open_session(sessions.issue_code("wang", path=store, now=now), path=store, now=now)[1]


def test_idle_and_absolute_lifetimes_end_a_session(store):
    token = open_one(store)
    assert sessions.check(token, path=store, now=1000 + 29 * 60).name == "wang"  # activity restarts idle time
    assert sessions.check(token, path=store, now=1000 + 58 * 60).name == "wang"
    assert sessions.check(token, path=store, now=1000 + 89 * 60) == sessions.Check(None, "idle")
    assert sessions.check(token, path=store, now=1000 + 90 * 60) == sessions.Check(None, "unknown")  # removed

    token = open_one(store)
    now = 1000
    while now <= 1000 + 12 * 3600:
        now += 20 * 60
        result = sessions.check(token, path=store, now=now)
    assert result == sessions.Check(None, "absolute")


def test_sign_out_remove_and_passwd_end_sessions_everywhere(store):
    one, two = open_one(store), open_one(store)
    sessions.end(one, path=store)
    assert not sessions.is_live(one, path=store, now=1001) and sessions.is_live(two, path=store, now=1001)
    auth.set_password("wang", "a new password", path=store)
    assert not sessions.is_live(two, path=store, now=1001)
    three = open_one(store)
    auth.remove_user("wang", path=store)
    assert not sessions.is_live(three, path=store, now=1001)
    assert sqlite3.connect(store).execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
