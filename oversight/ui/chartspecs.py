"""The Altair specs behind the pages' charts, without Streamlit: the pages draw them through
oversight/ui/charts.py and the monthly report renders the same specs to PNG
(oversight/ui/report_charts.py). Charts only ever receive rows DuckDB has already aggregated.

Every builder takes the rows first and the language as `lang`, and returns an alt.Chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

from oversight import domain, fmt, i18n

PALETTE = ["#b23a3a", "#d9822b", "#3a7ca5", "#5b8c5a", "#8e6c8a", "#7f7f7f", "#c9a227", "#2f4858"]


def title(lang: str, col: str) -> str:
    """A column's label; money columns name their unit (万元)."""
    label = i18n.t(f"col.{col}", lang)
    return fmt.unit_header(col, label, lang) if col in fmt.MONEY_COLUMNS else label


def axis_format(kind: str | None):
    # Money reaches the axis already in 万元 (see money).
    return {"pct": ".1%", "yuan": ",.1f", "int": ",d"}.get(kind or "", alt.Undefined)


def money(frame: pd.DataFrame) -> pd.DataFrame:
    """Money columns in 万元, as the cards show them."""
    out = frame.copy()
    for c in out.columns:
        if c in fmt.MONEY_COLUMNS:
            out[c] = out[c].astype(float) / 10_000
    return out


def tooltip(lang: str, col: str) -> alt.Tooltip:
    """A tooltip field with its unit: rates to one decimal, money in 万元."""
    if fmt.is_rate(col):
        return alt.Tooltip(col, title=title(lang, col), format=".1%")
    if col in fmt.MONEY_COLUMNS:
        return alt.Tooltip(col, title=title(lang, col), format=",.2f")
    return alt.Tooltip(col, title=title(lang, col))


def vbar_rows(frame: pd.DataFrame, lang: str, codes: dict[str, str] | None = None, **_) -> pd.DataFrame:
    """The rows vbar draws: codes as labels, money in 万元."""
    return money(fmt.labelled(frame, lang, codes))


def vbar(
    frame: pd.DataFrame,
    x: str,
    y: str,
    lang: str,
    color: str | None = None,
    codes: dict[str, str] | None = None,
    x_type: str = "N",
    sort=None,
    y_kind: str | None = None,
    prepared: bool = False,
) -> alt.Chart:
    """Vertical bars for few categories or months (labels kept horizontal)."""
    data = frame if prepared else vbar_rows(frame, lang, codes)
    enc = {
        "x": alt.X(f"{x}:{x_type}", title=title(lang, x), sort=sort, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        "y": alt.Y(f"sum({y}):Q", title=title(lang, y), axis=alt.Axis(format=axis_format(y_kind), tickCount=5)),
        "tooltip": [tooltip(lang, c) for c in [x, y] + ([color] if color else [])],
    }
    if x_type == "T":
        enc["x"] = alt.X(f"yearmonth({x}):T", title=title(lang, x), axis=alt.Axis(format="%Y-%m", labelAngle=0))
    if color:
        enc["color"] = alt.Color(
            f"{color}:N", title=title(lang, color), scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")
        )
    return alt.Chart(data).mark_bar(color=PALETTE[0]).encode(**enc).properties(height=280)


def lines_rows(frame: pd.DataFrame, lang: str, x: str, columns: list[str], **_) -> pd.DataFrame:
    """The rows lines draws: one row per month and column, the column's label as its series."""
    long = frame.melt(id_vars=[x], value_vars=columns, var_name="series", value_name="value")
    long["series"] = long["series"].map({c: title(lang, c) for c in columns})
    return long


def lines(
    frame: pd.DataFrame,
    x: str,
    columns: list[str],
    lang: str,
    y_kind: str | None = None,
    series_title: str = "page.series",
    prepared: bool = False,
) -> alt.Chart:
    """Monthly lines, one per column, with the legend in the UI language. Each column keeps its colour
    and place in the legend whatever the language (they follow `columns`, not the labels' sort order)."""
    long = frame if prepared else lines_rows(frame, lang, x, columns)
    series = [title(lang, c) for c in columns]
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                f"{x}:T",
                title=title(lang, x),
                axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True, tickCount="month"),
            ),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=axis_format(y_kind), tickCount=5)),
            color=alt.Color(
                "series:N",
                title=i18n.t(series_title, lang),
                scale=alt.Scale(domain=series, range=PALETTE[: len(series)]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip(f"{x}:T", title=title(lang, x), format="%Y-%m"),
                alt.Tooltip("series:N", title=i18n.t(series_title, lang)),
                alt.Tooltip("value:Q", title=i18n.t("page.value", lang), format=".1%" if y_kind == "pct" else ",.1f"),
            ],
        )
        .properties(height=280)
    )


