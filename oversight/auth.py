"""Local accounts: argon2id password hashes, roles, community scope and login lockout.

Accounts are kept in their own SQLite file (settings.accounts_path()), never in the data database,
so a demo rebuild or an import never touches them; SQLite also lets the command line add a user
while the dashboard runs.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from oversight import settings
from oversight.errors import Refusal

ROLES = ("street_admin", "community_staff", "viewer")
_hasher = PasswordHasher()  # argon2id with the library's current parameters
# A hash of a random string: checking it for unknown names makes them cost the same as known ones.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('street_admin', 'community_staff', 'viewer')),
    communities TEXT NOT NULL DEFAULT '',
    email TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0
);
-- Failures per name tried (known or not) and client address: an outsider elsewhere cannot lock
-- out an official, and an unknown name answers exactly like a known one.
CREATE TABLE IF NOT EXISTS login_failures (
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,
    last_at REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (name, address)
)
"""


class AuthError(Refusal):
    """A login or account problem; `kind` selects the message shown to the user."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    communities: tuple[str, ...]
    email: str | None = None

    @property
    def sees_everything(self) -> bool:
        """Every compound of the street, not only its communities'."""
        return self.role == "street_admin"

    @property
    def may_import(self) -> bool:
        return self.role in ("street_admin", "community_staff")

    # The street's own acts: saved snapshots, moving "today" (as_of) for every figure, rolling the data
    # back to an earlier version, reading the audit log and the SQL behind each figure.
    may_manage_snapshots = may_set_as_of = may_roll_back = may_read_audit = may_read_sql = sees_everything


