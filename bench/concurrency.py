"""Concurrent officials, measured at the server: `python -m oversight serve` driven over Streamlit's own
websocket protocol by clients that do not render (bench/streamclient.py).

    python -m bench.concurrency --db bench/cache/city-5000-36-1.duckdb [--sessions 20] [--sweep 10,20,30,40,50,75,100]

Why the protocol and not AppTest sessions in threads: AppTest runs the script in its own harness,
without the server's session manager, websocket, message queue and cookie check; the protocol
goes through the real server (st.App under uvicorn, the real sessions, the real cookie) as a
browser does, while the clients cost next to nothing (they parse protobuf and draw nothing), so the
two cores are left to the server. The previous load test ran 20 Chromium tabs on the same two cores
and measured mostly their rendering.

What an official waits for after a click is the server's script run plus the browser's drawing.
This measures the first part, from the moment the action reaches the server to the moment its
run's last message (script_finished) is out: every query, chart spec and table the page sends, and
any queueing behind other sessions' runs. It leaves out the network between office and server
(loopback here) and the browser drawing the page (tables, Vega charts), which happens on the
official's own machine and does not grow with the number of sessions.

Each session signs in with a cookie session made directly in the accounts file (the sign-in form
is not what is measured), opens the dashboard, then every 2-5 s (uniform, seeded; never before the
page it asked for has finished, as a person waits for it) changes page in the navigation (half the
actions) or the community in the sidebar filter (the other half: one of a few communities, or
all). Sessions arrive over the first 5 s and stop acting after `seconds`. Before any load, one
session visits every page with every filter used, so that the load meets warm caches, as a server
that has been up a while does (the first visits are the page benchmark's "uncached" figures).

Two processes: a second `serve` on another port over the same versioned data, each session sent
to one of them as the deployment's nginx would send it (`hash $remote_addr`, modelled by upstream();
the sessions are given the addresses of one office's /24 network, as its computers have). Throughput
is finished script runs per second, from the load's start to its last run's end.

Capacity: 50 sessions pausing 2-5 s ask for at most about 14 runs/s, which one process serves, so their
throughput is the same on one process or two. What a second process adds shows when the sessions ask
for more than one serves: the same 50 without pauses, on one process and on two in adjacent windows,
the order turned about each round, for a few rounds (capacity()); the target is judged on the median
round, with no error in any, where the paced runs cannot tell the processes apart.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import math
import os
import random
import resource
import shutil
import sys
import time
import zlib
from pathlib import Path

from bench.common import cache_dir, load_average, median, p95, status_mb
from bench.server import Server
from bench.streamclient import Run, Tab

BENCH_USER = "bench"
INTERVAL_S = (2.0, 5.0)
# No pause: each session acts as soon as its page is drawn, so 50 sessions ask for more than one
# process serves and throughput is what the processes can run (issue 14's comparison at 50).
SATURATED = (0.0, 0.0)
ARRIVAL_S = 5.0
P95_TARGET_S = 1.0
SPEEDUP_TARGET = 1.5
SWEEP = (10, 20, 30, 40, 50, 75, 100)
ISSUE_SESSIONS = 50  # issue 14 compares one process and two at this count
CAPACITY_ROUNDS = 3  # rounds of one process and two without pauses, the order turned about each round
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine since boot, every core."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICK


def run_async(coro):
    """asyncio.run in a thread of its own: the caller may already run an event loop (Playwright's
    sync API in the test session does), and asyncio.run refuses to start inside one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def serve(store_path: Path, accounts: Path, log: Path) -> Server:
    """`python -m oversight serve` (the deployment's command) on a free loopback port, started."""
    audit = {"OVERSIGHT_AUDIT": str(accounts.parent / "audit.sqlite")}
    return Server(
        store_path, accounts=accounts, snapshots=accounts.parent / "snapshots", log_file=log, env=audit
    ).start()


