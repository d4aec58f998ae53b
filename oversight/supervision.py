"""督办台账: supervision cases that open and close themselves, and what officials do with them.

A case stands for one cause: a renovation item not started or not finished by its planned date, a
request open beyond its handling limit, a compound whose residents' satisfaction is below the line.
sync() runs inside every write of the data (store.write), so the ledger always matches the version
it is in. Every action of an official is a write too: a new version, so cases are in the history,
backups and snapshots like every other row.

Who may do what:
- street_admin: assign a responsible unit, person and deadline; remind (催办); close (销号),
  which also confirms a proposal to close;
- community_staff, on cases of their own compounds: progress notes and a proposal to close;
- viewer: nothing (reads only).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from oversight import auth, db, i18n, store
from oversight.errors import Refusal

KINDS = ("late_start", "late_finish", "request_overdue", "low_satisfaction")
STATUSES = ("open", "in_progress", "overdue", "closed")
# Actions, and the roles that may take them.
ACTIONS = {
    "assign": ("street_admin",),
    "remind": ("street_admin",),
    "close": ("street_admin",),
    "progress": ("street_admin", "community_staff"),
    "propose_close": ("community_staff",),
}


def actions_for(role: str) -> list[str]:
    """The actions a role may take on a case (none for a viewer), in the order they are offered."""
    return [a for a, roles in ACTIONS.items() if role in roles]


# The event each action leaves in the case's history.
EVENT_OF = {
    "assign": "assigned",
    "remind": "reminded",
    "close": "closed",
    "progress": "progress",
    "propose_close": "proposed_close",
}
NOTE_LIMIT = 500


class SupervisionError(Refusal):
    """An action refused; `kind` selects the message (supervision.error_<kind>)."""

    def message(self, lang: str) -> str:
        details = dict(self.details)
        if "role" in details:
            details["role"] = i18n.t(f"role.{details['role']}", lang)
        return i18n.t(f"supervision.error_{self.kind}", lang, **details)


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'supervision_cases'").fetchone()
    return bool(found[0])


# The tables the causes are read from (queries/supervision_write_causes.sql), with meta for as_of.
SOURCES = frozenset({"requests", "renovation_items", "compounds", "meta"})
# meta's record of the rules and thresholds the ledger was last synced by (see sync).
SYNCED_KEY = "supervision_synced"


def rules() -> str:
    """A fingerprint of how causes are found and cases synced: the queries and the thresholds they bind."""
    names = [n for n in db.query_names() if n.startswith("supervision_write_")]
    causes = db.query_text("supervision_write_causes")
    thresholds = sorted(db.bind(causes, {"as_of": None}).items())
    text = "\n;\n".join([db.query_text(n) for n in names] + [repr(thresholds)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sync(con: duckdb.DuckDBPyConnection, who: str = "system", changed: set[str] | None = None) -> None:
    """Open, close and reopen cases so the ledger matches the causes on the data's as_of.

    changed: the tables an import or delete changed (None: any). When none is a source of the causes and
    the ledger was last synced by the same rules and thresholds, it matches already: nothing is read (a
    services import would otherwise read every request twice for nothing)."""
    if not has_ledger(con):
        db.create_schema(con)  # a database made before the ledger existed gets its tables here
    meta = db.meta(con)
    as_of = meta.get("as_of")
    if not as_of:
        return
    fingerprint = rules()
    if changed is not None and not changed & SOURCES and meta.get(SYNCED_KEY) == fingerprint:
        return
    causes = db.run("supervision_write_causes", con, as_of=as_of)  # thresholds: settings.query_settings()
    con.register("_causes_frame", causes)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _causes AS SELECT * FROM _causes_frame")
    finally:
        con.unregister("_causes_frame")
    stamp = {"now": datetime.now().replace(microsecond=0), "who": who, "today": as_of}
    for step in ("sync_events", "sync_close", "sync_reopen", "sync_open"):
        db.run(f"supervision_write_{step}", con, **stamp)
    con.execute("DROP TABLE _causes")
    con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ($k, $v)", {"k": SYNCED_KEY, "v": fingerprint})


@dataclass(frozen=True)
class Action:
    """What an official asks to do with one case."""

    case_id: str
    action: str  # a key of ACTIONS
    note: str = ""
    unit: str = ""
    person: str = ""
    due_on: date | None = None


def act(
    path: Path | str,
    account: auth.Account,
    request: Action,
    allowed_compounds: list[str] | None,
    waiting=None,
) -> store.Version:
    """Check the action against the account's role and scope and the case, then write it as a new
    version. Refusals raise SupervisionError (or store.StoreError) and write nothing."""
    if request.action not in ACTIONS:
        raise SupervisionError("unknown_action", action=request.action)
    if account.role not in ACTIONS[request.action]:
        raise SupervisionError("not_allowed", role=account.role)  # the message names the role in words
    note = (request.note or "").strip()
    if request.action != "assign" and not note:
        raise SupervisionError("empty_note")
    if len(note) > NOTE_LIMIT:
        raise SupervisionError("long_note", limit=NOTE_LIMIT)
    if request.action == "assign" and not (request.unit or "").strip():
        raise SupervisionError("no_unit")
    with store.write(path, action="supervision", who=account.name, table_name="supervision_cases",
                     waiting=waiting) as job:  # fmt: skip
        con = job.con
        case = db.run("supervision_write_case", con, case_id=request.case_id)
        if case.empty:
            raise SupervisionError("no_case", case_id=request.case_id)
        row = case.iloc[0]
        if allowed_compounds is not None and row["compound_id"] not in set(allowed_compounds):
            raise SupervisionError("not_your_case", case_id=request.case_id)
        if row["status"] == "closed":
            raise SupervisionError("closed", case_id=request.case_id)
        as_of = date.fromisoformat(db.meta(con)["as_of"])
        if request.action == "assign":
            if request.due_on is None or request.due_on < as_of:
                raise SupervisionError("past_deadline", as_of=as_of.isoformat())
            db.run("supervision_write_assign", con, case_id=request.case_id, unit=request.unit.strip(),
                   person=(request.person or "").strip() or None, due_on=request.due_on)  # fmt: skip
        elif request.action in ("progress", "propose_close"):
            db.run(
                "supervision_write_progress", con, case_id=request.case_id, propose=request.action == "propose_close"
            )
        elif request.action == "close":
            db.run("supervision_write_close", con, case_id=request.case_id, today=as_of)
        db.run(
            "supervision_write_event_insert",
            con,
            case_id=request.case_id,
            now=datetime.now().replace(microsecond=0),
            who=account.name,
            action=EVENT_OF[request.action],
            note=note or None,
        )
        job.note = f"{request.action} {request.case_id}"
        job.rows = 1
    return job.version
