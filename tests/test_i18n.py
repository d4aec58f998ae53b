"""Both languages have every key, and neither leaks into the other."""

import re
import string

import pytest

from oversight import i18n, metrics
from oversight.ingest import problems
from tests.apptest import CJK

# Latin words allowed in the Chinese UI: file formats and the hotline number's kin.
ALLOWED_LATIN = {"CSV", "XLSX", "UTF", "BOM", "GBK", "GB18030", "ID", "SHA", "URL", "OIDC", "make", "run", "MB"}


def test_every_key_exists_in_both_languages():
    zh, en = i18n.strings("zh"), i18n.strings("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_no_key_is_defined_in_two_files(lang):
    # The files of a language are merged: a key in two of them would show only one file's words.
    assert i18n.defined_twice(lang) == {}


def test_every_metric_unit_and_caliber_has_words_in_both_languages():
    zh, en = i18n.strings("zh"), i18n.strings("en")
    for m in metrics.CATALOGUE.values():
        keys = [f"caliber.{m.key}"] + ([f"unit.{m.unit}"] if m.unit else [])
        assert [k for k in keys if k not in zh or k not in en] == [], m.key


def test_no_chinese_in_english_strings():
    leaks = {k: v for k, v in i18n.strings("en").items() if CJK.search(v)}
    assert leaks == {}


def test_no_english_words_in_chinese_strings():
    leaks = {}
    for k, v in i18n.strings("zh").items():
        words = set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[a-z_]+\}", "", v))) - ALLOWED_LATIN
        if words:
            leaks[k] = words
    assert leaks == {}


def test_every_metric_has_a_label_in_both_languages():
    for key in metrics.CATALOGUE:
        for lang in i18n.LANGUAGES:
            assert i18n.t(f"metric.{key}", lang) != f"metric.{key}", (key, lang)


def test_every_import_rule_said_in_one_string_has_it_in_both_languages():
    zh, en = i18n.strings("zh"), i18n.strings("en")
    keys = [f"import.{key}" for key, _ in problems._SAID_ONCE.values()]
    assert [k for k in keys if k not in zh or k not in en] == []


def test_missing_key_shows_itself_and_codes_fall_back():
    assert i18n.t("no.such.key", "zh") == "no.such.key"
    assert i18n.label("stage", "done", "zh") == "完成"
    assert i18n.label("stage", "unknown_stage", "en") == "unknown_stage"


# Words after a count that are not a plural noun ("version 1 is", "1 minus", "1 remains open").
NOT_PLURALS = {"is", "was", "minus", "belongs", "lists", "has", "does", "remains", "holds", "exists", "stays"}
# Words between a count and its noun that are not the noun's ("1 from residents").
NOT_BETWEEN = {"from", "of", "minus", "to", "in", "at", "by", "and", "or"}
# Fields that hold a name, a date or a code, never a count.
NOT_COUNTS = {"ext", "path", "name", "folder", "kind", "as_at", "volunteer"}


def _said_of_one(text: str) -> set[str]:
    """What a sentence says of a count of 1 that only a plural may say: "1 rows", "1 supervised cases",
    "1 have started", "1 item were overdue"."""
    found = {
        noun
        for between, noun in re.findall(r"\b1 ([a-z-]+ )?([a-z-]+s)\b", text)
        if noun not in NOT_PLURALS and between.strip() not in NOT_BETWEEN
    }
    found |= set(re.findall(r"\b1 (were|have|are|remain)\b", text))
    return found | set(re.findall(r"\b1 [a-z-]+ (were|remain)\b", text))


def test_no_english_string_says_one_of_a_thing_in_the_plural():
    said = {}
    for key, text in i18n.strings("en").items():
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        names, texts = sorted(fields - NOT_COUNTS), dict.fromkeys(fields & NOT_COUNTS, "X")
        # Every count at 1; then each count alone at 1 (the others at 2), so a word that follows the wrong
        # count shows too.
        tries = [dict.fromkeys(names, 1)] + [{**dict.fromkeys(names, 2), name: 1} for name in names]
        for values in tries if names else []:
            found = _said_of_one(i18n.t(key, "en", **values, **texts))
            if found:
                said[key] = (values, found)
    assert said == {}


def test_a_count_picks_its_word_and_other_fields_format_as_ever():
    assert i18n.t("data.ok", "en", added=1, replaced=2, unchanged=0).startswith("Imported: 1 row added, 2 replaced")
    assert i18n.t("data.ok", "en", added="1,200", replaced=0, unchanged=0).startswith("Imported: 1,200 rows added")
    assert i18n.t("data.ok", "en", added="10", replaced=0, unchanged=0).startswith("Imported: 10 rows added")
    assert i18n.t("data.ok", "zh", added=1, replaced=2, unchanged=0) == i18n.strings("zh")["data.ok"].format(
        added=1, replaced=2, unchanged=0
    )
    # A figure shown with its unit agrees with its verb ("1 item was overdue", "3 items were").
    one, three = metrics.display("overdue_items", 1, "en"), metrics.display("overdue_items", 3, "en")
    summary = {k: "—" for k in ("compounds_in_plan", "households_benefiting", "items_done", "partner_value")}
    summary |= dict.fromkeys(("volunteer_hours", "requests_total", "response_rate", "resolution_rate"), "—")
    summary |= {"satisfaction_rate": "—", "open_backlog": "—"}
    assert "1 item was overdue" in i18n.t("report.summary", "en", **{**summary, "overdue_items": one})
    assert "3 items were overdue" in i18n.t("report.summary", "en", **{**summary, "overdue_items": three})


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_unit_has_its_word_for_one(lang):
    words = i18n.strings(lang)
    units = {k.split(".", 1)[1] for k in words if k.startswith("unit.")}
    ones = {k.split(".", 1)[1] for k in words if k.startswith("unit_one.")}
    assert units == ones
    if lang == "en":  # no English word for one of a thing is a plural
        assert [u for u in units if words[f"unit_one.{u}"].endswith("s")] == []
