"""Immutable versions of the data, and the one way to write them.

The database path (OVERSIGHT_DB) is a symlink to the current version, a DuckDB file in the folder
`<path>.versions/` beside it. Readers (dashboards, the CLI, any other tool) open the current version
read-only, so any number of them share it and none blocks a writer. A write copies the current
version, applies its change to the copy, checkpoints it, and swaps the symlink with one atomic
rename: a reader sees the old version or the new one, never half a write. Writers are serialised by
a lock file; the history of versions (who, when, what) and failed import attempts are kept in
`<path>.versions/history.sqlite`, which survives every version.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from oversight import settings
from oversight.errors import Refusal

_NAME = re.compile(r"^v(\d{6,})\.duckdb$")
_HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    seq INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    table_name TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL DEFAULT '',
    rows INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    bytes INTEGER NOT NULL DEFAULT 0,
    made_current INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS failed_imports (
    import_id TEXT PRIMARY KEY,
    table_name TEXT, file_name TEXT, file_sha256 TEXT, rows INTEGER,
    status TEXT, message TEXT, imported_at TEXT, imported_by TEXT
);
"""


# Commands named in messages (given as values, so the Chinese text holds no English words).
_COMMANDS = {
    "init": "python -m oversight init",
    "demo": "python -m oversight demo",
    "versions": "python -m oversight versions",
}


class StoreError(Refusal):
    """A write that cannot be made; `kind` selects the message (store.error_<kind> in the locales)."""


@dataclass(frozen=True)
class Version:
    seq: int
    file: Path

    @property
    def id(self) -> str:
        return f"v{self.seq:06d}"


def versions_dir(path: Path | str) -> Path:
    path = Path(path)
    return path.parent / (path.name + ".versions")


def is_versioned(path: Path | str) -> bool:
    return Path(path).is_symlink()


def current(path: Path | str) -> Version | None:
    """The version the path points to now (None: no versioned store there)."""
    path = Path(path)
    try:
        target = os.readlink(path)
    except OSError:
        return None
    match = _NAME.match(Path(target).name)
    if not match:
        return None
    return Version(int(match.group(1)), versions_dir(path) / Path(target).name)


def current_file(path: Path | str) -> Path:
    """The file a reader should open for path: its current version, or path itself if not versioned."""
    version = current(path)
    return version.file if version else Path(path)


def parse_version_id(text: str) -> int | None:
    match = re.fullmatch(r"v?0*(\d+)", text.strip())
    return int(match.group(1)) if match else None


# ------------------------------------------------------------------------------------------------
# History
# ------------------------------------------------------------------------------------------------


@contextmanager
def _history(path: Path) -> Iterator[sqlite3.Connection]:
    """The history database, committed and closed when the block ends."""
    folder = versions_dir(path)
    _private_dir(folder)
    file = folder / "history.sqlite"
    con = sqlite3.connect(file, timeout=30)
    try:
        con.executescript(_HISTORY_SCHEMA)
        os.chmod(file, 0o600)
        with con:
            yield con
    finally:
        con.close()


def history(path: Path | str) -> pd.DataFrame:
    """Every version up to the current one, newest first: id, created_at, who, action, table, file, rows, note."""
    path = Path(path)
    now = current(path)
    columns = ["version", "created_at", "who", "action", "table_name", "file_name", "rows", "note", "bytes", "current"]
    if now is None:
        return pd.DataFrame(columns=columns)
    with _history(path) as con:
        rows = con.execute(
            "SELECT seq, created_at, who, action, table_name, file_name, rows, note, bytes FROM versions "
            "WHERE seq <= ? ORDER BY seq DESC",
            (now.seq,),
        ).fetchall()
    out = pd.DataFrame(rows, columns=["seq", *columns[1:-1]])
    out.insert(0, "version", [f"v{s:06d}" for s in out["seq"]])
    out["current"] = out["seq"] == now.seq
    out["kept"] = [(versions_dir(path) / f"v{s:06d}.duckdb").exists() for s in out["seq"]]
    return out.drop(columns="seq")


def history_rows(path: Path | str) -> list[tuple]:
    """Every row of the history, whatever the current version (what a missing link must not lose)."""
    with _history(Path(path)) as con:
        return con.execute("SELECT seq, action FROM versions ORDER BY seq").fetchall()


