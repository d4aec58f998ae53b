"""The Partner units page, run for real with AppTest on a private demo database."""

from datetime import date

from oversight import db, fmt, i18n
from tests.apptest import CJK, assert_clean, assert_kpis, metrics, new_app, open_page, page_words

PAGE = "app_pages/partners.py"
START, END, AS_OF = date(2022, 10, 1), date(2023, 10, 1), date(2023, 9, 30)  # the default period
CCCC = "中国交建一公局集团华中公司"


def sql_figures(path, compound_ids=None, start=START, end=END) -> dict:
    """The page's KPIs computed by hand on the test database."""
    con = db.connect(path)
    scope = "" if compound_ids is None else "AND compound_id IN (SELECT unnest(?))"
    args = [start, end] + ([] if compound_ids is None else [compound_ids])
    row = con.execute(
        "SELECT coalesce(sum(value_yuan), 0), coalesce(sum(volunteer_hours), 0), count(*), count(DISTINCT unit_id),"
        " coalesce(sum(households_benefited), 0) FROM contributions"
        f" WHERE contributed_on >= ? AND contributed_on < ? {scope}",
        args,
    ).fetchone()
    keys = ("partner_value", "partner_hours", "contributions_count", "partner_units_active", "households_benefited")
    return dict(zip(keys, row, strict=True))


def frame_with(at, label: str):
    return next(d.value for d in at.dataframe if label in d.value.columns)


def saved_to_date(path, unit_name: str, compound_ids=None):
    con = db.connect(path)
    scope = "" if compound_ids is None else "AND k.compound_id IN (SELECT unnest(?))"
    return con.execute(
        "SELECT coalesce(sum(k.value_yuan), 0) FROM contributions k JOIN partner_units u USING (unit_id)"
        f" WHERE u.name = ? AND k.contributed_on <= ? {scope}",
        [unit_name, AS_OF] + ([] if compound_ids is None else [compound_ids]),
    ).fetchone()[0]


def test_kpis_equal_sql_without_filter(app_env):
    at = open_page(PAGE)
    assert at.title[0].value == "共建单位"
    assert_kpis(at, sql_figures(app_env))
    assert len(at.get("vega_lite_chart")) == 6
    con = db.connect(app_env)
    period_rows = con.execute(
        "SELECT count(*) FROM contributions WHERE contributed_on >= ? AND contributed_on < ?", [START, END]
    ).fetchone()[0]
    # The last table is the period's list (the unit's own list above it has no unit column).
    listed = [d.value for d in at.dataframe if i18n.t("col.description", "zh") in d.value.columns][-1]
    assert i18n.t("col.unit", "zh") in listed.columns
    assert len(listed) == period_rows


def test_kpis_equal_sql_for_one_compound(app_env):
    at = open_page(PAGE, compound=["X001"])
    assert_kpis(at, sql_figures(app_env, ["X001"]))


def test_what_cccc_saved_residents_in_a_minute(app_env):
    # The unit that saved residents most comes first: 中交一公局 and its chute removal, over 200,000 yuan.
    at = open_page(PAGE)
    assert at.selectbox(key="partner_unit").value == "P01"
    saved = saved_to_date(app_env, CCCC)
    assert saved > 200_000
    assert metrics(at)[i18n.t("partners.value_to_date", "zh")] == fmt.yuan(saved, "zh")
    own = frame_with(at, i18n.t("col.contribution_id", "zh"))
    assert "K0001" in set(own[i18n.t("col.contribution_id", "zh")])


def test_choosing_another_unit(app_env):
    at = open_page(PAGE)
    at.selectbox(key="partner_unit").set_value("P03").run()
    assert_clean(at)
    name = db.connect(app_env).execute("SELECT name FROM partner_units WHERE unit_id = 'P03'").fetchone()[0]
    assert metrics(at)[i18n.t("partners.value_to_date", "zh")] == fmt.yuan(saved_to_date(app_env, name), "zh")


def test_english(app_env):
    at = open_page(PAGE, "en")
    assert at.title[0].value == "Partner units"
    assert_kpis(at, sql_figures(app_env), "en")
    # Labels only: the unit line carries the community's name, a data value.
    assert [t for t in page_words(at, markdown=True, captions=False) if CJK.search(t)] == []


