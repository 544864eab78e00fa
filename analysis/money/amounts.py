"""Dollar amounts, fiscal years and the kind of final recipient in a money clause, for funding views."""

from __future__ import annotations

import re

_AMOUNT = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s+(thousand|million|billion))?", re.IGNORECASE)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_FISCAL_YEAR = re.compile(
    r"\b(?:fiscal year|FY)\s*((?:19|20)\d{2})(?:\s*[-–/]\s*((?:19|20)?\d{2}))?|\b((?:19|20)\d{2})[-–]((?:19|20)?\d{2})\s+(?:fiscal year|budget)",
    re.IGNORECASE,
)
MONEY_WORDS = re.compile(r"fund|grant|appropriat|revenue|\bfees?\b|\bfines?\b|monies|money|\$|budget|allocat|overtime|salar")
# Final recipients, most specific first: the codebook scores the final use, not the first recipient.
_RECIPIENTS = (
    ("law_enforcement", re.compile(r"law enforcement(?! assisted)|police|sheriff|impounding agency|enforcement of")),
    ("prosecutor", re.compile(r"prosecut|district attorney")),
    ("services", re.compile(r"services|treatment|housing|case management|counseling|public health|community-based")),
    ("evaluator", re.compile(r"evaluat|research entity|university")),
    ("technical_assistance", re.compile(r"technical assistance|training")),
    ("board_admin", re.compile(r"\bboard\b|department|authority|administration|commission")),
)


def amounts(text: str) -> tuple[float, ...]:
    """Dollar amounts written in the clause, scaled ("$15 million" -> 15000000.0)."""
    found = []
    for match in _AMOUNT.finditer(text):
        value = float(match.group(1).replace(",", "") + (match.group(2) or ""))
        found.append(value * _SCALE.get((match.group(3) or "").lower(), 1.0))
    return tuple(found)


def fiscal_years(text: str) -> tuple[str, ...]:
    """Fiscal years named in the clause, as written ranges normalized to "2016-17" or a single "2016"."""
    years = []
    for match in _FISCAL_YEAR.finditer(text):
        first, second = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        years.append(f"{first}-{second[-2:]}" if second else first)
    return tuple(dict.fromkeys(years))


def recipient_type(text: str, lowered: str | None = None) -> str:
    """Kind of final recipient named in a money clause ("" when the clause is not about money)."""
    lowered = text.lower() if lowered is None else lowered
    if not MONEY_WORDS.search(lowered):
        return ""
    for kind, pattern in _RECIPIENTS:
        if pattern.search(lowered):
            return kind
    return "unspecified"
