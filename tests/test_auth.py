"""Local accounts: hashes, wrong passwords, lockout after 5, roles and scope."""

import sqlite3

import pytest

from oversight import auth


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "accounts.sqlite"
    auth.add_user("wang", "community_staff", "correct horse", ["C01"], path=path)
    return path


def test_password_is_stored_as_argon2id_hash_only(store):
    row = sqlite3.connect(store).execute("SELECT password_hash FROM accounts WHERE name = 'wang'").fetchone()
    assert row[0].startswith("$argon2id$") and "correct horse" not in row[0]


def test_right_password_logs_in_with_role_and_scope(store):
    account = auth.login("wang", "correct horse", path=store)
    assert (account.role, account.communities) == ("community_staff", ("C01",))
    assert account.may_import and not account.sees_everything and not account.may_manage_snapshots


PERMISSIONS = ("may_import", "may_manage_snapshots", "may_set_as_of", "may_roll_back", "may_read_audit", "may_read_sql")


@pytest.mark.parametrize(
    "role,allowed",
    [("street_admin", set(PERMISSIONS)), ("community_staff", {"may_import"}), ("viewer", set())],
)
def test_each_role_may_do_what_its_duties_need_and_no_more(role, allowed):
    account = auth.Account("someone", role, ("C01",))
    assert {p for p in PERMISSIONS if getattr(account, p)} == allowed
    assert account.sees_everything == (role == "street_admin")


@pytest.mark.parametrize("name,password", [("wang", "wrong"), ("nobody", "correct horse"), ("wang", "")])
def test_wrong_name_or_password_is_refused_the_same_way(store, name, password):
    with pytest.raises(auth.AuthError) as e:
        auth.login(name, password, path=store)
    assert e.value.kind == "bad_login"


def test_five_failures_lock_the_name_for_a_minute(store):
    for _ in range(4):
        with pytest.raises(auth.AuthError, match="bad_login"):
            auth.login("wang", "wrong", path=store, now=1000)
    with pytest.raises(auth.AuthError) as e:
        auth.login("wang", "wrong", path=store, now=1000)
    assert e.value.kind == "locked" and e.value.details["seconds"] == 60
    with pytest.raises(auth.AuthError, match="locked"):
        auth.login("wang", "correct horse", path=store, now=1030)  # even the right password waits
    assert auth.login("wang", "correct horse", path=store, now=1061).name == "wang"


def test_success_resets_the_failure_count(store):
    for _ in range(4):
        with pytest.raises(auth.AuthError):
            auth.login("wang", "wrong", path=store, now=1000)
    auth.login("wang", "correct horse", path=store, now=1000)
    with pytest.raises(auth.AuthError, match="bad_login"):
        auth.login("wang", "wrong", path=store, now=1000)


def test_account_rules(store):
    with pytest.raises(auth.AuthError, match="exists"):
        auth.add_user("wang", "viewer", "another pass", ["C01"], path=store)
    with pytest.raises(auth.AuthError, match="needs_community"):
        auth.add_user("li", "viewer", "another pass", [], path=store)
    with pytest.raises(auth.AuthError, match="bad_role"):
        auth.add_user("li", "root", "another pass", ["C01"], path=store)
    with pytest.raises(auth.AuthError, match="short_password"):
        auth.add_user("li", "viewer", "short", ["C01"], path=store)
    with pytest.raises(auth.AuthError, match="bad_name"):
        auth.add_user("li\x00", "viewer", "another pass", ["C01"], path=store)


def test_passwd_list_remove_and_email_mapping(store):
    auth.set_password("wang", "new password", path=store)
    assert auth.login("wang", "new password", path=store).name == "wang"
    auth.add_user("zhao", "street_admin", "admin password", email="Zhao@Street.gov.cn", path=store)
    assert auth.find_by_email("zhao@street.gov.cn", path=store).name == "zhao"
    assert auth.find_by_email("stranger@example.com", path=store) is None
    assert [a.name for a in auth.list_users(path=store)] == ["wang", "zhao"]
    assert auth.remove_user("wang", path=store) and [a.name for a in auth.list_users(path=store)] == ["zhao"]


