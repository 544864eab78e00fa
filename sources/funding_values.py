"""Lenient converters for the money and date spellings the funding APIs use, so one odd value never sinks a record."""

from __future__ import annotations

import re
from datetime import date, datetime

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d-%H-%M-%S", "%b %d, %Y %I:%M:%S %p", "%B %d, %Y", "%b %d, %Y", "%m%d%Y")


def to_amount(value: object) -> float | None:
    """Dollars as a float from numbers or strings such as '136,000,000' or '$1.5'; None when absent or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    cleaned = re.sub(r"[,$\s]", "", str(value))
    try:
        return float(cleaned) if cleaned else None
    except ValueError:
        return None


def to_date(value: object) -> date | None:
    """A date from the formats the sources use (ISO, MM/DD/YYYY, Grants.gov's dashed and long forms)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    text = re.sub(r"\s+[A-Z]{3}$", "", text)  # trailing time-zone names such as EDT
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def federal_fiscal_year(day: date | None) -> int | None:
    """The US federal fiscal year (October to September) a date falls in."""
    if day is None:
        return None
    return day.year + 1 if day.month >= 10 else day.year
