"""Entry point: page config, language, global filters (bound to the URL), navigation."""

from __future__ import annotations

import logging
from datetime import date

import duckdb
import streamlit as st

from oversight import db, i18n, settings
from oversight.filters import scope
from oversight.ui import context, sidebar

log = logging.getLogger("oversight")

PAGES = [
    # (section, file, url path, title key, icon)
    ("nav.section_overview", "pages/overview.py", "overview", "nav.overview", ":material/dashboard:"),
    ("nav.section_overview", "pages/profile.py", "profile", "nav.profile", ":material/home_work:"),
    ("nav.section_renovation", "pages/renovation.py", "renovation", "nav.renovation", ":material/construction:"),
    ("nav.section_renovation", "pages/partners.py", "partners", "nav.partners", ":material/handshake:"),
    ("nav.section_service", "pages/red_property.py", "red-property", "nav.red_property", ":material/flag:"),
    ("nav.section_service", "pages/requests.py", "requests", "nav.requests", ":material/support_agent:"),
    ("nav.section_service", "pages/volunteers.py", "volunteers", "nav.volunteers", ":material/volunteer_activism:"),
    ("nav.section_data", "pages/data.py", "data", "nav.data", ":material/upload_file:"),
]

lang = settings.default_language()
st.set_page_config(page_title=i18n.t("app.title", lang), page_icon=":material/apartment:", layout="wide")

db_file = settings.db_path()
if not db_file.exists():
    st.error(i18n.t("app.no_database", lang, path=str(db_file)))
    st.stop()

try:
    con = db.connect(db_file)
    meta = db.meta(con)
    as_of = date.fromisoformat(meta["as_of"])
    lang = sidebar.language(lang)
    all_ids = db.all_compound_ids(con)
    options, first_day = sidebar.load_options(con, all_ids, as_of)
except duckdb.Error:
    log.exception("database unavailable")
    st.error(i18n.t("app.database_error", lang))
    st.stop()

flt = sidebar.filters(options, first_day, as_of, lang)
labels = dict(zip(options["compound_id"], options["compound"], strict=False))
context.store(
    context.Context(
        lang=lang,
        filter=flt,
        compound_ids=scope(options, flt),
        db_file=str(db_file),
        data_version=meta.get("data_version", ""),
        labels=labels,
        community_names=dict(zip(options["community_id"], options["community"], strict=False)),
    )
)
st.sidebar.caption(i18n.t("app.as_of", lang, as_of=meta["as_of"]))

sections: dict[str, list] = {}
for section, path, url, title, icon in PAGES:
    if not (settings.ROOT / path).exists():
        continue
    page = st.Page(path, title=i18n.t(title, lang), url_path=url, icon=icon, default=url == "overview")
    sections.setdefault(i18n.t(section, lang), []).append(page)
current = st.navigation(sections)
st.session_state["_pages"] = {p.url_path: p for group in sections.values() for p in group}

try:
    current.run()
except Exception:  # noqa: BLE001 - the official sees a message, never a traceback; the log keeps it
    log.exception("page failed")
    st.error(i18n.t("app.page_error", lang))
