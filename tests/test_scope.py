"""Who sees what: the login gate, roles, and row-level scope through pages, URL and imports."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from oversight import auth, db, ingest
from oversight.ui import login, pages, state
from tests.apptest import assert_clean, each_tab, new_app

PAGES = pages.scoped_files()  # every page that draws rows and every role may open
STAFF = auth.Account("staff_c02", "community_staff", ("C02",))
VIEWER = auth.Account("viewer_c02", "viewer", ("C02",))


@pytest.fixture
def foreign(app_env):
    """Names and ids of every compound outside C02. (A partner unit's home community may show:
    it describes the unit, which also serves C02, not another community's compounds.)"""
    con = db.connect(app_env)
    rows = con.execute("SELECT compound_id, name FROM compounds WHERE community_id <> 'C02'").fetchall()
    own = {r[0] for r in con.execute("SELECT name FROM compounds WHERE community_id = 'C02'").fetchall()}
    # A name shared with an own compound would be a false alarm; the demo has none.
    return {v for r in rows for v in r if v not in own}


def shown_values(at) -> set[str]:
    """Every cell of every table, and every label and caption, the page shows."""
    values: set[str] = set()
    for frame in at.dataframe:
        data = frame.value
        if isinstance(data, pd.DataFrame):
            values |= {str(v) for v in data.astype(str).to_numpy().ravel()}
    for element in [*at.caption, *at.markdown, *at.title, *at.subheader, *at.info]:
        values.add(str(element.value))
    return values


def leaks(values: set[str], foreign: set[str]) -> set[str]:
    return {f for f in foreign if any(f == v or (len(f) > 3 and f in v) for v in values)}


@pytest.mark.parametrize("page", PAGES)
def test_community_staff_sees_no_row_of_another_community(app_env, foreign, page):
    at = new_app(STAFF)
    at.switch_page(page) if page != "app_pages/overview.py" else None
    at.run()
    assert_clean(at)
    for shown in each_tab(at):
        assert leaks(shown_values(shown), foreign) == set()


def test_url_asking_for_another_community_is_dropped(app_env, foreign):
    at = new_app(STAFF)
    at.query_params["community"] = ["和美社区"]
    at.query_params["compound"] = ["湖北省第二轻工业局宿舍"]
    at.run()
    assert_clean(at)
    assert at.sidebar.warning, "the notice about the dropped values"
    assert at.sidebar.multiselect(key="community").options == ["台北一路社区"]
    assert leaks(shown_values(at), foreign) == set()


def test_sidebar_offers_only_own_communities_and_nav_hides_data_for_viewers(app_env):
    at = new_app(VIEWER).run()
    assert at.sidebar.multiselect(key="community").options == ["台北一路社区"]
    # AppTest draws no navigation: the pages the entry script put in it for this account are in the session.
    shown = at.session_state[state.PAGES]
    assert "data" not in shown and "requests" in shown


def test_viewer_reaching_the_data_page_by_url_is_refused(app_env):
    at = new_app(VIEWER)
    at.switch_page("app_pages/data.py")
    at.run()
    from oversight import i18n

    # The viewer's navigation has no Data page: the link opens the default page, the Overview, with no upload.
    assert not at.get("file_uploader")
    assert [t.value for t in at.title] == [i18n.t("overview.title", "zh")]


def test_staff_import_with_a_foreign_row_is_refused_whole(app_env, tmp_path):
    con = db.connect(app_env)
    before = con.execute("SELECT count(*), sum(hash(request_id)) FROM requests").fetchall()
    path = tmp_path / "requests.csv"
    path.write_text(
        "request_id,compound_id,received_at,channel,category,summary,handler,responded_at,resolved_at,satisfaction\n"
        "S-1,X013,2023-09-01 08:00:00,visit,leak,楼顶漏水,property,,,\n"
        "S-2,X001,2023-09-01 09:00:00,visit,leak,楼顶漏水,property,,,\n",
        encoding="utf-8",
    )
    own = list(db.run("account_scope", con, community_ids=["C02"])["compound_id"])
    assert "X013" in own and "X001" not in own
    result = ingest.import_file("requests", path, con=con, user="staff_c02", allowed_compounds=own)
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(3, "compound_id")]
    assert con.execute("SELECT count(*), sum(hash(request_id)) FROM requests").fetchall() == before
    refused = ingest.import_file("rewards", path, con=con, user="staff_c02", allowed_compounds=own)
    assert not refused.ok and "街道管理员" in refused.problems[0].expected
    # The same file without the foreign row lands.
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    assert ingest.import_file("requests", path, con=con, user="staff_c02", allowed_compounds=own).ok


