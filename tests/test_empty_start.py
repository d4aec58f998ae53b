"""A street office's first day: `init` gives an empty database, every page says where to start, and
every command fails in one line of the official's language."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from oversight import i18n, settings
from oversight.__main__ import main
from oversight.ui import pages
from tests import apptest

# Every page that draws rows (those the scope tests open, and the Data page).
PAGES = [p.file for p in pages.PAGES if p.shows_rows]


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    path = tmp_path / "oversight.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    monkeypatch.setenv("OVERSIGHT_DB", str(path))
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_database_shows_where_to_start(empty_db, page, lang):
    at = apptest.open_page(page, lang=lang)  # asserts no exception and no error box
    infos = [i.value for i in at.info]
    assert i18n.t("start.title", lang) in infos
    steps = [m.value for m in at.markdown if i18n.t("start.steps", lang)[:20] in m.value]
    assert steps, [m.value for m in at.markdown]
    # The order names the tables as the Data page does, communities first.
    text = steps[0]
    assert text.index(i18n.t("data.table_communities", lang)) < text.index(i18n.t("data.table_compounds", lang))
    assert not at.metric  # no figure drawn from nothing


def test_a_viewer_on_an_empty_database_is_told_to_ask_the_street(empty_db):
    at = apptest.new_app(account=apptest.auth.Account("v", "viewer", ("C01",)), timeout=60)
    at.run()
    assert not at.exception
    assert i18n.t("start.ask_admin", "zh") in [c.value for c in at.caption]


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "oversight", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=settings.ROOT,
        env={**os.environ, "PYTHONPATH": str(settings.ROOT), **(env or {})},
        input="a-long-password\n",
        timeout=120,
    )


def test_every_command_fails_in_one_line_in_the_chosen_language(tmp_path):
    env = {"OVERSIGHT_ACCOUNTS": str(tmp_path / "acc.sqlite"), "OVERSIGHT_DB": str(tmp_path / "none.duckdb")}
    cases = [
        (
            ["users", "add", "amy", "--role", "viewer", "--password-stdin"],
            "至少指定一个社区",
            "need at least one --community",
        ),
        (["users", "remove", "nobody"], "没有名为 nobody 的账号", "No account named nobody"),
        (["as-of", "2024-13-01"], "不是日期", "Not a date"),
        (["rollback", "v000001"], "找不到数据库", "No database"),
        (["import", "requests", str(tmp_path / "x.csv")], "找不到数据库", "Database file not found"),
        (["versions"], "还没有版本记录", "has no versions yet"),
        (["backup", "--out", str(tmp_path / "b.duckdb")], "找不到数据库", "No database"),
        (["restore", str(tmp_path / "nothing.duckdb")], "不是本系统的数据库文件", "not a database of this system"),
    ]
    for args, zh, en in cases:
        for lang, expected in (("zh", zh), ("en", en)):
            done = _cli(*args, "--lang", lang, env=env)
            lines = (done.stdout + done.stderr).strip().splitlines()
            assert done.returncode == 1, (args, lang, done.stderr)
            assert len(lines) == 1 and expected in lines[0], (args, lang, lines)
            assert "needs_community" not in lines[0] and "Traceback" not in done.stderr
