"""A page's queries fetched ahead (context.planned): on a run with nothing cached, the queries the
page's last run fetched are made by the prefetch threads, each once, and the page shows what it shows
without them."""

from __future__ import annotations

import threading
import time

import streamlit as st

from oversight import db
from oversight.ui import context, state
from tests.apptest import metrics, open_page

PAGE = "app_pages/requests.py"
PROFILE = "app_pages/profile.py"


def _recording_runs(monkeypatch) -> list[tuple[str, str, str]]:
    """(thread name, query, parameters) of every query run below st.cache_data from now on."""
    runs: list[tuple[str, str, str]] = []
    real = db.run

    def run(name, con=None, **params):
        runs.append((threading.current_thread().name, name, repr(sorted(params.items()))))
        return real(name, con, **params)

    monkeypatch.setattr(db, "run", run)
    return runs


def test_a_pages_queries_are_made_ahead_once_each_and_the_page_is_the_same(app_env, monkeypatch):
    first = open_page(PAGE)  # records the page's plan (and fills the cache)
    shown = metrics(first)
    tables = [d.value for d in first.dataframe]
    assert context._plans, "the run recorded no plan"

    st.cache_data.clear()  # a filter no one has chosen yet, or the first visit after an import
    runs = _recording_runs(monkeypatch)
    second = open_page(PAGE)
    ahead = [r for r in runs if r[0].startswith("prefetch")]
    assert len(ahead) >= 3, runs  # the page's queries ran in the prefetch threads
    assert len({(q, p) for _, q, p in runs}) == len(runs), "a query was made twice"
    assert metrics(second) == shown
    assert len(second.dataframe) == len(tables)
    for got, want in zip((d.value for d in second.dataframe), tables, strict=True):
        assert got.equals(want)


def test_nothing_is_fetched_ahead_when_the_page_is_cached(app_env, monkeypatch):
    open_page(PAGE)
    runs = _recording_runs(monkeypatch)
    open_page(PAGE)
    assert runs == []  # every result was there: neither the page nor the prefetch made one


def test_a_stale_plan_entry_is_made_once_and_does_not_change_the_page(app_env, monkeypatch):
    first = open_page(PAGE)
    shown = metrics(first)
    page = next(iter(context._plans))
    context._plans[page] = [*context._plans[page], ("kpi_requests", False, {"no_such_parameter": 1})]
    st.cache_data.clear()
    runs = _recording_runs(monkeypatch)
    second = open_page(PAGE)
    assert metrics(second) == shown
    assert not [r for r in runs if "no_such_parameter" in r[2] and not r[0].startswith("prefetch")]


def test_no_more_than_the_queue_holds_is_fetched_ahead(app_env, monkeypatch):
    open_page(PAGE)
    monkeypatch.setattr(context, "PREFETCH_QUEUE", 0)  # the queue is full: the page makes everything itself
    st.cache_data.clear()
    runs = _recording_runs(monkeypatch)
    shown = metrics(open_page(PAGE))
    assert runs and not [r for r in runs if r[0].startswith("prefetch")]
    assert shown["居民诉求"]


def test_a_prefetch_for_a_replaced_version_reads_nothing(app_env, monkeypatch):
    """A task still queued when a newer version became current does not open the old one again."""
    open_page(PAGE)
    runs = _recording_runs(monkeypatch)
    monkeypatch.setitem(context._seen_version, "file", str(app_env) + ".newer")
    task = (str(app_env), "an older version", "kpi_requests", "a key")
    context._queued.add(task)
    context._prefetch(None, task, {"compound_ids": db.STREET})
    assert runs == [] and task not in context._queued


def test_the_profile_fetches_a_compounds_queries_ahead(app_env, monkeypatch):
    """The profile reads one compound, chosen on the page: its queries are planned for that compound, so
    opening another compound makes them in the prefetch threads, and the page is as without them."""
    first = open_page(PROFILE)  # the filter's first compound: records the plan for one compound
    ids = db.connect(app_env).execute("SELECT compound_id FROM compounds ORDER BY compound_id").fetchall()
    other = next(c for (c,) in ids if c != first.selectbox(key=state.PROFILE).value)

    st.cache_data.clear()
    runs = _recording_runs(monkeypatch)
    second = open_page(PROFILE, state={state.PROFILE: other})
    ahead = [r for r in runs if r[0].startswith("prefetch") and repr(other) in r[2]]
    assert len(ahead) >= 5, runs  # the compound's queries, not only the filter's
    assert len({(q, p) for _, q, p in runs}) == len(runs), "a query was made twice"

    monkeypatch.setattr(context, "_plans", {})  # the same page, made without a plan
    st.cache_data.clear()
    third = open_page(PROFILE, state={state.PROFILE: other})
    assert metrics(second) == metrics(third) and metrics(second)
    assert len(second.dataframe) == len(third.dataframe) > 0
    for got, want in zip((d.value for d in second.dataframe), (d.value for d in third.dataframe), strict=True):
        assert got.equals(want)


def test_the_sidebars_two_queries_run_at_once(app_env, monkeypatch):
    """After an import every page's first run waits for the filter's options and first month: the
    first month is made in a prefetch thread while the options are read."""
    open_page(PAGE)
    st.cache_data.clear()
    runs = _recording_runs(monkeypatch)
    recorded = db.run

    def slow_options(name, con=None, **params):
        if name == "filter_options":  # as at city scale: time for the prefetch thread to start on a busy machine
            time.sleep(0.5)
        return recorded(name, con, **params)

    monkeypatch.setattr(db, "run", slow_options)
    open_page(PAGE)
    made = {q: thread for thread, q, _ in runs if q in ("filter_options", "data_first_month")}
    assert made["data_first_month"].startswith("prefetch"), runs
    assert made["filter_options"].startswith("ScriptRunner"), runs
    assert [q for _, q, _ in runs].count("data_first_month") == 1


def test_two_scopes_never_share_a_cache_key():
    """The key joins the ids with a separator: ids that hold it must not make two scopes one key."""
    assert context._key({"compound_ids": ["a\x1fb", "c"]}) != context._key({"compound_ids": ["a", "b\x1fc"]})
    assert context._key({"compound_ids": ["a", "b"]}) != context._key({"compound_ids": ["a\x1fb"]})
    assert context._key({"compound_ids": ["a", "b"]}) == context._key({"compound_ids": ["a", "b"]})
    assert context._key({"compound_ids": db.STREET}) != context._key({"compound_ids": []})


def test_work_started_beside_runs_in_the_callers_thread_when_no_prefetch_thread_is_free(monkeypatch):
    """The sidebar reads its first month beside the options (context.beside): it never waits behind
    other sessions' prefetches, nor is queued past a full queue."""

    def where() -> str:
        return threading.current_thread().name

    # Free threads: the work runs in one of them (asked for once it has started there).
    began = threading.Event()
    result = context.beside(lambda: began.set() or where())
    assert began.wait(10)
    assert result().startswith("prefetch")
    # Both threads busy: the work is taken back and run by the caller at once.
    release = threading.Event()
    busy = [context.PREFETCH.submit(release.wait, 10) for _ in range(2)]
    try:
        assert context.beside(where)() == threading.current_thread().name
        assert not any(f.done() for f in busy)  # it did not wait for them
    finally:
        release.set()
        for f in busy:
            f.result()
    # A full queue: nothing is handed to the threads.
    monkeypatch.setattr(context, "PREFETCH_QUEUE", 0)
    assert context.beside(where)() == threading.current_thread().name
