"""The 督办台账 page's pieces: filtering, the count line, and one case's history and actions."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from oversight import i18n, ingest, store, supervision
from oversight.filters import id_labels
from oversight.ui import audit_view, state, versions
from oversight.ui.context import Context
from oversight.ui.text import md

NOTICE_KEY = "_ledger_notice"
KIND_HANDOFF = state.LEDGER_KIND


def count_line(ctx: Context, counts: pd.Series, statuses: list[str]) -> str:
    """How many cases in each status (the chosen statuses only, when some are chosen)."""
    by_status = {s: int(counts.get(s, 0)) if not statuses or s in statuses else 0 for s in supervision.STATUSES}
    return ctx.t("supervision.count_line", total=sum(by_status.values()), **by_status)


def overview_links(ctx: Context, under: dict) -> None:
    """Under each of 总览's 需要关注 counts (under: kind -> column), a button to the ledger at that kind."""
    page = st.session_state.get(state.PAGES, {}).get("supervision")
    if page is None:
        return
    counts = ctx.fetch("supervision_counts").set_index("kind")["cases"]
    for kind, col in under.items():
        # The ledger's rule may differ from the count above it (超期 against the request's own 时限 vs
        # open over 30 days): the link names its own, short enough for a quarter of the page.
        label = ctx.t(
            "supervision.link_label", kind=ctx.t(f"supervision.kind_short.{kind}"), count=int(counts.get(kind, 0))
        )
        if col.button(label, key=f"sv_link_{kind}", help=ctx.t("supervision.link_hint"), type="tertiary"):
            st.session_state[KIND_HANDOFF] = kind
            st.switch_page(page)


def kinds_asked(default: list[str]) -> list[str]:
    """The kind 总览 asked for (a button there), once; else the widget's own value."""
    kind = st.session_state.pop(KIND_HANDOFF, None)
    return [kind] if kind else default


def case_panel(ctx: Context, cases: pd.DataFrame) -> None:
    """One chosen case: its history, and the actions the account's role allows on it."""
    kinds = i18n.codes("supervision.kind", ctx.lang)  # a few kinds, many cases: each label looked up once
    # Kind, title and case id: titles repeat (one title in two compounds of one name), and the widget
    # hands back the label, so two equal labels would both open, and act on, the last of them.
    # Plain lists, not pandas' string operations: 0.3 ms instead of 2.2 ms for the ledger's 500 cases.
    ids = cases["case_id"].tolist()
    texts = (f"{kinds.get(k, k)} · {t}" for k, t in zip(cases["kind"].tolist(), cases["title"].tolist(), strict=True))
    labels = id_labels(ids, texts)
    case_id = st.selectbox(ctx.t("supervision.pick"), ids, format_func=labels.get, key="sv_case")
    case = cases.iloc[ids.index(case_id)]
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    left, right = st.columns([3, 2])
    with left:
        st.subheader(ctx.t("supervision.history"))
        events = ctx.fetch("supervision_events", case_id=case_id)
        if events.empty:
            st.info(ctx.t("supervision.no_history"))
        else:
            events = events.assign(
                acted_at=events["acted_at"].map(lambda v: f"{v:%Y-%m-%d %H:%M}"),
                action=events["action"].map(lambda v: ctx.t(f"supervision.action.{v}")),
                who=events["who"].replace({"system": ctx.t("supervision.system")}),
            )
            shown = events.rename(columns={c: ingest.column_label(c, ctx.lang) for c in events.columns})
            st.dataframe(shown, hide_index=True, key="sv_events", placeholder="—")
    with right:
        st.subheader(ctx.t("supervision.actions"))
        _actions(ctx, case)


def _actions(ctx: Context, case: pd.Series) -> None:
    account = ctx.account
    if case["status"] == "closed":
        st.info(ctx.t("supervision.closed_note"))
        return
    allowed = supervision.actions_for(account.role) if account is not None else []
    if not allowed:
        st.info(ctx.t("supervision.viewer_only"))
        return
    if case["close_proposed"]:
        st.warning(ctx.t("supervision.proposed"), icon=":material/pending_actions:")
    labels = {a: ctx.t(f"supervision.{a}") for a in allowed}
    if case["close_proposed"] and "close" in labels:
        labels["close"] = ctx.t("supervision.confirm_close")
    with st.form(f"sv_form_{case['case_id']}", clear_on_submit=True):
        action = st.radio(ctx.t("supervision.actions"), allowed, format_func=labels.get, key="sv_action")
        unit = st.text_input(ctx.t("supervision.unit"), value=case["assignee_unit"] or "", max_chars=100)
        person = st.text_input(ctx.t("supervision.person"), value=case["assignee_person"] or "", max_chars=50)
        default_due = case["due_on"] if pd.notna(case["due_on"]) else ctx.as_of + timedelta(days=14)
        due_on = st.date_input(ctx.t("supervision.due_on"), value=default_due, format="YYYY-MM-DD")
        note = st.text_area(ctx.t("supervision.note"), max_chars=supervision.NOTE_LIMIT)
        submitted = st.form_submit_button(ctx.t("supervision.actions"), type="primary")
    if not submitted:
        return
    request = supervision.Action(case["case_id"], action, note=note, unit=unit, person=person, due_on=due_on)
    allowed_compounds = ctx.writable_compounds
    try:
        version = supervision.act(
            ctx.store_path, account, request, allowed_compounds, waiting=versions.waiting_notice(ctx)
        )
    except supervision.SupervisionError as e:
        st.error(md(e.message(ctx.lang)), icon=":material/error:")
        return
    except store.StoreError as e:
        st.error(ingest.store_message(e, ctx.lang), icon=":material/error:")
        return
    detail = {"case": request.case_id, "action": request.action, "unit": request.unit, "due_on": str(request.due_on)}
    audit_view.record_write(ctx, "supervision", {**detail, "version": version.id})
    st.session_state[NOTICE_KEY] = ctx.t("supervision.done", version=version.id)
    st.rerun()
