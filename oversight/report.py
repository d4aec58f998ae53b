"""月报 / 周报: one period's figures as the Word document a street office sends to the district.

The sections are declared as data (SECTIONS: which catalogue metrics, tables and charts each shows);
every figure comes from the metric catalogue (oversight/metrics.py) through the same queries and
parameters as the pages, and is formatted by oversight/fmt.py as the pages format it. Charts are
drawn by a renderer handed in by the caller (oversight/ui/report_charts.py renders the pages' Altair
specs to PNG): the core imports neither Altair nor Streamlit.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from oversight import db, fmt, i18n, metrics, settings, supervision
from oversight.filters import Filter, add_months, month_start, parse_month


class ReportError(ValueError):
    """A request the report cannot serve: a locale key and its values, shown as one line."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values

    def line(self, lang: str) -> str:
        return i18n.t(f"report.error_{self.key}", lang, **self.values)


# ---------------------------------------------------------------- the period


@dataclass(frozen=True)
class Period:
    """The reported period [start, end): a month (月报), an ISO week (周报) or the pages' month range."""

    kind: str  # month, week, range
    start: date
    end: date  # exclusive
    label: str

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    def before(self) -> Period:
        """The period of the same length just before (环比), as the pages' deltas compare."""
        if self.kind == "week":
            return Period("week", self.start - timedelta(days=7), self.start, "")
        return Period(self.kind, add_months(self.start, -self.months), self.start, "")

    def year_ago(self) -> Period:
        """The same period a year earlier (同比); for a week, the week 52 weeks before (same weekdays)."""
        if self.kind == "week":
            return Period("week", self.start - timedelta(days=364), self.end - timedelta(days=364), "")
        return Period(self.kind, add_months(self.start, -12), add_months(self.end, -12), "")

    def params(self, compound_ids: list[str], as_of: date) -> dict:
        """The bound parameters every query takes, exactly as Filter.params makes them for the pages."""
        return {
            "compound_ids": compound_ids,
            "period_start": self.start,
            "period_end": self.end,
            "as_of": as_of,
            # The day whose state a stock figure shows: the period's last day, never after as_of.
            "as_at": min(self.end - timedelta(days=1), as_of),
        }


def month_period(text: str) -> Period:
    """--period YYYY-MM."""
    first = parse_month(text or "")
    if first is None:
        raise ReportError("bad_month", value=text)
    return Period("month", first, add_months(first, 1), f"{first:%Y-%m}")


def week_period(text: str) -> Period:
    """--week YYYY-Www (ISO week: Monday to Sunday)."""
    m = re.fullmatch(r"(\d{4})-W(\d{2})", text or "")
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1) if m else None
    except ValueError:
        monday = None
    if monday is None:
        raise ReportError("bad_week", value=text)
    return Period("week", monday, monday + timedelta(days=7), f"{m.group(1)}-W{m.group(2)}")


def period_for(month: str | None, week: str | None) -> Period:
    """The command line's --period and --week: a week report when --week is given (its month, if
    also given, must contain some of its days); a month report otherwise."""
    if week:
        p = week_period(week)
        if month:
            m = month_period(month)
            if p.end <= m.start or p.start >= m.end:
                raise ReportError("week_outside_month", week=week, month=month)
        return p
    if not month:
        raise ReportError("no_period")
    return month_period(month)


def period_of(flt: Filter) -> Period:
    """The pages' filter as a report period: one month is a 月报, several months one report."""
    start, end = month_start(flt.start), add_months(month_start(flt.end), 1)
    if flt.months == 1:
        return Period("month", start, end, f"{start:%Y-%m}")
    return Period("range", start, end, f"{start:%Y-%m}—{flt.end:%Y-%m}")


# ---------------------------------------------------------------- what each section shows


@dataclass(frozen=True)
class Table:
    """A list from one query: its columns in order, code columns labelled, at most `limit` rows."""

    query: str
    columns: tuple[str, ...]
    codes: dict = field(default_factory=dict)
    limit: int = 20
    title: str = ""  # report.<title> locale key
    trend: bool = False  # the 12 months to the period's end, not the period


@dataclass(frozen=True)
class Chart:
    """A chart the pages also draw (name known to the renderer) over one query's rows."""

    name: str
    query: str
    title: str
    trend: bool = False


