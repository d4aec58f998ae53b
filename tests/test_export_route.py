"""The /export/<token> route of oversight.ui.server, served by uvicorn on a free port: the real route,
the Guard middleware, the registry of prepared downloads, cookie sessions in a real accounts file and
DuckDB exports of the demo data. The browser's side (the link on the requests page) is in
tests/e2e/test_export_link.py."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from contextlib import contextmanager
from datetime import date
from urllib.parse import unquote

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from bench.server import free_port
from oversight import audit, auth, db, export, i18n, sessions
from oversight.ui import server

FILE_NAME = "居民诉求清单_和美社区_截至2023-09-30.csv"
HEADERS = {"request_id": "诉求编号", "channel": "渠道"}


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("OVERSIGHT_ACCOUNTS", str(tmp_path / "accounts.sqlite"))
    auth.add_user("street", "street_admin", "a-long-password-1")
    auth.add_user("other", "street_admin", "a-long-password-2")


def _cookie(name: str) -> str:
    """A live session's cookie token, the way /session/open makes it."""
    return sessions.open_session(sessions.issue_code(name, "127.0.0.1"), "127.0.0.1")[1]


@pytest.fixture
def app(accounts, monkeypatch):
    """The route and the middleware as `python -m oversight serve` mounts them, on a free port."""
    monkeypatch.setattr(server, "DOWNLOADS", export.Downloads(seconds=600, uses=3))
    monkeypatch.setattr(server, "_slots", None)
    routes = [Route(server.EXPORT_PATH + "{token}", server.download, methods=["GET"])]
    asgi = Starlette(routes=routes, middleware=[Middleware(server.Guard)])
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not uv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=30)


def _requests_query(con) -> tuple[str, dict, dict]:
    sql = db.query_text("requests_list")
    params = {
        "compound_ids": db.all_compound_ids(con),
        "period_start": date(2021, 1, 1),
        "period_end": date(2024, 1, 1),
        "as_at": date(2023, 9, 30),
        "limit": None,
    }
    return sql, db.bind(sql, params), {"channel": i18n.codes("channel", "zh")}


def _offer(demo_db, cookie: str, slot: str = "tab/requests_list", now: float | None = None, ids=None) -> str:
    con = db.connect(demo_db)
    sql, params, codes = _requests_query(con)
    if ids is not None:
        params["compound_ids"] = ids
    job = export.Download(
        export.session_key(cookie),
        "requests_list",
        FILE_NAME,
        "street",
        "127.0.0.1",
        "和美社区",
        lambda: export.QueryCsv(db.connect(demo_db), sql, params, HEADERS, codes, display=True),
    )
    return server.DOWNLOADS.offer(slot, job, now=now)


def _get(host: str, path: str, cookie: str | None = None):
    """(status, headers, body) of a GET, with the session cookie if given."""
    con = http.client.HTTPConnection(host, timeout=60)
    con.request("GET", path, headers={"Cookie": f"{sessions.COOKIE}={cookie}"} if cookie else {})
    response = con.getresponse()
    body = response.read()
    con.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _expected(demo_db, tmp_path, ids=None) -> bytes:
    con = db.connect(demo_db)
    sql, params, codes = _requests_query(con)
    if ids is not None:
        params["compound_ids"] = ids
    out = tmp_path / "expected.csv"
    export.write_query_csv(con, sql, params, out, HEADERS, codes, display=True)
    return out.read_bytes()


def _downloads(who: str) -> list[dict]:
    log = audit.entries()
    return [json.loads(d) for d in log[(log["action"] == "download") & (log["who"] == who)]["detail"]]


def test_the_route_streams_the_prepared_csv_with_its_name_and_records_it(app, demo_db, tmp_path):
    cookie = _cookie("street")
    token = _offer(demo_db, cookie)
    before = len(_downloads("street"))
    status, headers, body = _get(app, f"/export/{token}", cookie)
    assert status == 200
    assert body == _expected(demo_db, tmp_path)  # the bytes write_query_csv makes: BOM, header, rows
    assert body.startswith("\ufeff诉求编号,".encode())
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"  # Guard's headers on the route too
    disposition = headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.isascii()
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == FILE_NAME
    rows = body.decode("utf-8-sig").count("\n") - 1  # rows end in a bare LF, as DuckDB writes them
    entries = _downloads("street")
    assert len(entries) == before + 1
    assert entries[-1] == {"table": "requests_list", "filter": "和美社区", "rows": rows}


