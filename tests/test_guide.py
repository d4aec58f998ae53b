"""The officials' guide (docs/操作手册.md): the 口径 come from the metric catalogue (the 帮助 page that shows
it: test_page_help.py)."""

import re

from oversight import guide, i18n, metrics
from tests.apptest import CJK


def test_the_guide_lists_the_catalogue_as_it_is_now():
    text = guide.GUIDE.read_text(encoding="utf-8")
    # Run `python -m oversight.guide` after changing a metric or its 口径: the file must equal its render.
    assert guide.render(text) == text
    for key in metrics.CATALOGUE:
        assert f"| {i18n.t(f'metric.{key}', 'zh')} |" in text, key
        assert i18n.t(f"caliber.{key}", "zh") in text, key


def test_the_guide_covers_the_monthly_routine_and_every_page():
    text = guide.GUIDE.read_text(encoding="utf-8")
    for step in ("下载模板", "填写", "导入", "问题清单", "数据截至", "快照", "导出"):
        assert step in text, step
    for title in ("总览", "小区档案", "小区改造", "共建单位", "红色物业", "居民诉求", "志愿积分", "数据管理", "帮助"):
        assert f"**{title}**" in text, title
    # No file path or English column name stands in for a definition.
    section = text.split(guide.BEGIN)[1].split(guide.END)[0]
    assert not re.search(r"queries/|\.sql|[a-z]+_[a-z]+", section)


def test_every_caliber_is_plain_words_in_both_languages():
    for key in metrics.CATALOGUE:
        zh, en = i18n.t(f"caliber.{key}", "zh"), i18n.t(f"caliber.{key}", "en")
        assert zh != f"caliber.{key}" and CJK.search(zh) and not re.search(r"[a-z]+_[a-z]+|\.sql", zh), key
        assert en != f"caliber.{key}" and not CJK.search(en), key
