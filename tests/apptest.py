"""Helpers for driving the real dashboard script with AppTest."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from streamlit.testing.v1 import AppTest

from oversight import auth, i18n, settings
from oversight.ui import login
from oversight.ui import state as keys

ADMIN = auth.Account("test_admin", "street_admin", ())


def new_app(account: auth.Account | None = ADMIN, timeout: int = 90) -> AppTest:
    """dashboard.py in AppTest, signed in as `account` (None: signed out)."""
    at = AppTest.from_file(str(settings.ROOT / "dashboard.py"), default_timeout=timeout)
    if account is not None:
        at.session_state[login.ACCOUNT_KEY] = account
        at.session_state[login.SEEN_KEY] = time.time()
    return at


# Chinese text, for "no Chinese in the English UI" and "this is Chinese": the ideographs (the basic block,
# extension A, compatibility ideographs and the rarer extensions B-G that names may use) and the
# punctuation Chinese text is set with: CJK symbols and punctuation (、。《》「」【】 and the ideographic
# space), the vertical forms, and the fullwidth forms (，：；！？（）％). Not the dash "—" or the curly
# quotes: English uses them too, and "—" is the blank of both languages.
CJK = re.compile(
    r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)


def app(
    query_params: dict | None = None,
    state: dict | None = None,
    page: str | None = None,
    account: auth.Account | None = ADMIN,
) -> AppTest:
    """A fresh AppTest of dashboard.py with URL params and widget state set before its first run.

    AppTest (1.67) drops the entry file's sidebar from its element tree on every run after the
    first when st.navigation is used, so each filter state is tested in a fresh AppTest.
    """
    at = new_app(account)
    for k, v in (query_params or {}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    if page:
        at.switch_page(page)
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def page_words(
    at: AppTest, code_columns: tuple[str, ...] = (), markdown: bool = False, captions: bool = True, charts: bool = True
) -> list[str]:
    """The words a page itself shows: title, headings, card labels, notices, buttons, selectbox and
    expander labels, table headers, the labels of `code_columns`' values, and the chart specs without
    their data (names are data, in any language); with `markdown`, its markdown and number inputs;
    with `captions`, its captions (leave them out where they carry names); `charts=False` where a
    chart's sort order lists names."""
    texts = [t.value for t in at.title] + [s.value for s in at.subheader] + [m.label for m in at.metric]
    texts += [i.value for i in at.info] + [str(c) for d in at.dataframe for c in d.value.columns]
    texts += [b.label for b in at.button] + [s.label for s in at.selectbox] + [e.label for e in at.expander]
    if captions:
        texts += [c.value for c in at.caption]
    if markdown:
        texts += [m.value for m in at.markdown] + [n.label for n in at.number_input]
    texts += [str(v) for d in at.dataframe for c in d.value.columns if c in code_columns for v in d.value[c]]
    for chart in at.get("vega_lite_chart") if charts else []:
        spec = json.loads(chart.proto.spec)
        spec.pop("datasets", None)
        texts.append(json.dumps(spec, ensure_ascii=False))
    return texts


def compound_without(db_file, table: str) -> str:
    """The first compound (by id) that has no row in `table`: for the pages' empty states."""
    from oversight import db

    return (
        db.connect(db_file)
        .execute(
            f"SELECT compound_id FROM compounds WHERE compound_id NOT IN (SELECT compound_id FROM {table})"  # noqa: S608
            " ORDER BY compound_id LIMIT 1"
        )
        .fetchone()[0]
    )


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def each_tab(at: AppTest) -> Iterator[AppTest]:
    """The page as it is, then (on the Data page, which runs only its open tab) with each other tab open."""
    yield at
    if "data_tab" not in at.session_state:
        return
    for label in [tab.label for tab in at.tabs][1:]:
        at.session_state["data_tab"] = label
        at.run()
        assert_clean(at)
        yield at


def data_tab(at: AppTest, label: str) -> AppTest:
    """The Data page switched to the tab labelled i18n key `label`, run: only the open tab runs."""
    at.session_state["data_tab"] = i18n.t(label, at.session_state[keys.LANG])
    at.run()
    assert_clean(at)
    return at


def open_page(
    page: str,
    lang: str = "zh",
    compound: list[str] | None = None,
    period: tuple[str, str] | None = None,
    state: dict | None = None,
    account: auth.Account | None = ADMIN,
    timeout: int = 60,
) -> AppTest:
    """A page of the dashboard (app_pages/<name>.py) after its first run, signed in as `account`, with the
    language, filters and any other session state set before the entry script's first run; no exception
    and no error box on it. The one way page tests open a page."""
    at = new_app(account, timeout=timeout)
    at.session_state[keys.LANG] = lang
    if compound is not None:
        at.session_state[keys.COMPOUND] = compound
    if period is not None:
        at.session_state[keys.PERIOD] = period
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page(page)
    at.run()
    assert_clean(at)
    return at


def assert_cards(shown: dict[str, str], expected: dict[str, object], lang: str = "zh") -> None:
    """The one KPI check: each card named in `expected` ({metric key: figure worked out independently})
    shows that figure formatted the way the metric catalogue says, with its unit, in `lang`.
    `shown` is {label: value} as read from AppTest (metrics) or from the browser (tests/e2e kpis)."""
    from oversight import i18n
    from oversight import metrics as catalogue

    want = {i18n.t(f"metric.{key}", lang): catalogue.display(key, value, lang) for key, value in expected.items()}
    assert {label: shown.get(label) for label in want} == want


def assert_kpis(at: AppTest, expected: dict[str, object], lang: str = "zh") -> None:
    """assert_cards on the cards of a page run in AppTest."""
    assert_cards(metrics(at), expected, lang)


def assert_headline(at: AppTest, title: str, expected: dict[str, object], charts: int, lang: str = "zh") -> None:
    """A page's title, its cards (assert_kpis) and how many charts it draws."""
    assert at.title[0].value == title
    assert_kpis(at, expected, lang)
    assert len(at.get("vega_lite_chart")) == charts


@contextmanager
def hand_sql(db_file, compounds: list[str] | None) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[str]]]:
    """A connection to the test database for figures worked out by hand, and the ids of the compounds
    they cover: those given, or all."""
    con = duckdb.connect(str(db_file))
    try:
        yield con, compounds or [r[0] for r in con.execute("SELECT compound_id FROM compounds").fetchall()]
    finally:
        con.close()