def stage_order(lang: str) -> list[str]:
    """Stage labels in the order renovation runs, for sorting axes."""
    return [i18n.label("stage", s, lang) for s in domain.STAGES]


def _col(lang: str, c: str) -> str:
    return i18n.t(f"col.{c}", lang)


def hbar(
    frame: pd.DataFrame,
    y: str,
    x: str,
    lang: str,
    color: str | None = None,
    x_kind: str | None = None,
    sort: str = "-x",
    tooltip_columns: list[str] | None = None,
    selectable: str | None = None,
) -> alt.Chart:
    """Horizontal bars (rows already labelled, money in 万元): names on the y axis never overlap.

    selectable names a field a click selects (the selection parameter is called "pick")."""
    enc = {
        # Names speak for themselves; a rotated Chinese axis title only takes room.
        "y": alt.Y(f"{y}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=180, labelOverlap=False)),
        "x": alt.X(
            f"{x}:Q",
            title=title(lang, x),
            axis=alt.Axis(format=axis_format(x_kind), tickCount=5, tickMinStep=alt.Undefined if x_kind == "pct" else 1),
        ),
        "tooltip": [tooltip(lang, c) for c in (tooltip_columns or [y, x])],
    }
    if color:
        enc["color"] = alt.Color(
            f"{color}:N", title=title(lang, color), scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")
        )
    # A fixed step per bar keeps every name readable however many compounds are shown.
    chart = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(**enc).properties(height=alt.Step(24))
    if selectable:
        chart = chart.add_params(alt.selection_point(name="pick", fields=[selectable], on="click"))
    return chart


def three_rates_rows(frame: pd.DataFrame, lang: str, **_) -> pd.DataFrame:
    return lines_rows(frame, lang, "month", list(domain.THREE_RATES))


def three_rates(frame: pd.DataFrame, lang: str, prepared: bool = False) -> alt.Chart:
    """三率 by month (queries/three_rates_by_month.sql): Overview, Red property, Requests and the report."""
    return lines(frame, "month", list(domain.THREE_RATES), lang, "pct", prepared=prepared)


ITEMS_BY_STAGE_CODES = {"stage": "stage", "category": "category"}


def items_by_stage_rows(frame: pd.DataFrame, lang: str, **_) -> pd.DataFrame:
    return vbar_rows(frame, lang, ITEMS_BY_STAGE_CODES)


def items_by_stage(frame: pd.DataFrame, lang: str, prepared: bool = False) -> alt.Chart:
    """Renovation items at each stage by category (queries/items_by_stage.sql): Overview, Renovation, report."""
    return vbar(
        frame,
        x="stage",
        y="items",
        lang=lang,
        color="category",
        codes=ITEMS_BY_STAGE_CODES,
        sort=stage_order(lang),
        prepared=prepared,
    )


def backlog_by_age_rows(frame: pd.DataFrame, lang: str, **_) -> pd.DataFrame:
    return vbar_rows(frame, lang, {"age_band": "requests.age_band"})


def backlog_by_age(frame: pd.DataFrame, lang: str, prepared: bool = False) -> alt.Chart:
    """Open requests by how long they have been open, youngest band first."""
    order = [i18n.label("requests.age_band", b, lang) for b in domain.AGE_BANDS]
    data = frame if prepared else backlog_by_age_rows(frame, lang)
    return vbar(data, x="age_band", y="open_requests", lang=lang, sort=order, prepared=True)


# Timeline bars: the planned one in grey, the actual one coloured by how it stands.
TIMELINE_BARS = {"planned": "#c8c8c8", "done": "#5b8c5a", "in_progress": "#3a7ca5", "overdue": "#b23a3a"}


def renovation_timeline_rows(frame: pd.DataFrame, lang: str, **_) -> pd.DataFrame:
    """The rows renovation_timeline draws: labels, and each item's place in the rows' order."""
    data = fmt.labelled(frame, lang, {"stage": "stage"})
    data["bar"] = data["bar"].map({b: i18n.t(f"renovation.bar.{b}", lang) for b in TIMELINE_BARS})
    data["item_order"] = pd.factorize(data["item"])[0]
    return data


def renovation_timeline(frame: pd.DataFrame, lang: str, as_of, prepared: bool = False) -> alt.Chart:
    """Planned bars (wide, grey) with the actual bars (narrow, coloured) over them, and a rule at as_of.
    Items keep the rows' order (item_order) and a fixed height each, so the spec does not depend on them."""
    bar = lambda b: i18n.t(f"renovation.bar.{b}", lang)  # noqa: E731
    data = frame if prepared else renovation_timeline_rows(frame, lang)
    col = lambda c: _col(lang, c)  # noqa: E731
    base = alt.Chart().encode(
        y=alt.Y(
            "item:N",
            sort=alt.EncodingSortField(field="item_order", op="min", order="ascending"),
            title=None,
            axis=alt.Axis(labelLimit=300),
        ),
        x=alt.X("start_date:T", title=col("date"), axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True)),
        x2="end_date:T",
        color=alt.Color(
            "bar:N",
            title=col("kind_of_date"),
            scale=alt.Scale(domain=[bar(b) for b in TIMELINE_BARS], range=list(TIMELINE_BARS.values())),
            # Two columns: four long labels in one row are cut at the right edge.
            legend=alt.Legend(orient="bottom", columns=2, labelLimit=260),
        ),
        tooltip=[
            alt.Tooltip("item:N", title=col("item")),
            alt.Tooltip("bar:N", title=col("kind_of_date")),
            alt.Tooltip("start_date:T", title=col("start_date"), format="%Y-%m-%d"),
            alt.Tooltip("end_date:T", title=col("end_date"), format="%Y-%m-%d"),
            alt.Tooltip("stage:N", title=col("stage")),
            alt.Tooltip("progress_pct:Q", title=col("progress_pct")),
            alt.Tooltip("delay_days:Q", title=col("delay_days")),
        ],
    )
    planned = base.transform_filter(alt.datum.bar == bar("planned")).mark_bar(size=14)
    actual = base.transform_filter(alt.datum.bar != bar("planned")).mark_bar(size=6)
    today = (
        alt.Chart(pd.DataFrame({"as_of": [pd.Timestamp(as_of)]}))
        .mark_rule(strokeDash=[4, 3], color="#2f4858")
        .encode(
            x="as_of:T",
            tooltip=[alt.Tooltip("as_of:T", title=i18n.t("renovation.as_of_rule", lang), format="%Y-%m-%d")],
        )
    )
    return alt.layer(planned, actual, today, data=data).properties(height=alt.Step(24))


