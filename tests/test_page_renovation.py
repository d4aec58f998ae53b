"""The Renovation page, run for real with AppTest on a private demo database."""

from datetime import date

from oversight import db, i18n
from tests.apptest import CJK, assert_clean, assert_kpis, compound_without, open_page, page_words

PAGE = "app_pages/renovation.py"
AS_AT = date(2023, 9, 30)  # the default period's last day, which is the demo's as_of


def sql_figures(path, compound_ids=None) -> dict:
    """The page's KPIs computed by hand on the test database."""
    con = db.connect(path)
    scope = "" if compound_ids is None else "AND compound_id IN (SELECT unnest(?))"
    args = [] if compound_ids is None else [compound_ids]

    def one(sql, extra=()):
        return con.execute(sql.format(scope=scope), [*extra, *args]).fetchone()[0]

    planned = "FROM compounds WHERE in_renovation_plan AND plan_batch <= '2023-09' {scope}"
    return {
        "compounds_in_plan": one("SELECT count(*) " + planned),
        "households_benefiting": one("SELECT coalesce(sum(households), 0) " + planned),
        "items_total": one("SELECT count(*) FROM renovation_items WHERE true {scope}"),
        "items_done": one(
            "SELECT count(*) FROM renovation_items"
            " WHERE stage = 'done' AND (actual_end IS NULL OR actual_end <= ?) {scope}",
            [AS_AT],
        ),
        "budget_total": one("SELECT coalesce(sum(budget_yuan), 0) FROM renovation_items WHERE true {scope}"),
        "budget_spent": one("SELECT coalesce(sum(spent_yuan), 0) FROM renovation_items WHERE true {scope}"),
        "overdue_items": one(
            "SELECT count(*) FROM renovation_items WHERE stage <> 'done' AND planned_end < ? {scope}", [AS_AT]
        ),
        "extra_items": one("SELECT count(*) FROM renovation_items WHERE NOT in_plan {scope}"),
        # By compound, over the compounds in plan: started = an in-plan item actually started,
        # finished = every in-plan item done.
        "compounds_started": one(
            "SELECT count(*) FROM compounds WHERE in_renovation_plan AND plan_batch <= '2023-09'"
            " AND compound_id IN (SELECT compound_id FROM renovation_items WHERE in_plan AND actual_start <= ?)"
            " {scope}",
            [AS_AT],
        ),
        "compounds_finished": one(
            "SELECT count(*) FROM compounds WHERE in_renovation_plan AND plan_batch <= '2023-09'"
            " AND compound_id IN (SELECT compound_id FROM renovation_items WHERE in_plan GROUP BY ALL"
            " HAVING bool_and(stage = 'done')) {scope}"
        ),
        "late_start_items": one(
            "SELECT count(*) FROM renovation_items WHERE planned_start < ? AND actual_start IS NULL {scope}",
            [AS_AT],
        ),
        "elevators_total": one(
            "SELECT coalesce(sum(elevators), 0) FROM renovation_items WHERE item_type = 'elevator' {scope}"
        ),
    }


def frame_with(at, label: str):
    """The first table on the page that has a column labelled `label`."""
    return next(d.value for d in at.dataframe if label in d.value.columns)


def test_kpis_equal_sql_without_filter(app_env):
    at = open_page(PAGE)
    assert at.title[0].value == "小区改造"
    assert_kpis(at, sql_figures(app_env))
    # Late starts and finishes, stages, progress by compound, the timeline, funding in and outside the
    # plan, the elevator pipeline and priority, and the chosen item's history.
    assert len(at.get("vega_lite_chart")) == 8
    # More items than the timeline draws (60), so it says so, with the count of every item in scope.
    total = sql_figures(app_env)["items_total"]
    assert total > 60
    assert i18n.t("renovation.timeline_some", "zh", shown=60, total=total) in [c.value for c in at.caption]


def test_kpis_equal_sql_for_one_compound(app_env):
    at = open_page(PAGE, compound=["X001"])
    assert_kpis(at, sql_figures(app_env, ["X001"]))
    # The same, but a compound whose elevator is under way has no elevator priority to chart.
    under_way = (
        db.connect(app_env)
        .execute(
            "SELECT count(*) > 0 FROM renovation_items WHERE compound_id = 'X001' AND item_type = 'elevator'"
            " AND stage NOT IN ('survey', 'consent')"
        )
        .fetchone()[0]
    )
    assert len(at.get("vega_lite_chart")) == 8 - under_way
    items = frame_with(at, i18n.t("col.progress_pct", "zh"))
    assert sorted(items[i18n.t("col.item_id", "zh")]) == ["X001-01", "X001-02", "X001-03", "X001-CHUTE", "X001-ELEV"]


