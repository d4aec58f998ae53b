"""Data, accounts, the audit log and snapshots are created for the service account alone."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from oversight import settings


def mode(path) -> str:
    return oct(path.stat().st_mode)[-3:]


def test_files_made_by_the_command_line_are_private(tmp_path):
    env = {
        **os.environ,
        "OVERSIGHT_ACCOUNTS": str(tmp_path / "private" / "accounts.sqlite"),
        "OVERSIGHT_AUDIT": str(tmp_path / "private" / "audit.sqlite"),
    }
    data = tmp_path / "data" / "oversight.duckdb"
    data.parent.mkdir()

    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "oversight", *args], env=env, cwd=settings.ROOT, capture_output=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done

    run("demo", "--db", str(data))
    run("export", "--out", str(tmp_path / "snapshots" / "week.zip"), "--db", str(data))
    assert mode(data) == "600"
    assert mode(tmp_path / "private" / "accounts.sqlite") == "600"
    assert mode(tmp_path / "private" / "demo-accounts.txt") == "600"
    assert mode(tmp_path / "private" / "audit.sqlite") == "600"
    assert mode(tmp_path / "snapshots" / "week.zip") == "600"
    assert mode(tmp_path / "snapshots") == "700"
    assert zipfile.ZipFile(tmp_path / "snapshots" / "week.zip").namelist()


def test_one_upload_limit_for_streamlit_and_the_import(monkeypatch):
    from oversight.__main__ import parser, streamlit_options

    monkeypatch.setenv("OVERSIGHT_UPLOAD_LIMIT_MB", "7")
    assert streamlit_options()["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"] == "7"
    args = parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8501)  # this machine only unless told
