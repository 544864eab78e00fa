"""Diversion Watch dashboard: reads only the published read-only copy, so it never blocks a pipeline run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` puts only dashboard/ on the path

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard import data  # noqa: E402
from dashboard.charts import direction_bars, fidelity_chart, recipient_share_chart  # noqa: E402
from dashboard.render import coloured_badge, md_escape, redline_html  # noqa: E402
from dashboard.reviewing import review_section  # noqa: E402
from dashboard.tables import for_reading, show  # noqa: E402

EXCERPT_NOTE = ("Text *incomplete*: the bundled copy is an excerpt or misses parts of the official text (no complete "
                "copy was available); its clauses and drift cover only what is there.")


def bill_label(row: pd.Series) -> str:
    title = f" — {row.title}" if isinstance(row.title, str) and row.title else ""
    return f"{row.jurisdiction} · {row.bill_id} · {row.session}{title}"


def bills_tab(bills: pd.DataFrame) -> None:
    left, middle, right = st.columns(3)
    left.metric("Bills tracked", len(bills))
    middle.metric("Last change drifts away", int((bills["last_change_direction"] == "drift-away").sum()))
    right.metric("Mean fidelity (latest versions)", f"{bills['model_score'].mean():+.2f}"
                 if bills["model_score"].notna().any() else "—")
    picked = st.multiselect("States", sorted(bills["jurisdiction"].unique()), key="bill_states")
    shown = bills[bills["jurisdiction"].isin(picked)] if picked else bills
    show(for_reading(shown, {
        "jurisdiction": ("State", "text"), "bill_id": ("Bill", "text"), "last_change_direction": ("Last change", "direction"),
        "model_score": ("Fidelity (LEAD model)", "score"), "organizer_score": ("Fidelity (organizer lens)", "score"),
        "last_fidelity_delta": ("Fidelity change", "score"), "latest_version_label": ("Latest version", "text"),
        "latest_version_date": ("Date", "day"), "version_count": ("Versions", "text"),
        "text_complete": ("Text", "completeness"), "latest_version_url": ("Official text", "link"),
        "title": ("Title", "text"), "session": ("Session", "text")}))
    st.caption("Fidelity runs from -1 (against the LEAD model) to +1 (follows it). " + EXCERPT_NOTE)


def amendment_section(version: pd.Series, previous_label: str) -> None:
    st.markdown(f"**{md_escape(previous_label)} → {md_escape(version.version_label)}** · "
                f"{coloured_badge(version.direction)}")
    if pd.notna(version.fidelity_delta):
        st.caption(f"fidelity change {version.fidelity_delta:+.2f}")
    for signal in data.signals(version.previous_version_id, version.version_id).itertuples():
        st.text(f"signal: {signal.signal.replace('_', ' ')} (severity {signal.severity})")
        before, after = st.columns(2)
        before.code(signal.old_text or "(nothing)", language=None, wrap_lines=True)
        after.code(signal.new_text or "(nothing)", language=None, wrap_lines=True)
    changed = data.changes(version.previous_version_id, version.version_id)
    with st.expander(f"{len(changed)} changed clauses (redline)", expanded=version.version_no == version.version_count):
        for change in changed.itertuples():
            st.caption(f"{change.change_no}\\. {md_escape(str(change.kind))}")
            st.html(redline_html(change.redline, change.old_text, change.new_text))


def timeline_tab(bills: pd.DataFrame) -> None:
    # Open on the bill changed most recently: amended bills first, newest latest version first.
    ordered = bills.assign(amended=bills["version_count"] > 1).sort_values(
        ["amended", "latest_version_date", "jurisdiction", "bill_id"], ascending=[False, False, True, True],
        na_position="last")
    labels = {bill_label(row): row for _, row in ordered.iterrows()}
    choice = st.selectbox("Bill", list(labels), key="timeline_bill")
    if choice is None:
        return
    bill = labels[choice]
    versions = data.timeline(bill.jurisdiction, bill.session, bill.bill_id)
    show(for_reading(versions, {
        "version_no": ("No.", "text"), "version_label": ("Version", "text"), "version_date": ("Date", "day"),
        "model_score": ("Fidelity (LEAD model)", "score"), "organizer_score": ("Fidelity (organizer lens)", "score"),
        "direction": ("Change", "direction"), "fidelity_delta": ("Fidelity change", "score"),
        "signals_high": ("High-severity signals", "text"), "clause_count": ("Clauses", "text"),
        "text_complete": ("Text", "completeness"), "url": ("Official text", "link")}))
    if (versions["text_complete"] == False).any():  # noqa: E712 (NULL means the source did not say)
        st.caption(EXCERPT_NOTE)
    if versions["model_score"].notna().sum() > 1:
        st.altair_chart(fidelity_chart(versions))
    labels_by_id = dict(zip(versions["version_id"], versions["version_label"]))
    latest = versions.iloc[-1]
    review_section(latest.version_id, latest.version_label)
    for version in versions[versions["previous_version_id"].notna()].iloc[::-1].itertuples():
        amendment_section(version, labels_by_id.get(version.previous_version_id, "previous version"))


def states_tab() -> None:
    states = data.states()
    if states.empty:
        st.info("No bills yet.")
        return
    picture = states.assign(other=states["bills"] - states["bills_drifting_away"] - states["bills_toward_model"])
    st.caption("Bills per state by the direction of their last change")
    st.altair_chart(direction_bars(picture, "jurisdiction", {
        "bills_drifting_away": "Drifting away", "bills_toward_model": "Toward the model",
        "other": "Not amended / first version"}, "state", "bills"))
    show(for_reading(states, {
        "jurisdiction": ("State", "text"), "bills": ("Bills", "text"), "versions": ("Versions", "text"),
        "mean_model_score": ("Mean fidelity (LEAD model)", "score"),
        "mean_organizer_score": ("Mean fidelity (organizer lens)", "score"),
        "bills_drifting_away": ("Last change drifts away", "text"), "bills_toward_model": ("Last change toward model", "text"),
        "last_version_date": ("Last version", "day")}))
    state = st.selectbox("State", states["jurisdiction"].tolist(), key="state_detail")
    drift = data.drift_by_year(state)
    if not drift.empty:
        st.caption(f"Amendments per year by direction, {state}")
        st.altair_chart(direction_bars(drift, "year", {
            "drift_away": "Drifting away", "toward_model": "Toward the model", "mixed": "Mixed",
            "no_change": "No change"}, "year", "amendments"))
    counts = data.clause_counts(state)
    if not counts.empty:
        st.caption(f"Clauses per codebook category and year, {state}")
        table = counts.pivot_table(index="category", columns="year", values="clause_count", fill_value=0)
        st.dataframe(table.rename_axis(index="Category", columns="Year"))


def funding_tab() -> None:
    funding = data.funding()
    records = data.funding_records()
    total = funding["amount"].fillna(0).sum() if not funding.empty else 0
    if total:
        amount = funding.groupby("recipient_type")["amount"].sum()
        unknown = amount.get("unknown", 0.0)
        typed = total - unknown
        enforcement = amount.get("law_enforcement", 0.0) + amount.get("prosecution", 0.0)
        left, middle, right = st.columns(3)
        left.metric("Awarded diversion money followed", f"${total:,.0f}")
        middle.metric("Share to police and prosecutors", f"{enforcement / typed:.0%}" if typed else "unknown",
                      help="Of the money whose recipient type is known.")
        right.metric("Recipient type unknown", f"${unknown:,.0f} ({unknown / total:.0%})")
        st.caption("Share of each state's awarded diversion money by recipient type")
        st.altair_chart(recipient_share_chart(funding))
        show(for_reading(funding[funding["amount"] > 0], {
            "jurisdiction": ("State", "text"), "year": ("Fiscal year", "text"), "recipient_type": ("Recipient", "recipient_group"),
            "amount": ("Amount", "dollars"), "share": ("Share of the year", "percent"),
            "total_amount": ("Year's total", "dollars")}))
    else:
        st.info("No awarded diversion money loaded yet.")
    st.subheader("Every funding record")
    st.caption("Only amounts of kind *Award* are added up above; ceilings, applications, appropriations and "
               "announced pools are listed here and never summed with awards.")
    columns = {"recipient_name": ("Recipient", "text"), "recipient_type": ("Recipient type", "recipient_type"),
               "amount": ("Amount", "dollars"), "amount_kind": ("What the amount is", "amount_kind"),
               "state": ("State", "text"), "fiscal_year": ("Fiscal year", "text"), "program": ("Program", "text"),
               "authorizing_law": ("Authorizing law (as stated)", "text"), "linked_bills": ("Tracked bill", "text"),
               "diversion_related": ("Counted as diversion money", "yes_no"), "note": ("Note", "text"),
               "replayed": ("Replayed recording", "yes_no"), "url": ("Where it was read", "link")}
    show(for_reading(records, {k: v for k, v in columns.items() if k in records}))


def health_tab() -> None:
    health = data.health()
    stale = health[health["stale"]]
    left, right = st.columns(2)
    left.metric("Sources × states", len(health))
    right.metric("Stale (no success in 7 days)", len(stale))
    if not stale.empty:
        st.warning("Stale: " + ", ".join(md_escape(f"{r.source} {r.jurisdiction}") for r in stale.itertuples()))
    show(for_reading(health, {
        "source": ("Data source", "text"), "jurisdiction": ("State", "text"), "runs": ("Runs", "text"),
        "last_success_at": ("Last success", "day"), "hours_since_success": ("Hours since success", "hours"),
        "items_ok": ("Items read", "text"), "items_failed": ("Items failed", "text"),
        "error_rate": ("Error rate", "percent"), "extraction_failure_rate": ("Text extraction failures", "percent"),
        "not_modified_rate": ("Unchanged since last fetch", "percent"), "versions_stored": ("Versions stored", "text"),
        "stale": ("Stale", "yes_no")}))


def alerts_tab() -> None:
    show(for_reading(data.alerts(), {
        "created_at": ("Queued", "day"), "status": ("Status", "text"), "channel": ("Channel", "text"),
        "jurisdiction": ("State", "text"), "bill_id": ("Bill", "text"), "version_label": ("Version", "text"),
        "direction": ("Change", "direction"), "attempts": ("Attempts", "text"), "last_error": ("Last error", "text"),
        "version_url": ("Official text", "link")}))


def main() -> None:
    st.set_page_config(page_title="Diversion Watch", layout="wide")
    st.title("Diversion Watch")
    path = data.serving_path()
    if not path.exists():
        st.warning(f"No published copy at {md_escape(str(path))}. Run `divwatch run` first; it publishes the copy.")
        st.stop()
    st.caption(f"Read-only copy {md_escape(str(path))} · published {data.published_at(path):%Y-%m-%d %H:%M}")
    bills = data.bills()
    tabs = st.tabs(["Bills", "Bill timeline", "By state", "Funding", "Data health", "Alerts"])
    with tabs[0]:
        bills_tab(bills)
    with tabs[1]:
        timeline_tab(bills)
    with tabs[2]:
        states_tab()
    with tabs[3]:
        funding_tab()
    with tabs[4]:
        health_tab()
    with tabs[5]:
        alerts_tab()


main()