def test_chute_removal_is_an_extra_item_funded_by_the_partner(app_env):
    at = open_page(PAGE)
    extra = frame_with(at, i18n.t("col.partners", "zh"))
    assert len(extra) == 3
    assert set(extra[i18n.t("col.partners", "zh")]) == {"中国交建一公局集团华中公司"}
    assert set(extra[i18n.t("col.funding", "zh")]) == {"共建单位"}


def test_elevator_priority_follows_the_formula_shown(app_env):
    con = db.connect(app_env)
    under_way = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT compound_id FROM renovation_items WHERE item_type = 'elevator'"
            " AND stage NOT IN ('survey', 'consent') ORDER BY 1"
        ).fetchall()
    ]
    assert {"X001", "X002", "X003"} <= set(under_way)  # the dormitories' elevators are in design or later
    at = open_page(PAGE, compound=["X001", "X002", "X004", "X006"])
    # The formula in plain words with the weights used: no LaTeX.
    assert not at.latex
    assert any("老年人占比" in m.value and "楼层系数" in m.value and "0.35" in m.value for m in at.markdown)
    ranking = frame_with(at, i18n.t("col.score", "zh")).set_index(i18n.t("col.compound", "zh"))
    # Compounds with an elevator under way are not ranked.
    assert "湖北省第二轻工业局宿舍" not in ranking.index and "市水产宿舍" not in ranking.index
    for compound_id in ("X004", "X006"):
        name, elderly, floors = con.execute(
            "SELECT name, elderly_share, floors FROM compounds WHERE compound_id = ?", [compound_id]
        ).fetchone()
        stages = [
            r[0]
            for r in con.execute(
                "SELECT stage FROM renovation_items WHERE compound_id = ? AND item_type = 'elevator'", [compound_id]
            ).fetchall()
        ]
        consent = 1.0 if "consent" in stages else 0.5 if "survey" in stages else 0.0
        open_requests = con.execute(
            "SELECT count(*) FROM requests WHERE compound_id = ? AND category = 'stairs_elevator'"
            " AND received_at < ? + 1 AND (resolved_at IS NULL OR resolved_at >= ? + 1)",
            [compound_id, AS_AT, AS_AT],
        ).fetchone()[0]
        floor_factor = min(max((floors - 3) / 4, 0), 1)
        score = round(
            100 * (0.35 * elderly + 0.25 * floor_factor + 0.25 * consent + 0.15 * min(open_requests / 3, 1)), 1
        )
        assert abs(ranking.loc[name, i18n.t("col.score", "zh")] - score) < 0.05, name


def test_item_history_follows_the_chosen_item(app_env):
    at = open_page(PAGE, compound=["X001"])
    at.selectbox(key="renovation_item").set_value("X001-CHUTE").run()
    assert_clean(at)
    con = db.connect(app_env)
    reports = con.execute("SELECT count(*) FROM progress_updates WHERE item_id = 'X001-CHUTE'").fetchone()[0]
    history = frame_with(at, i18n.t("col.note", "zh"))
    assert len(history) == reports
    assert history[i18n.t("col.progress_pct", "zh")].max() == 100


def test_english(app_env):
    at = open_page(PAGE, "en")
    assert at.title[0].value == "Renovation"
    assert_kpis(at, sql_figures(app_env), "en")
    # Not the charts: the timeline sorts its rows by item names, which are data.
    assert [t for t in page_words(at, markdown=True, charts=False) if CJK.search(t)] == []


def test_compound_without_items_shows_the_empty_state(app_env):
    at = open_page(PAGE, compound=[compound_without(app_env, "renovation_items")])
    assert_kpis(at, {"items_total": 0})
    assert any(i.value == i18n.t("renovation.no_items", "zh") for i in at.info)
    assert any(i.value == i18n.t("renovation.no_elevators", "zh") for i in at.info)
    # The compound still gets its elevator priority: it may need one most of all.
    assert frame_with(at, i18n.t("col.score", "zh")).shape[0] == 1


def test_the_timeline_draws_its_items_in_order_of_planned_start(app_env):
    """As its caption says: the chosen items top to bottom by planned start (item_order, the rows' order)."""
    import json

    import pyarrow.ipc as ipc

    at = open_page(PAGE)
    (timeline,) = [c for c in at.get("vega_lite_chart") if len(json.loads(c.proto.spec).get("layer", [])) == 3]
    tables = [ipc.open_stream(d.data.data).read_all().to_pandas() for d in timeline.proto.datasets]
    (rows,) = [t for t in tables if "item_order" in t.columns]
    planned = i18n.t("renovation.bar.planned", "zh")
    starts = rows[rows["bar"] == planned].set_index("item")["start_date"]
    ordered = rows.groupby("item")["item_order"].min().sort_values().index
    shown = [starts.get(item) for item in ordered if item in starts.index]
    assert len(shown) >= 50 and shown == sorted(shown)
    assert list(ordered) == list(dict.fromkeys(rows["item"]))  # first appearance in the rows is the order