def elevator_pipeline_rows(frame: pd.DataFrame, lang: str, **_) -> pd.DataFrame:
    data = fmt.labelled(frame, lang, {"stage": "stage"})
    data["budget_wan"] = data["budget"].astype(float) / 10_000
    return data


def elevator_pipeline(frame: pd.DataFrame, lang: str, prepared: bool = False) -> alt.Chart:
    """Elevator items at each stage, every stage shown in order (whole numbers on the axis)."""
    data = frame if prepared else elevator_pipeline_rows(frame, lang)
    col = lambda c: _col(lang, c)  # noqa: E731
    return (
        alt.Chart(data)
        .mark_bar(color=PALETTE[2])
        .encode(
            x=alt.X("stage:N", sort=stage_order(lang), title=col("stage"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("elevators:Q", title=col("elevator_units"), axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[
                alt.Tooltip("stage:N", title=col("stage")),
                alt.Tooltip("elevators:Q", title=col("elevator_units")),
                alt.Tooltip("units_affected:Q", title=col("units_affected")),
                alt.Tooltip("budget_wan:Q", title=fmt.unit_header("budget", col("budget"), lang), format=",.2f"),
            ],
        )
        .properties(height=280)
    )


def progress_steps_rows(frame: pd.DataFrame, lang: str, **_) -> pd.DataFrame:
    return fmt.labelled(frame, lang, {"stage": "stage"})


def progress_steps(frame: pd.DataFrame, lang: str, by_item: bool = False, prepared: bool = False) -> alt.Chart:
    """Reported progress as a step line (a report holds until the next one): one item's, or one line per
    item (by_item, the compound profile)."""
    data = frame if prepared else progress_steps_rows(frame, lang)
    col = lambda c: _col(lang, c)  # noqa: E731
    tips = [
        alt.Tooltip("reported_on:T", title=col("reported_on"), format="%Y-%m-%d"),
        alt.Tooltip("stage:N", title=col("stage")),
        alt.Tooltip("progress_pct:Q", title=col("progress_pct")),
        alt.Tooltip("note:N", title=col("note")),
    ]
    y = alt.Y("progress_pct:Q", title=col("progress_pct"), scale=alt.Scale(domain=[0, 100]))
    axis = {"format": "%Y-%m", "labelAngle": 0, "labelOverlap": True}
    if by_item:
        color = alt.Color(
            "item:N",
            title=col("title"),
            scale=alt.Scale(range=PALETTE),
            legend=alt.Legend(orient="bottom", columns=2, labelLimit=320),
        )
        return (
            alt.Chart(data)
            .mark_line(point=True, interpolate="step-after")
            .encode(
                x=alt.X("reported_on:T", title=col("reported_on"), axis=alt.Axis(**axis)),
                y=y,
                color=color,
                tooltip=[alt.Tooltip("item:N", title=col("title")), *tips],
            )
            .properties(height=320)
        )
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(color=PALETTE[0]), interpolate="step-after", color=PALETTE[0])
        .encode(
            x=alt.X("reported_on:T", title=col("reported_on"), axis=alt.Axis(**axis, tickCount="month")),
            y=y,
            tooltip=tips,
        )
        .properties(height=280)
    )


def unit_bars_rows(frame: pd.DataFrame, lang: str, **_) -> pd.DataFrame:
    return frame.assign(value_yuan=frame["value_yuan"].astype(float) / 10_000)  # 万元, as the cards


def unit_bars(
    frame: pd.DataFrame, lang: str, x: str, chosen: str | None, x_kind: str | None = None, prepared: bool = False
) -> alt.Chart:
    """Partner units as horizontal bars, one row each however few (every name stays readable), the chosen
    one marked."""
    col = lambda c: fmt.unit_header(c, _col(lang, c), lang)  # noqa: E731
    frame = frame if prepared else unit_bars_rows(frame, lang)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240, labelOverlap=False)),
            x=alt.X(
                f"{x}:Q", title=col(x), axis=alt.Axis(format=",.1f" if x_kind == "yuan" else alt.Undefined, tickCount=5)
            ),
            color=alt.condition(alt.datum.unit_id == (chosen or ""), alt.value(PALETTE[0]), alt.value(PALETTE[2])),
            tooltip=[
                alt.Tooltip("unit:N", title=col("unit")),
                alt.Tooltip("value_yuan:Q", title=col("value_yuan"), format=",.2f"),
                alt.Tooltip("volunteer_hours:Q", title=col("volunteer_hours"), format=",.1f"),
                alt.Tooltip("contributions:Q", title=col("contributions")),
                alt.Tooltip("households_benefited:Q", title=col("households_benefited")),
            ],
        )
        .properties(height=alt.Step(28))
    )


# Builders whose spec depends on their rows only through the rows they draw, which these functions make
# (the rest of the spec follows from the arguments and the language): a page builds such a spec once per
# arguments and attaches each filter's rows to it (oversight/ui/charts.py). The builder, called with
# prepared=True, takes those rows as they are.
ROWS = {
    "vbar": vbar_rows,
    "lines": lines_rows,
    "three_rates": three_rates_rows,
    "items_by_stage": items_by_stage_rows,
    "backlog_by_age": backlog_by_age_rows,
    "elevator_pipeline": elevator_pipeline_rows,
    "progress_steps": progress_steps_rows,
    "unit_bars": unit_bars_rows,
    "renovation_timeline": renovation_timeline_rows,
}
