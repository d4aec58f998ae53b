"""The monthly report: every figure in the .docx equals the page's figure for the same filter (computed
through the metric catalogue, never written down here), the lists are the pages' lists, a community's
staff get only their compounds, the 督办 section orders overdue cases first, and the document renders
with LibreOffice to pages whose text is Chinese (PNG copies in tests/artifacts/ to look at)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from docx import Document

from oversight import db, fmt, i18n, metrics, report, settings
from oversight.__main__ import main
from oversight.filters import Filter
from oversight.ui import report_charts
from tests.apptest import assert_clean, open_page

AS_OF = date(2023, 9, 30)  # the demo's as_of
ARTIFACTS = settings.ROOT / "tests" / "artifacts"
FIGURE_HEADER = ["指标", "本期", "上期", "环比", "上年同期", "同比"]


def docx_tables(data: bytes) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(io.BytesIO(data)).tables]


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def figure_rows(data: bytes) -> dict[str, list[list[str]]]:
    """Every row of every key-figure table, by its label (a label may appear in several sections)."""
    rows: dict[str, list[list[str]]] = {}
    for table in docx_tables(data):
        if table[0] == FIGURE_HEADER:
            for row in table[1:]:
                rows.setdefault(row[0], []).append(row[1:])
    return rows


def month_filter(month: date) -> Filter:
    return Filter(start=month, end=month, as_of=AS_OF)


def page_figures(con, ids: list[str], month: date) -> dict[str, metrics.Figure]:
    """What the pages' KPI cards compute for this filter: the catalogue over ctx.fetch's parameters."""
    flt = month_filter(month)
    keys = [k for s in report.SECTIONS for k in report.shown_metrics(s)]

    def fetch(query, previous):
        return db.run(query, con, **flt.params(ids, previous))

    return {f.metric.key: f for f in metrics.figures(dict.fromkeys(keys), fetch)}


@pytest.fixture(scope="module")
def street_report(demo_master) -> bytes:
    con = duckdb.connect(str(demo_master), read_only=True)
    try:
        return report.build(con, db.all_compound_ids(con), report.month_period("2023-09"), AS_OF, "zh")
    finally:
        con.close()


def test_every_key_figure_equals_the_catalogue_figure_for_the_same_filter(demo_master, street_report):
    con = duckdb.connect(str(demo_master), read_only=True)
    ids = db.all_compound_ids(con)
    now = page_figures(con, ids, date(2023, 9, 1))
    year_ago = page_figures(con, ids, date(2022, 9, 1))
    con.close()
    shown = figure_rows(street_report)
    keys = [k for s in report.SECTIONS for k in report.shown_metrics(s)]
    assert keys and len(shown) == len(set(keys))
    for key in keys:
        fig, m = now[key], metrics.CATALOGUE[key]
        label = i18n.t(f"metric.{key}")
        for current, previous, change, old, change_year in shown[label]:
            assert current == metrics.display(key, fig.value), key
            if not m.has_delta:
                assert previous == change == old == change_year == "—", key
                continue
            assert previous == metrics.display(key, fig.previous), key
            assert old == metrics.display(key, year_ago[key].value), key
            assert change == report.relative_change(m.kind, fig.value, fig.previous, "zh"), key
            assert change_year == report.relative_change(m.kind, fig.value, year_ago[key].value, "zh"), key
    # The opening sentence repeats figures of the table, never other numbers.
    text = docx_text(street_report)
    for key in ("compounds_in_plan", "items_done", "response_rate", "satisfaction_rate", "partner_value"):
        assert fmt.value(metrics.CATALOGUE[key].kind, now[key].value) in text


def test_changes_are_points_for_rates_and_percent_for_the_rest():
    assert report.relative_change("pct", 0.9, 0.85, "zh") == "+5.0 个百分点"
    assert report.relative_change("int", 110, 100, "zh") == "+10.0%"
    assert report.relative_change("yuan", 50, 100, "zh") == "-50.0%"
    assert report.relative_change("int", 5, 0, "zh") == "—"
    assert report.relative_change("int", 5, None, "zh") == "—"


def test_the_overview_page_shows_the_figures_the_report_prints(app_env, street_report):
    at = open_page("app_pages/overview.py", period=("2023-09", "2023-09"))
    assert_clean(at)
    shown = figure_rows(street_report)
    cards = {m.label: m.value for m in at.metric}
    compared = [label for label in cards if label in shown]
    assert len(compared) >= 8, cards
    for label in compared:
        assert all(row[0] == cards[label] for row in shown[label]), label
    assert [b.label for b in at.get("download_button") if b.label == i18n.t("report.button")]


def test_the_layout_districts_use(street_report):
    text = docx_text(street_report)
    headings = [i18n.t(f"report.section_{s.key}") for s in report.SECTIONS]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert text.startswith("台北街道2023年9月")
    assert "报送单位：台北街道" in text and "报送日期：2023-09-30" in text
    assert "填报人" in text and "审核人" in text and "联系电话" in text
    assert i18n.t("report.no_cases") in text  # the demo as built has no case (the ledger opens them on writes)


def test_the_lists_are_the_pages_lists(demo_master, street_report):
    con = duckdb.connect(str(demo_master), read_only=True)
    params = month_filter(date(2023, 9, 1)).params(db.all_compound_ids(con))
    overdue = db.run("overdue_items", con, **params)
    late_start = db.run("late_start_items", con, **params)
    units = db.run("partners_by_unit", con, **params)
    con.close()
    tables = docx_tables(street_report)
    late = next(t for t in tables if t[0][:2] == ["小区", "项目名称"] and i18n.t("col.planned_end", "zh") in t[0])
    assert [r[:2] for r in late[1:]] == overdue[["compound", "title"]].head(20).values.tolist()
    assert [r[-1] for r in late[1:]] == [fmt.number(d) for d in overdue["days_overdue"].head(20)]
    not_started = next(
        t for t in tables if t[0][:2] == ["小区", "项目名称"] and i18n.t("col.planned_start", "zh") in t[0]
    )
    assert [r[:2] for r in not_started[1:]] == late_start[["compound", "title"]].head(20).values.tolist()
    partners = next(t for t in tables if t[0][0] == "共建单位")
    assert [r[0] for r in partners[1:]] == units["unit"].head(10).tolist()
    assert [r[2] for r in partners[1:]] == [fmt.yuan(v) for v in units["value_yuan"].head(10)]
    # The 红黑榜 are the 居民诉求 page's boards: the same query, minimum sample and size.
    con = duckdb.connect(str(demo_master), read_only=True)
    for name, query in report.BOARDS:
        ranked = db.run(query, con, **params)
        red, black = metrics.red_black(ranked[ranked["ranked"]], settings.ranking_size())
        header = i18n.t(f"col.{name}", "zh")
        shown = [t for t in tables if t[0][0] == header and "综合得分" in t[0]]
        if red.empty:
            assert not shown
            continue
        assert [r[0] for r in shown[0][1:]] == red[name].tolist()
        assert [r[0] for r in shown[1][1:]] == black[name].tolist()
    con.close()


def test_a_community_staff_report_holds_only_their_communities(app_env):
    """The button's document for a community_staff account: built from the very context the page used."""
    from oversight import auth
    from oversight.ui import context, reports

    staff = auth.Account("staff_c02", "community_staff", ("C02",))
    from tests.apptest import new_app

    at = new_app(staff)
    at.session_state["period"] = ("2023-09", "2023-09")
    at.run()
    assert_clean(at)
    ctx = at.session_state[context._KEY]
    con = db.connect(app_env)
    mine = set(db.run("account_scope", con, community_ids=["C02"])["compound_id"])
    assert set(ctx.compound_ids) == mine
    data = report.gather(con, ctx.compound_ids, report.period_of(ctx.filter), ctx.as_of, "zh")
    document = reports.make(ctx)
    everything = db.run("snapshot_compounds", con, compound_ids=db.all_compound_ids(con))
    theirs = set(everything.loc[everything["compound_id"].isin(mine), "name"])
    others = set(everything["name"]) - theirs
    listed = set()
    for table in docx_tables(document):
        if table[0][0] == "小区":
            listed |= {r[0] for r in table[1:]}
    assert listed <= theirs  # every compound a table lists is theirs (and below: no other name anywhere)
    text = docx_text(document)
    assert not [n for n in others if n in text]
    assert f"统计范围：{len(mine)}个小区" in text
    assert "台北一路社区" in data.unit and data.unit in text
    expected = page_figures(con, sorted(mine), date(2023, 9, 1))["requests_total"].value
    assert figure_rows(document)[i18n.t("metric.requests_total")][0][0] == metrics.display("requests_total", expected)


