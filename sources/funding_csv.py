"""Funding records from a CSV file (a public-records response, a spreadsheet of awards), checked row by row."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from pathlib import Path

from sources.funding_records import Award, Harvest
from sources.funding_values import to_amount
from sources.records import FetchError, sha256_hex

# What a stated amount means; only "award" is money a recipient got, so only it may be summed.
AMOUNT_KINDS = {
    "award": "money awarded to the recipient",
    "restated_award": "an award already listed in another row, as a second source states it",
    "yearly_ceiling": "the most a recipient may get per year ('up to ... per year')",
    "not_to_exceed": "a contract or agreement ceiling ('not to exceed', 'up to')",
    "application": "the amount applied for, not awarded",
    "appropriation": "money appropriated to an agency to grant on",
    "funding_available": "the pool a solicitation offers",
    "program_total": "the total of a program's awards, recipients not listed",
    "per_grant": "the amount of each of several grants",
    "proposed": "money in a bill or request, not yet awarded",
}
REQUIRED_COLUMNS = ("recipient", "amount_usd", "source")
_STATE = re.compile(r"^[A-Z]{2}$")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def source_name(path: Path) -> str:
    """Rows of one file share a source name, so importing the file again replaces exactly its rows."""
    return f"records:{path.name}"


def read_funding_csv(path: Path) -> Harvest:
    """Every valid row as an Award; every invalid row as a FetchError naming its row number and what is wrong."""
    body = path.read_bytes()
    harvest = Harvest()
    source, url = source_name(path), path.resolve().as_uri()
    try:
        reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
        columns = set(reader.fieldnames or ())
    except UnicodeDecodeError as exc:
        harvest.errors.append(FetchError(source, path.name, url, f"not UTF-8 text: {exc.reason}", "US"))
        return harvest
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        harvest.errors.append(FetchError(source, path.name, url, f"missing columns: {', '.join(missing)}", "US"))
        return harvest
    fetched_at, digest = datetime.now(timezone.utc).replace(tzinfo=None), sha256_hex(body)
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):  # row 1 is the header, as a spreadsheet numbers it
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        try:
            award = _award(cells, source, fetched_at, digest)
        except ValueError as exc:
            harvest.errors.append(FetchError(source, f"{path.name} row {number}", url, str(exc), cells.get("recipient_state") or "US"))
            continue
        if award.award_id in seen:
            harvest.errors.append(FetchError(source, f"{path.name} row {number}", url,
                                             f"same award as row {seen[award.award_id]}", award.state or "US"))
            continue
        seen[award.award_id] = number
        harvest.records.append(award)
    return harvest


def _award(cells: dict[str, str], source: str, fetched_at: datetime, digest: str) -> Award:
    """One row as an Award; raises ValueError saying which cell is wrong."""
    amount_text = cells.get("amount_usd", "")
    amount = to_amount(amount_text)
    if amount_text and (amount is None or amount < 0):
        raise ValueError(f"amount_usd {amount_text!r} is not a dollar amount")
    kind = cells.get("amount_kind") or "award"
    if kind not in AMOUNT_KINDS:
        raise ValueError(f"amount_kind {kind!r} is not one of {', '.join(AMOUNT_KINDS)}")
    state = cells.get("recipient_state", "").upper()
    if state and not _STATE.match(state):
        raise ValueError(f"recipient_state {state!r} is not a two-letter code")
    if not cells.get("source"):
        raise ValueError("source is empty: say where the row was read")
    day = cells.get("date", "")
    if day and not _DATE.match(day):
        raise ValueError(f"date {day!r} is not YYYY-MM-DD (or YYYY-MM, YYYY)")
    year_text = cells.get("fiscal_year", "")
    year = _YEAR.search(year_text)
    if year_text and not year:
        raise ValueError(f"fiscal_year {year_text!r} names no year")
    notes = [cells.get("note", "")]
    if year_text and year_text != year.group(0):
        notes.append(f"fiscal year as stated: {year_text}")
    if day and len(day) < 10:
        notes.append(f"date as stated: {day}")
    recipient = cells["recipient"] or "(recipient not named)"
    award_id = cells.get("award_id") or "row-" + sha256_hex("|".join(
        [recipient, amount_text, kind, day, year_text, cells.get("program", ""), cells.get("description", ""), cells["source"]]))[:12]
    return Award(
        source=source, award_id=award_id, recipient_name=recipient, amount=amount, state=state,
        fiscal_year=int(year.group(0)) if year else None, awarding_agency=cells.get("awarding_agency", ""),
        assistance_listings=tuple(filter(None, re.split(r"[;,\s]+", cells.get("assistance_listing", "")))),
        description=cells.get("description", ""), start_date=datetime.fromisoformat(day).date() if len(day) == 10 else None,
        end_date=None, recipient_categories=(), subaward_count=None, opportunity_number="",
        url=cells["source"], fetched_at=fetched_at, sha256=digest, amount_kind=kind,
        program=cells.get("program", ""), recipient_kind_stated=cells.get("recipient_kind_as_stated", ""),
        authorizing_law=cells.get("authorizing_law_if_stated", ""), note="; ".join(filter(None, notes)),
    )
