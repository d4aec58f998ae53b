"""The filter value: periods, scope and URL checks."""

from datetime import date

import pandas as pd

from oversight import filters
from oversight.filters import Filter


def test_period_params_and_previous_period():
    f = Filter(start=date(2022, 10, 1), end=date(2023, 9, 1), as_of=date(2023, 9, 30))
    p = f.params(["X1"])
    assert (p["period_start"], p["period_end"], p["as_at"]) == (date(2022, 10, 1), date(2023, 10, 1), date(2023, 9, 30))
    prev = f.params(["X1"], previous=True)
    assert (prev["period_start"], prev["period_end"], prev["as_at"]) == (
        date(2021, 10, 1),
        date(2022, 10, 1),
        date(2022, 9, 30),
    )


def test_default_period_is_twelve_months_clipped_to_data():
    months = filters.month_options(date(2021, 10, 1), date(2023, 9, 30))
    assert months[0] == "2021-10" and months[-1] == "2023-09" and len(months) == 24
    assert filters.default_period(date(2023, 9, 30), months) == ("2022-10", "2023-09")
    assert filters.default_period(date(2022, 3, 31), filters.month_options(date(2021, 10, 1), date(2022, 3, 31))) == (
        "2021-10",
        "2022-03",
    )


def test_scope_narrows_by_allowed_communities_and_compounds():
    compounds = pd.DataFrame({"compound_id": ["A", "B", "C"], "community_id": ["C1", "C1", "C2"]})
    base = dict(start=date(2023, 1, 1), end=date(2023, 1, 1), as_of=date(2023, 1, 31))
    assert filters.scope(compounds, Filter(**base)) == ["A", "B", "C"]
    assert filters.scope(compounds, Filter(communities=("C1",), **base)) == ["A", "B"]
    assert filters.scope(compounds, Filter(communities=("C1",), compounds=("C",), **base)) == []
    assert filters.scope(compounds, Filter(allowed=("B", "C"), **base)) == ["B", "C"]


def test_invalid_url_values_are_reported():
    valid = {"community": ["和美社区"], "period": ["2023-01", "2023-02"]}
    assert filters.invalid_url_values({"community": ["和美社区"]}, valid) == {}
    assert filters.invalid_url_values({"community": ["'; DROP TABLE x"]}, valid) == {"community": ["'; DROP TABLE x"]}
    assert filters.invalid_url_values({"period": ["2023-02", "2023-01"]}, valid) == {}
    assert filters.invalid_url_values({"period": ["2023-02"]}, valid) == {"period": ["2023-02"]}
    assert filters.invalid_url_values({"period": ["1999-01", "2023-01"]}, valid)


def test_unique_labels_add_the_id_only_for_repeated_names():
    assert filters.unique_labels(["a", "b", "c"], ["一号院", "一号院", "二号院"]) == {
        "a": "一号院（a）",
        "b": "一号院（b）",
        "c": "二号院",
    }
