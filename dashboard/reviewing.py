"""Review controls on the bill timeline: a verdict becomes a file in the reviews inbox, never a write to the served copy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.render import md_escape
from dashboard.review_drop import drop_review, inbox_path

VERDICTS = {"Label is right": "correct", "Label is wrong": "wrong", "Category is missing": "missing"}


def _label_option(row: pd.Series) -> str:
    certainty = f"p={row.probability:.2f}" if pd.notna(row.probability) else "rule"
    reviewed = f", reviewed {row.verdict}" if row.reviewed else ""
    return f"{row.category} ({certainty}{reviewed}) · clause {row.clause_no}: {row.clause_text[:90]}"


def review_section(version_id: str, version_label: str) -> None:
    """Pick a label of the version (least certain first), say whether it is right or name a missing category, send it."""
    labels = data.clause_labels(version_id)
    with st.expander(f"Review clause labels of {md_escape(version_label)}"):
        if labels.empty:
            st.info("No labelled clauses in this version.")
            return
        st.caption("Reviews go to the reviews inbox; `divwatch review import` records them and the next publish shows them.")
        with st.form(f"review_{version_id}", clear_on_submit=False):
            options = {_label_option(row): row for _, row in labels.iterrows()}
            choice = options[st.selectbox("Label", list(options), key=f"review_label_{version_id}")]
            verdict = VERDICTS[st.radio("Verdict", list(VERDICTS), horizontal=True, key=f"review_verdict_{version_id}")]
            missing = st.selectbox("Missing category (for 'Category is missing')", data.categories(),
                                   key=f"review_missing_{version_id}")
            reviewer = st.text_input("Reviewer", key=f"review_reviewer_{version_id}")
            note = st.text_input("Note", key=f"review_note_{version_id}")
            sent = st.form_submit_button("Send review")
        if not sent:
            return
        if not reviewer.strip():
            st.error("Name the reviewer.")
            return
        path = drop_review(inbox_path(), {
            "version_id": version_id, "clause_start": int(choice.start_offset), "clause_end": int(choice.end_offset),
            "category": missing if verdict == "missing" else choice.category, "verdict": verdict,
            "reviewer": reviewer.strip(), "note": note.strip(), "clause_text": choice.clause_text,
        })
        st.success(f"Review saved as {path.name} in the reviews inbox.")
