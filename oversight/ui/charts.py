"""The pages' charts: specs from oversight/ui/chartspecs.py drawn with labelled axes, an empty state
when there are no rows. Charts only ever receive rows DuckDB has already aggregated.

A chart's Vega-Lite spec is built once for its rows and arguments and kept (st.cache_data): a rerun
with the same rows (same data version and filter) draws it with st.vega_lite_chart, without Altair
building and validating the spec again (a fifth to a third of a warm page before).

Most specs depend on their rows only through the rows they draw (chartspecs.ROWS): Altair builds such a
spec once per builder, arguments, language and column types in the process (a template), and new rows
(another filter, the first visit after an import) are attached to a copy of it. Altair's own building
was most of a page's Python on those first visits.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from contextlib import nullcontext

import altair as alt
import pandas as pd
import streamlit as st
from streamlit import dataframe_util
from streamlit.elements import vega_charts
from streamlit.util import calc_hash

from oversight import fmt
from oversight.ui import chartspecs, context, state
from oversight.ui.context import Context
from oversight.ui.widgets import empty, labelled

PALETTE = chartspecs.PALETTE
# Altair's theme and data transformer are process-wide: share Streamlit's own lock around them.
_ALTAIR_LOCK = getattr(vega_charts, "_altair_globals_lock", None) or threading.Lock()


def _arrow_dataset(data, datasets: dict) -> dict:
    """Altair data transformer: the rows as Arrow IPC bytes under a content-hash name (as st.altair_chart does)."""
    try:
        # The columns alone (no index: no chart reads it), converted straight to Arrow (fmt.arrow_table).
        table = fmt.arrow_table(data) if isinstance(data, pd.DataFrame) else None
    except dataframe_util.get_arrow_conversion_errors():  # a column of mixed values: as st.altair_chart converts it
        table = None
    if table is None:
        data_bytes = dataframe_util.convert_anything_to_arrow_bytes(data)
    else:
        data_bytes = dataframe_util.convert_arrow_table_to_arrow_bytes(table)
    name = calc_hash(data_bytes)
    datasets[name] = data_bytes
    return {"name": name}


alt.data_transformers.register("oversight_arrow", _arrow_dataset)


def vega_lite(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec as st.altair_chart would send it, but without schema validation."""
    datasets: dict = {}
    with _ALTAIR_LOCK:
        # Streamlit draws Altair charts without Altair's default theme (its fixed 300 px view).
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable("oversight_arrow", datasets=datasets):
            spec = chart.to_dict(validate=False)
    existing = spec.get("datasets")
    spec["datasets"] = {**existing, **datasets} if isinstance(existing, dict) else datasets
    return spec


def _labelled_hbar_rows(frame: pd.DataFrame, lang: str, codes: dict[str, str] | None = None, **_) -> pd.DataFrame:
    # Labels and 万元 worked out with the spec, once per rows, not on every rerun before the cache.
    return chartspecs.money(labelled(frame, lang, codes))


def _labelled_hbar(frame: pd.DataFrame, lang: str, codes: dict[str, str] | None = None, prepared=False, **args):
    return chartspecs.hbar(frame if prepared else _labelled_hbar_rows(frame, lang, codes), lang=lang, **args)


# Builders of this module, beside chartspecs' own, and the rows they draw (see chartspecs.ROWS).
_BUILDERS = {"labelled_hbar": _labelled_hbar}
_ROWS = {**chartspecs.ROWS, "labelled_hbar": _labelled_hbar_rows}
_TEMPLATES: OrderedDict[tuple, dict] = OrderedDict()
_TEMPLATES_LOCK = threading.Lock()
TEMPLATES_KEPT = 256  # a few per chart of every page and language; arguments such as a chosen unit add more


def _column_types(rows: pd.DataFrame) -> tuple:
    # Altair infers an untyped field's type from its column (a text column holding numbers is not nominal).
    return tuple(
        (name, str(col.dtype), pd.api.types.infer_dtype(col, skipna=False) if col.dtype.kind in "OUT" else "")
        for name, col in rows.items()
    )


def _template(builder: str, lang: str, rows: pd.DataFrame, args: dict) -> dict | None:
    """The spec of `builder` for these arguments without its rows (None: its spec needs its rows)."""
    key = (builder, lang, repr(sorted(args.items())), _column_types(rows))
    with _TEMPLATES_LOCK:
        template = _TEMPLATES.get(key)
        if template is not None:
            _TEMPLATES.move_to_end(key)
            return template
    build = _BUILDERS.get(builder) or getattr(chartspecs, builder)
    spec = vega_lite(build(rows, lang=lang, prepared=True, **args))
    name = (spec.get("data") or {}).get("name")
    if name is None or set(spec["data"]) != {"name"} or name not in spec.get("datasets", {}):
        return None  # rows anywhere but the top level: not a template
    # Any other dataset (the timeline's as_of rule) comes from the arguments, and stays.
    spec["datasets"] = {k: v for k, v in spec["datasets"].items() if k != name}
    del spec["data"]
    with _TEMPLATES_LOCK:
        _TEMPLATES[key] = spec
        while len(_TEMPLATES) > TEMPLATES_KEPT:
            _TEMPLATES.popitem(last=False)
    return spec


