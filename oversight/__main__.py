"""The command line: python -m oversight COMMAND [options]. Every command takes --db PATH."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from oversight import settings


def _cmd_demo(args) -> int:
    from oversight import demo

    if args.regenerate_csv:
        demo.write_csvs()
    demo.build(Path(args.db))
    print(f"demo database built: {args.db}")
    if not args.no_accounts:
        from oversight import auth

        out = settings.accounts_path().parent / "demo-accounts.txt"
        passwords = auth.create_demo_accounts([demo.HEMEI], out)
        print("demo accounts (new random passwords, also written to " + str(out) + "):")
        for name, password in passwords.items():
            print(f"  {name:16} {password}")
    return 0


def _cmd_as_of(args) -> int:
    from datetime import date

    from oversight import db, ingest

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        print(f"not a date (YYYY-MM-DD): {args.date}", file=sys.stderr)
        return 1
    ingest.set_as_of(day, db.connect(args.db))
    print(f"as_of = {day.isoformat()}")
    return 0


def _read_password(args) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise SystemExit("the two passwords differ")
    return first


def _cmd_users(args) -> int:
    """users add | list | remove | passwd: local accounts, kept apart from the data."""
    from oversight import audit, auth, db

    try:
        if args.action == "list":
            for a in auth.list_users():
                print(f"{a.name}\t{a.role}\t{','.join(a.communities) or '*'}\t{a.email or ''}")
            return 0
        elif args.action == "remove":
            if not auth.remove_user(args.name):
                print(f"no account named {args.name}", file=sys.stderr)
                return 1
            audit.record("user_remove", _user(args), {"name": args.name}, "cli")
        elif args.action == "passwd":
            auth.set_password(args.name, _read_password(args))
            audit.record("user_passwd", _user(args), {"name": args.name}, "cli")
        else:
            known = {r[0] for r in db.connect(args.db).execute("SELECT community_id FROM communities").fetchall()}
            unknown = [c for c in args.community if c not in known]
            if unknown:
                print(f"unknown community id(s): {', '.join(unknown)}", file=sys.stderr)
                return 1
            auth.add_user(args.name, args.role, _read_password(args), args.community, email=args.email)
            detail = {"name": args.name, "role": args.role, "communities": args.community, "email": args.email}
            audit.record("user_add", _user(args), detail, "cli")
    except auth.AuthError as e:
        print(f"{e.kind}: {e.details or ''}".rstrip(": {}"), file=sys.stderr)
        return 1
    return 0


def _cmd_generate(args) -> int:
    from oversight import generate

    generate.build(Path(args.db), compounds=args.compounds, months=args.months, seed=args.seed)
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
    """This process's connection to the database, or None after saying why it cannot be opened."""
    import duckdb

    from oversight import db, i18n, ingest

    if not Path(path).is_file():
        print(i18n.t("import.db_missing", lang, path=path), file=sys.stderr)
        return None
    try:
        return db.connect(path)
    except duckdb.Error as e:
        if ingest.is_lock_error(e):
            print(i18n.t("import.locked", lang), file=sys.stderr)
            return None
        raise


def _cmd_import(args) -> int:
    from oversight import i18n, ingest

    lang = args.lang
    con = _open_database(args.db, lang)
    if con is None:
        return 2
    shown = {"text": None, "step": -1}

    def progress(fraction: float, text: str) -> None:
        # One line per new step or 5% of progress, flushed so a watcher sees it at once.
        step = int(fraction * 20)
        if text != shown["text"] or step != shown["step"]:
            shown.update(text=text, step=step)
            print(f"[{fraction * 100:3.0f}%] {text}", file=sys.stderr, flush=True)

    result = ingest.import_file(
        args.table, Path(args.file), con=con, sheet=args.sheet, lang=lang, user=_user(args), progress=progress
    )
    from oversight import audit

    audit.record("import", _user(args), audit.import_detail(result), "cli")
    if result.ok:
        print(
            i18n.t(
                "import.cli_ok",
                lang,
                table=args.table,
                added=result.added,
                replaced=result.replaced,
                unchanged=result.unchanged,
                seconds=f"{result.seconds:.1f}",
            )
        )
        return 0
    out = sys.stdout
    for problem in result.problems:
        out.write(problem.line(lang) + "\n")
    if result.problem_count > len(result.problems):
        out.write(i18n.t("import.cli_more", lang, count=result.problem_count - len(result.problems)) + "\n")
    out.write(i18n.t("import.cli_failed", lang, table=args.table, count=result.problem_count) + "\n")
    return 1


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