@dataclass(frozen=True)
class Section:
    key: str  # report.section_<key>
    metrics: tuple[str, ...] = ()  # catalogue keys, shown 本期 / 上期 / 环比 / 上年同期 / 同比
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


# Figures the issue names that the catalogue does not have yet (issue 12 adds them). They are listed
# in their section already and shown as soon as the catalogue declares them; never defined here.
AWAITING_CATALOGUE: frozenset[str] = frozenset()

SECTIONS: tuple[Section, ...] = (
    Section(
        "overall",
        metrics=(
            "compounds_in_plan",
            "households_benefiting",
            "items_done",
            "overdue_items",
            "partner_value",
            "volunteer_hours",
            "requests_total",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "open_backlog",
        ),
    ),
    Section(
        "renovation",
        metrics=metrics.RENOVATION,  # the Renovation page's figures, declared once
        tables=(
            Table(
                "late_start_items",
                ("compound", "title", "item_type", "stage", "planned_start", "days_late"),
                codes={"stage": "stage", "item_type": "item_type"},
                title="late_start",
            ),
            Table(
                "overdue_items",
                ("compound", "title", "item_type", "stage", "planned_end", "progress_pct", "days_overdue"),
                codes={"stage": "stage", "item_type": "item_type"},
                title="late_items",
            ),
        ),
        charts=(Chart("items_by_stage", "items_by_stage", "chart_items_by_stage"),),
    ),
    Section(
        "partners",
        metrics=metrics.PARTNERS,
        tables=(
            Table(
                "partners_by_unit",
                ("unit", "kind", "value_yuan", "volunteer_hours", "contributions", "households_benefited"),
                codes={"kind": "unit_kind"},
                limit=10,
                title="partner_units",
            ),
        ),
    ),
    Section(
        "red_property",
        metrics=("requests_total", *metrics.REQUEST_RATES, "overdue_requests", *metrics.PROPERTY),
        charts=(Chart("three_rates", "three_rates_by_month", "chart_three_rates", trend=True),),
    ),
    Section(
        "volunteers",
        metrics=(
            "volunteers_registered",
            "active_volunteers",
            "volunteer_hours",
            "points_earned",
            "points_redeemed",
            "points_outstanding",
        ),
        charts=(Chart("volunteer_hours", "volunteers_by_month", "chart_volunteer_hours", trend=True),),
    ),
    Section("supervision"),
)

# The 红黑榜: the 居民诉求 page's boards (communities, property companies) by 综合得分, with the same
# minimum sample and size (metrics.red_black, settings.ranking_size()).
BOARDS = (("community", "requests_rank_communities"), ("company", "red_property_league_companies"))
BOARD_COLUMNS = ("rank", "composite_score", "response_rate", "resolution_rate", "satisfaction_rate", "rated")
# The 督办 section lists at most this many cases (a city's ledger holds tens of thousands); its line
# gives every count.
CASES_LISTED = 50
# Case columns the ledger hands the 督办 section (see supervision_rows).
CASE_COLUMNS = (
    "case_id",
    "kind",
    "compound",
    "title",
    "status",
    "due_on",
    "assignee_unit",
    "opened_on",
    "closed_on",
)
RATE_COLUMNS = ("satisfaction_rate", "resolution_rate", "response_rate")
MONEY_COLUMNS = ("value_yuan",)
DECIMAL_COLUMNS = ("volunteer_hours", "hours", "progress_pct")
CHANGE_DECIMALS = 1


def shown_metrics(section: Section) -> list[str]:
    """The section's catalogue keys the catalogue has (see AWAITING_CATALOGUE)."""
    return [k for k in section.metrics if k in metrics.CATALOGUE]


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class FigureRow:
    """One key figure as the report prints it."""

    key: str
    label: str
    current: str
    previous: str
    change: str  # 环比
    year_ago: str
    change_year: str  # 同比


def relative_change(kind: str, current, before, lang: str) -> str:
    """环比/同比: rates change in percentage points (as the pages' deltas); counts and money by percent."""
    if current is None or before is None:
        return "—"
    if kind == "pct":
        return fmt.delta(kind, current, before, lang) or "—"
    if float(before) == 0:
        return "—"
    return f"{(float(current) - float(before)) / abs(float(before)) * 100:+.{CHANGE_DECIMALS}f}%"


