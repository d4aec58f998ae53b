"""deploy/nginx/oversight.conf for real: nginx with TLS in front of two dashboard processes on one
data path. Sign in through nginx, reload, still signed in; a CLI import shows on both processes;
with the serving process stopped, nginx fails over and the cookie still signs the official in."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bench.server import free_port
from oversight import i18n, settings, store
from tests.cli import cli_import
from tests.e2e.conftest import kpis, settle, shot, sign_in, start_server

pytestmark = pytest.mark.e2e
NGINX = Path("/usr/sbin/nginx")
FIXTURE = settings.ROOT / "tests" / "fixtures" / "good" / "requests_utf8.csv"


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def site(folder: Path, backends: list[int], http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """The deploy file with this machine's ports, certificate and log folder: nothing else changed."""
    text = (settings.ROOT / "deploy" / "nginx" / "oversight.conf").read_text()
    text = text.replace("127.0.0.1:8501", f"127.0.0.1:{backends[0]}").replace(
        "127.0.0.1:8502", f"127.0.0.1:{backends[1]}"
    )
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    text = text.replace("/etc/ssl/oversight/fullchain.pem", str(cert)).replace(
        "/etc/ssl/oversight/privkey.pem", str(key)
    )
    return text.replace("/var/log/nginx/", f"{folder}/")


class Nginx:
    def __init__(self, folder: Path, backends: list[int]):
        folder.mkdir()
        self.folder, self.http_port, self.https_port = folder, free_port(), free_port()
        cert, key = self_signed(folder)
        (folder / "site.conf").write_text(site(folder, backends, self.http_port, self.https_port, cert, key))
        temp = "\n".join(
            f"  {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (folder / "nginx.conf").write_text(
            f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
            f"events {{ worker_connections 256; }}\nhttp {{\n{temp}\n  include {folder}/site.conf;\n}}\n"
        )
        test = subprocess.run([str(NGINX), "-t", "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")],
                              capture_output=True, text=True)  # fmt: skip
        assert test.returncode == 0, test.stderr
        self.proc = subprocess.Popen(
            [str(NGINX), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.url = f"https://127.0.0.1:{self.https_port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                import ssl

                with urllib.request.urlopen(self.url + "/_stcore/health", context=ssl._create_unverified_context()):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError((folder / "error.log").read_text())

    def last_upstream(self) -> str:
        lines = [
            line for line in (self.folder / "oversight.access.log").read_text().splitlines() if "upstream=" in line
        ]
        return re.search(r"upstream=(\S+)", lines[-1]).group(1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def two_behind_nginx(demo_master, tmp_path):
    if not NGINX.exists():
        pytest.fail("nginx is not installed: apt-get install nginx (or run .ci/run)")
    db_file = tmp_path / "e2e.duckdb"
    store.publish_file(db_file, demo_master, action="demo", who="e2e")
    first = start_server(db_file)
    second = start_server(db_file, passwords=first.passwords)
    proxy = Nginx(tmp_path / "nginx", [first.port, second.port])
    yield proxy, first, second
    proxy.stop()
    for srv in (first, second):
        srv.stop()


def requests_total(page) -> int:
    # The card shows its unit ("1,234件"): the digits are the figure.
    return int(re.sub(r"\D", "", kpis(page)[i18n.t("metric.requests_total", "zh")]))


def test_signed_in_through_nginx_across_reloads_processes_and_a_cli_import(two_behind_nginx, browser):
    proxy, first, second = two_behind_nginx
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{proxy.url}/requests")
    page.locator('input[type="password"]').wait_for(timeout=60_000)
    sign_in(page, first)
    assert page.locator("h1").first.inner_text() == "居民诉求"
    cookie = next(c for c in context.cookies() if c["name"] == "oversight_session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    before = requests_total(page)

    page.reload()
    settle(page)
    assert page.locator('input[type="password"]').count() == 0 and requests_total(page) == before
    serving = proxy.last_upstream()
    assert serving in (f"127.0.0.1:{first.port}", f"127.0.0.1:{second.port}")

    # The list's CSV through nginx, to the process that drew the link (hash $remote_addr); nginx's log names the
    # route but not the download's token.
    link = page.get_by_role("link", name="下载 CSV").last
    token = link.get_attribute("href").removeprefix("/export/")
    with page.expect_download() as info:
        link.click()
    assert open(info.value.path(), "rb").read().startswith("\ufeff诉求编号,".encode())
    logged = (proxy.folder / "oversight.access.log").read_text()
    assert "GET /export/- HTTP" in logged and token not in logged

    # An import from the command line, while both processes hold the data open.
    env = {**os.environ, "OVERSIGHT_ACCOUNTS": str(first.accounts)}
    done = cli_import("requests", FIXTURE, first.db_file, env)
    assert done.returncode == 0, done.stdout + done.stderr
    page.reload()
    settle(page)
    assert requests_total(page) == before + 3
    assert proxy.last_upstream() == serving  # sticky

    # The serving process goes away: nginx sends the browser to the other, and the cookie still holds.
    (first if serving.endswith(str(first.port)) else second).stop()
    page.reload()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning' && document.querySelector('h1') !== null",
        timeout=60_000,
    )
    settle(page)
    shot(page, "nginx_failover_still_signed_in")
    assert proxy.last_upstream() != serving
    assert page.locator('input[type="password"]').count() == 0
    assert page.locator("h1").first.inner_text() == "居民诉求" and requests_total(page) == before + 3

    plain = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    plain.request("GET", "/overview")
    answer = plain.getresponse()
    assert answer.status == 301 and answer.getheader("Location").startswith("https://")  # plain HTTP goes to HTTPS
    context.close()
    shutil.rmtree(proxy.folder / "proxy", ignore_errors=True)


def test_nginx_sends_each_computer_of_one_office_where_the_benchmark_says(tmp_path):
    """The deploy file's upstream hashes the whole address, as bench.concurrency.upstream models it: the
    computers of one /24 network spread over the processes (ip_hash sent them all to one)."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bench.concurrency import upstream

    if not NGINX.exists():
        pytest.fail("nginx is not installed: apt-get install nginx (or run .ci/run)")

    class Ok(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    backends = [ThreadingHTTPServer(("127.0.0.1", 0), Ok) for _ in range(2)]
    for b in backends:
        threading.Thread(target=b.serve_forever, daemon=True).start()
    ports = [b.server_address[1] for b in backends]
    proxy = Nginx(tmp_path / "nginx", ports)
    try:
        log = proxy.folder / "oversight.access.log"
        picked, expected = [], []
        for host in range(2, 42):
            source = f"127.0.0.{host}"
            con = http.client.HTTPSConnection(
                "127.0.0.1", proxy.https_port, source_address=(source, 0), context=ssl._create_unverified_context()
            )
            con.request("GET", f"/_stcore/health?from={host}")
            assert con.getresponse().read() == b"ok"
            con.close()
            deadline = time.time() + 10
            while log.read_text().count(f"{source} [") == 0 and time.time() < deadline:
                time.sleep(0.02)  # nginx logs a request once it has answered it
            line = [x for x in log.read_text().splitlines() if x.startswith(f"{source} [")][-1]
            picked.append(re.search(r"upstream=(\S+)", line).group(1))
            expected.append(f"127.0.0.1:{ports[upstream(source, 2)]}")
        assert picked == expected
        assert len(set(picked)) == 2  # one office's computers reach both processes
    finally:
        proxy.stop()
        for b in backends:
            b.shutdown()
