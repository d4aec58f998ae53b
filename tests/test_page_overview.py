"""The Overview, run for real with AppTest on a private demo database (the entry script's filters:
test_sidebar.py)."""

import re
from datetime import date

from oversight import db, i18n
from oversight import metrics as metrics_catalogue
from tests.apptest import CJK, app, assert_clean, assert_kpis, metrics, open_page


def sql_figures(path, compound_ids=None):
    """The Overview's headline figures computed by hand, for the default period (2022-10..2023-09)."""
    con = db.connect(path)
    scope = "" if compound_ids is None else "AND compound_id IN (SELECT unnest(?))"
    args = [] if compound_ids is None else [compound_ids]
    one = lambda sql, extra=(): con.execute(sql.format(scope=scope), [*extra, *args]).fetchone()[0]  # noqa: E731
    start, end, as_at = date(2022, 10, 1), date(2023, 10, 1), date(2023, 9, 30)
    # 开工/完工 by compound: in the plan; started when an in-plan item has an actual start, finished when
    # every in-plan item is done (口径 of issue 12).
    plan = "SELECT compound_id FROM compounds WHERE in_renovation_plan {scope}"
    in_plan = one(f"SELECT count(*) FROM ({plan})")
    started = one(
        f"SELECT count(*) FROM ({plan}) p WHERE EXISTS (SELECT 1 FROM renovation_items i"
        " WHERE i.compound_id = p.compound_id AND i.in_plan AND i.actual_start <= DATE '2023-09-30')"
    )
    finished = one(
        f"SELECT count(*) FROM ({plan}) p WHERE EXISTS (SELECT 1 FROM renovation_items i"
        " WHERE i.compound_id = p.compound_id AND i.in_plan) AND NOT EXISTS (SELECT 1 FROM renovation_items i"
        " WHERE i.compound_id = p.compound_id AND i.in_plan AND i.stage <> 'done')"
    )
    out = {
        "start_rate": started / in_plan if in_plan else None,
        "finish_rate": finished / in_plan if in_plan else None,
        "late_start_items": one(
            "SELECT count(*) FROM renovation_items WHERE planned_start < ? AND actual_start IS NULL {scope}", [as_at]
        ),
        "overdue_items": one(
            "SELECT count(*) FROM renovation_items WHERE stage <> 'done' AND planned_end < ? {scope}", [as_at]
        ),
        "partner_value": one(
            "SELECT coalesce(sum(value_yuan), 0) FROM contributions WHERE contributed_on >= ? AND contributed_on < ?"
            " {scope}",
            [start, end],
        ),
        # 解决率 from the 回访: resolved among the requests with a follow-up answer.
        "resolution_rate": one(
            "SELECT count(*) FILTER (WHERE followup_resolved = 'resolved') / nullif(count(followup_resolved), 0)"
            " FROM requests WHERE received_at >= ? AND received_at < ? {scope}",
            [start, end],
        ),
    }
    return out


def test_overview_kpis_equal_sql_without_filter(app_env):
    at = app().run()
    assert_clean(at)
    assert at.title[0].value == "总览"
    assert "数据截至 2023-09-30" in at.caption[0].value
    assert_kpis(at, sql_figures(app_env))
    # Renovation progress by compound, the stage distribution, the three rates by month.
    assert len(at.get("vega_lite_chart")) == 3


def test_one_compound_filter_changes_the_figures_to_that_compound(app_env):
    before = metrics(app().run())
    at = app(state={"compound": ["X001"]}).run()
    assert_clean(at)
    assert_kpis(at, sql_figures(app_env, ["X001"]))
    assert metrics(at) != before
    assert "湖北省第二轻工业局宿舍" in at.caption[0].value


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


def test_no_change_is_shown_against_a_period_without_data(app_env):
    """累计 from the first plan batch: the period before it has no data, so no card shows a change."""
    at = app(state={"span": "cumulative"}).run()
    assert_clean(at)
    assert "2021-10—2023-09" in at.caption[0].value
    assert at.metric and all(m.proto.delta == "" for m in at.metric)
    # The default 本期 has a full year before it: changes are shown.
    assert any(m.proto.delta for m in app().run().metric)


def test_a_change_that_rounds_to_zero_is_neutral():
    from oversight import fmt

    assert fmt.is_zero_change("pct", 0.8095, 0.80951) and not fmt.is_zero_change("pct", 0.81, 0.80)
    assert fmt.is_zero_change("int", 41, 41) and not fmt.is_zero_change("int", 41, 40)
    assert not fmt.is_zero_change("int", 41, None)


def test_zero_change_card_has_no_arrow_and_no_colour(app_env):
    at = app(state={"compound": ["X001"]}).run()
    flat = [m for m in at.metric if m.proto.delta == i18n.t("page.no_change", "zh")]
    # 省二轻宿舍 was in the plan in both years: 1个 then and now.
    assert i18n.t("metric.compounds_in_plan", "zh") in [m.label for m in flat]
    for card in flat:
        assert "direction: NONE" in str(card.proto) and "color: GRAY" in str(card.proto), card.proto


def test_needs_attention_counts_read_as_the_cards_do_in_both_languages(app_env):
    """The 需要关注 counts repeat two headline cards: the same words, a space before an English unit."""
    for lang in ("zh", "en"):
        at = open_page("app_pages/overview.py", lang)
        for key, alert in (("late_start_items", "alert_late_start"), ("overdue_items", "alert_overdue")):
            card = i18n.t(f"metric.{key}", lang)
            shown = {m.value for m in at.metric if m.label in (card, i18n.t(f"overview.{alert}", lang))}
            assert len(shown) == 1, (lang, key, shown)
        if lang == "en":
            values = [m.value for m in at.metric if m.label == i18n.t("overview.alert_old_open", "en")]
            assert values and all(" requests" in v or v.endswith(" request") for v in values), values


def test_each_ledger_link_names_the_rule_its_count_follows(app_env):
    """Under 超过30天未办结的诉求 the ledger counts 诉求超期未办结 (past the request's own 时限): a
    different rule, so a different number; the link must say which, in both languages."""
    for lang in ("zh", "en"):
        at = open_page("app_pages/overview.py", lang)
        for kind in ("late_start", "late_finish", "low_satisfaction", "request_overdue"):
            label = at.button(key=f"sv_link_{kind}").label
            assert i18n.t(f"supervision.kind_short.{kind}", lang) in label, (lang, kind, label)
            assert len(label) <= (16 if lang == "zh" else 34), label  # a quarter of the page, not cut
        if lang == "zh":
            assert not re.search(r"[A-Za-z]", at.button(key="sv_link_request_overdue").label)
    # A ledger kind must not borrow the name of a different figure (居民诉求's 超期诉求 counts closed ones too).
    names = {i18n.t(f"metric.{key}", "zh") for key in metrics_catalogue.CATALOGUE}
    kinds = ("late_start", "late_finish", "low_satisfaction", "request_overdue")
    assert not names & {i18n.t(f"supervision.kind_short.{k}", "zh") for k in kinds}