def figure_rows(keys: list[str], fetch: Callable[[str, str], pd.DataFrame], lang: str) -> list[FigureRow]:
    """The figures for keys, each through the catalogue: fetch(query, which) gives the query's one-row
    frame for which = current | previous | year_ago."""
    now = metrics.figures(keys, lambda q, previous: fetch(q, "previous" if previous else "current"))
    then = metrics.figures(keys, lambda q, previous: pd.DataFrame() if previous else fetch(q, "year_ago"))
    rows = []
    for fig, old in zip(now, then, strict=True):
        m = fig.metric
        year_ago = old.value if m.has_delta else None
        rows.append(
            FigureRow(
                key=m.key,
                label=i18n.t(f"metric.{m.key}", lang),
                current=metrics.display(m.key, fig.value, lang),  # as the card shows it, with its unit
                previous=metrics.display(m.key, fig.previous, lang) if m.has_delta else "—",
                change=relative_change(m.kind, fig.value, fig.previous, lang) if m.has_delta else "—",
                year_ago=metrics.display(m.key, year_ago, lang) if m.has_delta else "—",
                change_year=relative_change(m.kind, fig.value, year_ago, lang) if m.has_delta else "—",
            )
        )
    return rows


def supervision_rows(cases: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The 督办 cases in the order the district reads them: overdue first (longest overdue first), then
    the other open cases by due date, then the closed ones (latest closed first). Adds is_overdue and
    days_overdue. cases has the columns of CASE_COLUMNS."""
    out = cases.loc[:, list(CASE_COLUMNS)].copy()
    for col in ("due_on", "opened_on", "closed_on"):
        out[col] = pd.to_datetime(out[col])
    today = pd.Timestamp(as_of)
    open_ = out["closed_on"].isna()
    out["is_overdue"] = open_ & out["due_on"].notna() & (out["due_on"] < today)
    out["days_overdue"] = (today - out["due_on"]).dt.days.where(out["is_overdue"])
    out["_group"] = 2 - open_.astype(int) - out["is_overdue"].astype(int)  # 0 overdue, 1 open, 2 closed
    out["_due"] = out["due_on"].where(open_)  # closed cases go by when they closed, not their due date
    out = out.sort_values(
        ["_group", "days_overdue", "_due", "closed_on", "case_id"],
        ascending=[True, False, True, False, True],
        na_position="last",
    )
    return out.drop(columns=["_group", "_due"]).reset_index(drop=True)


# ---------------------------------------------------------------- gathering


@dataclass
class ReportData:
    """Everything the document shows, gathered once (also what the tests compare against the pages)."""

    lang: str
    period: Period
    as_of: date
    unit: str
    compound_count: int
    figures: dict[str, list[FigureRow]]
    tables: dict[str, tuple[pd.DataFrame, int]]  # query -> (rows shown, rows in all)
    charts: dict[str, pd.DataFrame]
    boards: dict[str, tuple[pd.DataFrame, pd.DataFrame]]  # name column -> (红榜, 黑榜)
    cases: pd.DataFrame | None  # None: a database made before the ledger


def reporting_unit(con, compound_ids: list[str], lang: str) -> str:
    """报送单位: the street (or district, or city) the compounds belong to; communities when the
    report covers only some of a street's."""
    places = db.run("report_places", con, compound_ids=compound_ids)
    if places.empty:
        return ""
    streets = places["street"].dropna().unique()
    if len(streets) == 1:
        everyone = places["compounds_in_community"].sum() == places["compounds_in_street"].iloc[0]
        if everyone:
            return str(streets[0])
        names = "、".join(places["community"].tolist()[:3])
        more = i18n.t("report.and_more", lang, n=len(places)) if len(places) > 3 else ""
        return f"{streets[0]}（{names}{more}）" if lang == "zh" else f"{streets[0]} ({names}{more})"
    for level in ("district", "city"):
        values = places[level].dropna().unique()
        if len(values) == 1:
            return str(values[0])
    return ""


def gather(con, compound_ids: list[str], period: Period, as_of: date, lang: str = "zh") -> ReportData:
    """Run every query the report needs, once each, for compound_ids over period."""
    frames: dict[tuple[str, str], pd.DataFrame] = {}
    windows = {
        "current": period,
        "previous": period.before(),
        "year_ago": period.year_ago(),
        # Trend charts: the 12 months up to the period's end, as the pages' default range.
        "trend": Period("range", add_months(month_start(period.end - timedelta(days=1)), -11), period.end, ""),
    }

    def fetch(query: str, which: str, **extra) -> pd.DataFrame:
        if (query, which) not in frames:
            frames[(query, which)] = db.run(query, con, **windows[which].params(compound_ids, as_of), **extra)
        return frames[(query, which)]

    figures = {s.key: figure_rows(shown_metrics(s), fetch, lang) for s in SECTIONS if s.metrics}
    tables = {}
    for s in SECTIONS:
        for t in s.tables:
            rows = fetch(t.query, "trend" if t.trend else "current")
            tables[t.query] = (rows.head(t.limit), len(rows))
    charts = {c.name: fetch(c.query, "trend" if c.trend else "current") for s in SECTIONS for c in s.charts}
    boards = {}
    for name, query in BOARDS:
        ranked = fetch(query, "current")
        boards[name] = metrics.red_black(ranked[ranked["ranked"]], settings.ranking_size())
    cases = None
    if supervision.has_ledger(con):
        cases = supervision_rows(fetch("report_supervision_cases", "current"), as_of)
    return ReportData(
        lang=lang,
        period=period,
        as_of=as_of,
        unit=reporting_unit(con, compound_ids, lang),
        compound_count=len(compound_ids),
        figures=figures,
        tables=tables,
        charts=charts,
        boards=boards,
        cases=cases,
    )


# ---------------------------------------------------------------- the document

ChartRenderer = Callable[[str, pd.DataFrame, str], bytes | None]

BODY_FONT = "宋体"  # the fonts district offices have; LibreOffice falls back to Noto CJK
HEADING_FONT = "黑体"


def _font(run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _para(doc, text: str, size: float = 11, bold: bool = False, align=None, font: str = BODY_FONT, space: int = 4):
    from docx.shared import Pt

    p = doc.add_paragraph()
    _font(p.add_run(text), font, size, bold)
    p.paragraph_format.space_after = Pt(space)
    if align is not None:
        p.alignment = align
    return p


TEXT_WIDTH_CM = 16.4  # A4 less the margins
KEEP_TOGETHER_ROWS = 15


# Values that must stay on one line: numbers, dates, percentages and money.
_UNBROKEN = re.compile(r"^[\d\s.,:%+\-—¥]*(万元|亿元|元|个百分点|pp)?$")


def _widths(header: list[str], rows: list[list[str]]) -> list[float]:
    """Column widths: numbers and dates get what they need never to wrap, no word (of a header or a
    value) is cut; what is left goes to the text columns by how much longer their text is."""

    def units(text: str) -> int:  # a CJK character is about twice a digit's width
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    def longest_word(text: str) -> int:
        words = [w for w in re.split(r"[\s\-]+", text) if not re.search(r"[\u2e80-\uffff]", w)]
        return max((units(w) for w in words), default=0)

    def cm(n: float) -> float:
        return n * 0.21 + 0.5  # cm per unit at 9.5 pt, and the cell's padding

    floors, desires = [], []
    for i, h in enumerate(header):
        values = [r[i] for r in rows]
        # Headers are bold: their letters are about a fifth wider. A header may take two lines.
        word = max(longest_word(h) * 1.2, *(longest_word(v) for v in values), 6)
        if values and all(_UNBROKEN.match(v) for v in values):
            floor = max(word, *(units(v) for v in values), (units(h) + 1) // 2 + 1)
            desire = floor
        else:
            floor, desire = word, max(word, min(max(units(h), *(units(v) for v in values)), 28))
        floors.append(cm(floor))
        desires.append(cm(desire))
    if sum(floors) >= TEXT_WIDTH_CM:
        return [TEXT_WIDTH_CM * f / sum(floors) for f in floors]
    growth = [d - f for f, d in zip(floors, desires, strict=True)]
    extra = TEXT_WIDTH_CM - sum(floors)
    if sum(growth) <= 0:
        return [f + extra / len(floors) for f in floors]
    return [f + extra * g / sum(growth) for f, g in zip(floors, growth, strict=True)]


def _table(
    doc, header: list[str], rows: list[list[str]], widths: list[float] | None = None, numeric=None, size: float = 9.5
):
    """A grid table; numeric[i] right-aligns column i (default: every column but the first)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, size, True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, size)
            if numeric[i] if numeric is not None else i > 0:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if len(rows) <= KEEP_TOGETHER_ROWS:
        # A short table is not split across pages: each row keeps with the next.
        for row in table.rows[:-1]:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    widths = widths or _widths(header, rows)
    if widths:
        # Word reads the cells' widths, LibreOffice the grid's: set both.
        table.autofit = False
        for column, w in zip(table.columns, widths, strict=True):
            column.width = Cm(w)
        for row in table.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = Cm(w)
    doc.add_paragraph().paragraph_format.space_after = 0
    return table


def _figures_table(doc, rows: list[FigureRow], lang: str) -> None:
    t = lambda k: i18n.t(f"report.{k}", lang)  # noqa: E731
    header = [t("col_metric"), t("col_current"), t("col_previous"), t("col_change"), t("col_year_ago"), t("col_yoy")]
    body = [[r.label, r.current, r.previous, r.change, r.year_ago, r.change_year] for r in rows]
    _table(doc, header, body, widths=[3.8, 2.4, 2.3, 2.7, 2.4, 2.8], size=9)


def _cell(col: str, value, lang: str) -> str:
    """A list cell formatted as the pages format it: rates to one decimal, money as 万元, dates."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if col in RATE_COLUMNS:
        return fmt.pct(value)
    if col in MONEY_COLUMNS:
        return fmt.yuan(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        # Hours and progress keep the pages' one decimal; counts (sums arrive as floats) none.
        return fmt.number(value, 1 if col in DECIMAL_COLUMNS else 0)
    if isinstance(value, (pd.Timestamp, date)):
        return fmt.day(value)
    return str(value)


def _list(doc, frame: pd.DataFrame, columns: tuple[str, ...], lang: str, codes: dict | None = None) -> None:
    shown = fmt.labelled(frame.loc[:, list(columns)], lang, codes)
    own = i18n.strings(lang)
    header = [own.get(f"report.col.{c}") or i18n.t(f"col.{c}", lang) for c in columns]
    rows = [[_cell(c, v, lang) for c, v in zip(columns, r, strict=True)] for r in shown.itertuples(index=False)]
    _table(doc, header, rows, numeric=[pd.api.types.is_numeric_dtype(frame[c]) for c in columns])


def _chart(doc, render: ChartRenderer | None, chart: Chart, frame: pd.DataFrame, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    if render is None or frame.empty:
        return
    png = render(chart.name, frame, lang)
    if not png:
        return
    caption = _para(doc, i18n.t(f"report.{chart.title}", lang), 10.5, True, WD_ALIGN_PARAGRAPH.CENTER, HEADING_FONT, 2)
    caption.paragraph_format.keep_with_next = True
    doc.add_picture(io.BytesIO(png), width=Cm(15.5))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def title_of(data: ReportData) -> str:
    p, lang = data.period, data.lang
    if p.kind == "month":
        return i18n.t("report.title_month", lang, unit=data.unit, year=p.start.year, month=p.start.month)
    if p.kind == "week":
        year, week, _ = p.start.isocalendar()
        return i18n.t("report.title_week", lang, unit=data.unit, year=year, week=week)
    last = p.end - timedelta(days=1)
    return i18n.t("report.title_range", lang, unit=data.unit, start=f"{p.start:%Y-%m}", end=f"{last:%Y-%m}")


def summary_line(data: ReportData) -> str:
    """一、总体情况's opening sentence, built from the figures of the table below it."""
    values = {r.key: r.current for r in data.figures["overall"]}
    return i18n.t("report.summary", data.lang, **values)


def _period_line(data: ReportData) -> str:
    p, lang = data.period, data.lang
    last = p.end - timedelta(days=1)
    as_at = min(last, data.as_of)
    return i18n.t(
        "report.period_line",
        lang,
        start=fmt.day(p.start),
        end=fmt.day(last),
        as_at=fmt.day(as_at),
        compounds=f"{data.compound_count:,}",
        before=f"{fmt.day(p.before().start)}—{fmt.day(p.before().end - timedelta(days=1))}",
        year_ago=f"{fmt.day(p.year_ago().start)}—{fmt.day(p.year_ago().end - timedelta(days=1))}",
    )


def document(data: ReportData, render: ChartRenderer | None = None) -> bytes:
    """The .docx bytes of the report."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    lang = data.lang
    t = lambda k, **kw: i18n.t(f"report.{k}", lang, **kw)  # noqa: E731
    doc = Document()
    for s in doc.sections:
        s.page_width, s.page_height = Cm(21), Cm(29.7)  # A4, as government documents are
        s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Cm(2.5), Cm(2.2), Cm(2.4), Cm(2.2)
    style = doc.styles["Normal"]
    style.font.name = BODY_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", BODY_FONT
    )

    _para(doc, title_of(data), 18, True, WD_ALIGN_PARAGRAPH.CENTER, HEADING_FONT, 10)
    _para(doc, t("unit_line", unit=data.unit), 11, align=WD_ALIGN_PARAGRAPH.CENTER, space=2)
    _para(doc, t("date_line", date=fmt.day(data.as_of)), 11, align=WD_ALIGN_PARAGRAPH.CENTER, space=10)
    _para(doc, _period_line(data), 9.5, space=8)

    for section in SECTIONS:
        heading = _para(doc, t(f"section_{section.key}"), 14, True, font=HEADING_FONT, space=6)
        heading.paragraph_format.keep_with_next = True
        if section.key == "overall":
            _para(doc, summary_line(data), 11)
        if section.metrics:
            _figures_table(doc, data.figures[section.key], lang)
        for table in section.tables:
            rows, total = data.tables[table.query]
            if total == 0:
                _para(doc, t(f"{table.title}_none"), 11)
                continue
            note = t("rows_shown", shown=len(rows)) if total > len(rows) else ""
            _para(doc, t(table.title, total=f"{total:,}") + note, 11, True).paragraph_format.keep_with_next = True
            _list(doc, rows, table.columns, lang, table.codes)
        if section.key == "red_property":
            _league(doc, data)
        for chart in section.charts:
            _chart(doc, render, chart, data.charts[chart.name], lang)
        if section.key == "supervision":
            _cases(doc, data)

    _para(doc, "", space=12)
    _para(doc, t("closing", unit=data.unit, date=fmt.day(data.as_of)), 11, space=8)
    _para(doc, t("signatures"), 11)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _league(doc, data: ReportData) -> None:
    t = lambda k, **kw: i18n.t(f"report.{k}", data.lang, **kw)  # noqa: E731
    if all(red.empty for red, _black in data.boards.values()):
        _para(doc, t("league_none", min_rated=settings.ranking_min_rated()), 11)
        return
    for name, (red, black) in data.boards.items():
        for key, rows in (("red_list", red), ("black_list", black)):
            if rows.empty:
                continue
            title = t(key, n=len(rows), of=t(f"board_{name}"))
            _para(doc, title, 11, True).paragraph_format.keep_with_next = True
            _list(doc, rows, (name, *BOARD_COLUMNS), data.lang)


def _cases(doc, data: ReportData) -> None:
    t = lambda k, **kw: i18n.t(f"report.{k}", data.lang, **kw)  # noqa: E731
    cases = data.cases
    if cases is None or cases.empty:
        _para(doc, t("no_cases"), 11)
        return
    closed = int(cases["closed_on"].notna().sum())
    overdue = int(cases["is_overdue"].sum())
    line = t("cases_line", total=len(cases), open=len(cases) - closed, overdue=overdue, closed=closed)
    if len(cases) > CASES_LISTED:  # the first in the district's order: the longest overdue first
        line = line.removesuffix("。").removesuffix(".") + t("rows_shown", shown=CASES_LISTED) + line[-1]
        cases = cases.head(CASES_LISTED)
    _para(doc, line, 11)
    shown = cases.rename(columns={"title": "case_title"}).assign(
        status=[
            t("case_overdue", days=int(d)) if o else i18n.label("supervision.status", s, data.lang)
            for s, o, d in zip(cases["status"], cases["is_overdue"], cases["days_overdue"].fillna(0), strict=True)
        ]
    )
    columns = ("case_id", "kind", "compound", "case_title", "status", "assignee_unit", "due_on", "closed_on")
    _list(doc, shown, columns, data.lang, {"kind": "supervision.kind"})


# ---------------------------------------------------------------- the one call


def build(
    con,
    compound_ids: list[str],
    period: Period,
    as_of: date,
    lang: str = "zh",
    render: ChartRenderer | None = None,
) -> bytes:
    """The report for compound_ids (the user's scope, already narrowed by the filter) as .docx bytes."""
    return document(gather(con, compound_ids, period, as_of, lang), render)


def write(path: Path, *args, **kwargs) -> Path:
    """build() to a file."""
    path = Path(path)
    path.write_bytes(build(*args, **kwargs))
    return path
