"""Shared fixtures: real DuckDB files built from the committed demo CSVs."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from oversight import db, demo


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    """One demo database per test session; tests that change data copy it first."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path)
    return path


@pytest.fixture
def demo_db(demo_master, tmp_path) -> Path:
    """A private copy of the demo database, safe to change."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_master, path)
    yield path
    db.close_all()


@pytest.fixture
def demo_con(demo_db):
    con = duckdb.connect(str(demo_db))
    yield con
    con.close()


@pytest.fixture
def app_env(demo_db, monkeypatch):
    """Point the dashboard at a private demo database."""
    monkeypatch.setenv("OVERSIGHT_DB", str(demo_db))
    return demo_db


@pytest.fixture(scope="session", autouse=True)
def private_audit_log(tmp_path_factory):
    """Tests (and the processes they start) write their audit entries to a file of their own."""
    import os

    path = tmp_path_factory.mktemp("audit") / "audit.sqlite"
    old = os.environ.get("OVERSIGHT_AUDIT")
    os.environ["OVERSIGHT_AUDIT"] = str(path)
    yield path
    if old is None:
        os.environ.pop("OVERSIGHT_AUDIT", None)
    else:
        os.environ["OVERSIGHT_AUDIT"] = old
