"""USAspending connector: prime grant awards by keyword and assistance listing, their details, and their sub-awards."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from sources.funding_records import Award, Harvest, Subaward
from sources.funding_values import federal_fiscal_year, to_amount, to_date
from sources.http import FetchFailed, Fetched
from sources.records import FetchError

SOURCE = "usaspending"
BASE_URL = "https://api.usaspending.gov/"
GRANT_TYPES = ("02", "03", "04", "05")
AWARD_FIELDS = ("Award ID", "Recipient Name", "Recipient UEI", "Recipient Location", "Award Amount", "Awarding Agency",
                "Awarding Sub Agency", "CFDA Number", "Assistance Listings", "Description", "Start Date", "End Date",
                "Base Obligation Date", "generated_internal_id")


def _award_listings(row: dict) -> tuple[str, ...]:
    numbers = [str(item.get("cfda_number")) for item in row.get("Assistance Listings") or [] if item.get("cfda_number")]
    if row.get("CFDA Number"):
        numbers.insert(0, str(row["CFDA Number"]))
    return tuple(dict.fromkeys(numbers))


def parse_award_page(payload: dict, fetched: Fetched) -> tuple[list[Award], bool]:
    """Awards on one spending_by_award page and whether another page follows; ValueError on a wrong shape."""
    rows = payload.get("results")
    if not isinstance(rows, list):
        raise ValueError("spending_by_award response has no results list")
    awards = []
    for row in rows:
        award_id = row.get("generated_internal_id") or row.get("Award ID")
        if not award_id:
            continue
        start = to_date(row.get("Start Date")) or to_date(row.get("Base Obligation Date"))
        location = row.get("Recipient Location") or {}
        awards.append(Award(
            source=SOURCE,
            award_id=str(award_id),
            recipient_name=str(row.get("Recipient Name") or ""),
            amount=to_amount(row.get("Award Amount")),
            state=str(location.get("state_code") or row.get("Place of Performance State Code") or ""),
            fiscal_year=federal_fiscal_year(start),
            awarding_agency=" / ".join(dict.fromkeys(filter(None, (row.get("Awarding Agency"), row.get("Awarding Sub Agency"))))),
            assistance_listings=_award_listings(row),
            description=str(row.get("Description") or ""),
            start_date=start,
            end_date=to_date(row.get("End Date")),
            recipient_categories=(),
            subaward_count=None,
            opportunity_number="",
            url=fetched.url,
            fetched_at=fetched.fetched_at,
            sha256=fetched.sha256,
        ))
    return awards, bool((payload.get("page_metadata") or {}).get("hasNext"))


def enrich_with_detail(award: Award, detail: dict) -> Award:
    """Add what only the award page knows: recipient categories, sub-award count, the opportunity number."""
    if str(detail.get("generated_unique_award_id") or award.award_id) != award.award_id:
        raise ValueError(f"award detail is for {detail.get('generated_unique_award_id')}, not {award.award_id}")
    recipient = detail.get("recipient") or {}
    listings = tuple(str(c["cfda_number"]) for c in detail.get("cfda_info") or [] if c.get("cfda_number"))
    return dataclasses.replace(
        award,
        recipient_categories=tuple(str(c) for c in recipient.get("business_categories") or []),
        subaward_count=int(detail["subaward_count"]) if detail.get("subaward_count") is not None else None,
        opportunity_number=str((detail.get("funding_opportunity") or {}).get("number") or ""),
        assistance_listings=tuple(dict.fromkeys(award.assistance_listings + listings)),
        state=award.state or str((recipient.get("location") or {}).get("state_code") or ""),
    )


def parse_subaward_page(payload: dict, prime_award_id: str, fetched: Fetched) -> tuple[list[Subaward], bool]:
    """Sub-awards on one /api/v2/subawards/ page and whether another page follows."""
    rows = payload.get("results")
    if not isinstance(rows, list):
        raise ValueError("subawards response has no results list")
    found = [
        Subaward(
            source=SOURCE,
            subaward_id=str(row.get("id") or row.get("subaward_number")),
            subaward_number=str(row.get("subaward_number") or ""),
            prime_award_id=prime_award_id,
            recipient_name=str(row.get("recipient_name") or ""),
            amount=to_amount(row.get("amount")),
            action_date=to_date(row.get("action_date")),
            description=str(row.get("description") or ""),
            url=fetched.url,
            fetched_at=fetched.fetched_at,
            sha256=fetched.sha256,
        )
        for row in rows
        if row.get("id") or row.get("subaward_number")
    ]
    return found, bool((payload.get("page_metadata") or {}).get("hasNext"))


class UsaSpending:
    """Finds grant awards by keyword or program number, reads each award's page, and lists its sub-awards."""

    def __init__(self, http: Any, *, base_url: str = BASE_URL, limit: int = 100, max_pages: int = 5,
                 start_date: str = "2007-10-01", end_date: str = "2026-09-30"):
        self.http = http
        self.base_url = base_url.rstrip("/") + "/"
        self.limit = limit
        self.max_pages = max_pages
        self.time_period = [{"start_date": start_date, "end_date": end_date}]

    def harvest_awards(self, keywords: Iterable[str] = (), program_numbers: Iterable[str] = ()) -> Harvest:
        """Every award any query finds, once, with its detail when that call succeeds."""
        result = Harvest()
        found: dict[str, Award] = {}
        queries = [("keywords", [k]) for k in keywords] + [("program_numbers", [p]) for p in program_numbers]
        for field, values in queries:
            self._search(field, values, found, result.errors)
        for award in found.values():
            url = f"{self.base_url}api/v2/awards/{quote(award.award_id, safe='')}/"
            try:
                award = enrich_with_detail(award, self.http.get(url, expect="json").json())
            except (FetchFailed, ValueError) as exc:
                result.errors.append(_error(f"award detail {award.award_id}", url, exc))
            result.records.append(award)
        return result

    def _search(self, field: str, values: list[str], found: dict[str, Award], errors: list[FetchError]) -> None:
        url = self.base_url + "api/v2/search/spending_by_award/"
        for page in range(1, self.max_pages + 1):
            body = {"filters": {"award_type_codes": list(GRANT_TYPES), field: values, "time_period": self.time_period},
                    "fields": list(AWARD_FIELDS), "limit": self.limit, "page": page, "sort": "Award Amount",
                    "order": "desc", "subawards": False}
            try:
                fetched = self.http.post_json(url, body)
                awards, has_next = parse_award_page(fetched.json(), fetched)
            except (FetchFailed, ValueError) as exc:
                errors.append(_error(f"spending_by_award {field}={values} page {page}", url, exc))
                return
            new = [a for a in awards if a.award_id not in found]
            found.update((a.award_id, a) for a in new)
            if not new or not has_next:
                return

    def harvest_subawards(self, prime_award_ids: Iterable[str]) -> Harvest:
        """Sub-awards of each prime award; one failing award does not stop the others."""
        result = Harvest()
        url = self.base_url + "api/v2/subawards/"
        for prime in prime_award_ids:
            kept: dict[str, Subaward] = {}
            for page in range(1, self.max_pages + 1):
                body = {"award_id": prime, "page": page, "limit": self.limit, "sort": "amount", "order": "desc"}
                try:
                    fetched = self.http.post_json(url, body)
                    subawards, has_next = parse_subaward_page(fetched.json(), prime, fetched)
                except (FetchFailed, ValueError) as exc:
                    result.errors.append(_error(f"subawards of {prime} page {page}", url, exc))
                    kept = {}  # a partial list would understate what the prime passed on: keep none
                    break
                new = {s.subaward_id: s for s in subawards if s.subaward_id not in kept}
                kept.update(new)
                if not new or not has_next:
                    break
            result.records += kept.values()
        return result


def _error(item: str, url: str, exc: Exception) -> FetchError:
    reason = exc.reason if isinstance(exc, FetchFailed) else str(exc)
    return FetchError(source=SOURCE, item=item, url=getattr(exc, "url", url), reason=reason, jurisdiction="US",
                      occurred_at=datetime.now(timezone.utc))
