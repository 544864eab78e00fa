"""Tables as people read them: plain column names, empty cells for missing values, and only web links."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from dashboard.render import direction_badge

WEB_SCHEMES = ("http", "https")
RECIPIENT_GROUPS = {
    "law_enforcement": "Police and sheriffs", "prosecution": "Prosecutors", "courts_corrections": "Courts and corrections",
    "services": "Health and service providers", "evaluation": "Universities and evaluators",
    "other": "General government", "unknown": "Type unknown",
}
RECIPIENT_TYPES = {**RECIPIENT_GROUPS, "health_human_services": "Health and human services",
                   "nonprofit_provider": "Nonprofit providers", "university_evaluator": "Universities and evaluators"}
AMOUNT_KINDS = {
    "award": "Award", "restated_award": "Award (restated by a second source)", "yearly_ceiling": "Yearly ceiling ('up to')",
    "not_to_exceed": "Not-to-exceed ceiling", "application": "Application (not awarded)",
    "appropriation": "Appropriation", "funding_available": "Funding available", "program_total": "Program total",
    "per_grant": "Per grant", "proposed": "Proposed (not awarded)",
}


def web_link(value: object) -> str:
    """The URL when it is an http(s) address; anything else (file paths, javascript:) shows as an empty cell."""
    if not isinstance(value, str):
        return ""
    try:
        return value if urlsplit(value.strip()).scheme.lower() in WEB_SCHEMES else ""
    except ValueError:
        return ""


def score(value: object) -> str:
    return "" if pd.isna(value) else f"{value:+.2f}"


def dollars(value: object) -> str:
    return "" if pd.isna(value) else f"${value:,.0f}"


def percent(value: object) -> str:
    return "" if pd.isna(value) else f"{value:.0%}"


def day(value: object) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def text(value: object) -> str:
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return ", ".join(str(v) for v in list(value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def completeness(value: object) -> str:
    return "complete" if value is True else "incomplete" if value is False else ""


FORMATS: dict[str, Callable[[object], str]] = {
    "score": score, "dollars": dollars, "percent": percent, "day": day, "text": text, "link": web_link,
    "direction": direction_badge, "completeness": completeness,
    "recipient_group": lambda v: RECIPIENT_GROUPS.get(v, text(v)), "recipient_type": lambda v: RECIPIENT_TYPES.get(v, text(v)),
    "amount_kind": lambda v: AMOUNT_KINDS.get(v, text(v)),
}


def for_reading(frame: pd.DataFrame, columns: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """Pick `columns` ({name: (heading, format)}), format every cell as text, and leave missing values empty."""
    shown = pd.DataFrame(index=frame.index)
    for name, (heading, kind) in columns.items():
        shown[heading] = frame[name].map(FORMATS[kind]) if name in frame else ""
    shown = shown.reset_index(drop=True)
    shown.attrs["links"] = [heading for heading, kind in columns.values() if kind == "link"]
    shown.attrs["directions"] = [heading for heading, kind in columns.values() if kind == "direction"]
    return shown


def yes_no(value: object) -> str:
    return "" if value is None or (not isinstance(value, (bool, str)) and pd.isna(value)) else "yes" if value else "no"


def hours(value: object) -> str:
    return "" if pd.isna(value) else f"{value:,.1f} h"


FORMATS.update({"yes_no": yes_no, "hours": hours})
WIDE_TEXT = {"Title", "Session", "Program", "Note", "Authorizing law (as stated)", "Recipient", "Latest version", "Last error"}
DIRECTION_COLOURS = {"drift-away": "#c62828", "toward model": "#2e7d32", "mixed": "#ef6c00"}


def _direction_colour(cell: str) -> str:
    return next((f"color: {colour}; font-weight: 600" for word, colour in DIRECTION_COLOURS.items() if word in cell), "")


def show(shown: pd.DataFrame) -> None:
    """One read-only table: direction cells in red (away) or green (toward), links opened from a short label."""
    links, directions = shown.attrs.get("links", []), shown.attrs.get("directions", [])
    styled = shown.style.map(_direction_colour, subset=directions) if directions else shown
    config = {c: st.column_config.TextColumn(c, width="medium") for c in shown.columns if c in WIDE_TEXT}
    config.update({c: st.column_config.LinkColumn(c, display_text="open") for c in links})
    st.dataframe(styled, hide_index=True, column_config=config)