def test_harmful_strings_in_login_fields_are_plain_data(store):
    for name in [
        "' OR '1'='1",
        "wang'; DROP TABLE accounts; --",
        "<script>alert(1)</script>",
        "\u202ewang",
        "x" * 10_000,
    ]:
        with pytest.raises(auth.AuthError, match="bad_login"):
            auth.login(name, "' OR '1'='1", path=store)
    assert [a.name for a in auth.list_users(path=store)] == ["wang"]


def test_demo_accounts_have_random_passwords_written_once(tmp_path):
    store, out = tmp_path / "a.sqlite", tmp_path / "demo-accounts.txt"
    first = auth.create_demo_accounts(["C01"], out, path=store)
    second = auth.create_demo_accounts(["C01"], out, path=store)
    assert set(first) == {"street_admin", "community_staff", "viewer"}
    assert first != second  # new random passwords each build, never a fixed default
    for name, password in second.items():
        assert auth.login(name, password, path=store).name == name
        assert password in out.read_text()
    assert oct(out.stat().st_mode)[-3:] == "600"


def test_users_command_line(tmp_path, demo_master):
    import os
    import subprocess
    import sys

    env = {**os.environ, "OVERSIGHT_ACCOUNTS": str(tmp_path / "a.sqlite")}

    def run(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "oversight", "users", *args, "--db", str(demo_master)],
            input=stdin, capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip

    assert run("add", "wang", "--role", "community_staff", "--community", "C02", "--password-stdin",
               stdin="a long password\n").returncode == 0  # fmt: skip
    refused = run("add", "li", "--role", "viewer", "--community", "C99", "--password-stdin", stdin="a long password\n")
    assert refused.returncode == 1 and "C99" in refused.stderr
    assert run("list").stdout.split("\t")[:3] == ["wang", "community_staff", "C02"]
    assert run("passwd", "wang", "--password-stdin", stdin="another long one\n").returncode == 0
    assert auth.login("wang", "another long one", path=tmp_path / "a.sqlite").name == "wang"
    assert run("remove", "wang").returncode == 0 and run("list").stdout == ""


def test_unknown_names_answer_exactly_like_known_ones(store):
    answers = {}
    for name in ("wang", "nobody"):
        seen = []
        for _ in range(6):
            with pytest.raises(auth.AuthError) as e:
                auth.login(name, "wrong", path=store, now=1000, address="10.0.0.9")
            seen.append((e.value.kind, e.value.details))
        answers[name] = seen
    assert answers["wang"] == answers["nobody"]
    assert answers["nobody"][-1][0] == "locked"


def test_a_lockout_from_one_address_does_not_lock_the_official_elsewhere(store):
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.login("wang", "wrong", path=store, now=1000, address="10.9.9.9")
    with pytest.raises(auth.AuthError, match="locked"):
        auth.login("wang", "correct horse", path=store, now=1001, address="10.9.9.9")
    assert auth.login("wang", "correct horse", path=store, now=1001, address="10.0.0.5").name == "wang"


@pytest.mark.parametrize(
    "peer,forwarded,expected",
    [
        (None, "203.0.113.7", "203.0.113.7"),  # loopback proxy: its header is believed
        ("127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the proxy appends the real peer last
        ("198.51.100.2", "1.2.3.4", "198.51.100.2"),  # not a trusted proxy: the header is ignored
        (None, None, "127.0.0.1"),
        ("10.0.0.8", "", "10.0.0.8"),
    ],
)
def test_client_address_believes_forwarded_for_only_from_a_trusted_proxy(peer, forwarded, expected):
    assert auth.client_address(peer, forwarded, trusted=("127.0.0.1",)) == expected
