"""Data, accounts, the audit log and snapshots are created for the service account alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
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
    from oversight.__main__ import parser
    from oversight.ui.server import streamlit_options

    monkeypatch.setenv("OVERSIGHT_UPLOAD_LIMIT_MB", "7")
    assert streamlit_options()["server.maxUploadSize"] == 7
    args = parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8501)  # this machine only unless told


# `python -m oversight serve` in a process of its own, uvicorn.run replaced by the app's own start-up
# (Streamlit's lifespan): the options Streamlit then holds, as the served dashboard reads them.
SERVED_OPTIONS = """
import asyncio, json, sys
import uvicorn
from streamlit import config
from oversight import __main__ as cli

NAMES = ("server.maxUploadSize", "server.fileWatcherType", "runner.postScriptGC", "client.showErrorDetails",
         "browser.gatherUsageStats", "server.headless", "client.toolbarMode", "theme.primaryColor",
         "client.disableDataExport")

def started(app, **_):
    async def start():
        async with app.lifespan()(None):
            print(json.dumps({name: config.get_option(name) for name in NAMES}))
    asyncio.run(start())

uvicorn.run = started
sys.exit(cli.main(["serve", "--db", sys.argv[1], "--port", "0"]))
"""


def test_the_served_dashboard_holds_its_streamlit_options(demo_db, tmp_path):
    """OVERSIGHT_UPLOAD_LIMIT_MB is Streamlit's upload limit in the served dashboard too, the file watcher
    is off, and no full garbage collection runs after every rerun (40-50 ms of each at city scale): st.App
    under uvicorn reads .streamlit/config.toml but not STREAMLIT_* variables, which only `streamlit
    run` turns into options."""
    env = {**os.environ, "OVERSIGHT_UPLOAD_LIMIT_MB": "3", "PYTHONPATH": str(settings.ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SERVED_OPTIONS, str(demo_db)],
        cwd=tmp_path,  # not the repository: the options must not depend on where the service starts
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    options = json.loads(done.stdout.strip().splitlines()[-1])
    toml = tomllib.loads((settings.ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert options == {
        "server.maxUploadSize": 3,
        "server.fileWatcherType": "none",
        "runner.postScriptGC": False,
        "client.showErrorDetails": "none",
        "browser.gatherUsageStats": False,
        "server.headless": True,
        # A table's rows leave only by its audited download (Excel-safe, labelled): not by the grid's own
        # export or copy, which no audit entry records.
        "client.disableDataExport": True,
        # The rest of .streamlit/config.toml, beside the code, wherever the service starts.
        "client.toolbarMode": toml["client"]["toolbarMode"],
        "theme.primaryColor": toml["theme"]["primaryColor"],
    }