def prepare(db_file: Path, scratch: Path) -> tuple[Path, Path]:
    """A versioned store holding db_file (read-only opens, so two processes can serve it) and an
    accounts file with the bench account; (store path, accounts path)."""
    from oversight import auth, store

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    store_path = scratch / "oversight.duckdb"
    store.publish_file(store_path, db_file, action="generate", who=BENCH_USER)
    accounts = scratch / "accounts.sqlite"
    auth.add_user(BENCH_USER, "street_admin", os.urandom(16).hex(), path=accounts)
    return store_path, accounts


def tokens(n: int, accounts: Path) -> list[str]:
    """n cookie sessions for the bench account, made as /session/open makes them."""
    from oversight import sessions

    out = []
    for _ in range(n):
        _, token = sessions.open_session(sessions.issue_code(BENCH_USER, "", path=accounts), "", path=accounts)
        out.append(token)
    return out


def upstream(address: str, upstreams: int) -> int:
    """The upstream `hash $remote_addr` (deploy/nginx/oversight.conf) picks for an address, with equal
    weights and all up: nginx's CRC32 of the address, its bits 16-30, modulo the count (checked against
    nginx itself by tests/e2e/test_nginx.py)."""
    return ((zlib.crc32(address.encode("ascii")) >> 16) & 0x7FFF) % upstreams


def address(session: int) -> str:
    """An office's computers: one /24 network (then the next, past 230 sessions)."""
    return f"10.20.{30 + session // 230}.{20 + session % 230}"


async def warm(url: str, token: str, communities: list[str]) -> list[Run]:
    """Visit every page with no filter and with each community: the caches a running server has."""
    tab = Tab(url, token)
    runs = [await tab.open()]
    for community in [None, *communities]:
        if community is not None or tab.community is not None:
            runs.append(await tab.choose(community))
        for page in list(tab.pages):
            if page != tab.page:
                runs.append(await tab.goto(page))
    await tab.close()
    return runs


async def session(
    url: str, token: str, rng: random.Random, t0: float, seconds: float, communities: list[str], pause=INTERVAL_S
):
    """One official: open the dashboard, then change page or filter every 2-5 s (`pause`) until t0 + seconds."""
    await asyncio.sleep(max(0.0, t0 + rng.uniform(0, min(ARRIVAL_S, seconds / 4)) - time.monotonic()))
    tab = Tab(url, token)
    runs = [await tab.open()]
    while True:
        last = runs[-1]
        if last.error and tab.ws is None:  # the connection is gone: the official reloads the tab
            if time.monotonic() >= t0 + seconds:
                break
            if last.kind == "open":  # the server refused a new tab: not in a tight loop
                await asyncio.sleep(1.0)
            tab = Tab(url, token)
            runs.append(await tab.open())
            continue
        due = last.sent + rng.uniform(*pause)
        if due >= t0 + seconds:
            break
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        if rng.random() < 0.5 and len(tab.pages) > 1:
            runs.append(await tab.goto(rng.choice([p for p in tab.pages if p != tab.page])))
        else:
            runs.append(await tab.choose(rng.choice([c for c in [None, *communities] if c != tab.community])))
    await tab.close()
    return runs


async def _load(urls: list[str], toks: list[str], seconds: float, seed: int, communities: list[str], pause):
    t0 = time.monotonic()
    jobs = [
        session(urls[i], toks[i], random.Random(f"{seed}-{i}"), t0, seconds, communities, pause)
        for i in range(len(toks))
    ]
    return t0, await asyncio.gather(*jobs)


def stats(runs: list[Run]) -> dict:
    times = [r.seconds for r in runs if not r.error]
    return {"count": len(runs), "median_s": median(times), "p95_s": p95(times), "max_s": max(times, default=math.nan)}