def test_the_url_cannot_widen_the_scope(app, demo_db, tmp_path):
    """The parameters are the ones the page kept: a query string asking for more changes nothing."""
    cookie = _cookie("street")
    con = db.connect(demo_db)
    one = db.all_compound_ids(con)[:1]
    token = _offer(demo_db, cookie, ids=one)
    everyone = "&".join(f"compound_ids={c}" for c in db.all_compound_ids(con))
    status, _, body = _get(app, f"/export/{token}?{everyone}&limit=&table=requests", cookie)
    assert status == 200
    assert body == _expected(demo_db, tmp_path, ids=one)
    assert body != _expected(demo_db, tmp_path)


def _refused(status_body, status: int, key: str) -> None:
    code, _, body = status_body
    text = body.decode("utf-8")
    assert code == status
    assert text == f"{i18n.t(key, 'zh')} / {i18n.t(key, 'en')}\n"  # one line, no traceback
    assert "Traceback" not in text


def test_refused_without_a_live_session_or_with_a_token_not_this_sessions(app, demo_db):
    cookie, other = _cookie("street"), _cookie("other")
    token = _offer(demo_db, cookie)
    _refused(_get(app, f"/export/{token}"), 403, "download.refused_session")  # no cookie
    _refused(_get(app, f"/export/{token}", "not-a-session"), 403, "download.refused_session")
    _refused(_get(app, f"/export/{token}", other), 404, "download.refused_link")  # another session's
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    _refused(_get(app, f"/export/{forged}", cookie), 404, "download.refused_link")
    _refused(_get(app, "/export/short", cookie), 404, "download.refused_link")
    for tricky in ("/export/..%2F..%2Fready", f"/export/{token}%00", f"/export/{token}/x"):
        assert _get(app, tricky, cookie)[0] == 404
    sessions.end(cookie)  # signed out: the link dies with the session
    _refused(_get(app, f"/export/{token}", cookie), 403, "download.refused_session")
    refusals = audit.entries()
    assert (refusals["action"] == "download_refused").sum() >= 2


def test_a_link_is_used_a_few_times_within_its_minutes_only(app, demo_db):
    cookie = _cookie("street")
    token = _offer(demo_db, cookie)
    assert [_get(app, f"/export/{token}", cookie)[0] for _ in range(3)] == [200, 200, 200]
    _refused(_get(app, f"/export/{token}", cookie), 404, "download.refused_link")  # used up
    # Drawn again, the page's slot gets a new token; the spent one stays dead.
    fresh = _offer(demo_db, cookie)
    assert fresh != token and _get(app, f"/export/{fresh}", cookie)[0] == 200
    stale = _offer(demo_db, cookie, slot="tab/old", now=time.time() - 601)
    _refused(_get(app, f"/export/{stale}", cookie), 404, "download.refused_link")  # expired


def test_a_redraw_keeps_the_link_and_gives_the_rows_the_page_shows(demo_db, accounts):
    downloads = export.Downloads(seconds=600, uses=3)
    cookie = _cookie("street")
    key = export.session_key(cookie)

    def job(rows: int) -> export.Download:
        frame = __import__("pandas").DataFrame({"n": range(rows)})
        return export.Download(key, "t", "t.csv", "street", "", "", lambda: export.FrameCsv(frame))

    first = downloads.offer("tab/t", job(1))
    assert downloads.offer("tab/t", job(2)) == first
    made = downloads.claim(first, key).source()
    assert b"".join(made) == export.csv_bytes(__import__("pandas").DataFrame({"n": range(2)})) and made.rows == 2
    assert downloads.offer("other-tab/t", job(1)) != first  # another tab of the session: its own link
    with pytest.raises(export.Refused) as refused:
        downloads.claim(first, export.session_key(_cookie("other")))
    assert refused.value.kind == "session"
    later = time.time() + 601
    assert downloads.offer("tab/t", job(1), now=later) != first  # drawn after its minutes: a new link


class _Held:
    """A download whose rows wait for `go`: it holds its place among the exports at once."""

    def __init__(self, go: threading.Event, started: threading.Event):
        self.go, self.started, self.rows = go, started, None

    def __iter__(self):
        yield b"\xef\xbb\xbfn\r\n"
        self.started.set()
        self.go.wait(30)
        self.rows = 0


