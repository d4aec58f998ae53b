"""The officials' guide (docs/操作手册.md): its 口径 section is generated from the metric catalogue.

`python -m oversight.guide` rewrites the section between the markers; a test fails when the file and
the catalogue disagree, so the guide cannot drift from what the cards compute.
"""

from __future__ import annotations

import sys

from oversight import i18n, metrics, settings

GUIDE = settings.ROOT / "docs" / "操作手册.md"
BEGIN, END = "<!-- 口径：以下由 python -m oversight.guide 按指标目录生成，请勿手改 -->", "<!-- 口径：生成结束 -->"

# The page a figure is shown on, by its query: the guide groups the table by it.
GROUPS = {
    "kpi_renovation": "guide.group_renovation",
    "kpi_partners": "guide.group_partners",
    "kpi_requests": "guide.group_requests",
    "kpi_requests_times": "guide.group_requests",
    "kpi_red_property": "guide.group_red_property",
    "kpi_volunteers": "guide.group_volunteers",
}


def _unit(metric: metrics.Metric, lang: str) -> str:
    if metric.kind == "yuan":
        return i18n.t("guide.unit_yuan", lang)
    if metric.kind == "pct":
        return "%"
    return i18n.t(f"unit.{metric.unit}", lang) if metric.unit else ""


def caliber_markdown(lang: str = "zh") -> str:
    """Every metric of the catalogue, grouped by page: label, unit and 口径 in words, as Markdown."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    out: list[str] = []
    for group in dict.fromkeys(GROUPS.values()):
        out += [f"### {t(group)}", "", f"| {t('guide.th_metric')} | {t('guide.th_unit')} | {t('guide.th_caliber')} |"]
        out.append("|---|---|---|")
        for m in metrics.CATALOGUE.values():
            if GROUPS.get(m.query) == group:
                out.append(f"| {t(f'metric.{m.key}')} | {_unit(m, lang)} | {t(f'caliber.{m.key}')} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render(text: str) -> str:
    """The guide's text with its generated section replaced by the catalogue's current one."""
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{caliber_markdown('zh')}\n{END}{tail}"


def main() -> int:
    GUIDE.write_text(render(GUIDE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote {GUIDE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