def scenario(
    servers: list[Server], toks: list[str], seconds: float, seed: int, communities: list[str], pause=INTERVAL_S
) -> dict:
    """`len(toks)` sessions for `seconds`, split over the servers as nginx would; timings, errors, CPU."""
    urls = [servers[upstream(address(i), len(servers))].url for i in range(len(toks))]
    load_before = load_average()
    cpu0 = [cpu_seconds(s.proc.pid) for s in servers]
    machine0, client0 = machine_cpu_seconds(), resource.getrusage(resource.RUSAGE_SELF)
    t0, per_session = run_async(_load(urls, toks, seconds, seed, communities, pause))
    runs = [r for rs in per_session for r in rs]
    elapsed = max((r.sent + r.seconds for r in runs), default=t0) - t0
    client1 = resource.getrusage(resource.RUSAGE_SELF)
    actions = [r for r in runs if r.kind != "open"]
    return {
        "sessions": len(toks),
        "pause_s": list(pause),
        "processes": len(servers),
        "split": [urls.count(s.url) for s in servers],
        "seconds": seconds,
        "elapsed_s": elapsed,
        "runs": len(runs),
        "throughput": sum(1 for r in runs if not r.error) / elapsed if elapsed > 0 else math.nan,
        "actions": stats(actions),
        "by_kind": {k: stats([r for r in runs if r.kind == k]) for k in ("open", "page", "filter")},
        "errors": [f"{r.kind} {r.page or 'overview'}: {r.error}" for r in runs if r.error],
        "by_page": {
            page or "overview": {
                "count": len(done),
                "median_s": median([r.seconds for r in done]),
                "median_kb": median([r.received / 1024 for r in done]),
            }
            for page in sorted({r.page for r in actions})
            for done in [[r for r in actions if r.page == page and not r.error]]
        },
        "cpu": {
            "servers_s": sum(cpu_seconds(s.proc.pid) - c for s, c in zip(servers, cpu0, strict=True)),
            "clients_s": (client1.ru_utime + client1.ru_stime) - (client0.ru_utime + client0.ru_stime),
            "machine_s": machine_cpu_seconds() - machine0,
            "available_s": elapsed * (os.cpu_count() or 1),
        },
        "rss_mb": [status_mb(s.proc.pid, "VmRSS") for s in servers],
        "load_before": load_before,
        "load_after": load_average(),
    }


def measure(
    db_file: Path,
    sessions: int = 20,
    sweep: tuple[int, ...] = SWEEP,
    seconds: float = 60.0,
    seed: int = 1,
    communities: list[str] | None = None,
    progress=print,
    filters: int = 3,
) -> dict:
    """The sweep on one process, then on two the target's session count, the issue's 50 (when the sweep
    goes beyond it) and the largest; see the module docstring."""
    counts = sorted({*sweep, sessions})
    scratch = cache_dir() / "concurrency"
    store_path, accounts = prepare(db_file, scratch)
    toks = tokens(max(counts) + 1, accounts)
    servers: list[Server] = []
    result: dict = {"sessions": sessions, "seconds": seconds, "seed": seed, "one": [], "two": None}
    try:
        servers.append(serve(store_path, accounts, scratch / "serve-1.log"))
        chosen = _communities(servers[0].url, toks[-1], communities or [], filters)
        result["communities"] = chosen
        warm_runs = run_async(warm(servers[0].url, toks[-1], chosen))
        result["warmup"] = {**stats(warm_runs), "errors": [r.error for r in warm_runs if r.error]}
        progress(f"warm-up: {len(warm_runs)} runs, median {result['warmup']['median_s']:.2f}s")
        for n in counts:
            r = scenario(servers, toks[:n], seconds, seed, chosen)
            result["one"].append(r)
            progress(_line(r))
        servers.append(serve(store_path, accounts, scratch / "serve-2.log"))
        run_async(warm(servers[1].url, toks[-1], chosen))
        # The target's session count again on the two processes a deployment runs (README, Processes).
        result["two_at_target"] = scenario(servers, toks[:sessions], seconds, seed, chosen)
        progress(_line(result["two_at_target"]))
        if ISSUE_SESSIONS in counts and max(counts) > ISSUE_SESSIONS and sessions != ISSUE_SESSIONS:
            # The issue compares the processes at 50 sessions; where one process keeps up with 50, the
            # largest count (beyond its saturation) shows what a second process adds.
            result["two_at_issue"] = scenario(servers, toks[:ISSUE_SESSIONS], seconds, seed, chosen)
            progress(_line(result["two_at_issue"]))
        result["two"] = scenario(servers, toks[: max(counts)], seconds, seed, chosen)
        progress(_line(result["two"]))
        if ISSUE_SESSIONS in counts:
            result["capacity"] = capacity(servers, toks[:ISSUE_SESSIONS], seconds, seed, chosen, progress)
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def capacity(servers: list[Server], toks: list[str], seconds: float, seed: int, communities: list[str], progress):
    """The issue's 50 sessions without pauses, on one process and on two in adjacent windows, CAPACITY_ROUNDS
    times, the order turned about each round (one then two, two then one, ...): [{"one": run, "two": run},
    ...]. Each window is half a load (at least 20 s). Adjacent windows leave the machine's drift and the
    servers' history to both alike, and the turned order gives neither the later window every time: single
    runs of each, minutes apart, read anywhere from 1.5x to 2.6x."""
    window = min(seconds, max(seconds / 2, 20.0))
    rounds = []
    for i in range(CAPACITY_ROUNDS):
        order = (("one", 1), ("two", 2)) if i % 2 == 0 else (("two", 2), ("one", 1))
        pair = {n: scenario(servers[:k], toks, window, seed, communities, SATURATED) for n, k in order}
        for place, (n, _) in enumerate(order):
            pair[n].update({"round": i + 1, "window": place + 1})
        rounds.append(pair)
        progress(f"round {i + 1}: {_line(pair['one'])} | {_line(pair['two'])}")
    return rounds


