"""Each page's full script run (dashboard.py and the page) through AppTest, and the queries under it.

Workers, each a process of its own (`python -m bench.pages MODE ...`):
- cold: one first run of one page in a fresh process: empty st.cache_data, a DuckDB instance that
  has read nothing yet. Python libraries are imported before the clock starts: a running server has
  them loaded, so they are no part of what a cold page costs.
- warm: for every page and scenario in one process: a warm-up run (recording the queries the page
  runs), then `reps` warm runs (every query a cache hit), then `reps` rounds of three (see
  paired_runs): an uncached run (st.cache_data cleared first: what a filter nobody chose yet costs;
  the sidebar's options are read again but, built from the same rows, used again, as after an import
  that leaves compounds and communities as they were; an import that changes them builds them again,
  about 5 ms at 5,000 compounds), each query the page ran alone in DuckDB (the floor), and
  Streamlit's cost of an empty page (a trivial script through AppTest); then one profiled warm run.
  The floor adds the queries up one after another; the page runs some of them two at a time (its
  prefetch), so a page can come in under its floor.

AppTest quirks, each made to behave as the server does (where a rerun pays nothing of it):
- AppTest builds a new component registry for every AppTest (it scans the installed packages'
  metadata for Streamlit components: about 80-100 ms on this machine) and a new script cache (so
  dashboard.py and the page are parsed and compiled again). A running server does both once, at
  start, for every session. The workers share one registry and one script cache between their
  AppTests (see share_runtime_parts), as the server's Runtime does.
- With a pages/ folder next to the entry file, AppTest resets PagesManager's
"uses pages directory" flag before every run, so the first run goes through the old pages/ mode
and st.navigation's url paths are not yet known. A running server clears that flag for good at
its first st.navigation call; the workers do the same, and ask for a page by the hash st.Page
gives its url path.
- AppTest's Runtime is a MagicMock: every read of st.context (the sign-in's cookie, the client's
  address of every download and audit entry) made a new mock child, about 1 ms each on this machine. A
  server looks the session's client up in a dict. The workers answer st.context from a plain client
  context of a request from this machine without a cookie (see plain_client_context). They sign in
  through session state, as plain `streamlit run` does: the cookie session that `python -m oversight
  serve` checks on every rerun (an SQLite read) and its /export links are not in these figures; the
  load test (bench/concurrency.py) runs that server.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from datetime import date

from bench.common import ROOT, Page, emit, median, pages

EMPTY_PAGE = 'import streamlit as st\nst.title("Empty")\nst.write("nothing here")\n'
PROFILE_TOP = 12
# Streamlit's own work worth naming in a profile: (file, function) -> what it is.
STREAMLIT_PARTS = {
    ("cache_utils.py", "_make_value_key"): "st.cache_data: hashing the arguments (cache key)",
    ("cache_utils.py", "_handle_cache_hit"): "st.cache_data: returning a hit (unpickle)",
    ("vega_charts.py", "_convert_altair_to_vega_lite_spec"): "Altair: building and validating chart specs",
    ("arrow.py", "dataframe"): "st.dataframe",
    ("dataframe_util.py", "convert_pandas_df_to_arrow_bytes"): "st.dataframe: Arrow serialisation",
    ("button.py", "download_button"): "st.download_button",
    ("metric.py", "metric"): "st.metric",
}


def prepare() -> None:
    """Import what a running server has loaded, and make AppTest behave like that server."""
    import altair  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    import streamlit  # noqa: F401
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest  # noqa: F401

    import oversight.ui.charts  # noqa: F401
    import oversight.ui.sidebar  # noqa: F401
    import oversight.ui.widgets  # noqa: F401

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    share_runtime_parts()
    plain_client_context()


class _LocalClient:
    """What a session client tells st.context of a request from this machine with no cookie."""

    headers: tuple = ()
    cookies: dict = {}
    remote_ip = "127.0.0.1"


def plain_client_context() -> None:
    """st.context read from a plain object, not AppTest's mock Runtime (see the module docstring)."""
    from streamlit.runtime import context

    context._get_client_context = lambda: _LocalClient


def share_runtime_parts() -> None:
    """One component registry and one script cache for every AppTest of the process, as a server's
    Runtime keeps one for every session (see the module docstring)."""
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    scripts = ScriptCache()
    original = app_test.AppTest.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._bidi_component_manager = components

    app_test.AppTest.__init__ = init
    app_test.ScriptCache = lambda: scripts
    local_script_runner.ScriptCache = lambda: scripts


