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
    return 0


def _cmd_generate(args) -> int:
    from oversight import generate

    generate.build(Path(args.db), compounds=args.compounds, months=args.months, seed=args.seed)
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

    c = command("generate", "build a synthetic database at any scale", _cmd_generate)
    c.add_argument("--compounds", type=int, required=True)
    c.add_argument("--months", type=int, default=36)
    c.add_argument("--seed", type=int, default=1)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