def record_failed_import(path: Path | str, entry: dict) -> None:
    """A failed import attempt changes no version; it is kept here so the log still lists it."""
    with _history(Path(path)) as con:
        con.execute(
            "INSERT OR REPLACE INTO failed_imports VALUES "
            "(:import_id, :table_name, :file_name, :file_sha256, :rows, :status, :message, :imported_at, :imported_by)",
            {**entry, "imported_at": str(entry["imported_at"])},
        )


def store_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The store path a connection's database is a version of (None: not a version)."""
    file = con.execute("SELECT file FROM pragma_database_list WHERE name = current_database()").fetchone()
    if not file or not file[0]:
        return None
    folder = Path(file[0]).parent
    return folder.parent / folder.name[: -len(".versions")] if folder.name.endswith(".versions") else None


def failed_imports(path: Path | str | None, limit: int = 200) -> pd.DataFrame:
    """Import attempts that made no version (refused, or nothing changed), newest first."""
    if path is None or not versions_dir(path).is_dir():
        return pd.DataFrame()
    path = Path(path)
    if not versions_dir(path).is_dir():
        return pd.DataFrame()
    with _history(path) as con:
        return pd.read_sql_query("SELECT * FROM failed_imports ORDER BY imported_at DESC LIMIT ?", con, params=(limit,))


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------


def _private_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def _pause(point: str) -> None:
    """A test may stop a writer at a named point (to kill it there): OVERSIGHT_TEST_PAUSE_AT=point."""
    if os.environ.get("OVERSIGHT_TEST_PAUSE_AT") == point:
        print(f"paused at {point}", flush=True)
        time.sleep(3600)


