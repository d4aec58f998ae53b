"""In the browser: an imported compound name made of markdown is shown as the literal text it is."""

from __future__ import annotations

import csv
import os
from urllib.parse import quote

import pytest

from oversight import settings
from tests.cli import cli_import
from tests.e2e.conftest import goto, shot

pytestmark = pytest.mark.e2e
PAYLOAD = "![x](http://evil/x.png)[click](http://evil)"


def test_a_markdown_compound_name_is_literal_text_in_the_profile_heading(server, page, tmp_path):
    rows = list(csv.reader((settings.ROOT / "tests" / "fixtures" / "good" / "compounds.csv").open(encoding="utf-8")))
    rows[1][rows[0].index("name")] = PAYLOAD
    path = tmp_path / "compounds.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows[:2])
    env = {**os.environ, "OVERSIGHT_ACCOUNTS": str(server.accounts)}
    done = cli_import("compounds", path, server.db_file, env)
    assert done.returncode == 0, done.stdout + done.stderr
    goto(page, server, f"profile?profile={quote(PAYLOAD)}")
    heading = page.locator('[data-testid="stMain"] h2').first
    shot(page, "markup_literal_profile")
    assert heading.inner_text().strip() == PAYLOAD
    assert (
        page.locator(
            '[data-testid="stMain"] img[src*="evil"], [data-testid="stMain"] a[href*="evil"]:not([href^="#"])'
        ).count()
        == 0
    )
