"""How numbers and dates are shown: yuan with separators (万元 in Chinese), one-decimal percentages."""

from __future__ import annotations

import math
from datetime import date, datetime


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def yuan(value, lang: str = "zh") -> str:
    """Money: 万元 with one decimal from ten thousand up in Chinese (as reports write 20.7万元),
    plain yuan with separators otherwise."""
    if _missing(value):
        return "—"
    value = float(value)
    if lang == "zh":
        if abs(value) >= 100_000_000:
            return f"{value / 100_000_000:,.2f} 亿元"
        if abs(value) >= 10_000:
            return f"{value / 10_000:,.1f} 万元"
        return f"{value:,.0f} 元"
    if abs(value) >= 10_000_000:
        return f"¥{value / 1_000_000:,.1f}m"
    return f"¥{value:,.0f}"


def exact_yuan(value, lang: str = "zh") -> str:
    """Money to the yuan, for the tooltip behind a rounded figure."""
    if _missing(value):
        return "—"
    return f"{float(value):,.2f} 元" if lang == "zh" else f"¥{float(value):,.2f}"


def pct(value) -> str:
    """A share 0-1 as a percentage with one decimal."""
    return "—" if _missing(value) else f"{float(value) * 100:.1f}%"


def number(value, decimals: int = 0) -> str:
    return "—" if _missing(value) else f"{float(value):,.{decimals}f}"


def column_arrays(frame) -> list:
    """Each column's values as stored (a NumPy array or a pandas extension array), read only.

    Through pandas' own _iter_column_arrays where it has one: frame.items() makes a Series per column,
    which cost more than the work done with most of a page's small tables."""
    iterate = getattr(frame, "_iter_column_arrays", None)
    if iterate is not None:
        return list(iterate())
    return [column.array for _, column in frame.items()]


def display_dates(frame):
    """Date columns as YYYY-MM-DD and timestamps to the minute, for tables and CSV files (a copy)."""
    import numpy as np
    import pandas as pd

    out = frame.copy()
    # Found by their types (a Series per column, to ask each, cost more than the rest for small tables),
    # and by position: two columns may share a name.
    for i in [i for i, kind in enumerate(frame.dtypes) if pd.api.types.is_datetime64_any_dtype(kind)]:
        values = out.iloc[:, i]
        if not isinstance(values.dtype, np.dtype):  # a time zone, or held by Arrow: pandas formats it
            midnight = values.dropna().dt.normalize().eq(values.dropna()).all()
            text = values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
            out.isetitem(i, text.where(values.notna(), None))
            continue
        # NumPy formats the whole column in C: pandas' strftime cost a few ms a table, on every first draw.
        stamps = values.to_numpy()
        present = ~np.isnat(stamps)
        midnight = bool((stamps[present] == stamps[present].astype("datetime64[D]")).all())
        text = np.datetime_as_string(stamps, unit="D" if midnight else "m")
        if not midnight:
            text = np.char.replace(text, "T", " ")
        out.isetitem(i, pd.Series(np.where(present, text, None), index=values.index, dtype="str"))
    return out


def labelled(frame, lang: str, codes: dict[str, str] | None = None):
    """Code columns turned into labels (codes: column -> codes.toml section), dates as text."""
    import pandas as pd

    from oversight import i18n

    out = display_dates(frame)
    for col, section in (codes or {}).items():
        labels = i18n.codes(section, lang)
        if col in out.columns and labels:
            if pd.api.types.is_bool_dtype(out[col]):
                labels = {True: labels.get("true", "true"), False: labels.get("false", "false")}
            out[col] = _labels(out[col], labels)
    return out


def _labels(values, labels: dict):
    """Each code replaced by its label; a value without one stays as it is."""
    import pandas as pd

    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        # Arrow's own lookup: pandas' map made a Python object of every value first (most of a small
        # table's labelling, on every first draw of its rows).
        text = _arrow_labels(values.array.__arrow_array__(), labels)
        # The rows' own index set, not matched: to_pandas() numbers them from 0, a filtered table does not.
        return pd.Series(text.to_pandas(), dtype=values.dtype).set_axis(values.index)
    # A dict lookup per value in pandas, not a Python call per cell; a value without a label kept as it
    # is (filled as objects: pandas warns that filling a text column with an array will raise).
    mapped = values.map(labels)
    return mapped.astype(object).where(mapped.notna(), values.astype(object)).infer_objects()


