"""widgets.table: the rows drawn on screen (at most TABLE_ROWS, with a caption saying so in the
page's language), the download's rows (every one), and the digest that keys a table's display."""

from __future__ import annotations

import pickle
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from oversight import i18n
from oversight.ui import context, widgets
from tests.apptest import CJK

ROWS = pd.DataFrame(
    {
        "compound": [f"小区{i:04d}" for i in range(1234)],
        "stage": ["design", "done"] * 617,
        "budget_yuan": [float(10_000 * i) for i in range(1234)],
        "planned_end": pd.to_datetime(["2023-07-01"] * 1234),
    }
)


def _script(lang: str, rows: int, limit):
    """A script drawing widgets.table for the first `rows` of ROWS; the download's make_file is kept."""
    from datetime import date

    from oversight.filters import Filter
    from oversight.ui import widgets
    from oversight.ui.context import Context
    from tests import test_widgets

    ctx = Context(lang, Filter(as_of=date(2023, 9, 30)), [], "", "", {}, {})
    widgets.table(ctx, test_widgets.ROWS.head(rows), "late_start_items", codes={"stage": "stage"}, limit=limit)


@pytest.fixture
def downloads(monkeypatch):
    """What each table would download, by its name (the file is made as a click would make it)."""
    made: dict[str, tuple[bytes, int]] = {}

    def download(ctx, name, make_file, *args, **kwargs):
        file = make_file()
        # (bytes, rows), or a source of CSV chunks counting its rows once read (export.FrameCsv).
        if isinstance(file, tuple):
            made[name] = file
        else:
            data = b"".join(file)
            made[name] = (data, file.rows)

    monkeypatch.setattr(widgets, "download", download)
    return made


def run(lang: str, rows: int, limit=widgets.TABLE_ROWS) -> AppTest:
    at = AppTest.from_function(_script, args=(lang, rows, limit), default_timeout=60)
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_table_draws_its_first_rows_and_says_the_download_has_them_all(lang, downloads):
    at = run(lang, 1234)
    assert widgets.TABLE_ROWS == 500
    on_screen = at.dataframe[0].value
    assert len(on_screen) == 500
    # The first rows, in the rows' order, labelled and in 万元 as every table shows them.
    assert list(on_screen.iloc[:, 0]) == list(ROWS["compound"].head(500))
    assert on_screen.iloc[1, 1] == i18n.label("stage", "done", lang)
    assert on_screen.iloc[499, 2] == pytest.approx(499.0)  # 4,990,000 yuan in 万元
    [caption] = [c.value for c in at.caption]
    assert caption == i18n.t("page.rows_shown", lang, shown="500", total="1,234")
    assert bool(CJK.search(caption)) == (lang == "zh")
    assert "1,234" in caption and "500" in caption
    data, count = downloads["late_start_items"]
    assert count == 1234
    # The header, then every row (none of the names has a line break).
    assert data.decode("utf-8-sig").count("\r\n") == 1234 + 1
    assert "小区1233" in data.decode("utf-8-sig")


def test_a_table_at_the_limit_or_without_one_draws_every_row_and_no_caption(downloads):
    at = run("zh", 500)
    assert len(at.dataframe[0].value) == 500 and not at.caption
    at = run("zh", 1234, limit=None)
    assert len(at.dataframe[0].value) == 1234 and not at.caption
    assert downloads["late_start_items"][1] == 1234


def test_the_table_is_handed_to_streamlit_ready_made_and_shared():
    """The display (labels, 万元, headers, Arrow) is made once per rows and reused, not rebuilt per rerun."""
    widgets._display.clear()
    first = widgets.shown(ROWS, "zh", {"stage": "stage"})
    again = widgets.shown(pickle.loads(pickle.dumps(ROWS)), "zh", {"stage": "stage"})
    assert again is first
    assert len(first.frame) == 1234 and first.screen.num_rows == 1234
    assert first.screen.column_names == [first.names[c] for c in ROWS.columns]
    capped = widgets.shown(ROWS, "zh", {"stage": "stage"}, limit=500)
    assert len(capped.frame) == 1234 and capped.screen.num_rows == 500
    # The first 500 rows as every row shows them, and nothing of the 1,234 rows' index.
    assert capped.screen.equals(first.screen.slice(0, 500))
    assert capped.screen.to_pandas().equals(first.frame.head(500).rename(columns=first.names))
    assert first.names["budget_yuan"].endswith("（万元）")
    assert widgets.shown(ROWS, "en", {"stage": "stage"}) is not first
    widgets._display.clear()


FRAME = pd.DataFrame(
    {
        "name": ["甲", "乙", None],
        "count": [1, 2, 3],
        "rate": [0.5, float("nan"), 1.0],
        "day": pd.to_datetime(["2023-01-01", "2023-02-01", None]),
        "flag": [True, False, True],
        "mixed": pd.Series([1, "a", None], dtype=object),
        "kind": pd.Categorical(["x", "y", "x"]),
        "maybe": pd.array([1, None, 3], dtype="Int64"),
        "checked": pd.array([True, None, False], dtype="boolean"),
    }
)


