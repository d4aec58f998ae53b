"""The Overview's button: the monthly report (oversight/report.py) for the current filter, as a download."""

from __future__ import annotations

import streamlit as st

from oversight import db, export, fmt, report
from oversight.ui import report_charts
from oversight.ui.audit_view import audited
from oversight.ui.context import Context
from oversight.ui.widgets import filter_words

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_name(ctx: Context) -> str:
    """工作报告_<filters>_截至<as_of>.docx, like the CSV downloads' names."""
    csv = export.file_name(ctx.t("report.file_name"), filter_words(ctx), fmt.day(ctx.as_of))
    return csv.removesuffix(".csv") + ".docx"


def make(ctx: Context) -> bytes:
    """The document for exactly what the page shows: the compounds in scope and the period."""
    report_charts.warm_up()
    return report.build(
        db.connect(ctx.db_file),
        ctx.compound_ids,
        report.period_of(ctx.filter),
        ctx.as_of,
        ctx.lang,
        render=report_charts.render,
    )


def download(ctx: Context) -> None:
    """A download button whose document is made only when clicked, never on every rerun (and then
    recorded in the audit log, as every download is)."""
    name = file_name(ctx)
    st.download_button(
        ctx.t("report.button"),
        data=audited(ctx, name, lambda: make(ctx)),
        file_name=name,
        mime=DOCX,
        icon=":material/description:",
        help=ctx.t("report.button_help"),
        key="download_report",
        on_click="ignore",
    )
