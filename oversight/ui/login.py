"""The login gate: nothing with data is drawn before an account is known.

Local accounts by default; single sign-on with st.login when .streamlit/secrets.toml has [auth],
the signed-in e-mail then mapped to a local account's role and scope. Served by
`python -m oversight serve`, a sign-in becomes a cookie session (oversight.sessions) that survives
reloads, new tabs and restarts; under plain `streamlit run` or AppTest it lives in the Streamlit
session only.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import streamlit as st

from oversight import audit, auth, i18n, sessions, settings
from oversight.ui import server, state
from oversight.ui.text import md

ACCOUNT_KEY, SEEN_KEY, NOTICE_KEY, TOKEN_KEY = state.ACCOUNT, state.LAST_SEEN, state.LOGIN_NOTICE, state.SESSION_TOKEN


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


def _cookie() -> str | None:
    try:
        token = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no request context (bare mode)
        return None
    return token if isinstance(token, str) and token else None


def _browser_to(url: str) -> None:
    """Send the browser to a route of the ASGI app (the script cannot set an HttpOnly cookie)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        msg = ForwardMsg()
        msg.auth_redirect.url = url
        ctx.enqueue(msg)


def _message(error: auth.AuthError, lang: str) -> str:
    return i18n.t(f"login.error_{error.kind}", lang, **error.details)


def logout() -> None:
    """Sign out: this session ends on every process, the cookie is cleared, the audit log says so."""
    account = st.session_state.get(ACCOUNT_KEY)
    token = st.session_state.get(TOKEN_KEY) or _cookie()
    for key in (ACCOUNT_KEY, SEEN_KEY, TOKEN_KEY):
        st.session_state.pop(key, None)
    if account is not None:
        audit.record("sign_out", account.name, "", client_address())
    sessions.end(token)
    if sso_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
    elif server.ACTIVE:
        _browser_to(server.CLOSE_PATH)


def _end(account_name: str | None, reason: str) -> None:
    if account_name:
        audit.record("session_end", account_name, {"reason": reason}, client_address())
    for key in (ACCOUNT_KEY, SEEN_KEY, TOKEN_KEY):
        st.session_state.pop(key, None)
    st.session_state[NOTICE_KEY] = "login.expired" if reason == "idle" else "login.expired_absolute"


def signed_in() -> auth.Account | None:
    """The signed-in account, or None; a session idle or open for too long is ended here."""
    token = _cookie()
    if token or server.ACTIVE:
        # The cookie is the session: checked on every rerun, so a sign-out, a removed account or a
        # new password elsewhere ends this tab too.
        check = sessions.check(token)
        account = auth.find(check.name) if check.name else None
        if account is not None:
            st.session_state[ACCOUNT_KEY], st.session_state[TOKEN_KEY] = account, token
            return account
        if check.ended in ("idle", "absolute"):
            _end(check.owner, check.ended)
        elif st.session_state.get(TOKEN_KEY):
            for key in (ACCOUNT_KEY, SEEN_KEY, TOKEN_KEY):
                st.session_state.pop(key, None)
        if server.ACTIVE:
            return None
    now = time.time()
    account = st.session_state.get(ACCOUNT_KEY)
    if account and now - st.session_state.get(SEEN_KEY, now) > settings.idle_minutes() * 60:
        _end(account.name, "idle")
        return None
    if account:
        st.session_state[SEEN_KEY] = now
    return account


def _signed_in_as(account: auth.Account, method: str, next_page: str) -> None:
    """A checked sign-in: a cookie session when served with routes, else this Streamlit session."""
    address = client_address()
    audit.record("sign_in", account.name, {"result": "ok", "method": method}, address)
    if server.ACTIVE:
        code = sessions.issue_code(account.name, address)
        # The link's filters come back after the cookie is set, so a copied link still opens its view.
        query = urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
        _browser_to(f"{server.OPEN_PATH}?{urlencode({'code': code, 'next': next_page, 'query': query})}")
        st.stop()
    st.session_state[ACCOUNT_KEY], st.session_state[SEEN_KEY] = account, time.time()
    st.rerun()


def form(lang: str, next_page: str = "") -> None:
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
                _signed_in_as(found, "sso", next_page)
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
        address = client_address()
        try:
            account = auth.login(name, password, address=address)
        except auth.AuthError as e:
            tried = (name or "").strip()[:64]
            audit.record("sign_in", tried, {"result": e.kind}, address)
            if e.kind == "locked":
                audit.record("lockout", tried, {"seconds": e.details.get("seconds")}, address)
            st.error(_message(e, lang))
        else:
            _signed_in_as(account, "password", next_page)
    st.stop()


def account_box(account: auth.Account, lang: str) -> None:
    """Who is signed in, and the logout button, at the foot of the sidebar."""
    st.sidebar.caption(
        i18n.t("login.signed_in", lang, name=md(account.name), role=i18n.t(f"role.{account.role}", lang))
    )
    st.sidebar.button(i18n.t("login.logout", lang), on_click=logout, icon=":material/logout:", key="logout")