class Recorder:
    """Records every named query actually run (below st.cache_data: a cache hit records nothing)."""

    def __init__(self):
        from oversight import db

        self.db = db
        self.original = db.run
        self.calls: list[dict] = []

    def __enter__(self):
        def run(name, con=None, **params):
            started = time.perf_counter()
            frame = self.original(name, con, **params)
            self.calls.append(
                {"query": name, "params": params, "seconds": time.perf_counter() - started, "rows": len(frame)}
            )
            return frame

        self.calls = []
        self.db.run = run
        return self

    def __exit__(self, *exc):
        self.db.run = self.original


def new_app(page: Page, community: str | None):
    """A fresh session on `page`, with the one-community filter set before its first run if asked."""
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    from bench.common import signed_in

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
    for key, value in signed_in().items():
        at.session_state[key] = value
    if community:
        at.session_state["community"] = [community]
    at._page_hash = calc_hash(page.url)  # see the module docstring
    return at


def run_page(page: Page, community: str | None) -> tuple[float, list[str]]:
    """One full script run; its seconds and the errors it showed (none expected)."""
    from streamlit.util import calc_hash

    at = new_app(page, community)
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    errors = [str(e.value)[:300] for e in at.exception] + [str(e.value)[:300] for e in at.error]
    if at._finished_page_script_hash != calc_hash(page.url):
        errors.append(f"the run did not end on {page.url}")
    return seconds, errors


def run_empty() -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(EMPTY_PAGE, default_timeout=60)
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def call_tag(params: dict, base: dict, previous: dict) -> str:
    """How a call's parameters differ from the page filter's own: '' for the usual call."""
    parts = []
    if params.get("period_start") is not None and params.get("period_start") != base.get("period_start"):
        same_as_previous = (params.get("period_start"), params.get("period_end")) == (
            previous.get("period_start"),
            previous.get("period_end"),
        )
        parts.append("previous period" if same_as_previous else f"since {params['period_start']}")
    ids, base_ids = params.get("compound_ids"), base["compound_ids"]
    listed = isinstance(ids, list | tuple) and isinstance(base_ids, list | tuple)
    if ids is not None and ids is not base_ids and (not listed or list(ids) != list(base_ids)):
        counted = f"{len(ids)} compound{'s' if len(ids) != 1 else ''}" if isinstance(ids, list | tuple) else "street"
        parts.append(counted)
    for key, value in params.items():
        if key not in base:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def distinct(calls: list[dict]) -> list[dict]:
    seen, out = set(), []
    for c in calls:
        key = (c["query"], repr(sorted(c["params"].items())))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def profile_top(page: Page, community: str | None) -> tuple[float, list[list]]:
    """One warm run under cProfile: the app's own functions and Streamlit's element calls by cumulative time.

    The script runs in AppTest's script thread, so the profiler is switched on inside that thread.
    """
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    profiler = cProfile.Profile()
    original = ScriptRunner._run_script

    def profiled(self, rerun_data):
        profiler.enable()
        try:
            return original(self, rerun_data)
        finally:
            profiler.disable()

    ScriptRunner._run_script = profiled
    try:
        seconds, _ = run_page(page, community)
    finally:
        ScriptRunner._run_script = original
    stats = pstats.Stats(profiler).stats
    total = max(ct for (_, _, _, ct, _) in stats.values())
    rows: dict[str, float] = {}
    root = str(ROOT)
    for (filename, _, func), (_, _, _, ct, _) in stats.items():
        if func == "<module>" or ct < 0.01 * total:
            continue
        name = None
        if filename.startswith(root) and "/.venv/" not in filename and "/bench/" not in filename:
            name = f"{filename[len(root) + 1 :]}:{func}"
        elif "/streamlit/" in filename:
            name = STREAMLIT_PARTS.get((filename.rsplit("/", 1)[-1], func))
        if name:
            rows[name] = max(rows.get(name, 0.0), ct / total)
    top = sorted(rows.items(), key=lambda r: -r[1])[:PROFILE_TOP]
    return seconds, [[n, round(s, 3)] for n, s in top]


def time_query(name: str, params: dict) -> float:
    """One run of the query alone in DuckDB (db.run: execute and fetch a DataFrame)."""
    from oversight import db

    con = db.connect()
    started = time.perf_counter()
    db.run(name, con, **params)
    return time.perf_counter() - started