def _communities(url: str, token: str, wanted: list[str], n: int = 3) -> list[str]:
    """n communities the filter offers: those wanted first, then the first ones offered."""

    async def ask():
        tab = Tab(url, token)
        await tab.open()
        await tab.close()
        return tab.communities

    offered = run_async(ask())
    return list(dict.fromkeys([c for c in wanted if c in offered] + offered))[:n]


def _line(r: dict) -> str:
    a = r["actions"]
    return (
        f"{r['sessions']} sessions on {r['processes']} process(es): {r['runs']} runs, {r['throughput']:.2f}/s, "
        f"median {a['median_s']:.2f}s, p95 {a['p95_s']:.2f}s, {len(r['errors'])} errors, load {r['load_after']}"
    )


# ------------------------------------------------------------------------------------------------
# The report's rows (bench/report.py calls these)


def _ms(seconds) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _at(c: dict, n: int) -> dict | None:
    return next((r for r in c.get("one", []) if r["sessions"] == n), None)


def saturation(c: dict) -> dict | None:
    """The one-process run where throughput first reaches 90 % of the best seen: more sessions add
    waiting, not runs."""
    rows = c.get("one", [])
    if not rows:
        return None
    best = max(r["throughput"] for r in rows)
    return next(r for r in rows if r["throughput"] >= 0.9 * best)


