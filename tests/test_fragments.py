"""Sections drawn as fragments (st.fragment) still answer their widget: the low-stock threshold on
志愿积分 and the item chosen for its progress history on 小区改造."""

from __future__ import annotations

from oversight import db, i18n
from tests.apptest import app, assert_clean


def test_the_low_stock_threshold_lists_the_rewards_under_it(app_env):
    at = app(page="app_pages/volunteers.py").run()
    assert_clean(at)
    stock = sorted(db.connect(app_env).execute("SELECT stock FROM rewards").fetchall())
    heading = i18n.t("volunteers.low_stock", "zh", n=10)
    assert heading in [m.value.strip("*") for m in at.markdown]
    at.number_input(key="low_stock_threshold").set_value(10_000).run()
    assert_clean(at)
    assert i18n.t("volunteers.low_stock", "zh", n=10_000) in [m.value.strip("*") for m in at.markdown]
    # Every reward is under 10,000 in stock: the low-stock list is now the whole catalogue.
    tables = [t.value for t in at.dataframe if "库存" in t.value.columns]
    assert len(tables) == 2 and len(tables[0]) == len(tables[1]) == len(stock)


def test_choosing_another_item_shows_its_own_history(app_env):
    at = app(page="app_pages/renovation.py").run()
    assert_clean(at)
    # AppTest cannot set a selectbox with a format_func by value: the widget's state stands in for the choice.
    item_id = at.selectbox(key="renovation_item").options[1].rsplit("（", 1)[1].rstrip("）")
    at.session_state["renovation_item"] = item_id
    at.run()
    assert_clean(at)
    reported = (
        db.connect(app_env).execute("SELECT count(*) FROM progress_updates WHERE item_id = ?", [item_id]).fetchone()[0]
    )
    history = at.dataframe[-1].value
    assert list(history.columns) == ["报告日期", "阶段", "进度（%）", "备注"] and len(history) == reported
