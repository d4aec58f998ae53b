"""The Data page's history of versions (with rollback and comparison) and its delete form."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st

from oversight import delete, export, ingest, snapshots, store
from oversight.ui import audit_view
from oversight.ui.context import Context

COMPARE_KEY = "_versions_compare"
DELETE_KEY = "_delete_result"
DELETE_FILE_KEY = "delete_file"


@contextmanager
def saved_upload(uploaded, stem: str):
    """The uploaded file saved under a private temporary folder (imports and deletes read a path),
    removed with the folder afterwards."""
    suffix = Path(uploaded.name).suffix or ".csv"
    with tempfile.TemporaryDirectory(prefix=f"{stem}-") as tmp:
        path = Path(tmp) / f"{stem}{suffix}"
        path.write_bytes(uploaded.getbuffer())
        yield path


def waiting_notice(ctx: Context):
    """A callback that tells the official a write is waiting for another one to finish."""
    box = st.empty()

    def waiting(seconds_left: float) -> None:
        box.info(ctx.t("store.waiting", seconds=int(seconds_left)), icon=":material/hourglass_top:")

    return waiting


def history_frame(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The versions, newest first, in the UI's words (and as store.history gives them)."""
    listed = store.history(ctx.store_path)
    t = ctx.t
    return pd.DataFrame(
        {
            t("versions.version"): [
                v + (t("versions.current_mark") if c else "")
                for v, c in zip(listed["version"], listed["current"], strict=True)
            ],
            t("versions.created_at"): listed["created_at"],
            t("versions.who"): listed["who"],
            t("versions.action"): [t(f"store.action_{a}") for a in listed["action"]],
            t("versions.table"): [t(f"data.table_{x}") if x else "" for x in listed["table_name"]],
            t("versions.file"): listed["file_name"],
            t("versions.rows"): listed["rows"],
            t("versions.note"): listed["note"],
            t("versions.kept"): [t("bool.true") if k else t("bool.false") for k in listed["kept"]],
        }
    ), listed


def history_tab(ctx: Context, may_roll_back: bool, user: str) -> None:
    t = ctx.t
    if not may_roll_back:
        st.info(t("versions.admin_only"))  # the history names every community's files and notes
        return
    if not store.is_versioned(ctx.store_path):
        st.info(t("versions.not_versioned"))
        return
    shown, listed = history_frame(ctx)
    st.caption(t("versions.intro"))
    st.dataframe(shown, hide_index=True, key="versions_table")
    kept = list(listed.loc[listed["kept"], "version"])
    if may_roll_back and len(kept) > 1:
        st.subheader(t("versions.rollback_title"))
        older = [v for v in kept if v != listed.loc[listed["current"], "version"].iloc[0]]
        words = {
            r.version: " · ".join(
                x for x in (r.version, str(r.created_at)[:16], r.who, t(f"store.action_{r.action}"), r.file_name) if x
            )
            for r in listed.itertuples()
        }
        pick = st.selectbox(t("versions.rollback_pick"), older, format_func=words.get, key="versions_rollback_pick")
        st.caption(t("versions.rollback_warning"))
        confirm = st.checkbox(t("versions.rollback_confirm", version=pick), key="versions_rollback_confirm")
        if st.button(t("versions.rollback_button"), disabled=not confirm, key="versions_rollback"):
            try:
                _seq, new = store.rollback(ctx.store_path, pick, user)
                audit_view.record_write(ctx, "rollback", {"to": pick, "version": new.id})
                st.session_state["_versions_notice"] = t("versions.rolled_back", version=pick, new=new.id)
                st.rerun()
            except store.StoreError as e:
                st.error(ingest.store_message(e, ctx.lang), icon=":material/error:")
    notice = st.session_state.pop("_versions_notice", None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    if len(kept) > 1:
        st.subheader(t("versions.compare_title"))
        c1, c2 = st.columns(2)
        before = c1.selectbox(t("versions.compare_before"), kept, index=1, key="versions_before")
        after = c2.selectbox(t("versions.compare_after"), kept, index=0, key="versions_after")
        if st.button(t("data.compare_button"), key="versions_compare"):
            scope = None if ctx.filter.allowed is None else sorted(ctx.filter.allowed)
            files = [store.version_file(ctx.store_path, store.parse_version_id(v)) for v in (before, after)]
            st.session_state[COMPARE_KEY] = snapshots.compare(*files, lang=ctx.lang, compound_ids=scope)
        comparison = st.session_state.get(COMPARE_KEY)
        if comparison is not None:
            st.dataframe(
                comparison.figures.drop(columns=["key", "before_value", "after_value"]),
                hide_index=True,
                key="versions_compare_figures",
            )
            if not comparison.items.empty:
                st.dataframe(comparison.items, hide_index=True, key="versions_compare_items")


def delete_section(ctx: Context, tables: list[str], label, user: str, allowed: list[str] | None) -> None:
    """Delete rows listed in a file of ids: all or nothing."""
    t = ctx.t
    st.caption(t("versions.delete_intro"))
    # The page runs this tab only while it is open or holds a file: the choices are kept meanwhile.
    table = st.selectbox(t("data.choose_table"), tables, format_func=label, key="delete_table", persist_state="page")
    uploaded = st.file_uploader(t("versions.delete_file"), type=["csv", "txt", "xlsx", "xlsm"], key=DELETE_FILE_KEY)
    confirm = st.checkbox(t("versions.delete_confirm"), key="delete_confirm", persist_state="page")
    if st.button(t("versions.delete_button"), disabled=uploaded is None or not confirm, key="delete_run"):
        with saved_upload(uploaded, "ids") as path:
            result = delete.delete_file(
                table,
                path,
                db_path=ctx.store_path,
                lang=ctx.lang,
                user=user,
                file_name=uploaded.name,
                allowed_compounds=allowed,
                waiting=waiting_notice(ctx),
            )
        detail = {"table": table, "file": uploaded.name, "ok": result.ok, "rows": result.deleted}
        audit_view.record_write(ctx, "delete", {**detail, "problems": result.problem_count})
        st.session_state[DELETE_KEY] = (uploaded.file_id, table, result)
    shown = st.session_state.get(DELETE_KEY)
    if shown is None or uploaded is None or shown[:2] != (uploaded.file_id, table):
        return
    result = shown[2]
    if result.ok:
        st.success(result.message, icon=":material/check_circle:")
        return
    st.error(t("delete.failed", table=t(f"data.table_{table}"), count=result.problem_count), icon=":material/error:")
    frame = ingest.problems_frame(result.problems, ctx.lang)
    st.dataframe(frame, hide_index=True, key="delete_problems")
    st.download_button(
        t("data.download_problems"),
        data=export.csv_bytes(frame),
        file_name=t("data.problems_file", table=table) + ".csv",
        mime="text/csv",
        icon=":material/download:",
        key="delete_problems_download",
    )