def test_exports_beyond_the_limit_wait_then_are_refused_as_busy(app, demo_db, monkeypatch, tmp_path):
    monkeypatch.setenv("OVERSIGHT_EXPORTS_AT_ONCE", "1")
    monkeypatch.setenv("OVERSIGHT_EXPORT_WAIT_SECONDS", "1")
    cookie, other = _cookie("street"), _cookie("other")
    go, started = threading.Event(), threading.Event()
    held = export.Download(export.session_key(cookie), "t", "t.csv", "street", "", "", lambda: _Held(go, started))
    held_token = server.DOWNLOADS.offer("tab/held", held)
    waiting = _offer(demo_db, other)
    first = threading.Thread(target=_get, args=(app, f"/export/{held_token}", cookie))
    first.start()
    assert started.wait(30)
    _refused(_get(app, f"/export/{waiting}", other), 503, "download.busy")
    go.set()
    first.join(30)
    # The refused download kept its use, and goes through once the place is free.
    status, _, body = _get(app, f"/export/{waiting}", other)
    assert status == 200 and body == _expected(demo_db, tmp_path)


def test_one_account_has_one_download_at_a_time_and_others_go_on(app, demo_db, monkeypatch, tmp_path):
    """However many links and sessions an official (or a stolen cookie) has, one download runs at a time
    for the account: it cannot take every place for exports at once from the others."""
    monkeypatch.setenv("OVERSIGHT_EXPORTS_AT_ONCE", "2")
    monkeypatch.setenv("OVERSIGHT_EXPORT_WAIT_SECONDS", "1")
    cookie, second_session, other = _cookie("street"), _cookie("street"), _cookie("other")
    go, started = threading.Event(), threading.Event()
    held = export.Download(export.session_key(cookie), "t", "t.csv", "street", "", "", lambda: _Held(go, started))
    first = threading.Thread(target=_get, args=(app, f"/export/{server.DOWNLOADS.offer('tab/held', held)}", cookie))
    first.start()
    assert started.wait(30)
    again = _offer(demo_db, second_session)
    _refused(_get(app, f"/export/{again}", second_session), 429, "download.one_at_a_time")
    status, _, body = _get(app, f"/export/{_offer(demo_db, other)}", other)  # another official is served
    assert status == 200 and body == _expected(demo_db, tmp_path)
    go.set()
    first.join(30)
    assert _get(app, f"/export/{again}", second_session)[0] == 200  # the refusal gave its use back


class _Rows:
    """A download's rows made on demand, `count` chunks (None: without end) `pause` seconds apart, as a
    long COPY's come; `started` after the header, `closed` if the server stops taking them early."""

    def __init__(self, chunk: bytes, count: int | None, pause: float = 0.0):
        self.chunk, self.count, self.pause, self.rows = chunk, count, pause, None
        self.started, self.closed = threading.Event(), threading.Event()

    def __iter__(self):
        yield b"\xef\xbb\xbfn\r\n"
        self.started.set()
        made = 0
        try:
            while self.count is None or made < self.count:
                time.sleep(self.pause)
                made += 1
                yield self.chunk
        except GeneratorExit:
            self.closed.set()
            raise
        self.rows = made


@contextmanager
def _browser(app: str, token: str, cookie: str, receive_buffer: int | None = None):
    """A raw connection that has asked for the download, for tests of browsers that stall or leave."""
    host, port = app.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as browser:
        if receive_buffer:
            browser.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        browser.sendall(
            f"GET /export/{token} HTTP/1.1\r\nHost: x\r\nCookie: {sessions.COOKIE}={cookie}\r\n\r\n".encode()
        )
        yield browser


def test_a_browser_that_stops_reading_is_dropped_and_frees_its_place(app, demo_db, monkeypatch, tmp_path):
    monkeypatch.setenv("OVERSIGHT_EXPORTS_AT_ONCE", "1")
    monkeypatch.setenv("OVERSIGHT_EXPORT_WAIT_SECONDS", "20")
    monkeypatch.setenv("OVERSIGHT_EXPORT_STALL_SECONDS", "1")
    cookie, other = _cookie("street"), _cookie("other")
    endless = _Rows(b"1\n" * (1 << 19), None)  # megabytes without end
    job = export.Download(export.session_key(cookie), "endless", "e.csv", "street", "", "", lambda: endless)
    with _browser(app, server.DOWNLOADS.offer("tab/endless", job), cookie, receive_buffer=4096) as browser:
        assert endless.started.wait(30)
        assert browser.recv(1024).startswith(b"HTTP/1.1 200")
        # The browser stays connected and reads nothing more: dropped after a second, its place freed.
        assert endless.closed.wait(20)
        status, _, body = _get(app, f"/export/{_offer(demo_db, other)}", other)
        assert status == 200 and body == _expected(demo_db, tmp_path)
    assert all(d["table"] != "endless" for d in _downloads("street"))


