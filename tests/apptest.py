"""Helpers for driving the real dashboard script with AppTest."""

from __future__ import annotations

import re
import time

from streamlit.testing.v1 import AppTest

from oversight import auth, settings
from oversight.ui import login

ADMIN = auth.Account("test_admin", "street_admin", ())


def new_app(account: auth.Account | None = ADMIN, timeout: int = 90) -> AppTest:
    """dashboard.py in AppTest, signed in as `account` (None: signed out)."""
    at = AppTest.from_file(str(settings.ROOT / "dashboard.py"), default_timeout=timeout)
    if account is not None:
        at.session_state[login.ACCOUNT_KEY] = account
        at.session_state[login.SEEN_KEY] = time.time()
    return at


CJK = re.compile(r"[\u3400-\u9fff]")


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


def ui_text(at: AppTest) -> list[str]:
    """Every label, title and caption the page shows (not table cells or chart data)."""
    texts = [t.value for t in at.title] + [s.value for s in at.subheader] + [c.value for c in at.caption]
    texts += [m.label for m in at.metric] + [b.label for b in at.button] + [i.value for i in at.info]
    texts += [t.label for t in at.tabs] + [w.label for w in at.sidebar.multiselect]
    return texts


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def open_page(
    page: str, lang: str = "zh", compound: list[str] | None = None, period: tuple[str, str] | None = None
) -> AppTest:
    """A page of the dashboard, signed in, with language and filters set before the first run."""
    at = new_app(timeout=60)
    at.session_state["lang"] = lang
    if compound:
        at.session_state["compound"] = compound
    if period:
        at.session_state["period"] = period
    at.run()
    at.switch_page(page)
    at.run()
    assert_clean(at)
    return at


def assert_kpis(at: AppTest, keys: list[str], expected: dict, lang: str = "zh") -> None:
    """Each KPI card shows the hand-computed figure, formatted the way the catalogue says (with its unit)."""
    from oversight import i18n
    from oversight import metrics as catalogue

    shown = metrics(at)
    for key in keys:
        label = i18n.t(f"metric.{key}", lang)
        assert shown[label] == catalogue.display(key, expected[key], lang), key
