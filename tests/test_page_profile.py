"""The Compound profile page, run for real with AppTest on a private demo database."""

from datetime import date

from oversight import db, i18n
from tests.apptest import CJK, app, assert_clean, assert_kpis, compound_without, metrics, open_page, page_words

PAGE = "app_pages/profile.py"
START, END, AS_AT = date(2022, 10, 1), date(2023, 10, 1), date(2023, 9, 30)  # the default period


def sql_figures(path, compound_id: str) -> dict:
    """Some of the page's KPIs for one compound, computed by hand."""
    con = db.connect(path)

    def one(sql, args=()):
        return con.execute(sql, [*args, compound_id]).fetchone()[0]

    earned = one(
        "SELECT coalesce(sum(s.points), 0) FROM services s JOIN volunteers v USING (volunteer_id)"
        " WHERE s.served_on <= ? AND v.compound_id = ?",
        [AS_AT],
    )
    spent = one(
        "SELECT coalesce(sum(d.points_spent), 0) FROM redemptions d JOIN volunteers v USING (volunteer_id)"
        " WHERE d.redeemed_on <= ? AND v.compound_id = ?",
        [AS_AT],
    )
    return {
        "items_done": one("SELECT count(*) FROM renovation_items WHERE stage = 'done' AND compound_id = ?"),
        "overdue_items": one(
            "SELECT count(*) FROM renovation_items WHERE stage <> 'done' AND planned_end < ? AND compound_id = ?",
            [AS_AT],
        ),
        "partner_value": one(
            "SELECT coalesce(sum(value_yuan), 0) FROM contributions"
            " WHERE contributed_on >= ? AND contributed_on < ? AND compound_id = ?",
            [START, END],
        ),
        "volunteer_hours": one(
            "SELECT coalesce(sum(s.hours), 0) FROM services s JOIN volunteers v USING (volunteer_id)"
            " WHERE s.served_on >= ? AND s.served_on < ? AND v.compound_id = ?",
            [START, END],
        ),
        "points_outstanding": earned - spent,
        # 办结率: closed / received (the 口径 issue 12 calls closure; 解决率 now comes from the 回访).
        "closure_rate": one(
            "SELECT count(resolved_at) / nullif(count(*), 0) FROM requests"
            " WHERE received_at >= ? AND received_at < ? AND compound_id = ?",
            [START, END],
        ),
    }


def frame_with(at, label: str):
    return next(d.value for d in at.dataframe if label in d.value.columns)


def test_first_compound_of_the_filter_by_default(app_env):
    at = open_page(PAGE)
    assert at.title[0].value == "小区档案"
    assert at.selectbox(key="profile").value == "X001"
    assert at.header[0].value == "湖北省第二轻工业局宿舍"
    shown = metrics(at)
    assert shown[i18n.t("col.built_year", "zh")] == "1990"
    assert shown[i18n.t("col.households", "zh")] == "36户"
    assert_kpis(at, sql_figures(app_env, "X001"))
    # Its items' progress, and its red property by month: staff and meetings, fee collection.
    assert len(at.get("vega_lite_chart")) == 3


def test_one_compound_filter(app_env):
    at = open_page(PAGE, compound=["X002"])
    assert at.selectbox(key="profile").options == ["市水产宿舍"]
    assert at.header[0].value == "市水产宿舍"
    assert_kpis(at, sql_figures(app_env, "X002"))


def test_the_compound_the_overview_asked_for(app_env):
    # The Overview puts the clicked compound in session_state["profile"] and switches here.
    at = open_page(PAGE, state={"profile": "X003"})
    assert at.header[0].value == "汉口渔场宿舍"
    assert_kpis(at, sql_figures(app_env, "X003"))
    # Every renovation item with its progress reports.
    con = db.connect(app_env)
    items = con.execute("SELECT count(*) FROM renovation_items WHERE compound_id = 'X003'").fetchone()[0]
    reports = con.execute(
        "SELECT count(*) FROM progress_updates JOIN renovation_items USING (item_id) WHERE compound_id = 'X003'"
    ).fetchone()[0]
    assert len(frame_with(at, i18n.t("col.progress_pct", "zh"))) == items
    assert len(frame_with(at, i18n.t("col.note", "zh"))) == reports
    # Its contributions from the beginning: the chute removal of 2022 is there, though before the period.
    given = frame_with(at, i18n.t("col.description", "zh"))
    assert "中国交建一公局集团华中公司" in set(given[i18n.t("col.unit", "zh")])


def test_a_link_opens_that_compound(app_env):
    # The selectbox is bound to the URL: ?profile=<name as the sidebar shows it>.
    at = app({"profile": ["市水产宿舍"]}).run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert at.header[0].value == "市水产宿舍"


def test_choosing_another_compound(app_env):
    at = open_page(PAGE)
    at.selectbox(key="profile").set_value("X002").run()
    assert_clean(at)
    assert at.header[0].value == "市水产宿舍"
    volunteers = frame_with(at, i18n.t("col.display_name", "zh"))
    assert volunteers[i18n.t("col.display_name", "zh")].str.contains(r"\*").all()  # masked names only


def test_a_compound_outside_the_filter_shows_the_empty_state(app_env):
    at = open_page(PAGE, compound=["X002"], state={"profile": "X001"})
    assert any(i.value == i18n.t("profile.not_in_scope", "zh") for i in at.info)
    assert not at.header and not at.dataframe


def test_compound_without_items_shows_the_empty_state(app_env):
    at = open_page(PAGE, compound=[compound_without(app_env, "renovation_items")])
    assert any(i.value == i18n.t("profile.no_items", "zh") for i in at.info)
    assert_kpis(at, {"items_done": 0})


def test_english(app_env):
    at = open_page(PAGE, "en", state={"profile": "X001"})
    assert at.title[0].value == "Compound profile"
    assert_kpis(at, sql_figures(app_env, "X001"), "en")
    # Labels only: captions and fact lines carry names (data values), which stay as they are.
    assert [t for t in page_words(at, captions=False) if CJK.search(t)] == []
