"""What every part of the benchmark shares: paths, the two filter scenarios, worker processes, statistics.

Each measurement that needs a process of its own runs as `python -m bench.<module> ...` and prints
one line `BENCH-JSON {...}` with its result; the parent reads that line and the child's peak
memory (its own VmHWM). Children run one at a time: a DuckDB file opened read-write by one
process cannot be opened by another, and parallel work would distort the timings anyway.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Where databases and scratch files go: $BENCH_CACHE (the smoke test's tmp_path), default bench/cache."""
    path = Path(os.environ.get("BENCH_CACHE") or ROOT / "bench" / "cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


MARK = "BENCH-JSON "
SCENARIOS = ("none", "community")  # no filter; one community


@dataclass(frozen=True)
class Page:
    path: str  # pages/overview.py
    url: str  # overview
    name: str  # overview


def pages() -> list[Page]:
    """The dashboard's pages in navigation order, from its registry (a missing page file is an error)."""
    from oversight.ui import pages as registry

    return [Page(p.file, p.url, p.name) for p in registry.registered()]


@dataclass(frozen=True)
class Scenario:
    """A filter state: the community chosen (None: no filter) and the compounds it scopes to."""

    key: str
    community_id: str | None
    community_label: str | None
    compound_ids: list[str]
    as_of: date


def scenario(con, key: str) -> Scenario:
    """`none`, or `community`: the first community by id (a typical one: 4-12 compounds)."""
    from oversight import db
    from oversight.filters import unique_labels

    as_of = date.fromisoformat(db.meta(con)["as_of"])
    all_ids = db.all_compound_ids(con)
    if key == "none":
        return Scenario(key, None, None, all_ids, as_of)
    options = db.run("filter_options", con, compound_ids=all_ids)
    communities = list(dict.fromkeys(options["community_id"]))
    names = dict(zip(options["community_id"], options["community"], strict=False))
    labels = unique_labels(communities, [names[c] for c in communities])
    first = communities[0]
    ids = sorted(options.loc[options["community_id"] == first, "compound_id"])
    return Scenario(key, first, labels[first], ids, as_of)


def default_filter(con, sc: Scenario):
    """The Filter the sidebar builds for this scenario when nothing else is touched (12 months to as_of)."""
    import pandas as pd

    from oversight import db
    from oversight.filters import Filter, default_period, month_options, parse_month

    first = db.run("data_first_month", con, compound_ids=db.all_compound_ids(con), as_of=sc.as_of).iloc[0, 0]
    start, end = default_period(sc.as_of, month_options(pd.Timestamp(first).date(), sc.as_of))
    communities = (sc.community_id,) if sc.community_id else ()
    return Filter(communities=communities, start=parse_month(start), end=parse_month(end), as_of=sc.as_of)


def signed_in() -> dict:
    """Session state of a signed-in street admin, when the dashboard has a login gate; else nothing."""
    try:
        from oversight import auth
        from oversight.ui import login
    except ImportError:
        return {}
    return {login.ACCOUNT_KEY: auth.Account("bench", "street_admin", ()), login.SEEN_KEY: time.time()}


class Stopwatch:
    """Adds up the time spent inside the functions it wraps (outermost calls only): the data work of a run."""

    def __init__(self):
        self.total = 0.0
        self._depth = 0

    def wrap(self, owner, name: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            if self._depth:
                return original(*args, **kwargs)
            self._depth += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - started
                self._depth -= 1

        setattr(owner, name, timed)

    def take(self) -> float:
        total, self.total = self.total, 0.0
        return total


def emit(result: dict) -> None:
    """A worker's result, on one line the parent can find among Streamlit's log lines."""
    sys.stdout.write(MARK + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


@dataclass
class WorkerResult:
    data: dict  # the worker's BENCH-JSON result ({} if it printed none)
    seconds: float  # wall clock of the whole child
    peak_mb: float  # the child's peak resident memory (its VmHWM, read until it ends)
    returncode: int
    log_tail: str  # the end of its stderr, for the report when it failed


def spawn(cmd: list[str], env: dict | None = None, timeout: float = 1800) -> WorkerResult:
    """Run a command in ROOT to its end; its result line, wall time and peak resident memory."""
    out_path = cache_dir() / f".spawn-{os.getpid()}.out"
    err_path = cache_dir() / f".spawn-{os.getpid()}.err"
    started = time.perf_counter()
    with open(out_path, "w+b") as out, open(err_path, "w+b") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env or os.environ.copy(), stdout=out, stderr=err)
        deadline = started + timeout
        # The child's own high-water mark, read while it runs: wait4's ru_maxrss is no use here, as Linux
        # starts a forked child's figure at its parent's (this process may hold a gigabyte already).
        hwm = 0.0
        while True:
            with contextlib.suppress(OSError, ValueError):
                hwm = max(hwm, status_mb(proc.pid, "VmHWM"))
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: Popen must not wait again
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        tail = err.read().decode("utf-8", "replace")[-4000:]
    out_path.unlink(missing_ok=True)
    err_path.unlink(missing_ok=True)
    data: dict = {}
    for line in stdout.splitlines():
        if line.startswith(MARK):
            data = json.loads(line[len(MARK) :])
    if not data:
        tail = (stdout[-2000:] + "\n" + tail)[-4000:]
    return WorkerResult(data, seconds, max(hwm, data.get("peak_mb", 0.0)), proc.returncode, tail)


def run_worker(module: str, args: list[str], db_file: Path | None, timeout: float = 1800) -> WorkerResult:
    """`python -m <module> args` against db_file (OVERSIGHT_DB), in a process of its own."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if db_file is not None:
        env["OVERSIGHT_DB"] = str(db_file)
    return spawn([sys.executable, "-m", module, *args], env, timeout)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (VmHWM)."""
    return status_mb(os.getpid(), "VmHWM")


def status_mb(pid: int, field: str) -> float:
    """A memory figure (VmRSS, VmHWM) of a live process, in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return math.nan


def median(values) -> float:
    values = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def p95(values) -> float:
    """The 95th percentile, nearest-rank (no interpolation beyond the largest sample)."""
    values = sorted(v for v in values if v is not None and not math.isnan(v))
    if not values:
        return math.nan
    return values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