def _arrow_labels(codes, labels: dict):
    """Each code of an Arrow text array replaced by its label, Arrow's own lookup; others kept as they are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.index_in(codes, value_set=pa.array(list(labels), codes.type))
    return pc.coalesce(pc.take(pa.array(list(labels.values()), codes.type), found), codes)


def arrow_table(frame):
    """The frame's columns as an Arrow table, without its index (missing values null). Column by column:
    Table.from_pandas' schema and metadata work cost three times as much for a page's table."""
    import pyarrow as pa

    names = [str(c) for c in frame.columns]
    return pa.table([pa.array(values, from_pandas=True) for values in column_arrays(frame)], names=names)


def screen_table(frame, lang: str, codes: dict[str, str] | None = None, limit: int | None = None):
    """The first `limit` rows (None: all) as display_units(labelled(frame)) shows them, as an Arrow table
    without the index: what a table hands st.dataframe, cell for cell what its download writes. Made in
    Arrow column by column: the pandas path costs about 1 ms a table per operation on a frame of any
    size, on every first draw of its rows."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as pt

    from oversight import i18n

    table = arrow_table(frame if limit is None else frame.head(limit))
    columns = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pt.is_dictionary(column.type):  # a categorical column: its values, as pandas' map sees them
            column = column.cast(column.type.value_type)
        kind = column.type
        if pt.is_timestamp(kind):
            # Days or minutes as every row of the column has them (the download's rows), not only these.
            every = pa.array(frame[name], from_pandas=True) if limit is not None else column
            present = every.drop_null()
            midnight = len(present) == 0 or pc.all(pc.equal(pc.floor_temporal(present, unit="day"), present)).as_py()
            column = pc.strftime(column, format="%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
        elif pt.is_date(kind):
            column = pc.strftime(column, format="%Y-%m-%d")
        labels = i18n.codes(codes[name], lang) if codes and name in codes else None
        if labels and pt.is_boolean(kind) and pd.api.types.is_bool_dtype(frame[name]):  # as labelled() decides
            column = pc.if_else(column, labels.get("true", "true"), labels.get("false", "false"))
        elif labels and (pt.is_string(kind) or pt.is_large_string(kind)):
            column = _arrow_labels(column, labels)
        # 万元 and % by display_units' own NumPy arithmetic: Arrow's round can leave 52.400000000000006.
        if name in MONEY_COLUMNS or is_rate(name):
            column = pa.array(
                _in_units(name, column.cast(pa.float64()).to_numpy(zero_copy_only=False)), from_pandas=True
            )
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def cell(value) -> str:
    """A value as a CSV file an official fills in writes it: 2023-09-01, 2023-09-01 08:00:00, 12 (not 12.0), true."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def day(value) -> str:
    if _missing(value) or value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def value(kind: str, v, lang: str = "zh", unit: str | None = None) -> str:
    """Format v by a metric's kind (int, yuan, pct, hours, days, points, decimal), with its unit if given:
    a key of the locales' [unit] ("item"), whose [unit_one] word follows a count of exactly 1 ("1 item")."""
    from oversight import i18n

    if kind == "yuan":
        return yuan(v, lang)
    if kind == "pct":
        return pct(v)
    text = number(v, 1) if kind in ("hours", "days", "points", "decimal") else number(v, 0)
    if unit and text != "—":
        word = i18n.t(f"unit_one.{unit}" if text == "1" else f"unit.{unit}", lang)
        # Chinese writes 22个 and 68.3%; English 22 compounds.
        text += word if lang == "zh" or word == "%" else f" {word}"
    return text


def is_zero_change(kind: str, current, previous) -> bool:
    """True when the change rounds to nothing at the precision the card shows."""
    if _missing(current) or _missing(previous):
        return False
    diff = float(current) - float(previous)
    places = {"pct": 3, "int": 0, "yuan": 0}.get(kind, 1)
    return round(diff, places) == 0


def delta(kind: str, current, previous, lang: str = "zh") -> str | None:
    """The change from previous to current, formatted like the value (points for rates)."""
    if _missing(current) or _missing(previous):
        return None
    diff = float(current) - float(previous)
    if kind == "pct":
        unit = " 个百分点" if lang == "zh" else " pp"
        return f"{diff * 100:+.1f}{unit}"
    if kind == "yuan":
        return ("+" if diff >= 0 else "-") + yuan(abs(diff), lang)
    if kind in ("hours", "days", "points", "decimal"):
        return f"{diff:+,.1f}"
    return f"{diff:+,.0f}"


# Columns shown in 万元 in tables, axes and downloads of pages (the cards use 万元), and rate columns
# (shares 0-1) shown as percentages with one decimal: 80.9 under a header with %.
MONEY_COLUMNS = frozenset({"budget", "spent", "budget_yuan", "spent_yuan", "value_yuan", "value_to_date"})
_RATE_NAMES = frozenset(
    {
        "committee_party_share",
        "avg_committee_party_share",
        "elderly_share",
        "no_elevator_share",
        "property_coverage",
        "party_org_coverage",
        "cross_appointed_coverage",
        "committee_coverage",
    }
)


def is_rate(column: str) -> bool:
    return column.endswith("_rate") or column in _RATE_NAMES


def display_units(frame):
    """Money columns in 万元 (two decimals) and rate columns in % (one decimal), as numbers."""
    out = frame.copy()
    for col in out.columns:
        if col in MONEY_COLUMNS or is_rate(col):
            out[col] = _in_units(col, out[col].astype(float).to_numpy())
    return out


def _in_units(column: str, numbers):
    """A money column's yuan in 万元 (two decimals), a rate column's shares in % (one decimal): the one
    formula of tables' screens (screen_table) and their downloads (display_units)."""
    import numpy as np

    if column in MONEY_COLUMNS:
        return np.round(numbers / 10_000, 2)
    return np.round(numbers * 100, 1)


def unit_header(column: str, label: str, lang: str = "zh") -> str:
    """A table header with the unit its values are shown in."""
    if column in MONEY_COLUMNS:
        for plain in ("（元）", " (¥)", " (yuan)"):
            label = label.replace(plain, "")
        return label + ("（万元）" if lang == "zh" else " (10k yuan)")
    if is_rate(column) and "%" not in label:
        return label + ("（%）" if lang == "zh" else " (%)")
    return label
