"""数据管理 Data page: validated imports (all or nothing), templates, the import log, snapshots."""

import tempfile
from pathlib import Path

import streamlit as st

from oversight import db, export, fmt, ingest, settings, snapshots, store, templates
from oversight.ui import audit_view, context, versions, widgets
from oversight.ui.text import md

RESULT_KEY = "_data_import_result"
COMPARE_KEY = "_data_compare"

ctx = context.current()
t = ctx.t
widgets.header(ctx, "data.title", needs_compounds=False)
st.caption(t("data.intro"))

# Navigation hides this page from roles that may not import; reached by URL anyway, it refuses.
account = ctx.account
if account is None or not account.may_import:
    st.error(t("login.no_access"), icon=":material/lock:")
    st.stop()
may_import = account.may_import
may_snapshot = account.may_manage_snapshots
user = account.name
# Community staff may import rows of their own compounds only.
allowed_compounds = ctx.writable_compounds


def table_label(table: str) -> str:
    # The table's name in the UI language only: no English table id in the Chinese UI.
    return t(f"data.table_{table}")


def run_import(table: str, uploaded, sheet: str, replace: bool) -> ingest.ImportResult:
    """Save the upload to a temporary file and import it, with a progress bar."""
    bar = st.progress(0.0, text=t("data.importing"))
    suffix = Path(uploaded.name).suffix or ".csv"
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(uploaded.getbuffer())
        result = ingest.import_file(
            table,
            path,
            db_path=ctx.store_path,
            sheet=sheet or None,
            lang=ctx.lang,
            user=user,
            file_name=uploaded.name,
            allowed_compounds=allowed_compounds,
            progress=lambda fraction, text: bar.progress(fraction, text=text),
            replace=replace,
            waiting=versions.waiting_notice(ctx),
        )
    bar.empty()
    audit_view.record_import(ctx, result)
    return result


def show_result(result: ingest.ImportResult) -> None:
    if result.ok:
        if result.added == 0 and result.replaced == result.unchanged:
            st.success(t("data.ok_nothing_changed"), icon=":material/check_circle:")
        else:
            st.success(
                t("data.ok", added=result.added, replaced=result.replaced, unchanged=result.unchanged),
                icon=":material/check_circle:",
            )
        cols = st.columns(4 if result.deleted else 3)
        cols[0].metric(t("data.added"), fmt.value("int", result.added, ctx.lang, t("unit.row")), border=True)
        cols[1].metric(t("data.replaced"), fmt.value("int", result.replaced, ctx.lang, t("unit.row")), border=True)
        cols[2].metric(t("data.unchanged"), fmt.value("int", result.unchanged, ctx.lang, t("unit.row")), border=True)
        if result.deleted:
            cols[3].metric(
                t("versions.deleted"), fmt.value("int", result.deleted, ctx.lang, t("unit.row")), border=True
            )
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


tab_import, tab_delete, tab_log, tab_versions, tab_templates, tab_snapshots = st.tabs(
    [
        t("data.tab_import"),
        t("versions.tab_delete"),
        t("data.tab_log"),
        t("versions.tab_history"),
        t("data.tab_templates"),
        t("data.tab_snapshots"),
    ]
)

with tab_import:
    if not may_import:
        st.info(t("data.not_allowed_user"), icon=":material/lock:")
    else:
        table = st.selectbox(
            t("data.choose_table"), ingest.IMPORTABLE_TABLES, format_func=table_label, key="data_table"
        )
        uploaded = st.file_uploader(
            t("data.upload"),
            type=["csv", "txt", "xlsx", "xlsm"],
            help=t("data.upload_help", limit=f"{settings.upload_limit_mb()} MB"),
            key="data_file",
        )
        sheet = ""
        if uploaded is not None and uploaded.name.lower().endswith((".xlsx", ".xlsm")):
            sheet = st.text_input(t("data.sheet"), key="data_sheet")
        replace = st.checkbox(
            t("versions.replace_label"), help=t("versions.replace_help"), key="data_replace", value=False
        )
        confirmed = True
        if replace:
            st.warning(t("versions.replace_warning"), icon=":material/warning:")
            confirmed = st.checkbox(t("versions.replace_confirm"), key="data_replace_confirm")
        if st.button(
            t("data.start_import"), type="primary", disabled=uploaded is None or not confirmed, key="data_import"
        ):
            st.session_state[RESULT_KEY] = (uploaded.file_id, table, run_import(table, uploaded, sheet, replace))
        # The outcome stays on screen while the same file and table are chosen.
        shown = st.session_state.get(RESULT_KEY)
        if shown is not None and uploaded is not None and shown[:2] == (uploaded.file_id, table):
            show_result(shown[2])

    if account.sees_everything:
        # After a month's files are in, the street moves "today" forward for every figure.
        with st.expander(t("data.as_of_title")):
            st.caption(t("data.as_of_help"))
            day = st.date_input(t("data.as_of_label"), value=ctx.as_of, format="YYYY-MM-DD", key="data_as_of")
            if st.button(t("data.as_of_save"), key="data_as_of_save") and day != ctx.as_of:
                try:
                    ingest.set_as_of(day, db_path=ctx.store_path, user=user, waiting=versions.waiting_notice(ctx))
                    audit_view.record_write(ctx, "as_of", {"as_of": day.isoformat()})
                    st.rerun()
                except store.StoreError as e:
                    st.error(ingest.store_message(e, ctx.lang), icon=":material/error:")

with tab_delete:
    versions.delete_section(ctx, list(ingest.IMPORTABLE_TABLES), table_label, user, allowed_compounds)

with tab_versions:
    versions.history_tab(ctx, may_roll_back=account.sees_everything, user=user)

with tab_log:
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

with tab_templates:
    st.caption(t("data.template_intro"))
    chosen = st.selectbox(
        t("data.choose_table"), ingest.IMPORTABLE_TABLES, format_func=table_label, key="data_template_table"
    )
    name = t(f"data.table_{chosen}")
    c1, c2 = st.columns(2)
    c1.download_button(
        t("data.template_xlsx", table=name),
        data=lambda: template_file(chosen, "xlsx", ctx.lang),
        file_name=templates.file_name(chosen, "xlsx", ctx.lang),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        key="data_template_xlsx",
    )
    c2.download_button(
        t("data.template_csv", table=name),
        data=lambda: template_file(chosen, "csv", ctx.lang),
        file_name=templates.file_name(chosen, "csv", ctx.lang),
        mime="text/csv",
        icon=":material/csv:",
        key="data_template_csv",
    )
    st.dataframe(templates.column_help(chosen, ctx.lang), hide_index=True, key="data_template_help")

with tab_snapshots:
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

if account.sees_everything:
    audit_view.section(ctx)
