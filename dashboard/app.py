"""Diversion Watch dashboard: reads only the published read-only copy, so it never blocks a pipeline run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` puts only dashboard/ on the path

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard import data  # noqa: E402
from dashboard.render import direction_badge, md_escape, redline_html  # noqa: E402

SCORE = st.column_config.NumberColumn(format="%+.2f", help="Fidelity to the LEAD model, from -1 to 1")


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
    shown = shown.assign(last_change=shown["last_change_direction"].map(direction_badge))
    st.dataframe(
        shown[["jurisdiction", "bill_id", "session", "title", "latest_version_label", "latest_version_date",
               "version_count", "model_score", "organizer_score", "last_change", "last_fidelity_delta",
               "latest_version_url"]],
        hide_index=True,
        column_config={"model_score": SCORE, "organizer_score": SCORE,
                       "last_fidelity_delta": st.column_config.NumberColumn(format="%+.2f"),
                       "latest_version_url": st.column_config.LinkColumn("official text"),
                       "latest_version_date": st.column_config.DateColumn("latest version")},
    )


def amendment_section(version: pd.Series, previous_label: str) -> None:
    st.markdown(f"**{md_escape(previous_label)} → {md_escape(version.version_label)}** · "
                f"{direction_badge(version.direction)}")
    if pd.notna(version.fidelity_delta):
        st.caption(f"fidelity change {version.fidelity_delta:+.2f}")
    for signal in data.signals(version.previous_version_id, version.version_id).itertuples():
        st.text(f"signal {signal.signal} (severity {signal.severity})")
        before, after = st.columns(2)
        before.code(signal.old_text or "(nothing)", language=None, wrap_lines=True)
        after.code(signal.new_text or "(nothing)", language=None, wrap_lines=True)
    changed = data.changes(version.previous_version_id, version.version_id)
    with st.expander(f"{len(changed)} changed clauses (redline)", expanded=version.version_no == version.version_count):
        for change in changed.itertuples():
            st.caption(f"{change.change_no}\\. {md_escape(str(change.kind))}")
            st.html(redline_html(change.redline, change.old_text, change.new_text))


def fidelity_chart(versions: pd.DataFrame) -> alt.Chart:
    """Fidelity per version in both lenses; unscored versions are left out rather than breaking the line."""
    scores = versions.melt(id_vars=["version_no", "version_label"], value_vars=["model_score", "organizer_score"],
                           var_name="lens", value_name="fidelity").dropna(subset=["fidelity"])
    return alt.Chart(scores).mark_line(point=True).encode(
        x=alt.X("version_no:O", title="version"),
        y=alt.Y("fidelity:Q", scale=alt.Scale(domain=[-1, 1]), title="fidelity to the LEAD model"),
        color=alt.Color("lens:N", title=None),
        tooltip=["version_label", "lens", alt.Tooltip("fidelity:Q", format="+.2f")],
    ).properties(height=220)


def timeline_tab(bills: pd.DataFrame) -> None:
    # Open on the most amended bill, most recent first: that is where redlines and signals are.
    ordered = bills.sort_values(["version_count", "latest_version_date", "jurisdiction", "bill_id"],
                                ascending=[False, False, True, True], na_position="last")
    labels = {bill_label(row): row for _, row in ordered.iterrows()}
    choice = st.selectbox("Bill", list(labels), key="timeline_bill")
    if choice is None:
        return
    bill = labels[choice]
    versions = data.timeline(bill.jurisdiction, bill.session, bill.bill_id)
    st.dataframe(
        versions.assign(change=versions["direction"].map(direction_badge))[
            ["version_no", "version_label", "version_date", "model_score", "organizer_score", "change",
             "fidelity_delta", "signals_high", "clause_count", "url"]],
        hide_index=True,
        column_config={"model_score": SCORE, "organizer_score": SCORE,
                       "version_date": st.column_config.DateColumn("date"),
                       "url": st.column_config.LinkColumn("official text")},
    )
    if versions["model_score"].notna().sum() > 1:
        st.altair_chart(fidelity_chart(versions))
    labels_by_id = dict(zip(versions["version_id"], versions["version_label"]))
    for version in versions[versions["previous_version_id"].notna()].iloc[::-1].itertuples():
        amendment_section(version, labels_by_id.get(version.previous_version_id, "previous version"))


def states_tab() -> None:
    states = data.states()
    if states.empty:
        st.info("No bills yet.")
        return
    picture = states.set_index("jurisdiction")[["bills", "bills_drifting_away", "bills_toward_model"]]
    picture = picture.assign(other=picture["bills"] - picture["bills_drifting_away"] - picture["bills_toward_model"])
    st.bar_chart(picture[["bills_drifting_away", "bills_toward_model", "other"]],
                 color=["#d62728", "#2ca02c", "#9e9e9e"])
    st.dataframe(states, hide_index=True,
                 column_config={"mean_model_score": SCORE, "mean_organizer_score": SCORE,
                                "last_version_date": st.column_config.DateColumn("last version")})
    state = st.selectbox("State", states["jurisdiction"].tolist(), key="state_detail")
    drift = data.drift_by_year(state)
    if not drift.empty:
        st.caption("Amendments per year by direction")
        st.bar_chart(drift.set_index("year")[["drift_away", "toward_model", "mixed", "no_change"]])
    counts = data.clause_counts(state)
    if not counts.empty:
        st.caption("Clauses per codebook category and year")
        st.dataframe(counts.pivot_table(index="category", columns="year", values="clause_count", fill_value=0))


def funding_tab() -> None:
    funding = data.funding()
    if funding.empty or funding["total_amount"].fillna(0).sum() == 0:
        st.info("No diversion-related awards loaded yet.")
        return
    by_state = funding.pivot_table(index="jurisdiction", columns="recipient_type", values="amount", aggfunc="sum",
                                   fill_value=0)
    total = by_state.to_numpy().sum()
    enforcement = by_state.reindex(columns=["law_enforcement", "prosecution"], fill_value=0).to_numpy().sum()
    left, right = st.columns(2)
    left.metric("Diversion money followed", f"${total:,.0f}")
    right.metric("Share to police and prosecutors", f"{enforcement / total:.0%}")
    st.caption("Share of each state's diversion money by recipient type")
    st.bar_chart(by_state, stack="normalize")
    st.dataframe(funding, hide_index=True,
                 column_config={"amount": st.column_config.NumberColumn(format="$%,.0f"),
                                "total_amount": st.column_config.NumberColumn(format="$%,.0f"),
                                "share": st.column_config.NumberColumn(format="percent")})


def health_tab() -> None:
    health = data.health()
    stale = health[health["stale"]]
    left, right = st.columns(2)
    left.metric("Sources × states", len(health))
    right.metric("Stale (no success in 7 days)", len(stale))
    if not stale.empty:
        st.warning("Stale: " + ", ".join(md_escape(f"{r.source} {r.jurisdiction}") for r in stale.itertuples()))
    st.dataframe(health, hide_index=True,
                 column_config={"error_rate": st.column_config.NumberColumn(format="percent"),
                                "extraction_failure_rate": st.column_config.NumberColumn(format="percent"),
                                "last_run_error_rate": st.column_config.NumberColumn(format="percent"),
                                "not_modified_rate": st.column_config.NumberColumn(format="percent"),
                                "hours_since_success": st.column_config.NumberColumn(format="%.1f h")})


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
        st.dataframe(data.alerts(), hide_index=True)


main()
