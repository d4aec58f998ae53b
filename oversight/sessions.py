"""Signed-in sessions that survive reloads, new tabs, restarts and every dashboard process.

A sign-in checked by the Streamlit script gets a one-time code (60 seconds, one use, bound to the
client address). The browser is sent to the ASGI route that exchanges the code for a random
session token, set as an HttpOnly, SameSite=Strict cookie; the script reads it back with
st.context.cookies. Only sha256 hashes of codes and tokens are stored, in the accounts SQLite
file, so a stolen file holds no usable token. A session ends at sign-out, after
OVERSIGHT_IDLE_MINUTES without activity, after OVERSIGHT_SESSION_HOURS in all, or when its account
is removed or its password changed.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from oversight import settings

COOKIE = "oversight_session"
CODE_SECONDS = 60
TOUCH_SECONDS = 30  # last_seen is written at most this often: one write per rerun would be wasteful

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL,
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_name ON sessions (name);
CREATE TABLE IF NOT EXISTS session_codes (
    code_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    expires REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Check:
    """A token's state: the account name when alive, else why it is not (unknown, idle, absolute)."""

    name: str | None
    ended: str | None = None
    owner: str | None = field(default=None, compare=False)  # whose session ended, for the audit log


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _connect(path: Path | None = None) -> sqlite3.Connection:
    from oversight import auth  # the accounts file: created 0600 there, with the accounts table

    con = auth._connect(path)
    con.executescript(_SCHEMA)
    return con


def issue_code(name: str, address: str = "", path: Path | None = None, now: float | None = None) -> str:
    """A one-time code for a name whose password (or SSO identity) was just checked."""
    now = time.time() if now is None else now
    code = secrets.token_urlsafe(32)
    with _connect(path) as con:
        con.execute("DELETE FROM session_codes WHERE expires < ?", (now,))
        con.execute(
            "INSERT INTO session_codes (code_hash, name, address, expires) VALUES (?, ?, ?, ?)",
            (_hash(code), name, address, now + CODE_SECONDS),
        )
    con.close()
    return code


def open_session(code: str, address: str = "", path: Path | None = None, now: float | None = None):
    """Exchange a one-time code for (name, token); None if the code is unknown, used, expired or
    presented from another address. The token is returned once, for the cookie, and never stored."""
    now = time.time() if now is None else now
    with _connect(path) as con:
        row = con.execute(
            "DELETE FROM session_codes WHERE code_hash = ? RETURNING name, address, expires", (_hash(code or ""),)
        ).fetchone()
        if row is None or row[2] < now or row[1] != address:
            return None
        token = secrets.token_urlsafe(32)
        con.execute(
            "INSERT INTO sessions (token_hash, name, created, last_seen, address) VALUES (?, ?, ?, ?, ?)",
            (_hash(token), row[0], now, now, address),
        )
    con.close()
    return row[0], token


def check(token: str | None, path: Path | None = None, now: float | None = None) -> Check:
    """Whether a cookie's token is a live session; a live one is touched (idle time restarts), an
    ended one is removed."""
    if not token:
        return Check(None, "none")
    now = time.time() if now is None else now
    key = _hash(token)
    with _connect(path) as con:
        row = con.execute("SELECT name, created, last_seen FROM sessions WHERE token_hash = ?", (key,)).fetchone()
        if row is None:
            result = Check(None, "unknown")
        elif now - row[2] > settings.idle_minutes() * 60:
            result = Check(None, "idle", row[0])
        elif now - row[1] > settings.session_hours() * 3600:
            result = Check(None, "absolute", row[0])
        else:
            if now - row[2] > TOUCH_SECONDS:
                con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, key))
            result = Check(row[0])
        if row is not None and result.ended:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))
    con.close()
    return result


def live_name(token: str | None, path: Path | None = None, now: float | None = None) -> str | None:
    """The account of a live session's token, without touching it (downloads do not count as
    activity); None when the token is no live session."""
    if not token:
        return None
    now = time.time() if now is None else now
    con = _connect(path)
    try:
        row = con.execute(
            "SELECT name, created, last_seen FROM sessions WHERE token_hash = ?", (_hash(token),)
        ).fetchone()
    finally:
        con.close()
    live = (
        row is not None
        and now - row[2] <= settings.idle_minutes() * 60
        and now - row[1] <= settings.session_hours() * 3600
    )
    return row[0] if live else None


def is_live(token: str | None, path: Path | None = None, now: float | None = None) -> bool:
    """Whether a token is a live session, without touching it (downloads do not count as activity)."""
    return live_name(token, path, now) is not None


def end(token: str | None, path: Path | None = None) -> None:
    """End one session (sign-out)."""
    if token:
        with _connect(path) as con:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash(token),))
        con.close()


def end_all(name: str, con: sqlite3.Connection | None = None, path: Path | None = None) -> int:
    """End every session of an account, on every process (its removal, a new password)."""
    if con is not None:
        con.executescript(_SCHEMA)
        return con.execute("DELETE FROM sessions WHERE name = ?", (name,)).rowcount
    with _connect(path) as own:
        n = own.execute("DELETE FROM sessions WHERE name = ?", (name,)).rowcount
    own.close()
    return n
