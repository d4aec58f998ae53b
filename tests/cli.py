"""The command line as an official runs it, in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys

from oversight import settings


def cli_import(table: str, path, db_file, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m oversight import TABLE FILE --db DB`; its output, in UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "oversight", "import", table, str(path), "--db", str(db_file)],
        capture_output=True, text=True, encoding="utf-8", cwd=settings.ROOT, env=env or dict(os.environ), timeout=120,
    )  # fmt: skip
