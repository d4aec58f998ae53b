"""The layer rule of docs/ARCHITECTURE.md, as ruff enforces it in `make lint`."""

import subprocess
import sys

import pytest

from oversight.settings import ROOT


def ruff_codes(source: str, as_file: str) -> set[str]:
    """Ruff's codes for `source` as if it were the repository file `as_file` (nothing is written)."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format=concise", "--stdin-filename", as_file, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return {part.split()[0] for line in done.stdout.splitlines() if ": " in line for part in [line.split(": ", 1)[1]]}


@pytest.mark.parametrize(
    "source", ["import streamlit as st\n", "import altair as alt\n", "from streamlit import session_state\n"]
)
def test_core_may_not_draw(source):
    assert "TID251" in ruff_codes(source, "oversight/metrics.py")


@pytest.mark.parametrize("where", ["oversight/ui/widgets.py", "app_pages/overview.py", "dashboard.py"])
def test_ui_layers_may_draw(where):
    assert "TID251" not in ruff_codes("import streamlit as st\n\nst.write(1)\n", where)


def test_pages_stay_thin_and_core_modules_stay_small():
    """docs/ARCHITECTURE.md's limits: a page of at most 150 lines, no core module over 800."""
    pages = {p.name: n for p in (ROOT / "app_pages").glob("*.py") if (n := len(p.read_text().splitlines())) > 150}
    core = {str(p.relative_to(ROOT)): n for p in (ROOT / "oversight").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800}  # fmt: skip
    assert (pages, core) == ({}, {})