@contextmanager
def _write_lock(path: Path, wait_seconds: float, waiting: Callable[[float], None] | None) -> Iterator[None]:
    """One writer at a time for path; others wait up to wait_seconds, then are refused."""
    folder = versions_dir(path)
    _private_dir(folder)
    fd = os.open(folder / "write.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreError("busy", seconds=int(wait_seconds)) from None
                if waiting:
                    waiting(left)
                time.sleep(min(0.2, left))
        yield
    finally:
        os.close(fd)  # releases the lock


def _seq_files(folder: Path) -> dict[int, Path]:
    found = {}
    for f in folder.iterdir() if folder.is_dir() else ():
        match = _NAME.match(f.name)
        if match:
            found[int(match.group(1))] = f
    return found


def _clean_unfinished(path: Path, now: Version | None) -> None:
    """Remove what a killed writer left: versions built but never made current, half-built copies.
    With no current version but versions that once were current (the symlink was moved or deleted),
    refuse: those are the office's records, never to be cleaned away."""
    folder = versions_dir(path)
    top = now.seq if now else 0
    with _history(path) as con:
        if now is None:
            were_current = con.execute("SELECT count(*) FROM versions WHERE made_current = 1").fetchone()[0]
            if were_current:
                raise StoreError("orphaned", path=str(path), folder=str(folder), count=were_current)
        con.execute("DELETE FROM versions WHERE seq > ?", (top,))
    for seq, f in _seq_files(folder).items():
        if seq > top:
            f.unlink(missing_ok=True)
    for f in folder.glob("*.building*"):
        f.unlink(missing_ok=True)
    for f in path.parent.glob(f".{path.name}.swap-*"):
        f.unlink(missing_ok=True)


def _adopt_plain_file(path: Path) -> None:
    """Turn a plain DuckDB file (an older installation, or a file put where the symlink was) into
    the next version of the store, keeping every version and its history already there."""
    from oversight import db

    db.release(path)  # this process's own handle: checkpointed, so the move loses nothing
    try:  # Refuse while another process holds it read-write: it would not see the change.
        duckdb.connect(str(path)).close()
    except duckdb.Error as e:
        raise StoreError("plain_file_busy", path=str(path)) from e
    folder = versions_dir(path)
    with _history(path) as con:
        listed = con.execute("SELECT coalesce(max(seq), 0) FROM versions").fetchone()[0]
        seq = max([listed, *_seq_files(folder)]) + 1
        target = folder / f"v{seq:06d}.duckdb"
        os.replace(path, target)
        os.chmod(target, 0o600)
        con.execute(
            "INSERT OR REPLACE INTO versions (seq, created_at, who, action, bytes, made_current) "
            "VALUES (?, ?, 'system', 'adopt', ?, 1)",
            (seq, _now(), target.stat().st_size),
        )
    _swap(path, target)


def _swap(path: Path, target: Path) -> None:
    """Point path at target in one atomic rename of a fresh symlink over it."""
    tmp = path.parent / f".{path.name}.swap-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, path.parent), tmp)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the swap survives a power cut
    finally:
        os.close(dir_fd)


def _now() -> str:
    return datetime.now().replace(microsecond=0).isoformat(sep=" ")


@dataclass
class Write:
    """What a write is about; the caller fills in rows and note, or calls abort()."""

    con: duckdb.DuckDBPyConnection
    action: str
    who: str
    table_name: str = ""
    file_name: str = ""
    rows: int = 0
    note: str = ""
    version: Version | None = None
    aborted: bool = field(default=False)

    def abort(self) -> None:
        """Discard the new version: nothing changes."""
        self.aborted = True


def _as_of(con: duckdb.DuckDBPyConnection):
    try:
        # fetchall: a result left open (fetchone) would refuse the caller's next statement.
        return con.execute("SELECT max(value) FROM meta WHERE key = 'as_of'").fetchall()[0][0]
    except duckdb.CatalogException:
        return None  # an empty database: no meta yet


def _changed(job: Write) -> set[str] | None:
    """The tables a write changes, as its action says (None: it does not say, so any may have changed).
    An import or a delete changes its own table (and meta's data version, which no roll-up reads); a
    督办 action the ledger's tables; an as-of change meta, which write() finds by comparing as_of."""
    if job.action in ("import", "delete") and job.table_name:
        return {job.table_name}
    if job.action in ("supervision", "as_of"):
        return set()
    return None


@contextmanager
def write(
    path: Path | str,
    *,
    action: str,
    who: str,
    table_name: str = "",
    file_name: str = "",
    fresh: bool = False,
    source: Path | None = None,
    move_source: bool = False,
    waiting: Callable[[float], None] | None = None,
    wait_seconds: float | None = None,
) -> Iterator[Write]:
    """Build the next version of path with the caller's change and make it current.

    Yields a Write whose `con` is a read-write connection to a copy of the current version (of
    `source` when given; an empty database when fresh). Leaving the block normally publishes it; an
    exception or Write.abort() discards it and nothing changes. Writers are serialised: a second one
    waits up to wait_seconds (default settings.write_wait_seconds()), calling waiting(seconds_left),
    and is then refused with StoreError("busy").
    """
    from oversight import db  # db reads versions through this module

    path = Path(path)
    wait = settings.write_wait_seconds() if wait_seconds is None else wait_seconds
    with _write_lock(path, wait, waiting):
        if path.exists() and not path.is_symlink():
            _adopt_plain_file(path)
        now = current(path)
        if now is None and not fresh and source is None:
            raise StoreError("missing", path=str(path), **_COMMANDS)
        _clean_unfinished(path, now)
        seq = (now.seq if now else 0) + 1
        folder = versions_dir(path)
        building = folder / f"v{seq:06d}.duckdb.building"
        origin = source if source is not None else (None if fresh else now.file)
        if origin is not None and move_source:
            os.replace(origin, building)  # a file built for this (demo, generate): no copy needed
        elif origin is not None:
            shutil.copyfile(origin, building)  # a version is immutable, so a plain copy is consistent
        job = Write(duckdb.connect(str(building)), action, who, table_name, file_name)
        os.chmod(building, 0o600)
        published = False
        try:
            _pause("building")
            as_of = _as_of(job.con)
            yield job
            if not job.aborted:
                from oversight import rollups, supervision

                changed = None if origin is None or source is not None else _changed(job)
                if changed is not None and _as_of(job.con) != as_of:
                    changed.add("meta")
                # The ledger always matches the version it is in: synced unless an import or delete changed
                # none of its causes' tables (a 督办 action is synced too: its rules may reopen a case).
                supervision.sync(job.con, changed=changed if job.action in ("import", "delete") else None)
                # So do the roll-ups the pages' figures read: those made from what this write changed.
                rollups.rebuild(job.con, changed)
                job.con.execute("CHECKPOINT")
                published = True
        finally:
            job.con.close()
            if not published:
                building.unlink(missing_ok=True)
                for f in folder.glob(building.name + "*"):
                    f.unlink(missing_ok=True)
        if not published:
            return
        final = folder / f"v{seq:06d}.duckdb"
        os.replace(building, final)
        with _history(path) as history_con:
            history_con.execute(
                "INSERT OR REPLACE INTO versions (seq, created_at, who, action, table_name, file_name, rows, note, "
                "bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    _now(),
                    who or "unknown",
                    action,
                    table_name,
                    file_name,
                    job.rows,
                    job.note,
                    final.stat().st_size,
                ),
            )
        _pause("built")
        _swap(path, final)
        with _history(path) as history_con:
            history_con.execute("UPDATE versions SET made_current = 1 WHERE seq = ?", (seq,))
        job.version = Version(seq, final)
        _pause("swapped")
        prune(path, keep=settings.keep_versions(), open_here=db.open_files())


