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


# Words after a count that are not a plural noun ("version 1 is", "1 minus").
NOT_PLURALS = {"is", "was", "minus", "belongs", "lists", "has", "does"}


def test_no_english_string_says_one_of_a_thing_in_the_plural():
    plural = {}
    for key, text in i18n.strings("en").items():
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        if not names:
            continue
        said = i18n.t(key, "en", **dict.fromkeys(names, 1))
        words = set(re.findall(r"\b1 ([a-z-]+s)\b", said)) - NOT_PLURALS
        if words:
            plural[key] = said
    assert plural == {}


def test_a_count_picks_its_word_and_other_fields_format_as_ever():
    assert i18n.t("data.ok", "en", added=1, replaced=2, unchanged=0).startswith("Imported: 1 row added, 2 replaced")
    assert i18n.t("data.ok", "en", added="1,200", replaced=0, unchanged=0).startswith("Imported: 1,200 rows added")
    assert i18n.t("data.ok", "zh", added=1, replaced=2, unchanged=0) == i18n.strings("zh")["data.ok"].format(
        added=1, replaced=2, unchanged=0
    )
