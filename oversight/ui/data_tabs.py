"""The Data page's pieces (app_pages/data.py): an import and its outcome, the import log, the
templates and the snapshots."""

from __future__ import annotations

import streamlit as st

from oversight import db, export, fmt, ingest, snapshots, templates
from oversight.ui import audit_view, versions, widgets
from oversight.ui.context import Context
from oversight.ui.text import md

COMPARE_KEY = "_data_compare"


def table_label(ctx: Context):
    """A table's name in the UI language only: no English table id in the Chinese UI."""
    return lambda table: ctx.t(f"data.table_{table}")


def run_import(ctx: Context, table: str, uploaded, sheet: str, replace: bool) -> ingest.ImportResult:
    """Save the upload to a temporary file and import it, with a progress bar."""
    t, account = ctx.t, ctx.account
    bar = st.progress(0.0, text=t("data.importing"))
    with versions.saved_upload(uploaded, "upload") as path:
        result = ingest.import_file(
            table,
            path,
            db_path=ctx.store_path,
            sheet=sheet or None,
            lang=ctx.lang,
            user=account.name,
            file_name=uploaded.name,
            allowed_compounds=ctx.writable_compounds,
            progress=lambda fraction, text: bar.progress(fraction, text=text),
            replace=replace,
            waiting=versions.waiting_notice(ctx),
        )
    bar.empty()
    audit_view.record_import(ctx, result)
    return result


def show_result(ctx: Context, result: ingest.ImportResult) -> None:
    t = ctx.t
    if result.ok:
        if result.added == 0 and result.replaced == result.unchanged:
            st.success(t("data.ok_nothing_changed"), icon=":material/check_circle:")
        else:
            st.success(
                t("data.ok", added=result.added, replaced=result.replaced, unchanged=result.unchanged),
                icon=":material/check_circle:",
            )
        cols = st.columns(4 if result.deleted else 3)
        cols[0].metric(t("data.added"), fmt.value("int", result.added, ctx.lang, "row"), border=True)
        cols[1].metric(t("data.replaced"), fmt.value("int", result.replaced, ctx.lang, "row"), border=True)
        cols[2].metric(t("data.unchanged"), fmt.value("int", result.unchanged, ctx.lang, "row"), border=True)
        if result.deleted:
            cols[3].metric(t("versions.deleted"), fmt.value("int", result.deleted, ctx.lang, "row"), border=True)
        return
    st.error(t("data.failed", count=result.problem_count), icon=":material/error:")
    if result.problem_count > len(result.problems):
        st.caption(t("data.failed_more", shown=len(result.problems), count=result.problem_count))
    # The first few problems as sentences, so the most common case needs no table at all.
    st.markdown("\n".join(f"- {md(p.line(ctx.lang))}" for p in result.problems[:5]))
    frame = ingest.problems_frame(result.problems, ctx.lang)
    st.dataframe(frame, hide_index=True, key="data_problems")
    st.download_button(
        t("data.download_problems"),
        data=export.csv_bytes(frame),
        file_name=t("data.problems_file", table=result.table) + ".csv",
        mime="text/csv",
        icon=":material/download:",
        key="data_problems_download",
    )


@st.cache_data(show_spinner=False, max_entries=64)
def template_file(table: str, kind: str, lang: str) -> bytes:
    return templates.template_bytes(table, kind, lang)


def import_log(ctx: Context, account) -> None:
    """Past imports (staff see their own attempts only)."""
    t = ctx.t
    st.subheader(t("data.log_title"))
    log = ingest.import_log(db.connect(ctx.db_file), db_path=ctx.store_path)
    if not account.sees_everything:
        log = log[log["imported_by"] == account.name]  # staff see their own attempts only
    if log.empty:
        st.info(t("data.log_empty"))
    else:
        log["table_name"] = log["table_name"].map(lambda v: t(f"data.table_{v}") if v in db.TABLES else v)
        log["status"] = log["status"].map(lambda v: t(f"data.status_{v}"))
        shown = fmt.display_dates(log.drop(columns=["file_sha256", "import_id"]))
        st.dataframe(shown.rename(columns=widgets.headers(shown, ctx.lang)), hide_index=True, key="data_log")