def test_the_command_line_writes_the_report_and_refuses_bad_input_in_one_line(demo_db, tmp_path, capsys):
    out = tmp_path / "月报.docx"
    assert main(["report", "--period", "2023-09", "--out", str(out), "--db", str(demo_db), "--community", "C01"]) == 0
    assert "已生成报告" in capsys.readouterr().out
    from oversight import audit

    last = audit.entries(last=1).iloc[0]
    assert last["action"] == "export" and "月报.docx" in last["detail"] and "2023-09" in last["detail"]
    text = docx_text(out.read_bytes())
    assert "和美社区" in text and "统计范围：12个小区" in text
    # Charts: the pages' three charts, as pictures.
    assert len(Document(str(out)).inline_shapes) == 3
    week = tmp_path / "week.docx"
    assert main(["report", "--week", "2023-W37", "--out", str(week), "--db", str(demo_db), "--lang", "en"]) == 0
    assert "weekly report 2023 week 37" in docx_text(week.read_bytes())
    empty = tmp_path / "empty.duckdb"
    assert main(["init", "--db", str(empty)]) == 0
    capsys.readouterr()
    assert main(["report", "--period", "2023-09", "--out", str(tmp_path / "e.docx"), "--db", str(empty)]) == 1
    assert "数据中还没有小区" in capsys.readouterr().err
    for argv, message in (
        (["--period", "2023-9"], "统计月份“2023-9”无法识别"),
        (["--week", "2023-W60"], "统计周“2023-W60”无法识别"),
        (["--period", "2023-08", "--week", "2023-W37"], "不在 2023-08 月内"),
        ([], "请给出统计月份"),
        (["--period", "2023-09", "--community", "C99"], "没有编号为 C99 的社区"),
    ):
        assert main(["report", *argv, "--out", str(tmp_path / "x.docx"), "--db", str(demo_db)]) == 1
        err = capsys.readouterr().err.strip()
        assert message in err and "\n" not in err and "Traceback" not in err


