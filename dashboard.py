"""Entry point: page config, language, global filters (bound to the URL), navigation."""

from __future__ import annotations

import logging
from datetime import date

import duckdb
import streamlit as st

from oversight import db, i18n, settings, store
from oversight.ui import context, login, pages, sidebar, state, widgets
from oversight.ui.icon import PAGE_ICON

log = logging.getLogger("oversight")


def overview_alias() -> st.Page:
    """The default page is served at "/" only; this hidden twin makes /overview open it too, instead
    of Streamlit's English "Page not found" dialog."""
    return st.Page(pages.by_url(pages.DEFAULT).file, url_path=pages.DEFAULT, visibility="hidden")


def navigation(registry, lang: str, may_import: bool) -> dict[str, list[st.Page]]:
    """The navigation's sections for this language and role, made once per session and kept: st.Page
    resolves and checks its file each time it is made, about 0.5 ms of every rerun for these pages."""
    key = (lang, may_import)
    held = st.session_state.get(state.NAVIGATION)
    if held is not None and held[0] == key:
        return held[1]
    sections: dict[str, list[st.Page]] = {}
    for p in registry:
        if p.import_only and not may_import:
            continue
        page = st.Page(p.file, title=i18n.t(p.title, lang), url_path=p.url_path, icon=p.icon, default=p.default)
        sections.setdefault(i18n.t(p.section, lang), []).append(page)
    sections[next(iter(sections))].append(overview_alias())
    st.session_state[state.NAVIGATION] = (key, sections)
    return sections


lang = settings.default_language()
st.set_page_config(page_title=i18n.t("app.title", lang), page_icon=PAGE_ICON, layout="wide")
try:
    registry = pages.registered()
except pages.MissingPageError:
    # A broken installation: the log names the files, the official sees one line.
    log.exception("page registry")
    st.error(i18n.t("app.page_error", lang))
    st.stop()

store_path = settings.db_path()
if not store_path.exists():
    st.error(i18n.t("app.no_database", lang, path=str(store_path)))
    st.stop()
# This rerun reads one version throughout, even if a write makes a newer one current meanwhile.
db_file = store.current_file(store_path)
context.follow_version(str(db_file))

lang = sidebar.language(lang)
widgets.chrome(lang)
account = login.signed_in()
if account is None:
    # The pages are registered (hidden) so the link asked for is still open after signing in.
    asked = st.navigation(
        [st.Page(p.file, url_path=p.url_path, default=p.default) for p in registry] + [overview_alias()],
        position="hidden",
    )
    login.form(
        lang, next_page=asked.url_path
    )  # draws the login page and stops: nothing with data before an account is known

try:
    meta = db.meta_of(db_file)
    as_of = date.fromisoformat(meta["as_of"])
    version = meta.get("data_version", "")
    # The account's scope and the filters' options, worked out once per data version and scope: every
    # query below is restricted to (a subset of) the account's compounds.
    options = sidebar.options(str(db_file), version, as_of, None if account.sees_everything else account.communities)
except duckdb.Error:
    log.exception("database unavailable")
    st.error(i18n.t("app.database_error", lang))
    st.stop()

flt = sidebar.filters(options, as_of, lang)
context.store(
    context.Context(
        lang=lang,
        filter=flt,
        compound_ids=options.scope(flt),
        db_file=str(db_file),
        store_path=str(store_path),
        data_version=version,
        labels=options.compound_names,
        community_names=options.community_names,
        account=account,
        first_month=options.first_day,
        compound_labels=options.compound_labels,
        street_size=len(options.compound_ids) if options.allowed is None else None,
    )
)
st.sidebar.caption(i18n.t("app.as_of", lang, as_of=meta["as_of"]))
login.account_box(account, lang)

sections = navigation(registry, lang, account.may_import)
current = st.navigation(sections)
st.session_state[state.PAGES] = {p.url_path: p for group in sections.values() for p in group}

try:
    with context.planned(context.current(), current.url_path):
        current.run()
except Exception:  # noqa: BLE001 - the official sees a message, never a traceback; the log keeps it
    log.exception("page failed")
    st.error(i18n.t("app.page_error", lang))
