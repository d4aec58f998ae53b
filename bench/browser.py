"""The dashboard as people use it: `streamlit run` on loopback, driven by Playwright in Debian's Chromium.

- visit: one browser visits every page, with no filter and with one community; then the server's
  resident memory (VmRSS, and its peak VmHWM) is read from /proc.
- load: `sessions` browser contexts in one Chromium (async API), each for `seconds` switching pages
  through the sidebar, adding a community to the filter and resetting the filters, with a short
  pause between actions. Each action is timed from the click until the page has finished rendering:
  the script run it started is over, the title is drawn, no skeleton is left and every chart has
  drawn its SVG. Errors: an action that does not finish within its timeout, an exception or error
  box on the page, or an uncaught error in the page's JavaScript; after one, the session opens the
  dashboard afresh and goes on.
The loops are bounded (a deadline, at least three actions while nothing fails, at most MAX_ACTIONS),
so the load stops by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import cache_dir, median, p95, status_mb
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
MAX_ACTIONS = 300
MIN_ACTIONS = 3  # every session changes page, filter and page again, however short the load
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


def client_cpu_seconds(exclude: int) -> float:
    """CPU time of this process's descendants (Playwright's driver and Chromium), the server excluded."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            f = _proc_stat(int(entry.name))
            if f:
                parents[int(entry.name)] = int(f[1])
    me, total = os.getpid(), 0.0
    for pid in parents:
        up, seen = pid, 0
        while up in parents and up not in (me, exclude, 0, 1) and seen < 64:
            up, seen = parents[up], seen + 1
        if up == me and pid != me:
            total += cpu_seconds(pid, children=True)
    return total


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


@dataclass
class Tally:
    samples: list[tuple[str, float]] = field(default_factory=list)  # (action kind, seconds)
    errors: list[str] = field(default_factory=list)
    actions: int = 0
    client_cpu: float = 0.0


def _short(e: BaseException) -> str:
    lines = str(e).strip().splitlines() or [""]
    return f"{type(e).__name__}: {lines[0][:160]}"


async def _session(browser, n: int, base: str, password: str, communities: list[str], start_at: float,
                   seconds: float, think: float, tally: Tally) -> None:  # fmt: skip
    """One official: open the dashboard, then change pages and filters until the deadline.

    A failed action is an error; the session then opens the dashboard afresh and goes on.
    """
    rng = random.Random(n)
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    deadline = time.monotonic() + seconds
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = await context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.on("pageerror", lambda e: tally.errors.append(f"session {n}: javascript: {_short(e)}"))
    runs = Runs(page)
    nav = page.locator('[data-testid="stSidebarNav"] a')
    cycle = ["page", "community", "page", "community", "page", "reset"]
    opened, failed, done, current, chosen, target = False, 0, 0, 0, [], ""

    def more() -> bool:
        if done >= MAX_ACTIONS:
            return False
        return time.monotonic() < deadline or (done < MIN_ACTIONS and not failed)

    while more():
        kind = cycle[done % len(cycle)] if opened else "open"
        try:
            if kind == "open":
                t0 = time.perf_counter()
                await _open(page, runs, base, password)
                tally.samples.append(("open", time.perf_counter() - t0))
                opened, current, chosen = True, 0, []
            else:
                before = runs.finished
                if kind == "page":
                    count = await nav.count()
                    current = rng.choice([i for i in range(count) if i != current]) if count > 1 else 0
                    target = (await nav.nth(current).inner_text()).split("\n")[-1]
                    t0 = time.perf_counter()
                    await nav.nth(current).click()
                elif kind == "community":
                    label = rng.choice([c for c in communities if c not in chosen] or communities)
                    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
                    await box.locator("input").click()
                    await box.locator("input").fill(label)
                    option = page.locator('[role="option"]').filter(has_text=label).first
                    t0 = time.perf_counter()
                    await option.click()
                    chosen.append(label)
                else:
                    button = page.locator('[data-testid="stSidebar"] button').filter(has_text="重置筛选")
                    t0 = time.perf_counter()
                    await button.click()
                    chosen = []
                await runs.drawn(page, before)
                tally.samples.append((kind, time.perf_counter() - t0))
                if kind == "community":
                    await page.keyboard.press("Escape")
                shown = await page.evaluate(ERRORS)
                tally.errors += [f"session {n}: {kind}: {e}" for e in shown]
                done += 1
                tally.actions += 1
        except Exception as e:  # noqa: BLE001 - counted; the session goes on from a fresh load
            seen = ""
            with contextlib.suppress(Exception):
                seen = " (page: " + str(await page.evaluate(STATE)) + ")"
            if kind == "page":
                seen += f" (clicked {target})"
            tally.errors.append(f"session {n}: {kind}: {_short(e)}{seen}")
            if len(tally.errors) <= 3:  # what the page showed, for whoever reads the report
                with contextlib.suppress(Exception):
                    await page.screenshot(path=str(cache_dir() / f"load-error-{len(tally.errors)}.png"))
            failed += 1
            opened = False
            if kind != "open":
                done += 1
                tally.actions += 1
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    await context.close()