def _connect(path: Path | None = None) -> sqlite3.Connection:
    path = Path(path or settings.accounts_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    con = sqlite3.connect(path, timeout=10)
    if fresh:
        path.chmod(0o600)  # password hashes: readable by the service account only
    con.executescript(_SCHEMA)
    return con


def _account(row) -> Account:
    name, role, communities, email = row
    return Account(name, role, tuple(c for c in communities.split(",") if c), email)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(ord(ch) < 32 for ch in name):
        raise AuthError("bad_name")
    return name


def add_user(
    name: str, role: str, password: str, communities=(), email: str | None = None, path: Path | None = None
) -> Account:
    """Create an account. Staff and viewers must name at least one community."""
    name = _check_name(name)
    if role not in ROLES:
        raise AuthError("bad_role", role=role)
    if role != "street_admin" and not communities:
        raise AuthError("needs_community")
    if len(password or "") < 8:
        raise AuthError("short_password")
    with _connect(path) as con:
        try:
            con.execute(
                "INSERT INTO accounts (name, role, communities, email, password_hash) VALUES (?, ?, ?, ?, ?)",
                (name, role, ",".join(communities), email, _hasher.hash(password)),
            )
        except sqlite3.IntegrityError as e:
            raise AuthError("exists", name=name) from e
    return Account(name, role, tuple(communities), email)


def remove_user(name: str, path: Path | None = None) -> bool:
    """Remove an account and end its sessions everywhere."""
    from oversight import sessions

    with _connect(path) as con:
        sessions.end_all(name, con)
        return con.execute("DELETE FROM accounts WHERE name = ?", (name,)).rowcount > 0


def set_password(name: str, password: str, path: Path | None = None) -> None:
    if len(password or "") < 8:
        raise AuthError("short_password")
    with _connect(path) as con:
        n = con.execute(
            "UPDATE accounts SET password_hash = ?, failed = 0, locked_until = 0 WHERE name = ?",
            (_hasher.hash(password), name),
        ).rowcount
        con.execute("DELETE FROM login_failures WHERE name = ?", (name,))
        from oversight import sessions

        sessions.end_all(name, con)  # a new password ends every session of the old one
    if n == 0:
        raise AuthError("unknown", name=name)


def list_users(path: Path | None = None) -> list[Account]:
    with _connect(path) as con:
        rows = con.execute("SELECT name, role, communities, email FROM accounts ORDER BY name").fetchall()
    return [_account(r) for r in rows]


def find(name: str, path: Path | None = None) -> Account | None:
    """The account of a name (a session's owner), or None once it has been removed."""
    with _connect(path) as con:
        row = con.execute("SELECT name, role, communities, email FROM accounts WHERE name = ?", (name,)).fetchone()
    return _account(row) if row else None


def find_by_email(email: str, path: Path | None = None) -> Account | None:
    """The local account an SSO e-mail maps to; None for an unknown e-mail (it sees nothing)."""
    with _connect(path) as con:
        row = con.execute(
            "SELECT name, role, communities, email FROM accounts WHERE lower(email) = lower(?)", (email or "",)
        ).fetchone()
    return _account(row) if row else None


def client_address(peer: str | None, forwarded_for: str | None, trusted=None) -> str:
    """The client's address: the TCP peer, or, when the peer is a trusted proxy, the last address
    in X-Forwarded-For that is not itself a trusted proxy (the one the proxy saw)."""
    trusted = tuple(settings.trusted_proxies() if trusted is None else trusted)
    address = peer if isinstance(peer, str) and peer and peer != "::1" else "127.0.0.1"  # Streamlit: loopback is None
    if address not in trusted or not isinstance(forwarded_for, str) or not forwarded_for:
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if hop not in trusted:
            return hop[:64]
    return address


def login(name: str, password: str, path: Path | None = None, now: float | None = None, address: str = "") -> Account:
    """Check a name and password. After 5 failures in a row for one name from one address, that
    name is locked for a minute from that address only; known and unknown names answer alike."""
    now = time.time() if now is None else now
    name = (name or "").strip()[:64]
    address = (address or "")[:64]
    with _connect(path) as con:
        failures = con.execute(
            "SELECT failed, locked_until FROM login_failures WHERE name = ? AND address = ?", (name, address)
        ).fetchone()
        failed, locked_until = failures or (0, 0)
        if locked_until > now:
            raise AuthError("locked", seconds=int(locked_until - now) + 1)
        row = con.execute(
            "SELECT name, role, communities, email, password_hash FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        try:
            _hasher.verify(row[4] if row else _DUMMY_HASH, password or "")
            ok = row is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok:
            failed += 1
            locked = now + settings.LOCKOUT_SECONDS if failed >= settings.LOCKOUT_FAILURES else 0
            con.execute(
                "INSERT OR REPLACE INTO login_failures (name, address, failed, locked_until, last_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, address, 0 if locked else failed, locked, now),
            )
            # Forget quiet (name, address) pairs, so guessed names cannot fill the file.
            con.execute("DELETE FROM login_failures WHERE last_at < ? AND locked_until < ?", (now - 86400, now))
            con.commit()  # raising inside `with` would roll the count back
            raise AuthError("locked", seconds=settings.LOCKOUT_SECONDS) if locked else AuthError("bad_login")
        con.execute("DELETE FROM login_failures WHERE name = ? AND address = ?", (name, address))
        if _hasher.check_needs_rehash(row[4]):
            con.execute("UPDATE accounts SET password_hash = ? WHERE name = ?", (_hasher.hash(password), name))
    return _account(row[:4])


def create_demo_accounts(communities: list[str], out_file: Path, path: Path | None = None) -> dict[str, str]:
    """One account per role with a random password, written once to out_file (git-ignored).

    Existing demo accounts are replaced, so a rebuild prints passwords that work.
    """
    accounts = {
        "street_admin": ("street_admin", ()),
        "community_staff": ("community_staff", (communities[0],)),
        "viewer": ("viewer", (communities[0],)),
    }
    passwords = {}
    for name, (role, scope) in accounts.items():
        remove_user(name, path)
        passwords[name] = secrets.token_urlsafe(12)
        add_user(name, role, passwords[name], scope, path=path)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(
        "".join(f"{n}\t{accounts[n][0]}\t{','.join(accounts[n][1]) or '*'}\t{pw}\n" for n, pw in passwords.items()),
        encoding="utf-8",
    )
    out_file.chmod(0o600)
    return passwords
