"""The ASGI app `python -m oversight serve` runs under uvicorn: Streamlit's st.App with the routes
that set and clear the session cookie, a readiness route, and the middleware that adds security
headers and keeps download files (/media/) to live sessions.

The Streamlit script cannot set an HttpOnly cookie; a route can. So a sign-in the script has
checked sends the browser to /session/open with a one-time code, and the route answers with the
cookie and a redirect back to the page (oversight.sessions).

A table's CSV download is prepared by the script (export.Downloads: the query, its parameters with
the signed-in account's compounds, the headers, the file name) under a random token bound to the
session cookie, and streamed by the /export/<token> route: at most OVERSIGHT_EXPORTS_AT_ONCE at a
time, no file and no whole CSV held in the server.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

import streamlit as st
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, StreamingResponse
from starlette.routing import Route

from oversight import audit, auth, db, export, i18n, sessions, settings

log = logging.getLogger("oversight.server")

OPEN_PATH, CLOSE_PATH, READY_PATH, EXPORT_PATH = "/session/open", "/session/close", "/ready", "/export/"
_PAGE = re.compile(r"^[a-z0-9_-]{0,40}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")  # secrets.token_urlsafe(32): 43 characters

# The downloads the pages of this process have prepared (nginx's hash of the address sends a browser's link
# back to the process that drew its page).
DOWNLOADS = export.Downloads()

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


# A link drawn as Streamlit's secondary button: a plain <a download>, so the browser saves the file
# in place (no new tab) and nothing of it passes through the websocket.
_LINK = (
    '<a href="{href}" download data-testid="oversight-download" style="display:inline-flex;align-items:center;'
    "gap:0.5rem;min-height:2.5rem;padding:0.25rem 0.75rem;border:1px solid rgba(128,128,128,0.4);"
    'border-radius:0.5rem;color:inherit;text-decoration:none;line-height:1.6">'
    "{label}</a>"
)


def download_link(href: str, label: str) -> str:
    """The HTML of a download link to a prepared export (href: EXPORT_PATH and its token)."""
    return _LINK.format(href=html.escape(href, quote=True), label=html.escape(label))


def _both(key: str) -> str:
    """A route's one-line answer, read by whoever gets it: Chinese, then English."""
    return f"{i18n.t(key, 'zh')} / {i18n.t(key, 'en')}\n"


def _refusal(key: str, status: int) -> PlainTextResponse:
    return PlainTextResponse(_both(key), status_code=status, headers={"Cache-Control": "no-store"})


_slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None


def _export_slots() -> asyncio.Semaphore:
    """The places for exports at once (OVERSIGHT_EXPORTS_AT_ONCE), made in the serving event loop."""
    global _slots
    loop = asyncio.get_running_loop()
    if _slots is None or _slots[0] is not loop:
        _slots = (loop, asyncio.Semaphore(settings.exports_at_once()))
    return _slots[1]


# One download at a time for each account in this process, so no one official (or one stolen cookie)
# can hold every place for exports at once; a second waits for the first as for a place.
_account_locks: tuple[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] | None = None


def _account_lock(who: str) -> asyncio.Lock:
    global _account_locks
    loop = asyncio.get_running_loop()
    if _account_locks is None or _account_locks[0] is not loop:
        _account_locks = (loop, {})
    return _account_locks[1].setdefault(who, asyncio.Lock())


# Refused links recorded in the audit log: at most one entry per account a minute, with the count.
_refused: dict[str, tuple[float, int]] = {}


def _record_refusal(who: str, reason: str, address: str) -> None:
    now = time.monotonic()
    since, count = _refused.get(who, (0.0, 0))
    if now - since < 60:
        _refused[who] = (since, count + 1)
        return
    _refused[who] = (now, 0)
    audit.record("download_refused", who, {"reason": reason, "more_in_the_last_minute": count}, address)


