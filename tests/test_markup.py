"""No data value or URL value is ever drawn as markdown: imported names and crafted links stay text."""

from __future__ import annotations

import re

import duckdb
import pytest

from oversight import settings
from oversight.ui.text import md
from tests.apptest import app, each_tab, open_page

PAYLOAD = "![x](http://evil/x.png)[click](http://evil)"
PAGES = sorted(f"app_pages/{p.name}" for p in (settings.ROOT / "app_pages").glob("*.py"))  # every page
# Markdown that would become a link or an image: "](" or "![" not preceded by a backslash.
LIVE = re.compile(r"(?<!\\)(\]\(|!\[)|http://evil|<img")


def test_md_escapes_links_images_html_and_directives():
    assert md(PAYLOAD) == r"\!\[x\]\(http\:\/\/evil\/x\.png\)\[click\]\(http\:\/\/evil\)"
    assert md("<img src=x>") == r"\<img src\=x\>"
    assert md(":red[big] *b*\nline") == r"\:red\[big\] \*b\* line"
    assert md("湖北省第二轻工业局宿舍") == "湖北省第二轻工业局宿舍"
    assert md(None) == ""


@pytest.fixture
def poisoned(app_env):
    """The demo data with every name and title an attacker could import replaced by markdown."""
    con = duckdb.connect(str(app_env))
    con.execute(f"UPDATE communities SET name = name || '{PAYLOAD}'")  # noqa: S608 - a constant test payload
    con.execute(f"UPDATE compounds SET name = name || '{PAYLOAD}'")  # noqa: S608
    con.execute(f"UPDATE partner_units SET name = name || '{PAYLOAD}'")  # noqa: S608
    con.execute(f"UPDATE property_companies SET name = name || '{PAYLOAD}'")  # noqa: S608
    con.execute(f"UPDATE renovation_items SET title = title || '{PAYLOAD}'")  # noqa: S608
    con.close()
    return app_env


def shown_markdown(at) -> list[str]:
    """The markdown source of every element Streamlit renders as markdown, sidebar included."""
    texts = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "warning", "info", "error", "success"):
        texts += [e.value for e in getattr(at, kind)] + [e.value for e in getattr(at.sidebar, kind)]
    texts += [m.label for m in at.metric]
    return texts


@pytest.mark.parametrize("page", PAGES)
def test_imported_names_are_never_markdown(poisoned, page):
    at = open_page(page)  # no exception, no error box
    texts = [t for shown in each_tab(at) for t in shown_markdown(shown)]
    live = [t for t in texts if LIVE.search(t)]
    assert live == []
    if page.endswith("profile.py"):
        assert any(PAYLOAD in h.value.replace("\\", "") for h in at.header)


def test_a_crafted_link_value_is_not_a_link_in_the_warning(app_env):
    at = app(query_params={"compound": "[click](http://evil)"}).run()
    warnings = [w.value for w in at.sidebar.warning]
    assert warnings and "click" in warnings[0]
    assert not any(LIVE.search(w) for w in warnings)


def test_filtered_names_in_the_filter_line_are_text(poisoned):
    at = app(state={"lang": "zh", "compound": ["X001"]}).run()
    line = [c.value for c in at.caption if "小区：" in c.value]
    assert line and "click" in line[0] and not LIVE.search(line[0])
