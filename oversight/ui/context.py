"""The page context: language, filter, the compounds in scope, and cached query results.

dashboard.py builds it once per rerun (after the sidebar) and pages read it with current().
Results are cached by query, parameters and the data's version, so an import refreshes every page.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow.types as pa_types
import streamlit as st
from pandas.arrays import BooleanArray, DatetimeArray, FloatingArray, IntegerArray, NumpyExtensionArray, TimedeltaArray
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from oversight import auth, db, fmt, i18n, settings
from oversight.filters import Filter
from oversight.ui import state

_KEY = state.CONTEXT
log = logging.getLogger(__name__)


MAX_RESULTS = 4000  # query results kept (st.cache_data's LRU)


@st.cache_data(show_spinner=False, max_entries=MAX_RESULTS)
def _run_cached(*, db_file: str, data_version: str, query: str, key: str, _params: dict) -> pd.DataFrame:
    # _params is left out of Streamlit's hashing (thousands of compound ids at city scale);
    # `key` stands for it, made once by _key.
    frame = db.run(query, db.connect(db_file), **_params)
    _made(db_file, data_version).add((query, key))
    return frame


@st.cache_data(show_spinner=False, max_entries=64)
def generation(*, db_file: str, data_version: str) -> str:
    """A token that lives as long as this version's cached results: st.cache_data.clear() (the
    benchmark's uncached runs) ends it, so what is keyed by it (the sidebar's options, what _made
    says was made) is worked out again too. The options' rows are then read again; options built from
    the same rows are used again (sidebar._built)."""
    return secrets.token_hex(8)


_made_in: dict[tuple[str, str], tuple[str, set]] = {}


def _made(db_file: str, data_version: str) -> set:
    """(query, key) of the results made for this version since its cached results were last emptied."""
    token = generation(db_file=db_file, data_version=data_version)
    held = _made_in.get((db_file, data_version))
    # Started afresh past twice the cache's size: st.cache_data has dropped the oldest by then, and a
    # key said made but dropped only loses its prefetch.
    if held is None or held[0] != token or len(held[1]) > 2 * MAX_RESULTS:
        held = _made_in[(db_file, data_version)] = (token, set())
    return held[1]


def _key(params: dict) -> str:
    """A digest of the parameters: far cheaper than st.cache_data hashing a list of 5,000 ids.

    The ids go into the digest as one joined string, not through repr(), which escapes every
    separator (0.8 ms a call for 5,000 ids, on every fetch of every rerun)."""
    hashed = hashlib.sha1()
    for k, v in sorted(params.items()):
        joined = "\x1f".join(v) if k == "compound_ids" and v is not db.STREET else None
        # Unambiguous only if no id holds the separator itself: such ids go through repr() instead.
        if joined is not None and joined.count("\x1f") == max(len(v) - 1, 0):
            hashed.update(f"{k}:{len(v)}:".encode() + joined.encode("utf-8") + b"\x1e")
        else:
            hashed.update(repr((k, v)).encode("utf-8") + b"\x1e")
    return hashed.hexdigest()


def cached(db_file: str, data_version: str, query: str, **params) -> pd.DataFrame:
    """A query result shared by every session until the data version changes."""
    return _run_cached(db_file=db_file, data_version=data_version, query=query, key=_key(params), _params=params)


# A page's plan: the queries its last run fetched for the filter's compounds, (query, previous, extra).
# A run of the page first hands the ones not yet made to PREFETCH, which runs them two at a time while
# the page draws (DuckDB releases the GIL); the page's own fetch then finds each made, or waits for it
# (st.cache_data computes a value once, under a lock per key). A plan from another filter or an older
# run may name a query this run does not make: it is made for nothing, once, and the page is right.
# A page that narrows the context itself (the profile's one compound) plans that context under a key
# of its own (ahead), once it knows it.
_plans: dict[str, list[tuple[str, bool, dict]]] = {}
# The contexts a run records the fetches of: id -> (context, plan key, calls).
_recording: ContextVar[dict | None] = ContextVar("recording", default=None)
PREFETCH = ThreadPoolExecutor(max_workers=2, thread_name_prefix="prefetch")
# What is queued and not yet run: a key queued once, and at most PREFETCH_QUEUE at a time (under load, or
# a filter clicked through quickly, the page's own fetch makes what the prefetch has no room for).
PREFETCH_QUEUE = 64
_queued: set[tuple] = set()
_queued_lock = threading.Lock()


@contextmanager
def planned(ctx: Context, page: str):
    """Run a page with its last run's queries fetched ahead, two at a time; record this run's."""
    recorded: dict = {}
    token = _recording.set(recorded)
    try:
        ahead(ctx, page)
        yield
    finally:
        _recording.reset(token)
        for _, key, calls in recorded.values():
            _plans[key] = calls


def ahead(ctx: Context, key: str) -> None:
    """Fetch ahead what the plan `key` fetched through its context last time, now through `ctx`; and
    record what ctx fetches in this run as that plan. Within planned() only (elsewhere nothing)."""
    recorded = _recording.get()
    if recorded is None:
        return
    recorded[id(ctx)] = (ctx, key, [])  # the run holds ctx: its id is not reused meanwhile
    for query, previous, extra in _plans.get(key, []):
        fetch_ahead(ctx.db_file, ctx.data_version, query, **{**ctx.filter.params(ctx.scope_ids, previous), **extra})


def fetch_ahead(db_file: str, data_version: str, query: str, **params) -> None:
    """Have a prefetch thread make cached(db_file, data_version, query, **params), unless it is made,
    queued, or the queue is full; the caller's own cached() then finds it, or waits for it."""
    task = (db_file, data_version, query, _key(params))
    if task[2:] in _made(db_file, data_version):
        return
    with _queued_lock:
        if task in _queued or len(_queued) >= PREFETCH_QUEUE:
            return
        _queued.add(task)
    try:
        PREFETCH.submit(_prefetch, get_script_run_ctx(), task, params)
    except RuntimeError:  # the pool is shut down (the process is stopping): the caller makes it
        with _queued_lock:
            _queued.discard(task)


