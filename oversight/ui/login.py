"""The login gate: nothing with data is drawn before an account is known.

Local accounts by default; single sign-on with st.login when .streamlit/secrets.toml has [auth],
the signed-in e-mail then mapped to a local account's role and scope.
"""

from __future__ import annotations

import time

import streamlit as st

from oversight import auth, i18n, settings
from oversight.ui.text import md

ACCOUNT_KEY, SEEN_KEY, NOTICE_KEY = "_account", "_last_seen", "_login_notice"


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all is the usual case
        return False


def client_address() -> str:
    """This session's client address, as seen behind a trusted proxy (for lockouts and the audit log)."""
    try:
        peer, forwarded = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    except Exception:  # noqa: BLE001 - no request context (bare mode): the local machine
        peer, forwarded = None, None
    return auth.client_address(peer, forwarded)


def _message(error: auth.AuthError, lang: str) -> str:
    return i18n.t(f"login.error_{error.kind}", lang, **error.details)


def logout() -> None:
    for key in (ACCOUNT_KEY, SEEN_KEY):
        st.session_state.pop(key, None)
    if sso_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def signed_in() -> auth.Account | None:
    """The signed-in account, or None; an account idle for too long is signed out here."""
    now = time.time()
    account = st.session_state.get(ACCOUNT_KEY)
    if account and now - st.session_state.get(SEEN_KEY, now) > settings.idle_minutes() * 60:
        logout()
        st.session_state[NOTICE_KEY] = "login.expired"
        return None
    if account:
        st.session_state[SEEN_KEY] = now
    return account


def form(lang: str) -> None:
    """Draw the login page and stop the script: nothing with data is drawn before an account is known."""
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    st.title(t("app.title"))
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(t(notice))
    if sso_configured():
        if getattr(st.user, "is_logged_in", False):
            found = auth.find_by_email(st.user.get("email", ""))
            if found:
                st.session_state[ACCOUNT_KEY], st.session_state[SEEN_KEY] = found, time.time()
                st.rerun()
            st.error(t("login.unknown_email"))
            st.button(t("login.logout"), on_click=logout)
            st.stop()
        st.button(t("login.sso"), on_click=st.login, type="primary")
        st.caption(t("login.or_local"))
    with st.form("login", enter_to_submit=True):
        name = st.text_input(t("login.name"), max_chars=64, autocomplete="username")
        password = st.text_input(t("login.password"), type="password", max_chars=256, autocomplete="current-password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        try:
            st.session_state[ACCOUNT_KEY] = auth.login(name, password, address=client_address())
            st.session_state[SEEN_KEY] = time.time()
            st.rerun()
        except auth.AuthError as e:
            st.error(_message(e, lang))
    st.stop()


def account_box(account: auth.Account, lang: str) -> None:
    """Who is signed in, and the logout button, at the foot of the sidebar."""
    st.sidebar.caption(
        i18n.t("login.signed_in", lang, name=md(account.name), role=i18n.t(f"role.{account.role}", lang))
    )
    st.sidebar.button(i18n.t("login.logout", lang), on_click=logout, icon=":material/logout:", key="logout")