def targets(c: dict) -> list[dict]:
    """The three concurrency targets of issue 14, each {key, target, measured, status, values, why}."""
    names = (
        (
            "load_p95",
            "Load (20 sessions, a change every 2-5 s, 60 s): p95 script run < 1 s, 0 errors",
        ),  # counts filled in
        ("load_saturation", "Load: 50 sessions' p95, and where one process saturates"),
        ("load_two_processes", "Load: two processes at 50 sessions ≥ 1.5× one process's throughput"),
    )
    main, two = _at(c, c.get("sessions", 20)), c.get("two")
    if main is None or two is None:
        why = c.get("error", "not run")
        return [
            {
                "key": k,
                "target": t,
                "measured": f"not measured: {why}",
                "status": "not measured",
                "values": [],
                "why": [],
            }
            for k, t in names
        ]
    label = names[0][1].replace("20 sessions", f"{main['sessions']} sessions").replace("60 s", f"{c['seconds']:.0f} s")
    names = ((names[0][0], label), *names[1:])
    a = main["actions"]
    met = a["p95_s"] < P95_TARGET_S and not main["errors"]
    deployed = c.get("two_at_target")
    met_deployed = bool(deployed) and deployed["actions"]["p95_s"] < P95_TARGET_S and not deployed["errors"]
    why = []
    if not met:
        cpu = main["cpu"]
        per_run = cpu["servers_s"] / max(main["runs"], 1)
        offered = main["sessions"] / (sum(INTERVAL_S) / 2)
        why.append(
            f"each run cost the server {_ms(per_run)} of CPU: one process, whose Python work runs under one lock, "
            f"serves about {1 / per_run:.1f} runs/s with a core to itself, and {main['sessions']} sessions ask for "
            f"about {offered:.1f}/s (one change every 3.5 s each), so runs queue"
        )
        why.append(
            f"{main['sessions']} sessions: the server used {cpu['servers_s']:,.0f} of {cpu['available_s']:,.0f} "
            f"CPU-seconds (the clients {cpu['clients_s']:,.0f}, the rest of the machine "
            f"{max(cpu['machine_s'] - cpu['servers_s'] - cpu['clients_s'], 0):,.0f}; load {main['load_after']}); "
            "every action reruns the whole page script, so runs queue behind each other. Fix: cheaper warm "
            "pages (chart specs built once per data version, less sidebar work per rerun, st.fragment for "
            "widgets that need not rerun the page), more processes"
        )
        why += main["errors"][:3]
    big, one_big = two, _at(c, two["sessions"])
    sat = saturation(c)
    ratio = big["throughput"] / one_big["throughput"] if one_big and one_big["throughput"] else math.nan
    at_issue, one_at_issue = c.get("two_at_issue"), _at(c, ISSUE_SESSIONS)
    if at_issue is None and c.get("sessions") == ISSUE_SESSIONS:
        at_issue = c.get("two_at_target")
    issue_ratio = (
        at_issue["throughput"] / one_at_issue["throughput"]
        if at_issue and one_at_issue and one_at_issue["throughput"]
        else math.nan
    )
    two_measured, two_status = _two_processes(big, one_big, ratio, sat, at_issue, one_at_issue, issue_ratio)
    rounds = capacity_rounds(c)
    cap = _capacity(rounds) if rounds else None
    if cap:
        two_measured = f"{two_measured}; {cap['text']}"
        demand_bound = bool(one_at_issue) and _keeps_up(one_at_issue)
        two_status = _judged(two_status, cap, demand_bound, issue_ratio)
    return [
        {
            "key": names[0][0],
            "target": names[0][1],
            "measured": f"one process: page and filter changes: median {_ms(a['median_s'])}, p95 {_ms(a['p95_s'])} "
            f"({a['count']} actions); {len(main['errors'])} errors in {main['runs']} runs"
            + (
                f"; the two processes of a deployment: median {_ms(deployed['actions']['median_s'])}, "
                f"p95 {_ms(deployed['actions']['p95_s'])}; {len(deployed['errors'])} errors in {deployed['runs']} runs"
                if deployed
                else ""
            ),
            "status": "met" if met else "met on two processes, **not on one**" if met_deployed else "**not met**",
            "values": [a["median_s"], a["p95_s"], main["runs"]],
            "why": why,
        },
        {
            "key": names[1][0],
            "target": names[1][1],
            "measured": "; ".join(
                [
                    f"{r['sessions']} sessions: p95 {_ms(r['actions']['p95_s'])}, {r['throughput']:.1f} runs/s"
                    for r in c["one"]
                    if r["sessions"] >= ISSUE_SESSIONS
                ]
                + [_saturates(c["one"], sat)]
            ),
            "status": "measured",
            "values": [r["throughput"] for r in c["one"]],
            "why": [],
        },
        {
            "key": names[2][0],
            "target": names[2][1],
            "measured": two_measured,
            "status": two_status,
            "values": [big["throughput"], ratio]
            + ([] if math.isnan(issue_ratio) else [issue_ratio])
            + ([cap["ratio"]] if cap else []),
            "why": []
            if "not met" not in two_status and "not measured" not in two_status
            else [
                f"two processes share the same {os.cpu_count()} cores: the servers used "
                f"{big['cpu']['servers_s']:,.0f} of {big['cpu']['available_s']:,.0f} CPU-seconds with two processes "
                f"at {big['sessions']} sessions vs {one_big['cpu']['servers_s']:,.0f} with one (the rest of the "
                f"machine {max(big['cpu']['machine_s'] - big['cpu']['servers_s'] - big['cpu']['clients_s'], 0):,.0f}); "
                "a second process helps only while one process leaves a core idle (its Python work runs under one "
                "lock), and only once one process no longer serves every run the sessions ask for"
            ]
            + (
                [
                    f"without pauses the rounds read {', '.join(f'{x:.2f}×' for x in cap['ratios']) or 'nothing'}: "
                    "each round's two windows ran back to back, so a ratio under the target there is the processes', "
                    "not the machine's drift"
                ]
                if cap and (not (cap["ratio"] >= SPEEDUP_TARGET) or cap["errors"])
                else []
            )
            if one_big
            else [],
        },
    ]