def prune(path: Path | str, keep: int, open_here: set[str] | None = None) -> list[Path]:
    """Remove versions beyond the newest `keep` that no process has open; returns what was removed."""
    path = Path(path)
    now = current(path)
    if now is None:
        return []
    files = sorted(_seq_files(versions_dir(path)).items(), reverse=True)
    removed = []
    for seq, f in files[max(keep, 1) :]:
        if seq == now.seq or str(f.resolve()) in (open_here or set()) or _open_elsewhere(f):
            continue
        f.unlink(missing_ok=True)
        removed.append(f)
    return removed


def _open_elsewhere(file: Path) -> bool:
    """Whether another process holds the file open through DuckDB (its readers take a shared lock)."""
    try:
        fd = os.open(file, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def publish_file(
    path: Path | str,
    source: Path,
    *,
    action: str,
    who: str,
    file_name: str = "",
    note: str = "",
    move: bool = False,
    new_data_version: str | None = None,
) -> Version:
    """Make a finished DuckDB file (a demo build, a backup, an earlier version) the next version;
    move: the file was built for this and is moved, not copied. new_data_version, when given, is
    written to its meta so every cached figure is recomputed."""
    with write(path, action=action, who=who, file_name=file_name, source=Path(source), move_source=move) as job:
        job.note = note
        if new_data_version:
            from oversight import db

            db.run("import_set_data_version", job.con, data_version=new_data_version)
    return job.version


def backup(path: Path | str, out: Path | str) -> Path:
    """A consistent, self-contained copy of the current data (one DuckDB file), made while dashboards run."""
    out, path = Path(out).absolute(), Path(path).absolute()
    source = current_file(path)
    if not source.exists():
        raise StoreError("missing", path=str(path), **_COMMANDS)
    # Never over the store itself: the symlink, a version, or anything in the versions folder.
    if out == path or out.resolve() == source.resolve() or out.resolve().is_relative_to(versions_dir(path).resolve()):
        raise StoreError("backup_target", out=str(out), path=str(path))
    if out.is_dir():
        raise StoreError("backup_target", out=str(out), path=str(path))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half copy of the data left behind
        raise
    return out


def check_database(file: Path) -> None:
    """Refuse (StoreError not_database) a file that is not a database of this system."""
    from oversight import db

    if not file.is_file():
        raise StoreError("not_database", path=str(file), reason="no such file")
    with open(file, "rb") as f:
        if f.read(12)[8:12] != b"DUCK":
            raise StoreError("not_database", path=str(file), reason="not a DuckDB file")
    try:
        con = duckdb.connect(str(file), read_only=True)
    except duckdb.Error as e:
        raise StoreError("not_database", path=str(file), reason=str(e).splitlines()[0]) from e
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        missing = [t for t in db.TABLES if t not in tables]
        if missing:
            raise StoreError("not_database", path=str(file), reason="missing: " + ", ".join(missing))
        if "as_of" not in db.meta(con):
            raise StoreError("not_database", path=str(file), reason="meta.as_of")
    finally:
        con.close()


def rollback(path: Path | str, version: str, who: str) -> tuple[int, Version]:
    """Make an earlier version's data current again, as a new version (so it can be undone too)."""
    from oversight import ingest

    if current(path) is None:
        raise StoreError("missing", path=str(path), **_COMMANDS)
    seq = parse_version_id(version)
    listed = history(path)
    if seq is None or f"v{seq:06d}" not in set(listed["version"]):
        raise StoreError("unknown_version", version=version, **_COMMANDS)
    file = version_file(path, seq)
    if not file.exists():
        raise StoreError("version_removed", version=version)
    new = publish_file(
        path, file, action="rollback", who=who, note=f"v{seq:06d}", new_data_version=ingest.new_data_version()
    )
    return seq, new


def restore(path: Path | str, file: Path | str, who: str) -> Version:
    """Make a backup file the current data, as a new version."""
    from oversight import ingest

    file = Path(file)
    check_database(file)
    return publish_file(
        path, file, action="restore", who=who, file_name=file.name, new_data_version=ingest.new_data_version()
    )


def version_file(path: Path | str, seq: int) -> Path:
    return versions_dir(path) / f"v{seq:06d}.duckdb"
