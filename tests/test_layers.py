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
