"""The benchmark at toy scale, end to end, so that it cannot rot. Timings are never asserted."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from bench import browser, concurrency, files
from bench.common import median
from oversight import settings

ROWS = [
    "warm",
    "uncached",
    "ratio",
    "export_time",
    "export_memory",
    "import_time",
    "import_memory",
    "write_time",
    "write_serving",
    "rss",
    "baseline",
    "report_time",
    "load_p95",
    "load_saturation",
    "load_two_processes",
]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    if browser.available():
        pytest.skip(f"benchmark smoke run skipped: {browser.available()}")
    tmp = tmp_path_factory.mktemp("bench")
    out, report = tmp / "results.md", tmp / "results.json"
    cmd = [
        sys.executable, "-m", "bench.run", "--compounds", "30", "--months", "6", "--seed", "1", "--quick",
        "--load-sessions", "2", "--load-sweep", "2", "--load-seconds", "8", "--import-rows", "10000",
        "--out", str(out), "--json", str(report), "--cache", str(tmp / "cache"),
    ]  # fmt: skip
    done = subprocess.run(cmd, cwd=settings.ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text(encoding="utf-8"), json.loads(report.read_text(encoding="utf-8"))


def positive(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def test_every_target_has_a_row_with_a_status(smoke):
    markdown, data = smoke
    keys = [t["key"] for t in data["targets"]]
    assert keys == ROWS
    for t in data["targets"]:
        assert f"| {t['target']} | {t['measured']} | {t['status']} |" in markdown


def test_every_measured_value_is_a_positive_number(smoke):
    _, data = smoke
    import_missing = files.import_available()
    for t in data["targets"]:
        if t["status"] == "not measured":
            # Only the import may be missing, and only while its core is not there.
            assert t["key"].startswith("import_") and import_missing, t
            continue
        assert t["values"], t
        assert all(positive(v) for v in t["values"]), t


def test_every_page_and_query_is_measured_in_both_filters(smoke):
    markdown, data = smoke
    from bench.common import pages

    measured = {(p["page"], p["scenario"]) for p in data["results"]["warm"]["pages"]}
    for page in pages():
        for scenario in ("none", "community"):
            assert (page.name, scenario) in measured
            assert f"| {page.name} | {scenario} |" in markdown
            assert data["results"]["cold"][f"{page.name}/{scenario}"]["seconds"]
    for p in data["results"]["warm"]["pages"]:
        assert p["queries"], p["page"]
        assert all(positive(q["alone_s"]) for q in p["queries"])
        assert all(positive(s) for s in p["warm_s"] + p["uncached_s"])
        # The ratio's three sides are timed in the same rounds: one empty page, and each query twice, per
        # uncached run.
        rounds = len(p["uncached_s"])
        assert len(p["empty_s"]) == rounds and all(positive(s) for s in p["empty_s"])
        for q in p["queries"]:
            assert len(q["alone_runs_s"]) == len(q["alone_once_s"]) == rounds
            assert all(positive(s) for s in q["alone_runs_s"] + q["alone_once_s"])
            assert q["alone_s"] == median(q["alone_runs_s"])  # the floor is the second run of each round
    assert "| First runs | Empty page | Beyond | Ratio | Of medians |" in markdown
    assert "each query twice in a row, the second the floor" in markdown


def test_the_report_says_how_each_results_file_timed_the_ratio():
    from bench.report import _pages_section, _timing, page_rows

    query = {"alone_s": 0.020, "alone_runs_s": [0.020], "alone_once_s": [0.024]}
    page = {
        "page": "data", "scenario": "none", "warm_s": [0.01], "uncached_s": [0.030], "empty_s": [0.003],
        "queries": [query], "rerun_queries": [], "errors": [], "profile": [],
    }  # fmt: skip
    results = {"warm": {"empty": {"seconds": [0.002]}, "pages": [page]}}
    assert _timing(results) == "rounds"
    (row,) = page_rows(results)
    assert row["first_runs_s"] == 0.024
    section = "\n".join(_pages_section([row], "rounds"))
    assert "| data | none |" in section and "| 20 ms | 24 ms | 3 ms | 7 ms | 1.30 | 1.30 |" in section
    del query["alone_once_s"]  # 14:52 on 2026-12-01: each query once per round
    assert _timing(results) == "once"
    del page["empty_s"]  # before it: the sides timed apart
    assert _timing(results) == "apart"


def test_a_pages_ratio_takes_the_empty_page_timed_in_its_own_rounds():
    from bench.report import page_rows

    page = {
        "page": "data", "scenario": "none", "warm_s": [0.01], "uncached_s": [0.030, 0.036, 0.033],
        "empty_s": [0.004, 0.002, 0.003], "queries": [{"alone_s": 0.020}, {"alone_s": 0.001}],
        "rerun_queries": [], "errors": [], "profile": [],
    }  # fmt: skip
    results = {"warm": {"empty": {"seconds": [0.050]}, "pages": [page]}}
    (row,) = page_rows(results)
    assert row["empty_s"] == 0.003
    assert row["ratio"] == pytest.approx(0.033 / (0.021 + 0.003))
    # A result from before the rounds (no empty_s per page) falls back on the one empty page of the run.
    del page["empty_s"]
    (row,) = page_rows(results)
    assert row["empty_s"] == 0.050


def test_a_pages_ratio_is_the_median_of_its_rounds_ratios():
    """Each round times the page, its queries and the empty page moments apart: a slow minute that falls on
    one round's three sides cancels in that round's ratio, not in the ratio of the medians."""
    from bench.report import _page_targets, page_rows

    # The second round ran on a slow machine: everything in it took twice as long.
    runs = {"uncached_s": [0.030, 0.060, 0.036], "q": [0.020, 0.040, 0.018], "empty_s": [0.004, 0.008, 0.004]}
    page = {
        "page": "partners", "scenario": "community", "warm_s": [0.01], "uncached_s": runs["uncached_s"],
        "empty_s": runs["empty_s"], "queries": [{"alone_s": median(runs["q"]), "alone_runs_s": runs["q"]}],
        "rerun_queries": [], "errors": [], "profile": [],
    }  # fmt: skip
    (row,) = page_rows({"warm": {"empty": {"seconds": [0.004]}, "pages": [page]}})
    assert row["round_ratios"] == pytest.approx([0.030 / 0.024, 0.060 / 0.048, 0.036 / 0.022])
    assert row["ratio"] == pytest.approx(1.25)  # the median round
    assert row["ratio_of_medians"] == pytest.approx(0.036 / (0.020 + 0.004))  # 1.50: the pairing lost
    ratio = next(t for t in _page_targets([row]) if t["key"] == "ratio")
    assert ratio["status"] == "met" and "the median of its rounds (1.25, 1.25, 1.64: 1 of 3 over" in ratio["measured"]
    # What the median hides is said beside it: the rounds added up, and the ratio of the medians.
    assert f"all its rounds added up {0.126 / 0.094:.2f}×" in ratio["measured"]
    assert "whose ratio is 1.50×" in ratio["measured"] and "single rounds over: 1 of 3" in ratio["measured"]
    assert "on the ratio of the medians 0 of 1, worst partners (community) 1.50×" in ratio["measured"]
    # Without every round's sides (older results), the ratio of the medians is all there is.
    del page["queries"][0]["alone_runs_s"]
    (row,) = page_rows({"warm": {"empty": {"seconds": [0.004]}, "pages": [page]}})
    assert row["round_ratios"] == [] and row["ratio"] == pytest.approx(1.5)


def test_the_baseline_figures_are_checked_against_ours(smoke):
    markdown, data = smoke
    checks = data["results"]["baseline"]["checks"]
    assert checks and {c["query"] for c in checks} >= {"kpi_requests", "requests_by_compound", "kpi_renovation"}
    assert "## Baseline" in markdown


def test_concurrent_sessions_are_timed_at_the_server_without_errors(demo_master, tmp_path, monkeypatch):
    """Websocket clients against `python -m oversight serve`, one process then two, on the demo data."""
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path))
    result = concurrency.measure(demo_master, sessions=2, sweep=(2,), seconds=8, filters=1, progress=lambda _: None)
    one, two, deployed = result["one"][0], result["two"], result["two_at_target"]
    assert result["warmup"]["errors"] == []
    assert result["warmup"]["count"] >= 2 * 9  # every page, with no filter and with the community
    assert deployed["processes"] == 2 and deployed["sessions"] == 2  # the target's count on two processes
    for r in (one, two, deployed):
        assert r["errors"] == []
        assert r["by_kind"]["open"]["count"] == 2
        assert r["actions"]["count"] >= 2  # each session acts at least once: it opens within 2 s, acts 2-5 s later
        assert positive(r["actions"]["p95_s"]) and positive(r["throughput"])
    assert two["processes"] == 2 and two["split"] == [1, 1]  # nginx's hash sent one session to each
    keys = [t["key"] for t in concurrency.targets(result)]
    assert keys == ["load_p95", "load_saturation", "load_two_processes"]


def _run(sessions: int, processes: int, throughput: float, p95: float) -> dict:
    return {
        "sessions": sessions,
        "processes": processes,
        "throughput": throughput,
        "actions": {"p95_s": p95},
        "errors": [],
        "cpu": {"servers_s": 1.0, "available_s": 2.0, "machine_s": 1.0, "clients_s": 0.0},
    }


def test_two_processes_are_judged_at_50_sessions_and_beyond_where_one_process_keeps_up():
    """Where one process runs every run 50 sessions ask for (about 14/s), no second process can run more: the
    report says so, and what two processes add at the largest count, without calling the target met."""
    n = concurrency.ISSUE_SESSIONS
    offered = concurrency._offered(n)
    one_50, two_50 = _run(n, 1, offered * 0.97, 3.9), _run(n, 2, offered * 0.98, 0.9)
    one_100, two_100 = _run(100, 1, offered, 9.0), _run(100, 2, offered * 1.8, 1.2)
    text, status = concurrency._two_processes(two_100, one_100, 1.8, one_100, two_50, one_50, 0.98 / 0.97)
    assert status == "**not met** at 50, met at 100"
    assert "no second process can run more" in text and "1.80×" in text
    _, status = concurrency._two_processes(
        two_100, one_100, 1.8, one_100, _run(n, 2, offered * 1.6, 0.5), _run(n, 1, offered * 0.6, 9.0), 1.6 / 0.6
    )
    assert status == "met"


def test_two_processes_are_judged_on_capacity_where_paced_sessions_cannot_tell_them_apart():
    """50 sessions that act as soon as each page is drawn ask for more than one process serves. They run in
    rounds, one process and two in adjacent windows; the median round's ratio judges the target where one
    process already runs all that 50 paced sessions ask for (the paced ratio is said beside it, as no
    comparison), and stands beside the paced status where it does not."""
    n = concurrency.ISSUE_SESSIONS
    rounds = [{"one": _run(n, 1, one, 6.0), "two": _run(n, 2, two, 3.0)} for one, two in [(10, 18), (12, 15), (10, 22)]]
    for i, pair in enumerate(rounds):
        pair["one"].update({"round": i + 1, "window": 1 + i % 2})
        pair["two"].update({"round": i + 1, "window": 2 - i % 2})
    cap = concurrency._capacity(rounds)
    assert cap["ratio"] == pytest.approx(1.8) and cap["reached"] == 2  # the rounds read 1.80, 1.25 and 2.20
    assert "one process and two in adjacent windows, 3 rounds, the order turned about each round" in cap["text"]
    assert "1.80× the median round (1.80×, 1.25×, 2.20×; lowest 1.25×, 2 of 3 ≥ 1.5×)" in cap["text"]
    assert "18.0 runs/s on two vs 10.0 on one" in cap["text"]
    status = concurrency._judged("**not met** at 50", cap, demand_bound=True, paced_ratio=1.0)
    assert status == (
        "met on capacity at 50 without pauses (2 of 3 rounds); with pauses 1.00×, not a comparison: one process "
        "serves all that 50 sessions ask for"
    )
    low = {**cap, "ratio": 1.4}
    assert concurrency._judged("x", low, demand_bound=True, paced_ratio=1.0).startswith("**not met** on capacity")
    assert (
        concurrency._judged("**not met** at 50", cap, demand_bound=False, paced_ratio=0.98)
        == "**not met** at 50; met at 50 without pauses (2 of 3 rounds)"
    )
    # An error in any round fails it, whatever the ratio.
    failed = {**cap, "errors": 2}
    assert concurrency._judged("x", failed, True, 1.0).startswith(
        "**not met** on capacity at 50 without pauses (2 of 3 rounds; 2 errors)"
    )
    # A round where one process finished nothing has no ratio; with none at all, nothing is judged.
    dead = [{"one": _run(n, 1, 0.0, 60.0), "two": _run(n, 2, 5.0, 60.0)}]
    nothing = concurrency._capacity(dead)
    assert math.isnan(nothing["ratio"]) and "no ratio: one process finished no run" in nothing["text"]
    assert concurrency._judged("x", nothing, True, 1.0).startswith("not measured on capacity at 50")
    # A results file from before the rounds holds one run of each.
    old = {"one_saturated": rounds[0]["one"], "two_saturated": rounds[0]["two"]}
    assert concurrency.capacity_rounds({}) == []
    for run in old.values():
        del run["round"], run["window"]
    assert concurrency.capacity_rounds(old) == [rounds[0]]
    assert "one run of each: 18.0 runs/s" in concurrency._capacity(concurrency.capacity_rounds(old))["text"]
    assert concurrency.capacity_rounds({"capacity": rounds, **old}) == rounds


def test_a_missed_capacity_shows_why_even_beside_a_paced_pass():
    """The reasons are listed whenever any part of the status is not met."""
    n = concurrency.ISSUE_SESSIONS
    one_50, two_50 = _run(n, 1, 5.0, 9.0), _run(n, 2, 9.0, 2.0)  # one process does not keep up with 50
    one_100, two_100 = _run(100, 1, 6.0, 20.0), _run(100, 2, 11.0, 4.0)
    slow = [{"one": {**_run(n, 1, 10.0, 6.0), "round": 1}, "two": {**_run(n, 2, 12.0, 3.0), "round": 1}}]
    for r in (one_50, two_50, one_100, two_100, *slow[0].values()):
        r.update({"runs": 100, "by_kind": {"open": {"p95_s": 1.0}}, "load_after": ""})
        r["actions"].update({"median_s": 0.5, "count": 90})
    c = {"sessions": 20, "seconds": 60, "one": [one_50, one_100], "two": two_100, "two_at_issue": two_50,
         "capacity": slow}  # fmt: skip
    c["one"].insert(0, {**_run(20, 1, 5.0, 0.5), "runs": 100, "load_after": ""})
    c["one"][0]["actions"].update({"median_s": 0.2, "count": 90})
    target = next(t for t in concurrency.targets(c) if t["key"] == "load_two_processes")
    assert target["status"] == "met; **not met** at 50 without pauses (0 of 1 rounds)"
    assert target["why"] and "without pauses the rounds read 1.20×" in target["why"][-1]
    assert target["values"][-1] == pytest.approx(1.2)


def test_saturation_is_placed_between_the_counts_one_process_keeps_up_with_and_not():
    """A quick sweep (20, 50, 100) says no more than that one process keeps up with 50 and not with 100."""
    runs = [_run(n, 1, concurrency._offered(n) * share, p95) for n, share, p95 in [(20, 1.0, 0.1), (50, 0.99, 0.4),
            (100, 0.85, 4.1)]]  # fmt: skip
    text = concurrency._saturates(runs, runs[-1])
    assert text.startswith("one process keeps up with 50 sessions and not with 100 (24.3 of the 28.6 runs/s")
    assert text.endswith("p95 4,100 ms): it saturates between them")
    kept = [_run(n, 1, concurrency._offered(n), 0.1) for n in (20, 50)]  # never saturated: the best run is named
    assert concurrency._saturates(kept, kept[-1]).startswith("saturates at about 50 sessions")


def test_one_process_keeps_up_when_it_runs_nearly_all_its_paced_sessions_ask_for():
    n = concurrency.ISSUE_SESSIONS
    assert concurrency._keeps_up(_run(n, 1, concurrency._offered(n) * 0.95, 0.4))
    assert not concurrency._keeps_up(_run(n, 1, concurrency._offered(n) * 0.8, 4.0))


def test_the_export_is_judged_by_its_median_run_and_its_worst_memory(monkeypatch):
    """One export on a shared machine says little: the time is the median run's, the memory the worst."""
    from bench import report

    runs = iter([{"seconds": s, "rows": 9, "bytes": 9, "peak_mb": m, "own_mb": m - 100} for s, m in
                 [(3.1, 300), (2.2, 320), (2.4, 310)]])  # fmt: skip
    monkeypatch.setattr(files, "measure_export", lambda *a, **k: next(runs))
    got = files.measure_export_median(settings.ROOT, "export", 3)
    assert got["seconds"] == 2.4 and sorted(got["runs_s"]) == [2.2, 2.4, 3.1]
    assert (got["peak_mb"], got["own_mb"]) == (320, 220)
    assert report._runs(got) == ", the median of 3 runs (2,200 ms, 2,400 ms, 3,100 ms)"
    assert report._runs({"seconds": 1.0}) == ""