def _with_rows(template: dict, rows: pd.DataFrame) -> dict:
    """A copy of the template drawing these rows (Arrow IPC bytes under a content-hash name, as vega_lite)."""
    datasets = dict(template["datasets"])  # bytes: shared, never changed
    spec = copy.deepcopy({k: v for k, v in template.items() if k != "datasets"})
    spec["data"] = _arrow_dataset(rows, datasets)
    spec["datasets"] = datasets
    return spec


@st.cache_data(show_spinner=False, max_entries=500)
def _spec(*, key: str, builder: str, lang: str, _frame: pd.DataFrame, _args: dict) -> dict:
    # `key` stands for the rows and arguments (see spec_key); they are left out of Streamlit's hashing.
    rows_of = _ROWS.get(builder)
    if rows_of is not None:
        rows = rows_of(_frame, lang, **_args)
        template = _template(builder, lang, rows, _args)
        if template is not None:
            return _with_rows(template, rows)
    build = _BUILDERS.get(builder) or getattr(chartspecs, builder)
    return vega_lite(build(_frame, lang=lang, **_args))


context.on_new_version(_spec.clear)


def spec_key(builder: str, lang: str, frame: pd.DataFrame, args: dict) -> str:
    """A digest of a chart's rows (values, index, columns, types) and its builder's arguments."""
    return context.digest(frame, builder, lang, sorted(args.items()))


def spec(builder: str, frame: pd.DataFrame, lang: str, **args) -> dict:
    """chartspecs.<builder>(frame, lang=lang, **args) as a Vega-Lite dict, built once for these rows."""
    return _spec(key=spec_key(builder, lang, frame, args), builder=builder, lang=lang, _frame=frame, _args=args)


def draw(ctx: Context, builder: str, frame: pd.DataFrame, key: str | None = None, on_select: bool = False, **args):
    """chartspecs.<builder>(frame, lang=..., **args) drawn full width; with on_select, a click reruns
    the page and the selection is returned."""
    vl = spec(builder, frame, ctx.lang, **args)
    if on_select:
        return st.vega_lite_chart(spec=vl, width="stretch", on_select="rerun", selection_mode="pick", key=key)
    st.vega_lite_chart(spec=vl, width="stretch", key=key)
    return None


def hbar(
    ctx: Context,
    frame: pd.DataFrame,
    y: str,
    x: str,
    color: str | None = None,
    codes: dict[str, str] | None = None,
    x_kind: str | None = None,
    sort: str = "-x",
    selectable: str | None = None,
    key: str | None = None,
    tooltip: list[str] | None = None,
    max_rows: int = 40,
):
    """Horizontal bars: names on the y axis never overlap however long they are.

    selectable names a field; clicking a bar then reruns the page and the selection is returned.
    """
    if frame.empty:
        empty(ctx)
        return None
    if len(frame) > max_rows:
        # A city has thousands of compounds: draw the first rows in the query's order and say so.
        st.caption(ctx.t("page.bars_shown", shown=f"{max_rows:,}", total=f"{len(frame):,}"))
        frame = frame.head(max_rows)
    args = {"color": color, "x_kind": x_kind, "sort": sort, "tooltip_columns": tooltip, "selectable": selectable}
    return draw(ctx, "labelled_hbar", frame, key=key, on_select=bool(selectable), y=y, x=x, codes=codes, **args)


def vbar(
    ctx: Context,
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    codes: dict[str, str] | None = None,
    x_type: str = "N",
    sort=None,
    y_kind: str | None = None,
):
    """Vertical bars for few categories or months (labels kept horizontal)."""
    if frame.empty:
        empty(ctx)
        return
    draw(ctx, "vbar", frame, x=x, y=y, color=color, codes=codes, x_type=x_type, sort=sort, y_kind=y_kind)


def lines(
    ctx: Context,
    frame: pd.DataFrame,
    x: str,
    columns: list[str],
    y_kind: str | None = None,
    series_title: str = "page.series",
):
    """Monthly lines, one per column, with the legend in the UI language."""
    if frame.empty:
        empty(ctx)
        return
    draw(ctx, "lines", frame, x=x, columns=columns, y_kind=y_kind, series_title=series_title)


def chart(ctx: Context, builder: str, frame: pd.DataFrame, **args) -> None:
    """A named chart of chartspecs (three_rates, items_by_stage, ...), or the empty state."""
    if frame.empty:
        empty(ctx)
        return
    draw(ctx, builder, frame, **args)


def three_rates(ctx: Context) -> None:
    """三率 by month for the filter: the one chart the Overview, Red property and Requests pages share."""
    chart(ctx, "three_rates", ctx.fetch("three_rates_by_month"))


def items_by_stage(ctx: Context) -> None:
    chart(ctx, "items_by_stage", ctx.fetch("items_by_stage"))


def compound_progress(ctx: Context, key: str) -> pd.DataFrame:
    """Progress by compound; clicking a compound's bar opens its profile. Returns the rows."""
    progress = ctx.fetch("progress_by_compound")
    picked = hbar(
        ctx,
        progress,
        y="compound",
        x="progress",
        selectable="compound_id",
        key=key,
        tooltip=["compound", "community", "progress", "items", "items_done", "overdue"],
    )
    chosen = picked.get("selection", {}).get("pick", []) if picked else []
    if chosen:
        st.session_state[state.PROFILE] = chosen[0]["compound_id"]
        st.switch_page(st.session_state[state.PAGES]["profile"])
    return progress
