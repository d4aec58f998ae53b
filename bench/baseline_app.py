"""The baseline's entry file: dashboard.py's frame over pandas (see bench/baseline.py).

The page to run is st.session_state["_bench_page"] (the Overview's or Resident requests' file); the
page file runs unchanged, its ctx.fetch answered from whole tables held in memory.
"""

import runpy
from datetime import date

import streamlit as st

from bench import baseline
from oversight import i18n, settings
from oversight.filters import scope
from oversight.ui import context, sidebar

lang = settings.default_language()
st.set_page_config(page_title=i18n.t("app.title", lang), page_icon=":material/apartment:", layout="wide")

db_file = str(settings.db_path())
t = baseline.tables(db_file)
meta = dict(zip(t["meta"]["key"], t["meta"]["value"], strict=True))
as_of = date.fromisoformat(meta["as_of"])
lang = sidebar.language(lang)
all_ids = sorted(t["compounds"]["compound_id"])
everything = baseline.Scope(t, all_ids)
options = baseline.filter_options(everything, {})
first_day = baseline.data_first_month(everything, {"as_of": as_of})["first_day"].iloc[0].date()

flt = sidebar.filters(sidebar.build_options(options, first_day, None, as_of, None), as_of, lang)
labels = dict(zip(options["compound_id"], options["compound"], strict=False))
context.store(
    baseline.BaselineContext(
        lang=lang,
        filter=flt,
        compound_ids=scope(options, flt),
        db_file=db_file,
        data_version=meta.get("data_version", ""),
        labels=labels,
        community_names=dict(zip(options["community_id"], options["community"], strict=False)),
    )
)
st.sidebar.caption(i18n.t("app.as_of", lang, as_of=meta["as_of"]))
st.session_state["_pages"] = {}
runpy.run_path(str(settings.ROOT / st.session_state["_bench_page"]), run_name="__page__")
