"""Helpers for tests on versioned stores: read a store as any tool would (read-only, then closed)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def read(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()
