"""The entry script and the Overview, run for real with AppTest on a private demo database."""

from datetime import date

import pytest

from oversight import db, fmt, i18n
from tests.apptest import CJK, app, assert_clean, metrics


def sql_figures(path, compound_ids=None):
    """The Overview's headline figures computed by hand, for the default period (2022-10..2023-09)."""
    con = db.connect(path)
    scope = "" if compound_ids is None else "AND compound_id IN (SELECT unnest(?))"
    args = [] if compound_ids is None else [compound_ids]
    one = lambda sql, extra=(): con.execute(sql.format(scope=scope), [*extra, *args]).fetchone()[0]  # noqa: E731
    start, end, as_at = date(2022, 10, 1), date(2023, 10, 1), date(2023, 9, 30)
    out = {
        "items_done": one("SELECT count(*) FROM renovation_items WHERE stage = 'done' {scope}"),
        "overdue_items": one(
            "SELECT count(*) FROM renovation_items WHERE stage <> 'done' AND planned_end < ? {scope}", [as_at]
        ),
        "partner_value": one(
            "SELECT coalesce(sum(value_yuan), 0) FROM contributions WHERE contributed_on >= ? AND contributed_on < ?"
            " {scope}",
            [start, end],
        ),
        "resolution_rate": one(
            "SELECT count(resolved_at) / count(*) FROM requests WHERE received_at >= ? AND received_at < ? {scope}",
            [start, end],
        ),
    }
    return out


def expected(lang, figures):
    return {
        i18n.t("metric.items_done", lang): fmt.value("int", figures["items_done"]),
        i18n.t("metric.overdue_items", lang): fmt.value("int", figures["overdue_items"]),
        i18n.t("metric.partner_value", lang): fmt.value("yuan", figures["partner_value"], lang),
        i18n.t("metric.resolution_rate", lang): fmt.value("pct", figures["resolution_rate"]),
    }


def test_overview_kpis_equal_sql_without_filter(app_env):
    at = app().run()
    assert_clean(at)
    assert at.title[0].value == "总览"
    assert "数据截至 2023-09-30" in at.caption[0].value
    shown = metrics(at)
    for label, value in expected("zh", sql_figures(app_env)).items():
        assert shown[label] == value, label
    assert len(at.get("vega_lite_chart")) >= 2


def test_one_compound_filter_changes_the_figures_to_that_compound(app_env):
    before = metrics(app().run())
    at = app(state={"compound": ["X001"]}).run()
    assert_clean(at)
    shown = metrics(at)
    want = expected("zh", sql_figures(app_env, ["X001"]))
    for label, value in want.items():
        assert shown[label] == value, label
    assert shown != before
    assert "湖北省第二轻工业局宿舍" in at.caption[0].value


def test_community_filter_narrows_compound_options_and_figures(app_env):
    at = app().run()
    all_options = at.sidebar.multiselect(key="compound").options
    before = metrics(at)
    at = app(state={"community": ["C02"]}).run()
    narrowed = at.sidebar.multiselect(key="compound").options
    assert 0 < len(narrowed) < len(all_options)
    con = db.connect(app_env)
    rows = con.execute("SELECT name FROM compounds WHERE community_id = 'C02' ORDER BY compound_id").fetchall()
    names = [r[0] for r in rows]
    assert narrowed == names
    assert metrics(at) != before


def test_url_params_open_filtered(app_env):
    at = app({"community": ["和美社区"], "period": ["2023-01", "2023-03"]}).run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="community").value == ["C01"]
    assert at.sidebar.select_slider(key="period").value == ("2023-01", "2023-03")
    assert "和美社区" in at.caption[0].value and "2023-01—2023-03" in at.caption[0].value


@pytest.mark.parametrize(
    "params",
    [
        {"community": ["不存在的社区"]},
        {"compound": ["<script>alert(1)</script>"]},
        {"period": ["2023-13", "2099-01"]},
        {"period": ["2023-01"]},
    ],
)
def test_malformed_url_shows_notice_and_defaults(app_env, params):
    at = app(params).run()
    assert_clean(at)
    assert at.sidebar.warning and "无法识别" in at.sidebar.warning[0].value
    assert at.sidebar.multiselect(key="community").value == []
    assert at.sidebar.select_slider(key="period").value == ("2022-10", "2023-09")


def test_reset_filters(app_env):
    # From widget state, not the URL: AppTest re-sends its initial URL on every run.
    at = app(state={"community": ["C01"], "period": ("2023-01", "2023-03")}).run()
    assert "和美社区" in at.caption[0].value
    at.sidebar.button[0].click().run()
    # The rerun's sidebar is not in AppTest's tree (see tests/apptest.py): read the state and the line.
    # AppTest keeps re-sending its first URL and tree, so the visible reset is checked in the browser
    # tests (tests/e2e); here: the control puts every filter back to its default.
    assert at.session_state["community"] == [] and at.session_state["compound"] == []
    assert at.session_state["period"] == ("2022-10", "2023-09")


def test_english_switch_same_figures(app_env):
    zh = app().run()
    en = app({"lang": ["English"]}).run()
    assert_clean(en)
    assert en.title[0].value == "Overview"
    zh_values = [m.value for m in zh.metric if "%" in m.value]
    en_values = [m.value for m in en.metric if "%" in m.value]
    assert zh_values == en_values
    leaks = [m.label for m in en.metric if CJK.search(m.label)] + [s.value for s in en.subheader if CJK.search(s.value)]
    assert leaks == []


def test_empty_scope_shows_empty_state(app_env):
    # A compound outside the plan has no renovation items: its tables show the empty state.
    con = db.connect(app_env)
    outside = con.execute(
        "SELECT compound_id FROM compounds WHERE compound_id NOT IN (SELECT compound_id FROM renovation_items) LIMIT 1"
    ).fetchone()[0]
    at = app(state={"compound": [outside]}).run()
    assert_clean(at)
    assert any("没有数据" in i.value for i in at.info)
    # A community with a compound of another community selected: nothing in scope, one clear message.
    at = app(state={"community": ["C02"], "compound": ["X001"]}).run()
    assert_clean(at)
    assert any("没有数据" in i.value for i in at.info)
