"""The command line: python -m oversight COMMAND [options]. Every command takes --db PATH."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from oversight import settings


def _cmd_demo(args) -> int:
    from oversight import demo

    if args.regenerate_csv:
        demo.write_csvs()
    _build_and_publish(args, "demo", lambda tmp: demo.build(tmp))
    print(_t(args, "cli.demo_built", path=args.db))
    if not args.no_accounts:
        from oversight import auth

        out = settings.accounts_path().parent / "demo-accounts.txt"
        passwords = auth.create_demo_accounts([demo.HEMEI], out)
        print(_t(args, "cli.demo_accounts", path=str(out)))
        for name, password in passwords.items():
            print(f"  {name:16} {password}")
    return 0


def _cmd_as_of(args) -> int:
    from datetime import date

    from oversight import ingest, store

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        return _fail(_t(args, "cli.not_a_date", value=args.date, pattern="YYYY-MM-DD"))
    ingest.set_as_of(day, db_path=args.db, user=_user(args), waiting=_waiting_printer(args.lang))
    _audit(args, "as_of", {"as_of": day.isoformat()})
    print(_t(args, "cli.as_of_set", as_of=day.isoformat(), version=store.current(args.db).id))
    return 0


def _build_and_publish(args, action: str, build) -> None:
    """Build a whole database beside the store (build(path)), then make it the next version."""
    from oversight import store

    target = Path(args.db)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{action}-{os.getpid()}.duckdb"
    try:
        build(tmp)
        version = store.publish_file(target, tmp, action=action, who=_user(args), move=True)
        _audit(args, action, {"path": args.db, "version": version.id})
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)


def _cmd_init(args) -> int:
    """An empty database: the schema, meta (as_of = today, a data version), no rows."""
    from datetime import date

    from oversight import db, ingest, store

    target = Path(args.db)
    if target.exists() or target.is_symlink():
        return _fail(_t(args, "cli.exists", path=args.db))
    today = date.today()
    with store.write(target, action="init", who=_user(args), fresh=True) as job:
        db.create_schema(job.con)
        db.run("import_set_as_of", job.con, as_of=today, data_version=ingest.new_data_version())
    _audit(args, "init", {"path": args.db})
    print(_t(args, "cli.initialised", path=args.db, as_of=today.isoformat()))
    return 0


def _read_password(args) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise _CliError("cli.password_needs_stdin", flag="--password-stdin")
    first = getpass.getpass(_t(args, "login.password") + ": ")
    if first != getpass.getpass(_t(args, "login.password") + " ×2: "):
        raise _CliError("cli.passwords_differ")
    return first


def _cmd_users(args) -> int:
    """users add | list | remove | passwd: local accounts, kept apart from the data."""
    from oversight import audit, auth, db

    if args.action == "list":
        for a in auth.list_users():
            print(f"{a.name}\t{a.role}\t{','.join(a.communities) or '*'}\t{a.email or ''}")
        return 0
    elif args.action == "remove":
        if not auth.remove_user(args.name):
            return _fail(_t(args, "cli.users_no_account", name=args.name))
        audit.record("user_remove", _user(args), {"name": args.name}, "cli")
    elif args.action == "passwd":
        auth.set_password(args.name, _read_password(args))
        audit.record("user_passwd", _user(args), {"name": args.name}, "cli")
    else:
        if args.community:
            if not Path(args.db).exists():
                return _fail(_t(args, "import.db_missing", path=args.db))
            # Read-only, from the current version: a running dashboard is no obstacle.
            known = {r[0] for r in db.connect(args.db).execute("SELECT community_id FROM communities").fetchall()}
            unknown = [c for c in args.community if c not in known]
            if unknown:
                return _fail(_t(args, "cli.users_unknown_community", ids=", ".join(unknown)))
        auth.add_user(args.name, args.role, _read_password(args), args.community, email=args.email)
        detail = {"name": args.name, "role": args.role, "communities": args.community, "email": args.email}
        audit.record("user_add", _user(args), detail, "cli")
    return 0


def _cmd_generate(args) -> int:
    from oversight import generate

    _build_and_publish(
        args, "generate", lambda tmp: generate.build(tmp, compounds=args.compounds, months=args.months, seed=args.seed)
    )
    return 0


def _user(args) -> str:
    import getpass

    if getattr(args, "user", None):
        return args.user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _open_database(path: str, lang: str):
    """This process's (read-only, for a versioned store) connection to the data, or None after saying why."""
    import duckdb

    from oversight import db, i18n, ingest

    if not Path(path).exists():
        print(i18n.t("import.db_missing", lang, path=path), file=sys.stderr)
        return None
    try:
        return db.connect(path)
    except duckdb.Error as e:
        if ingest.is_lock_error(e):
            print(i18n.t("cli.db_busy", lang), file=sys.stderr)
            return None
        raise