def test_a_failed_export_run_is_reported_and_fails_the_memory_target(monkeypatch):
    """A run that failed (killed for its memory, say) is not dropped: the report names it, and the
    memory target cannot be met by the runs that survived. With an even count, the slower middle run."""
    from bench import report

    runs = iter([{"seconds": 2.9, "rows": 2_000_000, "bytes": 9, "peak_mb": 300, "own_mb": 200},
                 {"error": "exit -9: Killed"},
                 {"seconds": 3.4, "rows": 2_000_000, "bytes": 9, "peak_mb": 310, "own_mb": 210}])  # fmt: skip
    monkeypatch.setattr(files, "measure_export", lambda *a, **k: next(runs))
    got = files.measure_export_median(settings.ROOT, "export", 3)
    assert got["seconds"] == 3.4  # of two, the slower
    assert got["failed"] == ["exit -9: Killed"] and got["runs_asked"] == 3
    assert "1 of 3 runs failed (exit -9: Killed)" in report._runs(got)
    time_row, memory_row = report._export_targets({"full": got, "part": got, "copy": got})
    assert "1 of 3 runs failed" in time_row["measured"]
    assert memory_row["status"] == report.ok(False)
    assert "failed" in " ".join(memory_row["why"])


def test_the_workers_read_st_context_from_a_plain_client_not_a_mock():
    """AppTest's mock Runtime made each st.context read cost a new mock; the workers read a plain client:
    no cookie, no forwarded address, and the local peer that st.context reports as None."""
    script = (
        "from bench import pages; pages.prepare()\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_string('import streamlit as st\\n"
        "c = st.context\\n"
        'st.text(repr((dict(c.cookies), c.headers.get("X-Forwarded-For"), c.ip_address)))\')\n'
        "at.run()\n"
        "print('SEEN', at.text[0].value)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=settings.ROOT, timeout=120)
    seen = [line for line in out.stdout.splitlines() if line.startswith("SEEN ")]
    assert seen == ["SEEN ({}, None, None)"], out.stderr[-2000:]
