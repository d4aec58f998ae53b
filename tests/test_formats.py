"""Formats as officials read them (issue 12): units, 万元, one-decimal percentages, 红黑榜 never overlapping."""

from datetime import date

import pandas as pd
import pytest

from oversight import fmt, metrics


def test_every_metric_shows_its_unit():
    assert metrics.display("households_benefiting", 3811) == "3,811户"
    assert metrics.display("households_benefited", 4011) == "4,011户次"
    assert metrics.display("elevators_total", 41) == "41台"
    assert metrics.display("median_handling_days", 3.94) == "3.9天"
    assert metrics.display("budget_spent", 37_085_100) == "3,708.5 万元"
    assert metrics.display("partner_value", 207_000) == "20.7 万元"
    assert metrics.display("satisfaction_rate", 0.8094) == "80.9%"
    assert metrics.display("households_benefiting", 3811, "en") == "3,811 households"
    assert metrics.display("requests_total", None) == "—"
    for m in metrics.CATALOGUE.values():
        assert m.kind in ("yuan", "pct") or m.unit, m.key


def test_one_of_a_thing_is_singular_in_english():
    assert metrics.display("late_start_items", 1, "en") == "1 item"
    assert metrics.display("compounds_in_plan", 1, "en") == "1 compound"
    assert metrics.display("joint_meetings", 1, "en") == "1 time"
    assert metrics.display("active_volunteers", 1, "en") == "1 person"
    assert metrics.display("late_start_items", 2, "en") == "2 items"
    assert metrics.display("late_start_items", 0, "en") == "0 items"
    assert metrics.display("late_start_items", 1) == "1项"
    # A decimal reads as a measure, "1.0 h", not as one of a thing.
    assert metrics.display("volunteer_hours", 1.0, "en") == "1.0 h"


def test_tables_show_money_in_wan_and_rates_in_percent_as_numbers():
    frame = pd.DataFrame({"budget_yuan": [380_000.0], "satisfaction_rate": [0.80952], "requests": [21]})
    shown = fmt.display_units(frame)
    assert shown.iloc[0].tolist() == [38.0, 81.0, 21]
    assert fmt.display_units(pd.DataFrame({"resolution_rate": [0.8095]}))["resolution_rate"].iloc[0] == 81.0
    assert fmt.display_units(pd.DataFrame({"resolution_rate": [0.80945]}))["resolution_rate"].iloc[0] == 80.9
    assert fmt.unit_header("budget_yuan", "预算（元）") == "预算（万元）"
    assert fmt.unit_header("satisfaction_rate", "满意率") == "满意率（%）"
    assert fmt.unit_header("fee_collection_pct", "物业费收缴率（%）") == "物业费收缴率（%）"


def test_red_and_black_lists_take_the_ends_and_never_share_a_row():
    ranked = pd.DataFrame({"name": list("abcde"), "composite_score": [90.0, 80.0, 70.0, 60.0, 50.0]})
    red, black = metrics.red_black(ranked, 3)
    assert list(red["name"]) == ["a", "b"] and list(black["name"]) == ["e", "d"]
    red, black = metrics.red_black(ranked.head(1), 3)
    assert red.empty and black.empty
    red, black = metrics.red_black(pd.concat([ranked] * 2, ignore_index=True), 3)
    assert len(red) == len(black) == 3


