"""A write at scale while a dashboard serves: `python -m bench.writes --store PATH --csv FILE`.

One process plays the dashboard: the Overview page through AppTest on the versioned store, warm.
It times `reps` quiet reruns, then starts the command-line import of FILE (a new version of the
whole database: copy, apply, checkpoint, swap) and keeps rerunning the page until the write ends;
only reruns that finished while the write ran count. Then a small write (as-of) on its own.
Emits the write's time and peak memory, the page's quiet and during-write medians, and disk use.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, emit, median, peak_rss_mb, signed_in, status_mb
from bench.pages import prepare


def _page_run(at) -> float:
    started = time.perf_counter()
    at.run(timeout=120)
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return time.perf_counter() - started


def _write(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait(proc: subprocess.Popen) -> tuple[float, float]:
    """Seconds until proc ends and its peak resident memory in MB (read from /proc while it runs)."""
    started, peak = time.perf_counter(), 0.0
    while proc.poll() is None:
        peak = max(peak, status_mb(proc.pid, "VmHWM"))
        time.sleep(0.05)
    if proc.returncode != 0:
        raise RuntimeError(f"write failed: {proc.stderr.read()[-800:]}")
    return time.perf_counter() - started, peak


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.writes")
    p.add_argument("--store", type=Path, required=True)
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args(argv)
    os.environ["OVERSIGHT_DB"] = str(args.store)
    prepare()
    from streamlit.testing.v1 import AppTest

    from oversight import store

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for k, v in signed_in().items():
        at.session_state[k] = v
    _page_run(at)
    _page_run(at)  # every query a cache hit from here on
    quiet = [_page_run(at) for _ in range(args.reps)]

    env = {**os.environ, "OVERSIGHT_DB": str(args.store), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "oversight", "import", "services", str(args.csv), "--db", str(args.store)]
    started, during, peak = time.perf_counter(), [], 0.0
    proc = _write(cmd, env)
    while proc.poll() is None:
        peak = max(peak, status_mb(proc.pid, "VmHWM"))
        seconds = _page_run(at)
        if proc.poll() is None:
            during.append(seconds)
    write_seconds, tail_peak = _wait(proc)
    write_seconds = time.perf_counter() - started
    version = store.current(args.store)

    small = _write([sys.executable, "-m", "oversight", "as-of", "2099-01-01", "--db", str(args.store)], env)
    small_seconds, small_peak = _wait(small)

    versions = list(store.versions_dir(args.store).glob("v*.duckdb"))
    emit(
        {
            "write_seconds": write_seconds,
            "write_peak_mb": max(peak, tail_peak),
            "small_write_seconds": small_seconds,
            "small_write_peak_mb": small_peak,
            "quiet": quiet,
            "during": during,
            "quiet_median": median(quiet),
            "during_median": median(during) if during else None,
            "version_mb": version.file.stat().st_size / 2**20,
            "versions_kept": len(versions),
            "disk_mb": sum(f.stat().st_size for f in versions) / 2**20,
            "peak_mb": peak_rss_mb(),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