def templates_tab(ctx: Context) -> None:
    """A blank template per table, in Excel or CSV, with what each column takes."""
    t = ctx.t
    st.caption(t("data.template_intro"))
    chosen = st.selectbox(
        t("data.choose_table"), ingest.IMPORTABLE_TABLES, format_func=table_label(ctx), key="data_template_table"
    )
    name = t(f"data.table_{chosen}")
    kinds = [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ":material/table_view:"),
        ("csv", "text/csv", ":material/csv:"),
    ]
    for column, (kind, mime, icon) in zip(st.columns(2), kinds, strict=True):
        column.download_button(
            t(f"data.template_{kind}", table=name),
            data=lambda kind=kind: template_file(chosen, kind, ctx.lang),
            file_name=templates.file_name(chosen, kind, ctx.lang),
            mime=mime,
            icon=icon,
            key=f"data_template_{kind}",
        )
    st.dataframe(templates.column_help(chosen, ctx.lang), hide_index=True, key="data_template_help")


def snapshots_tab(ctx: Context, user: str, may_snapshot: bool) -> None:
    """Save a snapshot of the filter's rows, list, download and compare saved ones."""
    t = ctx.t
    st.caption(t("data.snapshot_intro"))
    if may_snapshot:
        st.caption(t("data.snapshot_scope", count=len(ctx.compound_ids)))
        if st.button(t("data.save_snapshot"), disabled=not ctx.compound_ids, key="data_snapshot_save"):
            path = snapshots.save_snapshot(
                ctx.compound_ids,
                con=db.connect(ctx.db_file),
                filters={"communities": list(ctx.filter.communities), "compounds": list(ctx.filter.compounds)},
                created_by=user,
                lang=ctx.lang,
            )
            audit_view.record_snapshot(ctx, path.name)
            st.success(t("data.saved", name=md(path.name)), icon=":material/check_circle:")

    allowed = None if ctx.filter.allowed is None else set(ctx.filter.allowed)
    saved = [s for s in snapshots.list_snapshots() if allowed is None or set(s.compound_ids) <= allowed]
    st.subheader(t("data.snapshot_list"))
    if not saved:
        st.info(t("data.no_snapshots"))
    else:
        st.dataframe(
            [
                {
                    t("snapshot.file"): s.name,
                    t("snapshot.created_at"): s.created_at.replace("T", " "),
                    t("snapshot.created_by"): s.created_by,
                    t("snapshot.as_of"): s.as_of,
                    t("snapshot.scope"): t("snapshot.scope_compounds", count=s.compounds),
                    t("snapshot.rows"): s.rows,
                    t("snapshot.size"): f"{s.size_bytes / 1024:,.0f} KB",
                }
                for s in saved
            ],
            hide_index=True,
            key="data_snapshots",
        )
        by_name = {s.name: s for s in saved}
        pick = st.selectbox(t("data.download_which"), list(by_name), key="data_snapshot_pick")
        st.download_button(
            t("data.download_snapshot"),
            data=audit_view.audited(ctx, pick, lambda: by_name[pick].path.read_bytes()),
            file_name=pick,
            mime="application/zip",
            icon=":material/download:",
            key="data_snapshot_download",
        )

        st.subheader(t("data.compare_title"))
        if len(saved) < 2:
            st.info(t("data.compare_need_two"))
        else:
            names = list(by_name)
            c1, c2 = st.columns(2)
            before = c1.selectbox(t("data.compare_before"), names, index=1, key="data_compare_before")
            after = c2.selectbox(t("data.compare_after"), names, index=0, key="data_compare_after")
            if st.button(t("data.compare_button"), key="data_compare"):
                scope = None if allowed is None else sorted(allowed)
                st.session_state[COMPARE_KEY] = snapshots.compare(
                    by_name[before].path, by_name[after].path, lang=ctx.lang, compound_ids=scope
                )
            comparison = st.session_state.get(COMPARE_KEY)
            if comparison is not None:
                st.markdown(f"**{t('data.figures_title')}**")
                st.dataframe(
                    comparison.figures.drop(columns=["key", "before_value", "after_value"]),
                    hide_index=True,
                    key="data_compare_figures",
                )
                st.markdown(f"**{t('data.items_title')}**")
                if comparison.items.empty:
                    st.info(t("data.items_none"))
                else:
                    st.dataframe(comparison.items, hide_index=True, key="data_compare_items")