@pytest.mark.parametrize("unit", ["s", "us", "ns"])
@pytest.mark.parametrize("tz", [None, "Asia/Shanghai"])
def test_dates_show_as_days_and_timestamps_to_the_minute_whatever_their_unit(unit, tz):
    """A column of midnights shows days, any other time shows minutes; a missing value stays missing."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    for n, with_time in [(0, False), (1, False), (40, False), (40, True), (500, True)]:
        stamps = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
        if with_time:
            stamps = stamps + pd.to_timedelta(rng.integers(0, 86_400 * 10**6, n), unit="us")
        column = pd.Series(stamps).astype(f"datetime64[{unit}]")
        if tz:
            column = column.dt.tz_localize(tz)
        if n:
            column.iloc[rng.integers(0, n, n // 5 + 1)] = pd.NaT
        shown = fmt.display_dates(pd.DataFrame({"when": column, "n": range(n)}))
        present = column.dropna()
        pattern = "%Y-%m-%d" if all(t == t.normalize() for t in present) else "%Y-%m-%d %H:%M"
        expected = [None if pd.isna(t) else t.strftime(pattern) for t in column]
        assert [None if pd.isna(v) else v for v in shown["when"]] == expected
        assert list(shown["n"]) == list(range(n))
        assert with_time or n == 0 or pattern == "%Y-%m-%d"


@pytest.mark.parametrize("dtype", ["str", object])
def test_codes_show_their_labels_and_anything_else_as_it_is(dtype):
    """Every code of a section becomes its label; a value without one (or missing) is kept as it is."""
    from oversight import i18n

    labels = i18n.codes("channel", "zh")
    values = [*labels, "not_a_channel", None, next(iter(labels))]
    frame = pd.DataFrame({"channel": pd.Series(values, dtype=dtype), "done": [True, False] * 4})
    shown = fmt.labelled(frame, "zh", {"channel": "channel", "done": "bool"})
    expected = [None if v is None else labels.get(v, v) for v in values]
    assert [None if pd.isna(v) else v for v in shown["channel"]] == expected
    assert shown["channel"].dtype == "str"  # text, as every other text column of a table
    yes_no = i18n.codes("bool", "zh")
    assert list(shown["done"]) == [yes_no["true"], yes_no["false"]] * 4


@pytest.mark.parametrize(
    "dtype", ["timestamp[us][pyarrow]", "timestamp[us, tz=Asia/Shanghai][pyarrow]", "date32[day][pyarrow]"]
)
def test_dates_held_by_arrow_show_as_numpy_ones_do(dtype):
    """pandas' Arrow-backed dates and timestamps (as DuckDB's .arrow() or a parquet file gives them)."""
    stamps = pd.Series(pd.to_datetime(["2023-09-30 08:15:00", None, "2023-10-01 00:00:00"]))
    if dtype.startswith("date32"):
        stamps = stamps.dt.normalize()
    if "tz=" in dtype:
        stamps = stamps.dt.tz_localize("Asia/Shanghai")
    shown = fmt.display_dates(pd.DataFrame({"when": stamps.astype(dtype)}))
    expected = fmt.display_dates(pd.DataFrame({"when": stamps}))
    assert [None if pd.isna(v) else v for v in shown["when"]] == [None if pd.isna(v) else v for v in expected["when"]]
    assert shown["when"].iloc[0] == ("2023-09-30" if dtype.startswith("date32") else "2023-09-30 08:15")


@pytest.mark.parametrize("tz", [None, "Asia/Shanghai"])
@pytest.mark.parametrize("with_time", [False, True])
def test_a_tables_screen_rows_are_its_download_rows(tz, with_time):
    """fmt.screen_table (Arrow, what st.dataframe is handed) shows each cell as the download writes it
    (display_units(labelled())): labels, missing codes, yes/no, days or minutes, 万元, % and nulls."""
    import numpy as np

    from oversight import i18n

    rng = np.random.default_rng(11)
    n = 60
    labels = i18n.codes("channel", "zh")
    stamps = pd.Series(pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"))
    if with_time:
        stamps = stamps + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")
    if tz:
        stamps = stamps.dt.tz_localize(tz)
    stamps.iloc[[3, 17]] = pd.NaT
    channel = rng.choice([*labels, "not_a_channel"], n).astype(object)
    channel[[5, 9]] = None
    money = rng.integers(0, 5_000_000_00, n) / 100
    money[[2]] = np.nan
    frame = pd.DataFrame(
        {
            "received_at": stamps,
            "day": pd.Series(stamps.dt.tz_localize(None) if tz else stamps).dt.normalize().astype("date32[pyarrow]"),
            "channel": pd.Series(channel, dtype="str"),
            "done": rng.integers(0, 2, n).astype(bool),
            "budget_yuan": money,
            "response_rate": rng.random(n),
            "compound": [f"小区{i}" for i in range(n)],
            "requests": rng.integers(0, 1000, n).astype("int32"),
            "kind": pd.Categorical(channel),  # a code column held as categories (a DuckDB ENUM)
            "rated": pd.Series(rng.integers(0, 5, n), dtype="Int64").where(rng.random(n) > 0.2, pd.NA),
            "closed": pd.Series(rng.random(n) > 0.5, dtype="boolean").where(rng.random(n) > 0.2, pd.NA),
        }
    )
    frame.index = pd.RangeIndex(100, 100 + n)  # a table's rows need not start at 0
    codes = {"channel": "channel", "done": "bool", "kind": "channel", "closed": "bool"}
    screen = fmt.screen_table(frame, "zh", codes)
    expected = fmt.display_units(fmt.labelled(frame, "zh", codes))
    assert screen.column_names == list(frame.columns) and screen.num_rows == n
    for column in frame.columns:
        want = [None if pd.isna(v) else v for v in expected[column]]
        assert screen.column(column).to_pylist() == want, column
    assert screen.column("received_at").null_count == 2
    assert screen.column("received_at").to_pylist()[0].count(":") == (1 if with_time else 0)
    assert screen.column("channel").to_pylist()[5] is None and "not_a_channel" in screen.column("channel").to_pylist()


def test_codes_keep_their_rows_in_a_table_filtered_from_a_larger_one():
    """A table of some rows of a larger one (a boolean filter, a reordering) keeps the index of those
    rows: each row's code must still become its own label, not another row's or none."""
    from oversight import i18n

    labels = i18n.codes("contribution_kind", "zh")
    kinds = list(labels)
    frame = pd.DataFrame({"kind": pd.Series(kinds * 3, dtype="str"), "n": range(3 * len(kinds))})
    for part in (frame[frame["n"] % 2 == 1], frame.iloc[::-1], frame.iloc[[4, 0, 2]]):
        shown = fmt.labelled(part, "zh", {"kind": "contribution_kind"})
        assert list(shown.index) == list(part.index)
        assert shown["kind"].tolist() == [labels[k] for k in part["kind"]]
        screen = fmt.screen_table(part, "zh", {"kind": "contribution_kind"})
        assert screen.column("kind").to_pylist() == [labels[k] for k in part["kind"]]


def test_a_tables_first_rows_show_as_its_download_writes_them():
    """The screen shows the first rows only; days or minutes are still decided by every row (a time in
    row 550 makes row 0 show 00:00, as in the download), and a rate is 52.4, not 52.400000000000006."""
    when = pd.Series(pd.to_datetime(["2024-01-02"] * 600))
    when.iloc[550] = pd.Timestamp("2024-03-05 14:30")
    shares = [0.524, 0.009, 0.0285, 0.145, 1 / 3] * 120
    frame = pd.DataFrame({"received_at": when, "committee_party_share": shares, "spent": [1_234_567.895] * 600})
    screen = fmt.screen_table(frame, "zh", {}, limit=500)
    expected = fmt.display_units(fmt.labelled(frame, "zh", {})).head(500)
    assert screen.num_rows == 500
    assert screen.column("received_at")[0].as_py() == "2024-01-02 00:00" == expected["received_at"].iloc[0]
    for column in ("committee_party_share", "spent"):
        assert screen.column(column).to_pylist() == expected[column].tolist()
    assert screen.column("committee_party_share").to_pylist()[:2] == [52.4, 0.9]


def test_yes_no_held_as_python_objects_shows_as_the_download_writes_it():
    """Labels for yes/no go by the column's type, on screen as in the download."""
    frame = pd.DataFrame({"done": pd.Series([True, False, None], dtype=object)})
    screen = fmt.screen_table(frame, "zh", {"done": "bool"})
    expected = fmt.labelled(frame, "zh", {"done": "bool"})
    assert screen.column("done").to_pylist() == [None if pd.isna(v) else v for v in expected["done"]]