def _progress_printer():
    shown = {"text": None, "step": -1}

    def progress(fraction: float, text: str) -> None:
        # One line per new step or 5% of progress, flushed so a watcher sees it at once.
        step = int(fraction * 20)
        if text != shown["text"] or step != shown["step"]:
            shown.update(text=text, step=step)
            print(f"[{fraction * 100:3.0f}%] {text}", file=sys.stderr, flush=True)

    return progress


def _waiting_printer(lang: str):
    from oversight import i18n

    said = {"at": None}

    def waiting(seconds_left: float) -> None:
        whole = int(seconds_left) // 5 * 5
        if whole != said["at"]:
            said["at"] = whole
            print(i18n.t("store.waiting", lang, seconds=int(seconds_left)), file=sys.stderr, flush=True)

    return waiting


def _print_problems(problems, count: int, lang: str) -> None:
    from oversight import i18n

    for problem in problems:
        sys.stdout.write(problem.line(lang) + "\n")
    if count > len(problems):
        sys.stdout.write(i18n.t("import.cli_more", lang, count=count - len(problems)) + "\n")


def _file_write(args, run, audit_detail, done: str, failed_key: str) -> int:
    """An import or delete from a file: check the database, run, record in the audit log, print the outcome."""
    from oversight import i18n

    lang = args.lang
    if not Path(args.db).exists():
        return _fail(i18n.t("import.db_missing", lang, path=args.db))
    result = run(Path(args.file), lang)
    _audit(args, args.command, audit_detail(result))
    if result.ok:
        print(done(result))
        return 0
    _print_problems(result.problems, result.problem_count, lang)
    # The table as the command named it, as the import's messages do.
    sys.stdout.write(i18n.t(failed_key, lang, table=args.table, count=result.problem_count) + "\n")
    return 1


def _cmd_import(args) -> int:
    from oversight import audit, i18n, ingest

    def run(path, lang):
        return ingest.import_file(
            args.table, path, db_path=args.db, sheet=args.sheet, lang=lang, user=_user(args),
            progress=_progress_printer(), replace=args.replace, waiting=_waiting_printer(lang),
        )  # fmt: skip

    def done(result) -> str:
        counts = {"added": result.added, "replaced": result.replaced, "unchanged": result.unchanged}
        line = i18n.t("import.cli_ok", args.lang, table=args.table, seconds=f"{result.seconds:.1f}", **counts)
        return line + (i18n.t("cli.replaced_deleted", args.lang, deleted=result.deleted) if result.deleted else "")

    return _file_write(args, run, audit.import_detail, done, "import.cli_failed")


def _cmd_delete(args) -> int:
    from oversight import delete

    def run(path, lang):
        return delete.delete_file(args.table, path, db_path=args.db, sheet=args.sheet, lang=lang, user=_user(args),
                                  waiting=_waiting_printer(lang))  # fmt: skip

    def detail(result) -> dict:
        return {"table": args.table, "file": Path(args.file).name, "ok": result.ok, "rows": result.deleted,
                "problems": result.problem_count}  # fmt: skip

    return _file_write(args, run, detail, lambda result: result.message, "delete.failed")