def test_periods_bind_what_the_pages_bind():
    ids = ["A"]
    month = report.month_period("2023-09")
    assert month.params(ids, AS_OF) == month_filter(date(2023, 9, 1)).params(ids)
    assert month.before().params(ids, AS_OF) == month_filter(date(2023, 9, 1)).params(ids, previous=True)
    flt = Filter(start=date(2022, 10, 1), end=date(2023, 9, 1), as_of=AS_OF)
    ranged = report.period_of(flt)
    assert ranged.params(ids, AS_OF) == flt.params(ids)
    assert ranged.before().params(ids, AS_OF) == flt.params(ids, previous=True)
    assert month.year_ago().start == date(2022, 9, 1) and month.year_ago().end == date(2022, 10, 1)
    week = report.week_period("2023-W37")
    assert (week.start, week.end) == (date(2023, 9, 11), date(2023, 9, 18))
    assert week.before().start == date(2023, 9, 4) and week.year_ago().start.weekday() == 0


def test_every_section_key_is_in_the_catalogue_or_awaits_it():
    keys = {k for s in report.SECTIONS for k in s.metrics}
    assert keys - metrics.CATALOGUE.keys() <= report.AWAITING_CATALOGUE


CASES = pd.DataFrame(
    [
        # case_id, kind, compound, title, status, due_on, assignee_unit, opened_on, closed_on
        ("D1", "overdue_item", "甲", "a", "in_progress", "2023-09-20", "u", "2023-08-01", None),
        ("D2", "overdue_item", "乙", "b", "open", "2023-10-20", "u", "2023-08-01", None),
        ("D3", "old_request", "丙", "c", "closed", "2023-09-01", "u", "2023-07-01", "2023-09-05"),
        ("D4", "old_request", "丁", "d", "open", "2023-08-01", "u", "2023-07-01", None),
        ("D5", "low_satisfaction", "戊", "e", "closed", "2023-09-30", "u", "2023-07-01", "2023-09-25"),
        ("D6", "low_satisfaction", "己", "f", "open", "2023-10-01", "u", "2023-07-01", None),
    ],
    columns=report.CASE_COLUMNS,
)


def test_cases_are_ordered_overdue_first_then_open_then_closed():
    rows = report.supervision_rows(CASES, AS_OF)
    assert rows["case_id"].tolist() == ["D4", "D1", "D6", "D2", "D5", "D3"]
    assert rows["is_overdue"].tolist() == [True, True, False, False, False, False]
    assert rows["days_overdue"].head(2).tolist() == [60, 10]


