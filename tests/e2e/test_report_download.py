"""The Overview's report button in a real browser: the download is a Word document of the filter on screen."""

from __future__ import annotations

import io

import pytest
from docx import Document

from oversight import i18n
from tests.apptest import assert_cards
from tests.e2e.conftest import errors_on, goto, kpis, shot
from tests.e2e.test_journeys import expected_kpis

pytestmark = pytest.mark.e2e


def test_the_report_button_downloads_the_filtered_report_in_word(server, page, demo_master):
    goto(page, server)
    shot(page, "overview-with-report-button")
    button = page.get_by_role("button", name=i18n.t("report.button"))
    assert button.count() == 1
    with page.expect_download(timeout=120_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx") and "截至2023-09-30" in download.suggested_filename
    document = Document(io.BytesIO(open(download.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    # The default filter is the 12 months to as_of: one report over that range.
    assert text.startswith("台北街道老旧小区改造与基层治理工作报告（2022-10至2023-09）")
    figures = {row.cells[0].text: row.cells[1].text for t in document.tables for row in t.rows}
    expected = expected_kpis(demo_master)
    assert_cards(kpis(page), expected)
    assert_cards(figures, expected)  # the report's table of figures says what the cards say
    assert len(document.inline_shapes) == 3
    assert errors_on(page) == []
    from oversight import audit

    downloads = audit.entries(last=20)
    assert (downloads["action"].eq("download") & downloads["detail"].str.contains(".docx", regex=False)).any()