def test_a_frames_columns_reach_arrow_as_their_series_would():
    """fmt.arrow_table reads each column's stored values (no Series per column): every kind of column a
    query or a page makes converts as pandas' Series of it converts, nulls included, in the frame's order."""
    import numpy as np
    import pyarrow as pa

    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-31 08:30", None, "2024-02-01 00:00"]),
            "day": [date(2024, 1, 31), None, date(2024, 2, 1)],
            "kind": pd.Categorical(["a", "b", "a"]),
            "count": pd.array([1, None, 3], dtype="Int64"),
            "share": [0.5, np.nan, 1.0],
            "name": pd.array(["甲", None, "丙"], dtype="str"),
            "done": [True, False, True],
            "zoned": pd.to_datetime(["2024-01-31 08:30", None, "2024-02-01 00:00"]).tz_localize("Asia/Shanghai"),
            "arrow_when": pd.array(["2024-01-31 08:30", None, "2024-02-01 00:00"], dtype="timestamp[us][pyarrow]"),
            "period": pd.period_range("2024-01", periods=3, freq="M"),
        },
        index=[7, 3, 5],  # a filtered frame's index: not a column
    )
    expected = pa.table([pa.array(col, from_pandas=True) for _, col in frame.items()], names=list(frame.columns))
    got = fmt.arrow_table(frame)
    assert got.equals(expected) and got.column_names == list(frame.columns)
    assert got.column("share").null_count == 1 and got.column("name").to_pylist() == ["甲", None, "丙"]


def test_showing_dates_leaves_the_callers_rows_as_they_were():
    frame = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01"]), "n": [1, 2]})
    before = frame.copy()
    shown = fmt.display_dates(frame)
    assert shown["month"].tolist() == ["2024-01-01", "2024-02-01"] and shown is not frame
    pd.testing.assert_frame_equal(frame, before)
    plain = pd.DataFrame({"n": [1, 2]})
    assert fmt.display_dates(plain) is not plain  # a copy even with nothing to change: callers add columns


def test_two_date_columns_of_one_name_both_show_as_days():
    """A frame may hold two columns of one name (a join's two `reported_on`): each is shown, by position."""
    frame = pd.DataFrame([[pd.Timestamp("2024-01-31"), 1, pd.Timestamp("2024-02-01 08:30")]], columns=["d", "n", "d"])
    shown = fmt.display_dates(frame)
    assert shown.iloc[0].tolist() == ["2024-01-31", 1, "2024-02-01 08:30"]
    assert frame.iloc[0, 0] == pd.Timestamp("2024-01-31")  # the caller's rows unchanged
