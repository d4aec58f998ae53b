"""The ASGI app `python -m oversight serve` runs under uvicorn: Streamlit's st.App with the routes
that set and clear the session cookie, a readiness route, and the middleware that adds security
headers and keeps download files (/media/) to live sessions.

The Streamlit script cannot set an HttpOnly cookie; a route can. So a sign-in the script has
checked sends the browser to /session/open with a one-time code, and the route answers with the
cookie and a redirect back to the page (oversight.sessions).
"""

from __future__ import annotations

import logging
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

from oversight import audit, auth, db, sessions, settings

log = logging.getLogger("oversight.server")

OPEN_PATH, CLOSE_PATH, READY_PATH = "/session/open", "/session/close", "/ready"
_PAGE = re.compile(r"^[a-z0-9_-]{0,40}$")

# Streamlit's own frontend needs inline styles and scripts and eval (Vega expressions); everything
# else is this origin only, images may be data: URLs, and no other site may frame the app.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _address(request: Request) -> str:
    return auth.client_address(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))


def _https(request: Request) -> bool:
    peer = request.client.host if request.client else None
    forwarded = peer in settings.trusted_proxies() and request.headers.get("x-forwarded-proto") == "https"
    return request.url.scheme == "https" or forwarded


def _next(request: Request) -> str:
    """Where to go after the cookie is set: a page of this app, with the filters its link carried."""
    page = request.query_params.get("next", "")
    target = "/" + (page if _PAGE.match(page) else "")
    kept = urlencode(parse_qsl(request.query_params.get("query", ""))[:50])  # re-encoded: no header tricks
    return f"{target}?{kept}" if kept else target


async def open_session(request: Request):
    """Exchange the one-time code for the session cookie, then back to the page asked for."""
    address = _address(request)
    opened = await run_in_threadpool(sessions.open_session, request.query_params.get("code", ""), address)
    response = RedirectResponse(_next(request), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    if opened is None:
        await run_in_threadpool(audit.record, "session_refused", "", {"reason": "code"}, address)
        return response
    name, token = opened
    response.set_cookie(
        sessions.COOKIE,
        token,
        max_age=int(settings.session_hours() * 3600),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_https(request),
    )
    return response


async def close_session(request: Request):
    """Clear the cookie (the script has already ended the session) and show the sign-in page."""
    await run_in_threadpool(sessions.end, request.cookies.get(sessions.COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response


def readiness() -> dict:
    """The data opens and answers, and the accounts file opens: what a proxy or systemd should wait for."""
    path = settings.db_path()
    if not path.exists():  # duckdb would create an empty file
        raise FileNotFoundError(path)
    meta = db.meta(db.connect(path))
    auth.list_users()
    return {"status": "ready", "as_of": meta.get("as_of", ""), "data_version": meta.get("data_version", "")}


async def ready(request: Request):
    try:
        return JSONResponse(await run_in_threadpool(readiness))
    except Exception as e:  # noqa: BLE001 - any failure means "not ready", said in one line
        log.warning("not ready: %s", type(e).__name__)
        return PlainTextResponse("not ready\n", status_code=503)


def _cookie(scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if sessions.COOKIE in jar:
                return jar[sessions.COOKIE].value
    return None


class Guard:
    """Security headers on every HTTP response; /media/ files only for a live session's cookie
    (Streamlit serves download files there without any session of its own)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
            await send(message)

        if scope["path"].startswith("/_stcore/metrics"):
            # Streamlit's session counters are nobody's business outside the server.
            return await PlainTextResponse("not found\n", status_code=404)(scope, receive, with_headers)
        if scope["path"].startswith("/media/"):
            if not await run_in_threadpool(sessions.is_live, _cookie(scope)):
                return await PlainTextResponse("forbidden\n", status_code=403)(scope, receive, with_headers)
        return await self.app(scope, receive, with_headers)


class _NoQueryStrings(logging.Filter):
    """Access log lines keep the path, never the query string (a one-time code travels there)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            record.args = (*record.args[:2], record.args[2].split("?", 1)[0], *record.args[3:])
        return True


def build() -> st.App:
    """The dashboard as an ASGI app, for uvicorn."""
    global ACTIVE
    ACTIVE = True
    logging.getLogger("uvicorn.access").addFilter(_NoQueryStrings())
    return st.App(
        str(settings.ROOT / "dashboard.py"),
        routes=[
            Route(OPEN_PATH, open_session, methods=["GET"]),
            Route(CLOSE_PATH, close_session, methods=["GET"]),
            Route(READY_PATH, ready, methods=["GET"]),
        ],
        middleware=[Middleware(Guard)],
    )


ACTIVE = False  # True in a process serving build(): sign-ins then go through the cookie routes