def test_refused_links_are_recorded_with_the_account_once_a_minute(app, demo_db):
    cookie = _cookie("street")
    token = _offer(demo_db, cookie)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(5):
        _refused(_get(app, f"/export/{forged}", cookie), 404, "download.refused_link")
    log = audit.entries()
    refused = log[(log["action"] == "download_refused") & (log["who"] == "street")]
    assert len(refused) == 1 and json.loads(refused["detail"].iloc[0])["reason"] == "unknown"


def test_a_session_keeps_at_most_its_share_of_prepared_downloads(accounts):
    """Each prepared download holds its page's rows: one session cannot fill the registry."""
    downloads = export.Downloads(seconds=600, uses=3, per_session=3)
    mine, theirs = export.session_key(_cookie("street")), export.session_key(_cookie("other"))

    def job(key: str) -> export.Download:
        return export.Download(key, "t", "t.csv", "", "", "", lambda: export.FrameCsv(__import__("pandas").DataFrame()))

    their_token = downloads.offer("their-tab/t", job(theirs))
    tokens = [downloads.offer(f"tab/t{i}", job(mine)) for i in range(5)]
    for old in tokens[:2]:
        with pytest.raises(export.Refused):
            downloads.claim(old, mine)
    assert all(downloads.claim(t, mine) for t in tokens[2:])
    assert downloads.claim(their_token, theirs)


def test_head_spends_no_use_and_the_access_log_keeps_no_token(app, demo_db):
    import logging

    cookie = _cookie("street")
    token = _offer(demo_db, cookie)
    con = http.client.HTTPConnection(app, timeout=30)
    con.request("HEAD", f"/export/{token}", headers={"Cookie": f"{sessions.COOKIE}={cookie}"})
    assert con.getresponse().status == 405
    con.close()
    assert [_get(app, f"/export/{token}", cookie)[0] for _ in range(3)] == [200, 200, 200]

    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/export/{token}?x=1", "1.1", 200), None,
    )  # fmt: skip
    server._NoQueryStrings().filter(record)
    assert token not in record.getMessage() and "/export/…" in record.getMessage()


def test_a_download_left_midway_frees_its_place_and_ends_its_rows(app, demo_db, monkeypatch, tmp_path):
    monkeypatch.setenv("OVERSIGHT_EXPORTS_AT_ONCE", "1")
    monkeypatch.setenv("OVERSIGHT_EXPORT_WAIT_SECONDS", "10")
    cookie = _cookie("street")
    slow = _Rows(b"1\n", 600, pause=0.05)  # half a minute of rows
    job = export.Download(export.session_key(cookie), "slow", "s.csv", "street", "", "", lambda: slow)
    with _browser(app, server.DOWNLOADS.offer("tab/slow", job), cookie) as browser:
        assert slow.started.wait(30)
        assert browser.recv(4096).startswith(b"HTTP/1.1 200")
    # The browser has gone: its rows stop being made and its place goes to the next download.
    status, _, body = _get(app, f"/export/{_offer(demo_db, cookie)}", cookie)
    assert status == 200 and body == _expected(demo_db, tmp_path)
    assert slow.closed.wait(10)
    assert all(d["table"] != "slow" for d in _downloads("street"))  # not recorded: it was never sent whole


def test_a_file_that_cannot_be_made_is_one_line_and_frees_its_place(app, demo_db, monkeypatch, tmp_path):
    monkeypatch.setenv("OVERSIGHT_EXPORTS_AT_ONCE", "1")
    cookie = _cookie("street")
    broken = export.Download(
        export.session_key(cookie),
        "gone",
        "gone.csv",
        "street",
        "",
        "",
        lambda: export.QueryCsv(db.connect(demo_db), "SELECT * FROM no_such_table", {}, {}),
    )
    _refused(_get(app, f"/export/{server.DOWNLOADS.offer('tab/gone', broken)}", cookie), 500, "download.failed")
    status, _, body = _get(app, f"/export/{_offer(demo_db, cookie)}", cookie)
    assert status == 200 and body == _expected(demo_db, tmp_path)