def _cmd_versions(args) -> int:
    from oversight import i18n, store

    history = store.history(args.db)
    if history.empty:
        return _fail(_t(args, "cli.no_versions", path=args.db))
    for row in history.itertuples():
        action = i18n.t(f"store.action_{row.action}", args.lang)
        what = " ".join(str(x) for x in (row.table_name, row.file_name, row.rows or "") if x)
        state = _t(args, "cli.version_current") if row.current else "" if row.kept else _t(args, "cli.version_removed")
        print("\t".join([row.version, row.created_at, row.who, action, what, row.note, state]).rstrip())
    return 0


def _cmd_rollback(args) -> int:
    from oversight import store

    seq, new = store.rollback(args.db, args.version, _user(args))
    _audit(args, "rollback", {"to": f"v{seq:06d}", "version": new.id})
    print(_t(args, "cli.rolled_back", version=f"v{seq:06d}", new=new.id))
    return 0


def _cmd_backup(args) -> int:
    from oversight import store

    out = store.backup(args.db, args.out)
    _audit(args, "backup", {"file": str(out)})
    version = store.current(args.db)
    size = f"{out.stat().st_size / 1024 / 1024:,.1f} MB"
    print(_t(args, "cli.backup_written", path=str(out), size=size, version=version.id if version else "-"))
    return 0


def _cmd_restore(args) -> int:
    from oversight import store

    new = store.restore(args.db, args.file, _user(args))
    _audit(args, "restore", {"file": Path(args.file).name, "version": new.id})
    print(_t(args, "cli.restored", path=args.file, new=new.id))
    return 0


def _cmd_template(args) -> int:
    from oversight import i18n, templates

    try:
        path = templates.write_template(args.table, Path(args.out), lang=args.lang)
    except KeyError:
        from oversight import ingest

        print(
            i18n.t(
                "import.file_unknown_table", args.lang, table=args.table, tables=", ".join(ingest.IMPORTABLE_TABLES)
            ),
            file=sys.stderr,
        )
        return 1
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 1
    print(i18n.t("template.csv_written", args.lang, path=path))
    return 0


def _cmd_export(args) -> int:
    from oversight import i18n, snapshots

    con = _open_database(args.db, args.lang)
    if con is None:
        return 2
    ids = None
    if args.community or args.compound:
        ids = snapshots.compound_ids_for(con, args.community, args.compound)
    filters = {"communities": args.community or [], "compounds": args.compound or []}
    manifest = snapshots.write_snapshot(
        Path(args.out), ids, con=con, filters=filters, created_by=_user(args), lang=args.lang
    )
    rows = sum(f["rows"] for f in manifest["files"])
    from oversight import audit

    audit.record("export", _user(args), {"file": Path(args.out).name, "filter": filters, "rows": rows}, "cli")
    print(i18n.t("snapshot.written", args.lang, path=args.out, files=len(manifest["files"]), rows=rows))
    return 0


def _cmd_report(args) -> int:
    """月报 / 周报 as Word: the same document as the Overview's button, for the chosen communities."""
    import time
    from datetime import date

    from oversight import db, report
    from oversight.ui import report_charts

    started = time.perf_counter()
    report_charts.warm_up()
    try:
        period = report.period_for(args.period, args.week)
    except report.ReportError as e:
        return _fail(e.line(args.lang))
    con = _open_database(args.db, args.lang)
    if con is None:
        return 2
    places = db.run("snapshot_compounds_scope", con)
    unknown = [c for c in args.community or [] if c not in set(places["community_id"])]
    if unknown:
        return _fail(_t(args, "report.error_unknown_community", ids=", ".join(unknown)))
    from oversight.filters import Filter, scope

    ids = scope(places, Filter(communities=tuple(args.community or ())))
    if not ids:
        return _fail(_t(args, "report.error_no_compounds"))
    as_of = date.fromisoformat(db.meta(con)["as_of"])
    out = report.write(Path(args.out), con, ids, period, as_of, args.lang, render=report_charts.render)
    from oversight import audit

    detail = {"file": out.name, "report": period.label, "communities": args.community or [], "compounds": len(ids)}
    audit.record("export", _user(args), detail, "cli")
    seconds = f"{time.perf_counter() - started:.1f}"
    print(_t(args, "report.written", path=str(out), compounds=f"{len(ids):,}", seconds=seconds))
    return 0


