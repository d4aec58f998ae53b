"""Both languages have every key, and neither leaks into the other."""

import re

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