def test_the_digest_is_the_same_for_the_same_rows_however_they_were_copied():
    key = context.digest(FRAME, "zh")
    assert context.digest(FRAME.copy(), "zh") == key
    assert context.digest(pickle.loads(pickle.dumps(FRAME)), "zh") == key
    # A slice, copied as st.cache_data hands it out, twice.
    head = pickle.loads(pickle.dumps(FRAME.head(2)))
    assert context.digest(head) == context.digest(pickle.loads(pickle.dumps(FRAME.head(2))))


@pytest.mark.parametrize(
    "changed",
    [
        lambda f: f.assign(name=["甲", "丙", None]),
        lambda f: f.assign(name=["甲", "乙", "丙"]),
        lambda f: f.assign(count=[1, 2, 4]),
        lambda f: f.assign(rate=[0.5, 0.1, 1.0]),
        lambda f: f.assign(day=pd.to_datetime(["2023-01-01", "2023-02-02", None])),
        lambda f: f.assign(flag=[True, True, True]),
        lambda f: f.assign(mixed=pd.Series([1, "b", None], dtype=object)),
        lambda f: f.assign(kind=pd.Categorical(["x", "x", "x"])),
        lambda f: f.assign(maybe=pd.array([1, 2, 3], dtype="Int64")),
        # A missing value is not the zero its storage may hold.
        lambda f: f.assign(maybe=pd.array([1, 0, 3], dtype="Int64")),
        lambda f: f.assign(checked=pd.array([True, False, False], dtype="boolean")),
        lambda f: f.assign(day=pd.to_datetime(["2023-01-01", "2023-02-01", "1970-01-01"])),
        lambda f: f.assign(day=f["day"].dt.tz_localize("Asia/Shanghai")),
        lambda f: f.assign(day=f["day"].astype("datetime64[s]")),
        # Values pandas' own hash reads alike: a number and its text, None and NaN (a review's finding).
        lambda f: f.assign(mixed=pd.Series(["1", "a", None], dtype=object)),
        lambda f: f.assign(mixed=pd.Series([1, "a", float("nan")], dtype=object)),
        lambda f: f.assign(mixed=pd.Series([True, "a", None], dtype=object)),
        lambda f: f.assign(kind=pd.Categorical(["x", "y", "x"], ordered=True)),
        lambda f: f.assign(kind=pd.Categorical(["x", "y", "x"], categories=["y", "x"])),
        lambda f: f.set_axis(pd.RangeIndex(3, name="row")),
        lambda f: f.rename(columns={"count": "total"}),
        lambda f: f.set_axis([5, 6, 7]),
        lambda f: f.head(2),
        lambda f: f.iloc[1:],
        lambda f: f.astype({"count": "float64"}),
    ],
)
def test_the_digest_changes_with_any_value_column_type_or_index(changed):
    assert context.digest(changed(FRAME)) != context.digest(FRAME)


def test_the_digest_tells_an_index_by_its_type_and_time_zone():
    days = pd.date_range("2024-01-01", periods=3, tz="UTC")
    assert context.digest(FRAME.set_axis(days)) != context.digest(FRAME.set_axis(days.tz_convert("Asia/Shanghai")))
    assert context.digest(FRAME.set_axis(pd.Index(["0", "1", "2"]))) != context.digest(
        FRAME.set_axis(pd.Index([0, 1, 2], dtype=object))
    )
    assert context.digest(FRAME.set_axis(days.rename("day"))) != context.digest(FRAME.set_axis(days))


def test_the_digest_reads_columns_of_lists():
    """A DuckDB LIST comes back as a column of arrays: hashed, not refused as unhashable."""
    one = pd.DataFrame({"ids": pd.Series([["a", "b"], ["c"]], dtype=object)})
    other = pd.DataFrame({"ids": pd.Series([["a"], ["b", "c"]], dtype=object)})
    assert context.digest(one) == context.digest(one.copy())
    assert context.digest(one) != context.digest(other)


def test_the_digest_tells_the_extra_arguments_apart():
    assert context.digest(FRAME, "zh") != context.digest(FRAME, "en")
    assert context.digest(FRAME, date(2023, 9, 30)) == context.digest(FRAME.copy(), date(2023, 9, 30))


def test_the_query_cache_key_tells_every_parameter_apart():
    ids = [f"X{i:04d}" for i in range(5000)]
    params = {"compound_ids": ids, "period_start": date(2024, 1, 1), "as_of": date(2024, 12, 31), "limit": 501}
    key = context._key(params)
    assert context._key({**params, "compound_ids": list(ids)}) == key
    for changed in (
        {"compound_ids": ids[:-1]},
        {"compound_ids": [*ids[:-1], "X5000"]},
        {"compound_ids": []},
        {"period_start": date(2024, 2, 1)},
        {"limit": None},
        {"extra": 1},
    ):
        assert context._key({**params, **changed}) != key, changed
    assert context._key({"compound_ids": ["a", "b"]}) != context._key({"compound_ids": ["a\x1fb"]})


def test_the_digest_tells_empty_texts_from_missing_ones():
    """An Arrow column with no validity buffer must not read as one whose validity bytes are zero (all
    missing): two blank names and two missing names are different rows (a reviewer's finding)."""
    blank = pd.DataFrame({"name": pd.array(["", ""], dtype="str")})
    missing = pd.DataFrame({"name": pd.array([None, None], dtype="str")})
    assert blank["name"].isna().sum() == 0 and missing["name"].isna().sum() == 2
    assert context.digest(blank) != context.digest(missing)
