"""The 帮助 page: the officials' guide with every figure's 口径, and the SQL behind them for the administrator."""

from oversight import auth, i18n
from oversight.ui import pages
from tests.apptest import open_page

PAGE = pages.by_url("help").file


def test_help_page_is_registered_and_shows_the_guide(app_env):
    assert PAGE == "app_pages/help.py"
    at = open_page(PAGE)
    assert at.title[0].value == "帮助"
    text = "\n".join(m.value for m in at.markdown)
    assert "每月例行工作" in text and i18n.t("caliber.start_rate", "zh") in text
    # The street administrator may look up the SQL behind a figure; it is tucked away in an expander.
    assert at.expander and "kpi_renovation" in "\n".join(m.value for m in at.expander[0].markdown)


def test_help_page_hides_the_sql_from_other_roles_and_speaks_english(app_env):
    viewer = auth.Account("test_viewer", "viewer", ("C01",))
    at = open_page(PAGE, account=viewer)
    assert at.title[0].value == "帮助"
    assert not at.expander
    en = open_page(PAGE, lang="en")
    assert en.title[0].value == "Help"
    assert i18n.t("caliber.resolution_rate", "en") in "\n".join(m.value for m in en.markdown)
