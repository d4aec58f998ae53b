"""督办台账 Supervision ledger page, run for real with AppTest on a versioned store (a write opens the
cases, so the ledger has some): the count line and the list equal hand-written SQL, in both languages."""

from __future__ import annotations

import pytest

from oversight import i18n, supervision
from tests.apptest import CJK, open_page
from tests.stores import read

PAGE = "app_pages/supervision.py"
CASES = i18n.t("col.case_id", "zh")


@pytest.fixture
def ledger_db(store_db, monkeypatch):
    monkeypatch.setenv("OVERSIGHT_DB", str(store_db))
    return store_db


def by_status(path, kinds: list[str] | None = None) -> dict[str, int]:
    """Cases by the status the ledger shows: 逾期未办 when not closed and past the deadline on as_of."""
    as_of = read(path, "SELECT value FROM meta WHERE key = 'as_of'")[0][0]
    rows = read(
        path,
        "SELECT CASE WHEN status <> 'closed' AND due_on < $as_of::DATE THEN 'overdue' ELSE status END, count(*) "
        "FROM supervision_cases WHERE len($kinds::VARCHAR[]) = 0 OR list_contains($kinds::VARCHAR[], kind) GROUP BY 1",
        {"as_of": as_of, "kinds": kinds or []},
    )
    counts = dict(rows)
    return {s: counts.get(s, 0) for s in supervision.STATUSES}


def count_line(counts: dict[str, int], lang: str = "zh") -> str:
    return i18n.t("supervision.count_line", lang, total=sum(counts.values()), **counts)


def cases_table(at):
    return next(d.value for d in at.dataframe if CASES in d.value.columns)


def test_every_case_is_counted_and_listed(ledger_db):
    counts = by_status(ledger_db)
    assert sum(counts.values()) > 0  # the demo's late items and overdue requests open cases
    at = open_page(PAGE)
    assert at.title[0].value == i18n.t("supervision.title", "zh")
    assert count_line(counts) in [c.value for c in at.caption]
    listed = cases_table(at)
    cases = read(ledger_db, "SELECT case_id FROM supervision_cases ORDER BY case_id")
    assert sorted(listed[CASES]) == [c for (c,) in cases]


def test_one_kind_narrows_the_count_and_the_list(ledger_db):
    counts = by_status(ledger_db, ["late_start"])
    at = open_page(PAGE, state={"sv_kind": ["late_start"]})
    assert count_line(counts) in [c.value for c in at.caption]
    listed = cases_table(at)
    assert len(listed) == sum(counts.values()) > 0
    assert set(listed[i18n.t("col.kind", "zh")]) == {i18n.t("supervision.kind.late_start", "zh")}


def test_english(ledger_db):
    at = open_page(PAGE, "en")
    assert at.title[0].value == i18n.t("supervision.title", "en")
    assert count_line(by_status(ledger_db), "en") in [c.value for c in at.caption]
    # Labels only: the list's titles and names are data and stay as they are.
    texts = [t.value for t in at.title] + [m.label for m in at.multiselect] + [b.label for b in at.button]
    texts += [str(c) for d in at.dataframe for c in d.value.columns]
    assert len(texts) > 10
    assert [t for t in texts if CJK.search(t)] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_case_is_offered_by_its_kind_and_title(ledger_db, lang):
    at = open_page(PAGE, lang=lang)
    picker = at.selectbox(key="sv_case")
    cases = read(ledger_db, "SELECT case_id, kind, title FROM supervision_cases")
    assert len(cases) > 0
    assert sorted(picker.options) == sorted(
        f"{i18n.t(f'supervision.kind.{k}', lang)} · {t}（{c}）" for c, k, t in cases
    )


def test_two_cases_of_one_kind_and_title_are_told_apart_and_each_can_be_picked(ledger_db):
    """Compounds of one name in two communities, or two overdue requests with one summary, give cases of
    the same kind and title: the picker shows each case's id, and picking the first opens the first
    (the widget hands back its label, so two equal labels both opened the last)."""
    import duckdb

    from oversight import store

    first, second = read(
        ledger_db, "SELECT case_id FROM supervision_cases WHERE kind = 'late_start' ORDER BY 1 LIMIT 2"
    )
    con = duckdb.connect(str(store.current_file(ledger_db)))
    con.execute(
        "UPDATE supervision_cases SET title = (SELECT title FROM supervision_cases WHERE case_id = ?)"
        " WHERE case_id = ?",
        [first[0], second[0]],
    )
    con.close()
    at = open_page(PAGE)
    picker = at.selectbox(key="sv_case")
    assert len(set(picker.options)) == len(picker.options)
    for case_id in (first[0], second[0]):
        at.selectbox(key="sv_case").set_value(case_id).run()
        assert at.selectbox(key="sv_case").value == case_id
        assert any(case_id in label for label in at.selectbox(key="sv_case").options)