def _saturates(one: list[dict], sat: dict) -> str:
    """Where one process stops running what its paced sessions ask for: between the last count it keeps up
    with and the next one of the sweep (a quick sweep of 20, 50 and 100 says no more than that)."""
    kept = [r for r in one if _keeps_up(r)]
    beyond = [r for r in one if not _keeps_up(r) and (not kept or r["sessions"] > kept[-1]["sessions"])]
    if kept and beyond:
        b = beyond[0]
        return (
            f"one process keeps up with {kept[-1]['sessions']} sessions and not with {b['sessions']} "
            f"({b['throughput']:.1f} of the {_offered(b['sessions']):.1f} runs/s they ask for, p95 "
            f"{_ms(b['actions']['p95_s'])}): it saturates between them"
        )
    return (
        f"saturates at about {sat['sessions']} sessions ({sat['throughput']:.1f} runs/s, "
        f"p95 {_ms(sat['actions']['p95_s'])})"
    )


def capacity_rounds(c: dict) -> list[dict]:
    """The rounds of 50 sessions without pauses, [{"one": run, "two": run}, ...]; a results file from
    before the rounds holds one run of each."""
    if c.get("capacity"):
        return c["capacity"]
    if c.get("one_saturated") and c.get("two_saturated"):
        return [{"one": c["one_saturated"], "two": c["two_saturated"]}]
    return []


def _capacity(rounds: list[dict]) -> dict:
    """The processes' capacity at the issue's 50 sessions without pauses: the rounds' ratios (two processes'
    throughput over one's in the adjacent window), their median, lowest, how many reach the target, and
    the measured text. A round where one process finished nothing has no ratio, and says so."""
    ratios = [r["two"]["throughput"] / r["one"]["throughput"] for r in rounds if r["one"]["throughput"]]
    ratio = median(ratios) if ratios else math.nan
    one = median([r["one"]["throughput"] for r in rounds])
    two = median([r["two"]["throughput"] for r in rounds])
    errors = sum(len(r[k]["errors"]) for r in rounds for k in ("one", "two"))
    reached = sum(1 for x in ratios if x >= SPEEDUP_TARGET)
    each = ", ".join(f"{x:.2f}×" for x in ratios)
    unmeasured = len(rounds) - len(ratios)
    how = (
        f"one process and two in adjacent windows, {len(rounds)} {'round' if len(rounds) == 1 else 'rounds'}"
        + (", the order turned about each round" if len({r["one"].get("window") for r in rounds}) > 1 else "")
        if rounds[0]["one"].get("round")
        else "one run of each"
    )
    text = (
        f"{ISSUE_SESSIONS} sessions acting as soon as each page is drawn (no pause, so they ask for more than "
        f"one process serves), {how}: {two:.1f} runs/s on two vs {one:.1f} on one (medians); "
        + (
            f"{ratio:.2f}× the median round ({each}; lowest {min(ratios):.2f}×, {reached} of {len(ratios)} "
            f"≥ {SPEEDUP_TARGET}×)"
            if ratios
            else "no ratio: one process finished no run"
        )
        + (f", {unmeasured} round(s) where one process finished no run" if ratios and unmeasured else "")
        + f", p95 {_ms(median([r['two']['actions']['p95_s'] for r in rounds]))} vs "
        f"{_ms(median([r['one']['actions']['p95_s'] for r in rounds]))}, {errors} errors"
    )
    return {"text": text, "ratio": ratio, "ratios": ratios, "reached": reached, "rounds": len(rounds), "errors": errors}