async def download(request: Request):
    """Stream a prepared download to the session it was prepared for.

    Everything the file is made of (query, parameters, scope, headers, name) was kept server-side
    when the page was drawn; the URL only names it, and its query string is ignored. Refused with
    one line: 403 without a live session cookie, 404 for a token that is unknown, another
    session's, expired or used up; 429 when the same account's running download, and 503 when the
    OVERSIGHT_EXPORTS_AT_ONCE running exports, do not end within OVERSIGHT_EXPORT_WAIT_SECONDS.
    A browser that takes no megabyte for OVERSIGHT_EXPORT_STALL_SECONDS is dropped (_Streamed).
    """
    if request.method != "GET":  # Starlette adds HEAD to a GET route: it would spend a use on nothing
        return PlainTextResponse("GET only\n", status_code=405, headers={"Allow": "GET"})
    token = request.path_params.get("token", "")
    cookie = request.cookies.get(sessions.COOKIE)
    address = _address(request)
    who = await run_in_threadpool(sessions.live_name, cookie)
    if who is None:
        return _refusal("download.refused_session", 403)
    if not _TOKEN.match(token):
        return _refusal("download.refused_link", 404)
    try:
        job = DOWNLOADS.claim(token, export.session_key(cookie))
    except export.Refused as refused:
        await run_in_threadpool(_record_refusal, who, refused.kind, address)
        return _refusal("download.refused_link", 404)
    mine, slots = _account_lock(who), _export_slots()
    try:
        await asyncio.wait_for(mine.acquire(), timeout=settings.export_wait_seconds())
    except TimeoutError:
        DOWNLOADS.give_back(token)
        return _refusal("download.one_at_a_time", 429)
    try:
        await asyncio.wait_for(slots.acquire(), timeout=settings.export_wait_seconds())
    except TimeoutError:
        mine.release()
        DOWNLOADS.give_back(token)
        return _refusal("download.busy", 503)
    try:
        source = await run_in_threadpool(job.source)
        chunks = iter(source)
        first = await run_in_threadpool(next, chunks)  # the header: a query that fails says so here
    except Exception:  # noqa: BLE001 - one line to the browser, the detail in the server's log
        slots.release()
        mine.release()
        log.exception("export %s failed", job.table)
        return _refusal("download.failed", 500)

    sent = {"complete": False}

    async def body():
        yield first
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk
        sent["complete"] = True

    async def finish() -> None:
        # Runs however the response ends, even when the browser left before the body began.
        slots.release()
        mine.release()
        try:
            await run_in_threadpool(chunks.close)  # a cancelled download ends its COPY
        except Exception:  # noqa: BLE001 - the place is free already; the log says what went wrong
            log.exception("closing export %s", job.table)
        if sent["complete"]:
            details = {"table": job.table, "filter": job.described, "rows": source.rows}
            if job.address != address:  # the page was drawn from one address, the file fetched from another
                details["page_address"] = job.address
            await run_in_threadpool(audit.record, "download", job.who, details, address)

    headers = {"Content-Disposition": export.content_disposition(job.file_name), "Cache-Control": "no-store"}
    return _Streamed(body(), finish, media_type="text/csv; charset=utf-8", headers=headers)


class _Streamed(StreamingResponse):
    """A streamed response with `finish` awaited when it ends, completed, cancelled, never begun or
    dropped because the browser stopped taking it (OVERSIGHT_EXPORT_STALL_SECONDS for one chunk)."""

    def __init__(self, content, finish, **kwargs):
        super().__init__(content, **kwargs)
        self.finish = finish

    async def __call__(self, scope, receive, send):
        stall = settings.export_stall_seconds()

        async def send_or_drop(message):
            await asyncio.wait_for(send(message), timeout=stall)

        try:
            await super().__call__(scope, receive, send_or_drop)
        except TimeoutError:
            log.warning("a download stalled for %ss and was dropped", stall)
        finally:
            await self.finish()


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
    """Access log lines keep the path, never the query string (a one-time code travels there) nor a
    download's token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            path = record.args[2].split("?", 1)[0]
            if path.startswith(EXPORT_PATH):
                path = EXPORT_PATH + "…"
            record.args = (*record.args[:2], path, *record.args[3:])
        return True


def streamlit_options() -> dict[str, object]:
    """Streamlit's settings for a served dashboard: one upload limit (OVERSIGHT_UPLOAD_LIMIT_MB), no
    file watcher, no usage statistics, no browser, error details hidden, no export or copy from a
    table's grid (its audited download is the way out), and no full garbage collection
    after every script run (40-50 ms of each rerun at city scale, see .streamlit/config.toml)."""
    return {
        "server.maxUploadSize": settings.upload_limit_mb(),
        "server.headless": True,
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "browser.gatherUsageStats": False,
        "client.showErrorDetails": "none",
        # A table's rows leave by its own download only, recorded in the audit log (and Excel-safe).
        "client.disableDataExport": True,
        "runner.postScriptGC": False,
    }


def apply_streamlit_options() -> None:
    # st.App under uvicorn reads .streamlit/config.toml but no STREAMLIT_* variable (only `streamlit
    # run`'s command line turns those into options): they go in as that command line's flags do. Once
    # st.App knows the script: the parse then reads the config.toml beside it, wherever the service starts.
    from streamlit import config

    config.get_config_options(force_reparse=True, options_from_flags=streamlit_options())


def build() -> st.App:
    """The dashboard as an ASGI app, for uvicorn."""
    global ACTIVE
    ACTIVE = True
    logging.getLogger("uvicorn.access").addFilter(_NoQueryStrings())
    app = st.App(
        str(settings.ROOT / "dashboard.py"),
        routes=[
            Route(OPEN_PATH, open_session, methods=["GET"]),
            Route(CLOSE_PATH, close_session, methods=["GET"]),
            Route(READY_PATH, ready, methods=["GET"]),
            Route(EXPORT_PATH + "{token}", download, methods=["GET"]),
        ],
        middleware=[Middleware(Guard)],
    )
    apply_streamlit_options()
    return app


ACTIVE = False  # True in a process serving build(): sign-ins then go through the cookie routes