def test_signed_out_sees_the_login_form_and_no_figure(app_env):
    at = new_app(None).run()
    assert_clean(at)
    assert not at.metric and not at.dataframe
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    path = tmp_path / "accounts.sqlite"
    monkeypatch.setenv("OVERSIGHT_ACCOUNTS", str(path))
    auth.add_user("li", "community_staff", "right password", ["C02"], path=path)
    return path


def sign_in(at, name, password):
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return at.button[-1].click().run()


def test_wrong_password_then_lockout_then_right_password(app_env, accounts):
    at = new_app(None).run()
    for _ in range(4):
        sign_in(at, "li", "wrong")
        assert at.error and "不正确" in at.error[0].value
    sign_in(at, "li", "wrong")
    assert "锁定" in at.error[0].value
    sign_in(at, "li", "right password")
    assert "锁定" in at.error[0].value and not at.metric  # locked even with the right password


def test_sign_in_logout_and_idle_expiry(app_env, accounts):
    at = new_app(None).run()
    sign_in(at, "li", "right password")
    assert at.session_state[login.ACCOUNT_KEY].name == "li"
    at = new_app(auth.Account("li", "community_staff", ("C02",)))
    at.run()
    assert at.metric
    at.session_state[login.SEEN_KEY] = time.time() - 10 * 3600
    at.run()
    assert not at.metric and any("重新登录" in i.value for i in at.info)
    at = new_app(auth.Account("li", "community_staff", ("C02",))).run()
    at.sidebar.button(key="logout").click().run()
    assert login.ACCOUNT_KEY not in at.session_state


HARMFUL = [
    "' OR 1=1 --",
    '"; DROP TABLE compounds; --',
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "x" * 5000,
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "a\x00b\x07c",
]


@pytest.mark.parametrize("value", HARMFUL)
def test_harmful_strings_in_the_url_change_no_query(app_env, value):
    at = new_app()
    at.query_params["community"] = [value]
    at.query_params["compound"] = [value]
    at.query_params["period"] = [value, value]
    at.run()
    assert_clean(at)
    assert at.sidebar.warning
    assert db.connect(app_env).execute("SELECT count(*) FROM compounds").fetchone()[0] == 29


@pytest.mark.parametrize("value", HARMFUL[:4] + HARMFUL[5:])
def test_harmful_strings_in_import_cells_are_stored_as_text(app_env, tmp_path, value):
    con = db.connect(app_env)
    path = tmp_path / "requests.csv"
    frame = pd.DataFrame(
        [["H-1", "X013", "2023-09-01 08:00:00", "visit", value, value, "property", "", "", ""]],
        columns=["request_id", "compound_id", "received_at", "channel", "category", "summary", "handler",
                 "responded_at", "resolved_at", "satisfaction"],
    )  # fmt: skip
    frame.to_csv(path, index=False)
    result = ingest.import_file("requests", path, con=con, user="t")
    # A NUL byte is refused (it is no text); every other harmful string is kept exactly, as text.
    assert result.ok == ("\x00" not in value)
    if result.ok:
        assert con.execute("SELECT summary FROM requests WHERE request_id = 'H-1'").fetchone()[0] == value
    assert con.execute("SELECT count(*) FROM compounds").fetchone()[0] == 29
