"""The page registry: one list for the navigation, the tests and the bench; a missing file is loud."""

from __future__ import annotations

import pytest

from bench.common import pages as bench_pages
from oversight import i18n, settings
from oversight.ui import pages
from tests.apptest import new_app


def test_every_page_file_is_registered_once_and_every_registered_file_exists():
    files = sorted(f"app_pages/{p.name}" for p in (settings.ROOT / "app_pages").glob("*.py"))
    assert sorted(p.file for p in pages.registered()) == files
    assert len({p.url for p in pages.PAGES}) == len(pages.PAGES)
    # Every title and section has words in both languages.
    for p in pages.PAGES:
        for key in (p.title, p.section):
            assert i18n.t(key, "zh") != key and i18n.t(key, "en") != key


def test_the_bench_measures_the_registered_pages_in_order():
    assert [(b.path, b.url) for b in bench_pages()] == [(p.file, p.url) for p in pages.PAGES]


def test_only_the_data_page_is_for_importers_and_only_help_draws_no_rows():
    assert [p.url for p in pages.PAGES if p.import_only] == ["data"]
    assert [p.url for p in pages.PAGES if not p.shows_rows] == ["help"]
    assert pages.by_url(pages.DEFAULT).url_path == "home"


@pytest.fixture
def missing_page(monkeypatch):
    ghost = pages.Page("nav.section_data", "app_pages/ghost.py", "ghost", "nav.help", ":material/help:")
    monkeypatch.setattr(pages, "PAGES", (*pages.PAGES, ghost))
    return ghost


def test_a_registered_page_without_its_file_is_an_error_naming_it(missing_page):
    with pytest.raises(pages.MissingPageError, match="app_pages/ghost.py"):
        pages.registered()
    with pytest.raises(pages.MissingPageError):
        bench_pages()


def test_the_dashboard_with_a_missing_page_file_says_so_instead_of_dropping_it(app_env, missing_page):
    at = new_app().run()
    assert [e.value for e in at.error] == [i18n.t("app.page_error", "zh")]
    assert not at.metric and not at.exception


def test_the_navigation_is_made_once_per_session_and_again_for_another_language_or_role(app_env):
    from oversight import auth
    from oversight.ui import login, state

    at = new_app().run()
    zh = at.session_state[state.PAGES]
    assert zh["data"].title == i18n.t("nav.data", "zh") and zh["requests"].title == i18n.t("nav.requests", "zh")
    at.run()
    assert at.session_state[state.PAGES]["requests"] is zh["requests"], "kept, not made again"
    at.session_state["lang"] = "en"
    at.run()
    en = at.session_state[state.PAGES]
    assert en["requests"].title == i18n.t("nav.requests", "en") != zh["requests"].title
    # Another account in the same session, one that may not import: no Data page in its navigation.
    at.session_state[login.ACCOUNT_KEY] = auth.Account("viewer_c02", "viewer", ("C02",))
    at.run()
    viewer = at.session_state[state.PAGES]
    assert "data" not in viewer and viewer["requests"].title == i18n.t("nav.requests", "en")
    assert not at.exception
