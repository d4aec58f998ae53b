"""The dashboard as people use it: `streamlit run` on loopback, driven by Playwright in Debian's Chromium.

- visit: one browser visits every page, with no filter and with one community; then the server's
  resident memory (VmRSS, and its peak VmHWM) is read from /proc.
The load of many sessions is measured at the server by websocket clients that do not render
(bench/concurrency.py), so the browsers' own drawing on the same cores is not counted as the server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

from bench.common import cache_dir, status_mb
from bench.server import Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ACTION_TIMEOUT_MS = 60_000
BENCH_USER = "bench"

# Drawn: no run in flight or pending, a title, no skeleton, every visible chart's SVG.
DRAWN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && document.querySelector('h1') !== null
        && document.querySelector('[data-testid="stSkeleton"]') === null
        && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
            .filter(c => c.getClientRects().length > 0)  // a chart in a hidden tab draws when shown
            .every(c => c.querySelector('svg') !== null);
}"""
# A new session's first run drew the login form or the filters (the form's inputs appear a little
# after the run ends, so the run's end alone is not enough).
LANDED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && (document.querySelector('input[type="password"]') !== null
            || document.querySelector('[data-testid="stSidebar"] [data-testid="stMultiSelect"]') !== null);
}"""
# What the page shows, for an error message: script state, title, skeletons, charts not drawn, path.
STATE = """() => [document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'),
    document.querySelector('h1')?.innerText,
    document.querySelectorAll('[data-testid="stSkeleton"]').length,
    [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(c => !c.querySelector('svg')).length,
    location.pathname]"""
ERRORS = """() => [...document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]')]
    .map(e => e.innerText.slice(0, 200))"""


TICK = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU time of a process (user + system), with its reaped children's if asked."""
    f = _proc_stat(pid)
    if f is None:
        return 0.0
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
    return ticks / TICK


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine since boot (every core)."""
    fields = Path("/proc/stat").read_text().split("\n")[0].split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK


def available() -> str | None:
    """None if the browser measurements can run; else why not."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def bench_server(db_file: Path, how: str = "streamlit") -> Server:
    """The dashboard for the browser measurements (bench/server.py): one street administrator, every
    script run timed, its files in the cache. `how="serve"` measures `python -m oversight serve` instead."""
    cache = cache_dir()
    return Server(
        db_file,
        how=how,
        users={BENCH_USER: ("street_admin", ())},
        accounts=cache / "bench-accounts.sqlite",
        snapshots=cache / "snapshots",
        run_log=cache / "script-runs.log",
        log_file=cache / "streamlit.log",
    )


def rss_mb(server: Server) -> tuple[float, float]:
    """(VmRSS, VmHWM) of the server process."""
    return status_mb(server.proc.pid, "VmRSS"), status_mb(server.proc.pid, "VmHWM")


def page_path(url: str) -> str:
    return "" if url == "overview" else url  # the default page lives at /


class Runs:
    """The script runs the server reports finished on a page's websocket (ForwardMsg script_finished).

    The page's script-state attribute cannot tell: under load the browser handles a whole run's
    messages in one batch and the attribute never leaves notRunning.
    """

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.finished = 0
        done = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}

        def frame(payload) -> None:
            if isinstance(payload, bytes) and len(payload) < 512:  # script_finished is a few bytes
                with contextlib.suppress(Exception):
                    msg = ForwardMsg.FromString(payload)
                    if msg.WhichOneof("type") == "script_finished" and msg.script_finished in done:
                        self.finished += 1

        page.on("websocket", lambda ws: ws.on("framereceived", frame))

    async def drawn(self, page, after: int) -> None:
        """Wait for a run finished after `after` runs, then for the page to be drawn."""
        deadline = time.monotonic() + ACTION_TIMEOUT_MS / 1000
        while self.finished <= after:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no script run finished within {ACTION_TIMEOUT_MS // 1000} s")
            await asyncio.sleep(0.02)
        left = max(1000, int((deadline - time.monotonic()) * 1000))
        await page.wait_for_function(DRAWN, timeout=left)


async def _open(page, runs: Runs, url: str, password: str) -> None:
    """Load a URL, sign in if the login form is shown, and wait until the page is drawn."""
    before = runs.finished
    await page.goto(url)
    deadline = time.monotonic() + ACTION_TIMEOUT_MS / 1000
    while runs.finished <= before and time.monotonic() < deadline:  # the new session's first run
        await asyncio.sleep(0.02)
    await page.wait_for_function(LANDED, timeout=ACTION_TIMEOUT_MS)
    if await page.locator('input[type="password"]').count():
        before = runs.finished
        await page.locator('input[autocomplete="username"]').fill(BENCH_USER)
        await page.locator('input[type="password"]').fill(password)
        await page.locator('[data-testid="stFormSubmitButton"] button').click()
        await runs.drawn(page, before)
        await page.locator('input[type="password"]').wait_for(state="detached", timeout=ACTION_TIMEOUT_MS)
    await page.wait_for_function(DRAWN, timeout=ACTION_TIMEOUT_MS)


async def _click_and_wait(page, runs: Runs, locator) -> None:
    before = runs.finished
    await locator.click()
    await runs.drawn(page, before)


async def _choose_community(page, runs: Runs, label: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    await box.locator("input").click()
    await box.locator("input").fill(label)
    await _click_and_wait(page, runs, page.locator('[role="option"]').filter(has_text=label).first)
    await page.keyboard.press("Escape")


async def _visit(base: str, password: str, community_label: str | None) -> list[str]:
    """Sign in once, then every page through the sidebar; then the community, and every page again."""
    from playwright.async_api import async_playwright

    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = await context.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        page.on("pageerror", lambda e: errors.append(f"javascript: {_short(e)}"))
        runs = Runs(page)
        try:
            await _open(page, runs, base, password)
            nav = page.locator('[data-testid="stSidebarNav"] a')
            for scenario in ("none", "community") if community_label else ("none",):
                if scenario == "community":
                    await _choose_community(page, runs, community_label)
                for i in range(await nav.count()):
                    try:
                        await _click_and_wait(page, runs, nav.nth(i))
                        errors += [f"page {i} ({scenario}): {e}" for e in await page.evaluate(ERRORS)]
                    except Exception as e:  # noqa: BLE001 - a failed visit is reported, not fatal
                        errors.append(f"page {i} ({scenario}): {_short(e)}")
        except Exception as e:  # noqa: BLE001
            errors.append(f"sign-in or filter: {_short(e)}")
        await browser.close()
    return errors


def visit_every_page(server: Server, community_label: str | None) -> dict:
    """Visit every page (no filter, then one community); the server's memory afterwards."""
    started = time.perf_counter()
    errors = asyncio.run(_visit(server.url, server.passwords[BENCH_USER], community_label))
    rss, hwm = rss_mb(server)
    return {"rss_mb": rss, "hwm_mb": hwm, "errors": errors, "seconds": time.perf_counter() - started}


def _short(e: BaseException) -> str:
    lines = str(e).strip().splitlines() or [""]
    return f"{type(e).__name__}: {lines[0][:160]}"