def _judged(paced_status: str, capacity: dict, demand_bound: bool, paced_ratio: float) -> str:
    """The two-process target's status. Where one process already runs every run 50 paced sessions ask
    for, their throughput is the sessions' demand on any number of processes (paced_ratio, about 1) and
    cannot tell one from two: the target is then judged on the processes' capacity at 50 sessions without
    pauses (the median round), and the status says so beside the paced ratio."""
    ratio = capacity["ratio"]
    if math.isnan(ratio):
        verdict = "not measured without pauses"
    else:
        met = ratio >= SPEEDUP_TARGET and not capacity["errors"]
        verdict = f"{'met' if met else '**not met**'} without pauses"
        verdict += f" ({capacity['reached']} of {capacity['rounds']} rounds"
        verdict += f"; {capacity['errors']} errors)" if capacity["errors"] else ")"
    if demand_bound:
        return (
            f"{verdict.replace(' without pauses', f' on capacity at {ISSUE_SESSIONS} without pauses')}; "
            f"with pauses{'' if math.isnan(paced_ratio) else f' {paced_ratio:.2f}×'}, not a comparison: one "
            f"process serves all that {ISSUE_SESSIONS} sessions ask for"
        )
    return f"{paced_status}; {verdict.replace(' without pauses', f' at {ISSUE_SESSIONS} without pauses')}"


def _keeps_up(run: dict) -> bool:
    """Whether one process ran (nearly) every run its paced sessions asked for."""
    return run["throughput"] >= 0.9 * _offered(run["sessions"])


def _offered(n: int) -> float:
    """Runs per second n sessions ask for at most: one change every 3.5 s each (2-5 s, uniform)."""
    return n / (sum(INTERVAL_S) / 2)


def _two_processes(big, one_big, ratio, sat, at_issue, one_at_issue, issue_ratio) -> tuple[str, str]:
    """The two-process target's measured text and status: at the issue's 50 sessions and, where one
    process keeps up with those, at the largest count."""
    if not one_big:
        return "no one-process run at the same count", "**not met**"
    parts = []
    if at_issue and one_at_issue:
        keeps_up = _keeps_up(one_at_issue)
        parts.append(
            f"at {ISSUE_SESSIONS} sessions {at_issue['throughput']:.1f} runs/s on two vs "
            f"{one_at_issue['throughput']:.1f} on one ({issue_ratio:.2f}×), p95 {_ms(at_issue['actions']['p95_s'])} vs "
            f"{_ms(one_at_issue['actions']['p95_s'])}"
            + (
                f" (one process already runs what {ISSUE_SESSIONS} sessions ask for, at most "
                f"{_offered(ISSUE_SESSIONS):.1f}/s: no second process can run more)"
                if keeps_up
                else ""
            )
        )
    parts.append(
        f"at {big['sessions']} sessions {big['throughput']:.1f} runs/s on two vs {one_big['throughput']:.1f} on one "
        f"({ratio:.2f}×; vs one process's best, {sat['throughput']:.1f} runs/s at {sat['sessions']} sessions: "
        f"{big['throughput'] / sat['throughput']:.2f}×), p95 {_ms(big['actions']['p95_s'])} vs "
        f"{_ms(one_big['actions']['p95_s'])}; errors {len(big['errors'])} vs {len(one_big['errors'])}"
    )
    if at_issue and one_at_issue:
        status = "met" if issue_ratio >= SPEEDUP_TARGET else "**not met** at 50"
        if issue_ratio < SPEEDUP_TARGET and ratio >= SPEEDUP_TARGET:
            status += f", met at {big['sessions']}"
    else:  # no run of the issue's count: judged at the largest, and the status says so
        status = ("met" if ratio >= SPEEDUP_TARGET else "**not met**") + f" (at {big['sessions']} sessions)"
    return "; ".join(parts), status