def paired_runs(page: Page, community: str | None, calls: list[dict], reps: int, errors: list[str]):
    """`reps` rounds of the ratio's three sides: one uncached run of the page; each of its queries alone,
    run twice in a row; the empty page.

    Timed in the same rounds, a slower minute on this shared machine falls on all three sides. Of a
    query's two runs the second is the floor: hot, like the median of five runs in a row that this
    replaced (the first, right after the page, is kept beside it, and adds up higher). An untimed
    gc.collect() comes before the queries and before the empty page, so that they do not pay for the
    page's garbage; none comes before the page, which pays for garbage as a server's runs do.
    Returns the page's seconds, each query's (first, second) seconds in the order of `calls`, and the
    empty page's.
    """
    import gc

    import streamlit as st

    for c in calls:  # a warm-up, as the page's own warm-up run had
        time_query(c["query"], c["params"])
    uncached, alone, empty = [], [([], []) for _ in calls], []
    for _ in range(reps):
        st.cache_data.clear()
        seconds, errs = run_page(page, community)
        uncached.append(seconds)
        errors += errs
        gc.collect()
        for c, (first, second) in zip(calls, alone, strict=True):
            first.append(time_query(c["query"], c["params"]))
            second.append(time_query(c["query"], c["params"]))
        gc.collect()
        empty.append(run_empty())
    return uncached, alone, empty


def plain(params: dict) -> dict:
    """Parameters as the report shows them: the compound list by its length."""
    return {
        k: (f"{len(v)} ids" if isinstance(v, list | tuple) else v.isoformat() if isinstance(v, date) else v)
        for k, v in params.items()
    }


def warm_worker(page_names: list[str], reps: int) -> dict:
    import streamlit as st

    from bench.common import default_filter, scenario
    from oversight import db

    con = db.connect()
    filters, community = {}, None
    for key in ("none", "community"):
        sc = scenario(con, key)
        flt = default_filter(con, sc)
        # No filter: the pages bind the whole street as db.STREET, where this release has it.
        ids = getattr(db, "STREET", sc.compound_ids) if key == "none" else sc.compound_ids
        filters[key] = (flt.params(ids), flt.params(ids, previous=True))
        community = sc.community_id or community
    db.close_all()

    from bench.common import Stopwatch
    from oversight.ui import context, sidebar

    data = Stopwatch()  # the data work of a run: every ctx.fetch, and the filter options
    data.wrap(context.Context, "fetch")
    data.wrap(sidebar, "load_options")

    result: dict = {"empty": {}, "pages": []}
    run_empty()
    result["empty"]["seconds"] = [run_empty() for _ in range(max(reps, 5))]

    wanted = [p for p in pages() if p.name in page_names]
    for page in wanted:
        for key, comm in (("none", None), ("community", community)):
            st.cache_data.clear()
            with Recorder() as first:
                warmup, errors = run_page(page, comm)
            with Recorder() as again:
                warm, warm_data = [], []
                for _ in range(reps):
                    data.take()
                    seconds, errs = run_page(page, comm)
                    warm.append(seconds)
                    warm_data.append(data.take())
                    errors += errs
            per_rerun = distinct(again.calls)
            calls = distinct(first.calls)
            uncached, alone, empty = paired_runs(page, comm, calls, reps, errors)
            _, top = profile_top(page, comm)
            base, previous = filters[key]
            queries = []
            for c, (first, second) in zip(calls, alone, strict=True):
                queries.append(
                    {
                        "query": c["query"],
                        "tag": call_tag(c["params"], base, previous),
                        "rows": c["rows"],
                        "first_run_s": c["seconds"],
                        "alone_s": median(second),
                        "alone_runs_s": second,
                        "alone_once_s": first,
                        "params": plain(c["params"]),
                    }
                )
            result["pages"].append(
                {
                    "page": page.name,
                    "scenario": key,
                    "warmup_s": warmup,
                    "warm_s": warm,
                    "warm_data_s": warm_data,
                    "uncached_s": uncached,
                    "empty_s": empty,
                    "errors": errors,
                    "queries": queries,
                    "rerun_queries": [
                        {"query": c["query"], "seconds": c["seconds"], "rows": c["rows"]} for c in per_rerun
                    ],
                    "profile": top,
                }
            )
            db.close_all()  # the next page starts from a fresh DuckDB instance, like its warm-up alone would
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages")
    parser.add_argument("mode", choices=["cold", "warm"])
    parser.add_argument("--page", action="append", default=[], help="page name (cold: exactly one)")
    parser.add_argument("--community", default="", help="cold: the community id of the one-community scenario")
    parser.add_argument("--scenario", choices=["none", "community"], default="none")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    prepare()
    from bench.common import peak_rss_mb

    if args.mode == "cold":
        page = next(p for p in pages() if p.name == args.page[0])
        seconds, errors = run_page(page, args.community if args.scenario == "community" else None)
        emit({"seconds": seconds, "errors": errors, "peak_mb": peak_rss_mb()})
    else:
        result = warm_worker(args.page or [p.name for p in pages()], args.reps)
        result["peak_mb"] = peak_rss_mb()
        emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
