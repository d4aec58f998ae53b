"""数据管理 Data page: validated imports (all or nothing), templates, the import log, snapshots."""

import streamlit as st

from oversight import ingest, settings, store
from oversight.ui import audit_view, context, data_tabs, versions, widgets

RESULT_KEY = "_data_import_result"

ctx = context.current()
t = ctx.t
widgets.header(ctx, "data.title", needs_compounds=False)
st.caption(t("data.intro"))

# Navigation hides this page from roles that may not import; reached by URL anyway, it refuses.
account = ctx.account
if account is None or not account.may_import:
    st.error(t("login.no_access"), icon=":material/lock:")
    st.stop()
may_snapshot = account.may_manage_snapshots
user = account.name
# Community staff may import rows of their own compounds only.
allowed_compounds = ctx.writable_compounds


# The tabs that read (the log, versions, templates, snapshots, the audit log) run only while open
# (on_change="rerun"): showing the import form reads none of them. The import tab always runs, and the
# delete tab while it holds a file, so a file chosen there is still there after a look at another tab
# (a file uploader that is not drawn loses its file).
labels = [
    t("data.tab_import"),
    t("versions.tab_delete"),
    t("data.tab_log"),
    t("versions.tab_history"),
    t("data.tab_templates"),
    t("data.tab_snapshots"),
] + ([t("audit.title")] if account.may_read_audit else [])
tab_import, tab_delete, tab_log, tab_versions, tab_templates, tab_snapshots, *tab_audit = st.tabs(
    labels, key="data_tab", on_change="rerun"
)

with tab_import:
    table = st.selectbox(
        t("data.choose_table"), ingest.IMPORTABLE_TABLES, format_func=data_tabs.table_label(ctx), key="data_table"
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
    replace = st.checkbox(t("versions.replace_label"), help=t("versions.replace_help"), key="data_replace", value=False)
    confirmed = True
    if replace:
        st.warning(t("versions.replace_warning"), icon=":material/warning:")
        confirmed = st.checkbox(t("versions.replace_confirm"), key="data_replace_confirm")
    if st.button(t("data.start_import"), type="primary", disabled=uploaded is None or not confirmed, key="data_import"):
        st.session_state[RESULT_KEY] = (
            uploaded.file_id,
            table,
            data_tabs.run_import(ctx, table, uploaded, sheet, replace),
        )
    # The outcome stays on screen while the same file and table are chosen.
    shown = st.session_state.get(RESULT_KEY)
    if shown is not None and uploaded is not None and shown[:2] == (uploaded.file_id, table):
        data_tabs.show_result(ctx, shown[2])

    if account.may_set_as_of:
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

if tab_delete.open or st.session_state.get(versions.DELETE_FILE_KEY) is not None:
    with tab_delete:
        versions.delete_section(
            ctx, list(ingest.IMPORTABLE_TABLES), data_tabs.table_label(ctx), user, allowed_compounds
        )

if tab_versions.open:
    with tab_versions:
        versions.history_tab(ctx, may_roll_back=account.may_roll_back, user=user)

if tab_log.open:
    with tab_log:
        data_tabs.import_log(ctx, account)

if tab_templates.open:
    with tab_templates:
        data_tabs.templates_tab(ctx)

if tab_snapshots.open:
    with tab_snapshots:
        data_tabs.snapshots_tab(ctx, user, may_snapshot)

if tab_audit and tab_audit[0].open:
    with tab_audit[0]:
        audit_view.section(ctx)