def section(c: dict) -> list[str]:
    """The report's section: one row per load run, with CPU and errors."""
    out = ["", "## Concurrency (server-side: `python -m oversight serve`, websocket clients that do not render)", ""]
    if not c.get("one"):
        return out + [f"Not measured: {c.get('error', 'not run')}."]
    w = c["warmup"]
    out += [
        f"Each session signs in with a cookie session, opens the dashboard, then every 2-5 s (seeded; never "
        f"before its last page finished) changes page (half the actions) or the community filter (one of "
        f"{'、'.join(c['communities'])}, or all) for {c['seconds']:.0f} s; sessions arrive over the first "
        f'{min(ARRIVAL_S, c["seconds"] / 4):g} s. The runs marked "no pause" act as soon as the last page '
        f"finished: {ISSUE_SESSIONS} sessions then ask for more than the processes serve, and throughput is "
        "their capacity. They run in rounds, one process and two in adjacent windows, the order turned about "
        "each round, so that both meet the same machine.",
        "",
        "Time: from the action sent on the websocket to the run's script_finished. That is what an official waits "
        "for after a click, less the drawing on their own machine: every query, chart spec and table of the page, "
        "and the queueing behind other sessions' runs. Left out: the network (loopback here) and the browser "
        "drawing the page (on each official's own machine, so it does not grow with the sessions). The clients "
        "draw nothing, so the cores are the server's (the clients' CPU is in the table). Throughput: script runs "
        "finished without error per second, from the load's start to its last run's end (a run that times out "
        "stretches that span by its 60 s).",
        "",
        f"Before the load one session visited every page with every filter ({w['count']} runs, median "
        f"{_ms(w['median_s'])}, p95 {_ms(w['p95_s'])}), so the load meets warm caches.",
        "",
        "| Processes | Sessions | Runs | Throughput | Opens p95 | Changes median | Changes p95 | Errors | "
        "Server CPU | per run | Clients CPU | Load average after |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    runs = [*c["one"], c.get("two_at_target"), c.get("two_at_issue"), c["two"]]
    runs += [r[k] for r in capacity_rounds(c) for k in ("one", "two")]
    for r in runs:
        if r is None:
            continue
        cpu = r["cpu"]
        split = f" ({'+'.join(str(n) for n in r['split'])})" if r["processes"] > 1 else ""
        split += ", no pause" if r.get("pause_s") == list(SATURATED) else ""
        split += f", round {r['round']}" if r.get("round") else ""
        out.append(
            f"| {r['processes']} | {r['sessions']}{split} | {r['runs']} | {r['throughput']:.2f}/s | "
            f"{_ms(r['by_kind']['open']['p95_s'])} | {_ms(r['actions']['median_s'])} | {_ms(r['actions']['p95_s'])} | "
            f"{len(r['errors'])} | {cpu['servers_s']:,.0f} s of {cpu['available_s']:,.0f} | "
            f"{_ms(cpu['servers_s'] / max(r['runs'], 1))} | {cpu['clients_s']:,.0f} s | {r['load_after']} |"
        )
    main = _at(c, c["sessions"])
    if main and main.get("by_page"):
        pages = sorted(main["by_page"].items(), key=lambda kv: -(kv[1]["median_s"] or 0))
        out += [
            "",
            f"Per page at {main['sessions']} sessions (median time of a change to it, median of what it sends): "
            + "; ".join(f"{p} {_ms(v['median_s'])}, {v['median_kb']:,.0f} KB" for p, v in pages)
            + ".",
        ]
    errors = [e for r in runs if r for e in r["errors"]]
    out += ["", f"Errors: {len(errors)}" + (": " + "; ".join(errors[:5]) if errors else "") + "."]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.concurrency", description=__doc__.split("\n")[0])
    p.add_argument("--db", type=Path, required=True, help="a DuckDB file (copied into a versioned store)")
    p.add_argument("--sessions", type=int, default=20, help="the target's session count")
    p.add_argument("--sweep", default=",".join(map(str, SWEEP)), help="session counts on one process")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="write the result here")
    args = p.parse_args(argv)
    sweep = tuple(int(n) for n in args.sweep.split(",") if n)
    result = measure(args.db.resolve(), args.sessions, sweep, args.seconds, args.seed, progress=_say)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(section(result)))
    for t in targets(result):
        print(f"| {t['target']} | {t['measured']} | {t['status']} |")
    return 0


def _say(message: str) -> None:
    print(f"[concurrency {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