def _cmd_audit(args) -> int:
    from datetime import date

    from oversight import audit

    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        print(f"not a date (YYYY-MM-DD): {args.since}", file=sys.stderr)
        return 1
    frame = audit.entries(last=args.last, since=since)
    print("\t".join(audit.COLUMNS))
    for row in frame.itertuples(index=False):
        print("\t".join(str(v) for v in row))
    return 0


def _cmd_serve(args) -> int:
    """Serve the dashboard: Streamlit's st.App under uvicorn, with the session routes and headers."""
    import logging
    import os

    # Absolute, but not resolved: OVERSIGHT_DB may be the symlink to the current data version.
    os.environ["OVERSIGHT_DB"] = os.path.abspath(args.db)
    import uvicorn

    from oversight.ui import server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"serving {args.db} on http://{args.host}:{args.port}", flush=True)
    # proxy_headers off: X-Forwarded-For is believed only from OVERSIGHT_TRUSTED_PROXIES, by our code;
    # no access log: it would be one more place to keep safe (requests carry one-time codes).
    uvicorn.run(
        server.build(),
        host=args.host,
        port=args.port,
        proxy_headers=False,
        access_log=False,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m oversight", description="Street governance dashboard tools")
    sub = p.add_subparsers(dest="command", required=True)

    languages = ("zh", "en")

    def command(name: str, help_text: str, func):
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--db", default=str(settings.db_path()), help="DuckDB file (default: $OVERSIGHT_DB)")
        c.add_argument("--lang", choices=languages, default=settings.default_language(), help="language of messages")
        c.set_defaults(func=func)
        return c

    command("init", "create an empty database: the schema and meta (as_of = today), no rows", _cmd_init)

    c = command("demo", "build the demo database from data/demo/*.csv", _cmd_demo)
    c.add_argument("--regenerate-csv", action="store_true", help="rewrite data/demo/*.csv first")
    c.add_argument("--no-accounts", action="store_true", help="do not (re)create the demo accounts")

    c = command("as-of", "set the day the data describes (meta.as_of: 'today' in every figure)", _cmd_as_of)
    c.add_argument("date", help="YYYY-MM-DD")
    c.add_argument("--user", help="who sets it (default: the login name)")

    c = command(
        "users", "local accounts: add NAME --role ROLE [--community ID]..., list, remove NAME, passwd NAME", _cmd_users
    )
    c.add_argument("action", choices=["add", "list", "remove", "passwd"])
    c.add_argument("name", nargs="?", default="")
    c.add_argument("--role", choices=["street_admin", "community_staff", "viewer"], default="viewer")
    c.add_argument("--community", action="append", default=[], metavar="ID", help="a community id (repeatable)")
    c.add_argument("--email", default=None, help="the e-mail single sign-on maps to this account")
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    c = command("generate", "build a synthetic database at any scale", _cmd_generate)
    c.add_argument("--compounds", type=int, required=True)
    c.add_argument("--months", type=int, default=36)
    c.add_argument("--seed", type=int, default=1)

    from oversight.contracts import TABLES as IMPORTABLE_TABLES

    c = command("import", "validate a CSV/XLSX file and load it into TABLE, all or nothing", _cmd_import)
    c.add_argument("table", help="one of: " + ", ".join(IMPORTABLE_TABLES))
    c.add_argument("file", help="CSV (UTF-8, UTF-8 with BOM, GBK, GB18030) or XLSX")
    c.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    c.add_argument("--replace", action="store_true", help="also remove the table's rows in scope that the file lacks")
    c.add_argument("--user", help="who imports (recorded in import_log; default: the login name)")

    c = command("delete", "delete the rows of TABLE whose ids FILE lists, all or nothing", _cmd_delete)
    c.add_argument("table", help="one of: " + ", ".join(IMPORTABLE_TABLES))
    c.add_argument("file", help="CSV or XLSX with the table's id column(s)")
    c.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    c.add_argument("--user", help="who deletes (recorded in the history; default: the login name)")

    command("versions", "list the versions of the data, newest first: id, when, who, what", _cmd_versions)
    c = command("rollback", "make an earlier version current again (itself a new version)", _cmd_rollback)
    c.add_argument("version", help="a version id from `versions`, e.g. v000012")
    c.add_argument("--user", help="who rolls back (default: the login name)")
    c = command("backup", "write a consistent copy of the current data, while dashboards run", _cmd_backup)
    c.add_argument("--out", required=True, help="FILE.duckdb")
    c = command("restore", "make a backup file the current data (itself a new version)", _cmd_restore)
    c.add_argument("file", help="a file written by backup")
    c.add_argument("--user", help="who restores (default: the login name)")

    c = command("template", "write the import template of TABLE (.csv or .xlsx by the file's ending)", _cmd_template)
    c.add_argument("table", help="one of: " + ", ".join(IMPORTABLE_TABLES))
    c.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")

    c = command("export", "write a snapshot zip of every table (Excel-safe CSV + manifest.json)", _cmd_export)
    c.add_argument("--out", required=True, help="FILE.zip")
    c.add_argument("--community", action="append", metavar="ID", help="a community id (repeatable)")
    c.add_argument("--compound", action="append", metavar="ID", help="a compound id (repeatable)")
    c.add_argument("--user", help="who exports (recorded in the manifest)")

    c = command("serve", "serve the dashboard (st.App under uvicorn; sessions, headers, /ready)", _cmd_serve)
    c.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    c.add_argument("--port", type=int, default=8501)

    c = command("audit", "print the audit log (kept in $OVERSIGHT_AUDIT, apart from the data)", _cmd_audit)
    c.add_argument("--last", type=int, metavar="N", help="only the last N entries")
    c.add_argument("--since", metavar="DATE", help="only entries on or after DATE (YYYY-MM-DD, UTC)")

    c = command("report", "write the monthly (or weekly) report to the district as Word (.docx)", _cmd_report)
    c.add_argument("--period", metavar="YYYY-MM", help="the month reported")
    c.add_argument("--week", metavar="YYYY-Www", help="an ISO week instead: a weekly report")
    c.add_argument("--out", required=True, help="FILE.docx")
    c.add_argument("--community", action="append", metavar="ID", help="a community id (repeatable; default all)")
    c.add_argument("--user", help="who writes it (recorded in the audit log; default: the login name)")
    return p


def _audit(args, action: str, detail: dict) -> None:
    from oversight import audit

    audit.record(action, _user(args), detail, "cli")


class _CliError(Exception):
    """A command's refusal: a locale key and its values, printed as one line."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


def _t(args, key: str, **values) -> str:
    from oversight import i18n

    return i18n.t(key, getattr(args, "lang", None) or settings.default_language(), **values)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run one command; every refusal or failure is one line in the chosen language, exit 1."""
    import os

    import duckdb

    from oversight import auth, store

    # Data, accounts, the audit log, snapshots and backups are for the service account alone.
    os.umask(0o077)
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # `versions | head`: the reader has gone; nothing to say, and nothing to say it to.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(_t(args, "cli.interrupted"), file=sys.stderr)
        return 130
    except _CliError as e:
        return _fail(_t(args, e.key, **e.values))
    except store.StoreError as e:
        return _fail(_t(args, f"store.error_{e.kind}", **e.details))
    except auth.AuthError as e:
        return _fail(_t(args, f"auth_error.{e.kind}", **e.details))
    except duckdb.Error as e:
        from oversight import ingest

        if ingest.is_lock_error(e):
            return _fail(_t(args, "cli.db_busy"))
        return _fail(_t(args, "cli.error", error=str(e).splitlines()[0]))
    except OSError as e:
        return _fail(_t(args, "cli.error", error=f"{e.strerror or e}: {e.filename or ''}".rstrip(": ")))


if __name__ == "__main__":
    sys.exit(main())