@pytest.mark.parametrize("listed", [None, 2])
def test_the_ledger_fills_section_six_within_scope_overdue_first(demo_db, monkeypatch, listed):
    """Section six lists the cases overdue first; at most report.CASES_LISTED of them (a city's ledger
    holds tens of thousands: listing them all took minutes and gigabytes), saying how many are listed."""
    if listed:
        monkeypatch.setattr(report, "CASES_LISTED", listed)
    con = duckdb.connect(str(demo_db))
    c01 = db.run("account_scope", con, community_ids=["C01"])["compound_id"].tolist()
    c02 = db.run("account_scope", con, community_ids=["C02"])["compound_id"].tolist()
    rows = [
        ("S1", "late_finish", c01[0], "督办甲", "open", "2023-10-15", "和美社区党委", "2023-09-01", None),
        ("S2", "late_start", c01[1], "督办乙", "in_progress", "2023-09-10", "物业公司", "2023-08-20", None),
        ("S3", "request_overdue", c01[2], "督办丙", "closed", "2023-09-20", "和美社区党委", "2023-08-01", "2023-09-12"),
        ("S4", "request_overdue", c01[2], "去年已销号", "closed", "2022-09-20", "x", "2022-08-01", "2022-09-12"),
        ("S5", "low_satisfaction", c02[0], "别的社区", "open", "2023-09-10", "y", "2023-08-01", None),
    ]
    con.execute("DELETE FROM supervision_cases")
    con.executemany(
        "INSERT INTO supervision_cases (case_id, kind, compound_id, title, status, due_on, assignee_unit, opened_on,"
        " closed_on, subject_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'x')",
        rows,
    )
    con.close()
    con = duckdb.connect(str(demo_db), read_only=True)
    document = report.build(con, c01, report.month_period("2023-09"), AS_OF, "zh")
    con.close()
    table = next(t for t in docx_tables(document) if t[0][0] == "督办编号")
    assert [r[0] for r in table[1:]] == ["S2", "S1", "S3"][:listed]
    assert table[1][4] == "逾期20天" and table[2][4] == "待办"
    assert table[1][1] == "未按期开工"  # the ledger's own labels
    if not listed:
        assert table[3][4] == "已销号" and table[3][1] == "诉求超期未办结"
    text = docx_text(document)
    assert "本期督办事项3件：未办结2件（其中逾期1件），已销号1件" in text
    assert ("列出前2项" in text) == (listed == 2)
    assert "别的社区" not in text and "去年已销号" not in text


def _render_pdf(docx: Path, out_dir: Path) -> Path:
    done = subprocess.run(
        ["libreoffice", "--headless", f"-env:UserInstallation=file://{out_dir}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(docx)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    pdf = out_dir / (docx.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr
    return pdf


def _require_renderers() -> None:
    """Without LibreOffice or poppler a render test is skipped with the reason; under CI=true it fails."""
    missing = [p for p, tool in (("libreoffice-writer-nogui", "libreoffice"), ("poppler-utils", "pdftoppm"))
               if not shutil.which(tool)]  # fmt: skip
    if not missing:
        return
    reason = f"report render test skipped: apt-get install {' '.join(missing)} (or run .ci/run)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def test_the_document_renders_to_pdf_pages_in_chinese(demo_master, tmp_path):
    _require_renderers()
    con = duckdb.connect(str(demo_master), read_only=True)
    docx = tmp_path / "report-2023-09.docx"
    report.write(
        docx, con, db.all_compound_ids(con), report.month_period("2023-09"), AS_OF, "zh", render=report_charts.render
    )
    con.close()
    pdf = _render_pdf(docx, tmp_path)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "CJK" in fonts  # the Chinese text is set in a CJK font, not missing-glyph boxes
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for heading in (
        "一、总体情况",
        "二、小区改造",
        "三、共建单位",
        "四、红色物业与接诉即办",
        "五、志愿服务",
        "六、督办事项",
    ):
        assert heading in text
    assert "填报人" in text and "报送单位：台北街道" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("report-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(ARTIFACTS / "report-page")], check=True)
    pages = sorted(ARTIFACTS.glob("report-page-*.png"))
    assert 3 <= len(pages) <= 8
    shutil.copy(docx, ARTIFACTS / docx.name)


def test_the_english_report_of_one_community_renders_too(demo_master, tmp_path):
    _require_renderers()
    con = duckdb.connect(str(demo_master), read_only=True)
    ids = db.run("account_scope", con, community_ids=["C01"])["compound_id"].tolist()
    docx = tmp_path / "report-en-C01.docx"
    report.write(docx, con, ids, report.month_period("2023-09"), AS_OF, "en", render=report_charts.render)
    con.close()
    pdf = _render_pdf(docx, tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "1. Overview" in text and "6. Supervised cases" in text and "Compiled by" in text
    assert "和美社区" in text  # names stay as the data has them
    for old in ARTIFACTS.glob("report-en-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(ARTIFACTS / "report-en-page")], check=True)
    assert 3 <= len(list(ARTIFACTS.glob("report-en-page-*.png"))) <= 8


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_sentence_writes_each_unit_once(demo_master, lang):
    """一、总体情况's sentence takes the figures as the cards show them, units included (23个, 12 compounds):
    the sentence must not add the unit again (23个个, 12 compounds compounds)."""
    con = duckdb.connect(str(demo_master), read_only=True)
    try:
        data = report.gather(con, db.all_compound_ids(con), report.month_period("2023-09"), AS_OF, lang)
    finally:
        con.close()
    line = report.summary_line(data)
    figures = {r.key: r.current for r in data.figures["overall"]}
    for key in ("compounds_in_plan", "households_benefiting", "items_done", "requests_total", "volunteer_hours"):
        assert figures[key] in line, (key, figures[key], line)
    doubled = r"(个|户|项|件|小时|%)\1" if lang == "zh" else r"\b(\w+) \1\b"
    assert not re.search(doubled, line), line
    assert " h hours" not in line and "items renovation items" not in line, line