def test_no_contributions_in_the_period_shows_the_empty_state(app_env):
    con = db.connect(app_env)
    bare = con.execute(
        "SELECT compound_id FROM compounds WHERE compound_id NOT IN"
        " (SELECT compound_id FROM contributions WHERE contributed_on >= ? AND contributed_on < ?)"
        " ORDER BY compound_id LIMIT 1",
        [START, END],
    ).fetchone()[0]
    at = open_page(PAGE, compound=[bare])
    assert_kpis(at, {"partner_value": 0})
    assert any(i.value == i18n.t("partners.no_contributions", "zh") for i in at.info)


def test_each_units_contributions_show_their_own_kinds(app_env):
    """The unit's table is some rows of every contribution: each row's kind is its own label (a lookup
    that lost the rows' index gave one row another row's label, or none)."""
    con = db.connect(app_env)
    labels = i18n.codes("contribution_kind", "zh")
    id_col, kind_col = i18n.t("col.contribution_id", "zh"), i18n.t("col.kind", "zh")
    at = open_page(PAGE)
    for unit in ("P01", "P03", "P05"):
        at.selectbox(key="partner_unit").set_value(unit).run()
        assert_clean(at)
        own = frame_with(at, id_col)
        expected = dict(
            con.execute(
                "SELECT contribution_id, kind FROM contributions WHERE unit_id = ? AND contributed_on <= ?",
                [unit, AS_OF],
            ).fetchall()  # fmt: skip
        )
        assert len(own) == len(expected) > 0
        assert dict(zip(own[id_col], own[kind_col], strict=True)) == {k: labels[v] for k, v in expected.items()}


def linked(unit_value: str, account=None):
    """The Partners page opened from a link holding `unit_value` as its unit."""
    at = new_app(account) if account is not None else new_app()
    at.query_params["partner_unit"] = unit_value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


def test_two_units_of_one_name_are_told_apart_in_the_picker_and_in_a_link(app_env):
    """Names are not unique (a bank's two branches): each unit's label carries its id, and a link made
    while the second is open opens the second, not the first of that name."""
    con = db.connect(app_env)
    first = con.execute("SELECT name FROM partner_units WHERE unit_id = 'P01'").fetchone()[0]
    con.execute("UPDATE partner_units SET name = ? WHERE unit_id = 'P03'", [first])
    at = open_page(PAGE, state={"partner_unit": "P03"})
    picker = at.selectbox(key="partner_unit")
    assert picker.value == "P03"
    assert len(set(picker.options)) == len(picker.options)
    assert f"{first}（P01）" in picker.options and f"{first}（P03）" in picker.options
    assert at.query_params["partner_unit"] == f"{first}（P03）"
    assert linked(f"{first}（P03）").selectbox(key="partner_unit").value == "P03"


def test_a_link_names_the_same_unit_for_every_account(app_env):
    """A unit's label does not depend on which units the account sees: a community's staff link to its
    unit opens that unit for the street, though the street sees another unit of the same name."""
    from oversight import auth

    con = db.connect(app_env)
    p01, p01_community = con.execute("SELECT name, community_id FROM partner_units WHERE unit_id = 'P01'").fetchone()
    other_id, community = con.execute(
        "SELECT unit_id, community_id FROM partner_units WHERE community_id <> ? ORDER BY unit_id DESC LIMIT 1",
        [p01_community],
    ).fetchone()
    con.execute("UPDATE partner_units SET name = ? WHERE unit_id = ?", [p01, other_id])
    staff = auth.Account("staff_x", "community_staff", (community,))
    own = open_page(PAGE, account=staff, state={"partner_unit": other_id})
    link = own.query_params["partner_unit"]
    assert own.selectbox(key="partner_unit").value == other_id
    street = linked(link)
    assert street.selectbox(key="partner_unit").value == other_id
    assert not street.warning


def test_a_link_by_id_or_by_a_name_opens_that_unit_and_an_unknown_one_says_so(app_env):
    name = db.connect(app_env).execute("SELECT name FROM partner_units WHERE unit_id = 'P03'").fetchone()[0]
    assert linked("P03").selectbox(key="partner_unit").value == "P03"
    assert linked(name).selectbox(key="partner_unit").value == "P03"
    unknown = linked("没有这个单位")
    assert [w.value for w in unknown.warning] == [i18n.t("partners.unit_not_found", "zh", value="没有这个单位")]