def beside(fn, *args):
    """Start fn(*args) in a prefetch thread while the caller goes on; the function returned gives its
    result. If no thread has started it by then (they are busy, or the queue is full), the caller runs it
    itself: it never waits behind other sessions' prefetches."""
    with _queued_lock:
        full = len(_queued) >= PREFETCH_QUEUE
    try:
        future = None if full else PREFETCH.submit(fn, *args)
    except RuntimeError:  # the pool is shut down (the process is stopping): the caller runs it
        future = None

    def result():
        if future is None or future.cancel():
            return fn(*args)
        return future.result()

    return result


def _prefetch(script, task: tuple, params: dict) -> None:
    db_file, data_version, query, key = task
    thread = threading.current_thread()
    try:
        add_script_run_ctx(thread, script)
        # Not for a version a newer one has replaced (its caches are emptied; it would be opened again),
        # nor what the page (or another session) made meanwhile: a cache hit would only copy it.
        if db_file == _seen_version["file"] and (query, key) not in _made(db_file, data_version):
            _run_cached(db_file=db_file, data_version=data_version, query=query, key=key, _params=params)
    except Exception:  # noqa: BLE001 - the page's own fetch runs it again and shows what went wrong
        log.debug("prefetch of %s failed", query, exc_info=True)
    finally:
        with _queued_lock:
            _queued.discard(task)
        add_script_run_ctx(thread, None)  # the session's context is not kept alive by an idle thread


_seen_version = {"file": ""}
# What follow_version empties when a newer version is current (query results, chart specs, ...).
_on_new_version = [_run_cached.clear, _made_in.clear]


def on_new_version(clear) -> None:
    """Register a cache to empty once a newer data version is current."""
    if clear not in _on_new_version:
        _on_new_version.append(clear)


def digest(frame: pd.DataFrame, *extra) -> str:
    """A digest of a frame's rows (values, index, columns, types) and of `extra`: the cache key of
    what is built from those rows (a chart's spec, a table's display).

    Read from the columns' own memory (Arrow buffers, NumPy bytes), not hashed value by value as
    pandas.util.hash_pandas_object does: a 5,000-row table costs about a tenth of that. Equal bytes
    mean equal rows; equal rows held differently only miss the cache, never hit a wrong entry."""
    arrays = fmt.column_arrays(frame)
    index = frame.index
    types = [str(a.dtype) for a in arrays]
    hashed = hashlib.sha1(
        repr((extra, list(frame.columns), types, frame.shape, str(index.dtype), list(index.names))).encode("utf-8")
    )
    if isinstance(index, pd.RangeIndex):
        hashed.update(repr((index.start, index.stop, index.step)).encode("utf-8"))
    elif isinstance(index, pd.MultiIndex):
        for level in range(index.nlevels):
            _digest_array(hashed, index.get_level_values(level).array)
    else:
        _digest_array(hashed, index.array)
    for values in arrays:
        _digest_array(hashed, values)
    return hashed.hexdigest()


