"""No table of the Chinese UI shows a raw code (resolved, hotline_12345, design, ...): every coded column
is labelled from codes.toml on every page, not only where a test happened to look."""

import tomllib

import pandas as pd
import pytest

from oversight import settings
from oversight.ui import pages
from tests.apptest import each_tab, open_page

CODES = {
    code
    for section in tomllib.loads((settings.ROOT / "locales" / "zh" / "codes.toml").read_text("utf-8")).values()
    for code in section
    if code not in ("true", "false")  # a bool column shows 是/否 or a check box, never these words
}


@pytest.mark.parametrize("page", [p.file for p in pages.PAGES if p.shows_rows])
def test_no_table_shows_a_raw_code(app_env, page):
    tables = [t.value for shown in each_tab(open_page(page)) for t in shown.dataframe]
    # The demo as the tests build it has no 督办 case (the ledger opens them on writes); every other page
    # that shows rows has tables to check.
    assert tables or page == pages.by_url("supervision").file, page
    for frame in tables:
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                raw = sorted(set(frame[column].dropna().astype(str)) & CODES)
                assert not raw, (page, column, raw[:5])