def streamlit_options() -> dict[str, str]:
    """Streamlit's settings for a served dashboard, as environment variables: one upload limit
    (OVERSIGHT_UPLOAD_LIMIT_MB), no file watcher, no usage statistics, no browser."""
    return {
        "STREAMLIT_SERVER_MAX_UPLOAD_SIZE": str(settings.upload_limit_mb()),
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        "STREAMLIT_SERVER_RUN_ON_SAVE": "false",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "none",
    }


def _cmd_serve(args) -> int:
    """Serve the dashboard: Streamlit's st.App under uvicorn, with the session routes and headers."""
    import logging
    import os

    os.environ["OVERSIGHT_DB"] = str(Path(args.db).resolve())
    os.environ.update(streamlit_options())
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

    def command(name: str, help_text: str, func):
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--db", default=str(settings.db_path()), help="DuckDB file (default: $OVERSIGHT_DB)")
        c.set_defaults(func=func)
        return c

    c = command("demo", "build the demo database from data/demo/*.csv", _cmd_demo)
    c.add_argument("--regenerate-csv", action="store_true", help="rewrite data/demo/*.csv first")
    c.add_argument("--no-accounts", action="store_true", help="do not (re)create the demo accounts")

    c = command("as-of", "set the day the data describes (meta.as_of: 'today' in every figure)", _cmd_as_of)
    c.add_argument("date", help="YYYY-MM-DD")

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

    from oversight.ingest import IMPORTABLE_TABLES

    languages = ("zh", "en")
    c = command("import", "validate a CSV/XLSX file and load it into TABLE, all or nothing", _cmd_import)
    c.add_argument("table", help="one of: " + ", ".join(IMPORTABLE_TABLES))
    c.add_argument("file", help="CSV (UTF-8, UTF-8 with BOM, GBK, GB18030) or XLSX")
    c.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    c.add_argument("--lang", choices=languages, default=settings.default_language(), help="language of the messages")
    c.add_argument("--user", help="who imports (recorded in import_log; default: the login name)")

    c = command("template", "write the import template of TABLE (.csv or .xlsx by the file's ending)", _cmd_template)
    c.add_argument("table", help="one of: " + ", ".join(IMPORTABLE_TABLES))
    c.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
    c.add_argument("--lang", choices=languages, default=settings.default_language())

    c = command("export", "write a snapshot zip of every table (Excel-safe CSV + manifest.json)", _cmd_export)
    c.add_argument("--out", required=True, help="FILE.zip")
    c.add_argument("--community", action="append", metavar="ID", help="a community id (repeatable)")
    c.add_argument("--compound", action="append", metavar="ID", help="a compound id (repeatable)")
    c.add_argument("--lang", choices=languages, default=settings.default_language(), help="language of the headers")
    c.add_argument("--user", help="who exports (recorded in the manifest)")

    c = command("serve", "serve the dashboard (st.App under uvicorn; sessions, headers, /ready)", _cmd_serve)
    c.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    c.add_argument("--port", type=int, default=8501)

    c = command("audit", "print the audit log (kept in $OVERSIGHT_AUDIT, apart from the data)", _cmd_audit)
    c.add_argument("--last", type=int, metavar="N", help="only the last N entries")
    c.add_argument("--since", metavar="DATE", help="only entries on or after DATE (YYYY-MM-DD, UTC)")
    return p


def main(argv: list[str] | None = None) -> int:
    import os

    # Data, accounts, the audit log, snapshots and backups are for the service account alone.
    os.umask(0o077)
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