def _digest_array(hashed, values) -> None:
    arrow = getattr(values, "_pa_array", None)  # Arrow-backed (pandas' str columns)
    if arrow is not None and not any(
        pa_types.is_dictionary(c.type) or pa_types.is_nested(c.type) for c in arrow.chunks
    ):
        for chunk in arrow.chunks:
            hashed.update(repr((str(chunk.type), chunk.offset, len(chunk))).encode("utf-8"))
            for buffer in chunk.buffers():
                # Marked and length-prefixed: no buffer (no nulls) must not read as a buffer of zero bytes.
                if buffer is None:
                    hashed.update(b"-")
                else:
                    hashed.update(b"+" + buffer.size.to_bytes(8, "little"))
                    hashed.update(memoryview(buffer))
        return
    if isinstance(values, pd.Categorical):  # the codes, and what they stand for (a few) in which order
        text = repr((values.ordered, values.categories.tolist())).encode("utf-8", "surrogatepass")
        hashed.update(len(text).to_bytes(8, "little") + text)
        values = values.codes
    if isinstance(values, NumpyExtensionArray):
        values = values.to_numpy()
    elif isinstance(values, DatetimeArray | TimedeltaArray):
        values = values.asi8  # the ticks (NaT its own value); the unit and time zone are in the dtype
    elif isinstance(values, IntegerArray | FloatingArray | BooleanArray):  # nullable: which are missing, then the rest
        hashed.update(np.ascontiguousarray(values.isna()).view(np.uint8))
        values = values.to_numpy(dtype=values.dtype.numpy_dtype, na_value=0)
    if isinstance(values, np.ndarray) and values.dtype != object:
        hashed.update(np.ascontiguousarray(values).view(np.uint8))
        return
    # Anything else (Python objects, lists, periods, intervals) by each value's repr: pandas' own hash
    # reads 1 and "1", or None and NaN, alike, and refuses lists (a DuckDB LIST). Rare in a table.
    text = repr(values.tolist()).encode("utf-8", "surrogatepass")
    hashed.update(len(text).to_bytes(8, "little") + text)


def follow_version(db_file: str) -> None:
    """Drop cached results once a newer version is current, so memory stays flat over many writes."""
    if _seen_version["file"] and _seen_version["file"] != db_file:
        for clear in _on_new_version:
            clear()
    _seen_version["file"] = db_file


@dataclass(frozen=True)
class Context:
    lang: str
    filter: Filter
    compound_ids: list[str]
    db_file: str  # the version this rerun reads (pinned: a write meanwhile does not mix versions)
    data_version: str
    labels: dict[str, str]  # compound_id -> label
    community_names: dict[str, str]
    account: auth.Account | None = None
    store_path: str = ""  # the path writes go to (settings.db_path())
    first_month: date | None = None  # the first month with data: no change is shown against a period before it
    compound_labels: dict[str, str] | None = None  # compound_id -> the unique label the sidebar and URLs use
    # A street account's count of the street's compounds (None: an account that sees part of it): its
    # compound_ids, always a subset of them, are the whole street when they are as many (see scope_ids).
    street_size: int | None = None

    @property
    def as_of(self) -> date:
        return self.filter.as_of

    @property
    def as_at(self) -> date:
        """The day stock figures (backlog, points outstanding) stand on: the period's end, never after as_of."""
        return self.filter.as_at

    @property
    def writable_compounds(self) -> list[str] | None:
        """The compounds this account may write rows of (imports, deletes, cases); None: every compound."""
        if self.account is None or self.account.sees_everything:
            return None
        return list(self.filter.allowed or ())

    def t(self, key: str, **fmt) -> str:
        return i18n.t(key, self.lang, **fmt)

    @property
    def whole_street(self) -> bool:
        """Whether compound_ids are every compound of the street: derived, so a context made narrower by
        dataclasses.replace (the profile's one compound) is not."""
        return self.street_size is not None and len(self.compound_ids) == self.street_size

    @property
    def scope_ids(self):
        """$compound_ids for this filter's queries: db.STREET when it is the whole street, else the ids."""
        return db.STREET if self.whole_street else self.compound_ids

    def fetch(self, query: str, previous: bool = False, compound_ids: list[str] | None = None, **extra) -> pd.DataFrame:
        """queries/<query>.sql for this filter (or the period before it), cached by data version."""
        ids = self.scope_ids if compound_ids is None else compound_ids
        params = {**self.filter.params(ids, previous), **extra}
        recorded = _recording.get()
        entry = recorded.get(id(self)) if recorded is not None and compound_ids is None else None
        if entry is not None and entry[0] is self:  # a context the run plans (not one made narrower)
            entry[2].append((query, previous, extra))
        # st.cache_data hands each caller its own copy already.
        return cached(self.db_file, self.data_version, query, **params)


def store(ctx: Context) -> None:
    st.session_state[_KEY] = ctx


def current() -> Context:
    return st.session_state[_KEY]


def db_file() -> str:
    return str(settings.db_path())