async def _load(base: str, password: str, communities: list[str], sessions: int, seconds: float,
                think: float, server_pid: int) -> Tally:  # fmt: skip
    from playwright.async_api import async_playwright

    tally = Tally()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        start = time.monotonic() + 1
        stagger = min(0.25, seconds / max(sessions, 1) / 4)  # sessions arrive over a few seconds, not at once
        jobs = [
            _session(browser, n, base, password, communities, start + n * stagger, seconds, think, tally)
            for n in range(sessions)
        ]
        client_before = client_cpu_seconds(exclude=server_pid)
        try:
            await asyncio.wait_for(asyncio.gather(*jobs), timeout=seconds + 240)
        except TimeoutError:
            tally.errors.append("the load did not end within its time limit")
        tally.client_cpu = client_cpu_seconds(exclude=server_pid) - client_before  # before Chromium exits
        await browser.close()
    return tally


def load(server: Server, communities: list[str], sessions: int, seconds: float, think: float = 1.0) -> dict:
    """`sessions` concurrent sessions for `seconds`: errors, and median and p95 time to a drawn page."""
    started, since = time.perf_counter(), time.time()
    server_before, machine_before = cpu_seconds(server.proc.pid), machine_cpu_seconds()
    tally = asyncio.run(
        _load(server.url, server.passwords[BENCH_USER], communities, sessions, seconds, think, server.proc.pid)
    )
    server_cpu, machine_cpu = cpu_seconds(server.proc.pid) - server_before, machine_cpu_seconds() - machine_before
    times = [s for _, s in tally.samples]
    changes = [s for kind, s in tally.samples if kind != "open"]
    kinds = {}
    for kind, s in tally.samples:
        kinds.setdefault(kind, []).append(s)
    rss, hwm = rss_mb(server)
    return {
        "sessions": sessions,
        "seconds": seconds,
        "think_s": think,
        "actions": tally.actions,
        "samples": len(times),
        "median_s": median(times),
        "p95_s": p95(times),
        "samples_actions": len(changes),
        "median_actions_s": median(changes),
        "p95_actions_s": p95(changes),
        "by_kind": {k: {"n": len(v), "median_s": median(v), "p95_s": p95(v)} for k, v in sorted(kinds.items())},
        "errors": tally.errors,
        "rss_after_mb": rss,
        "hwm_after_mb": hwm,
        "wall_s": time.perf_counter() - started,
        "server_runs": (runs := server.script_runs(since))
        and {"n": len(runs), "median_s": median(runs), "p95_s": p95(runs)},
        # Where the machine's CPU went during the load: the server, the browsers, everything else.
        "cpu": {
            "cores": os.cpu_count() or 1,
            "available_s": (time.perf_counter() - started) * (os.cpu_count() or 1),
            "machine_s": machine_cpu,
            "server_s": server_cpu,
            "browsers_s": tally.client_cpu,
        },
    }
