"""Grants.gov connector: search2 by keyword and assistance listing, then fetchOpportunity for each hit's details."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from bs4 import BeautifulSoup

from sources.funding_records import Harvest, Opportunity
from sources.funding_values import to_amount, to_date
from sources.http import FetchFailed, Fetched
from sources.records import FetchError

SOURCE = "grantsgov"
BASE_URL = "https://api.grants.gov/v1/api/"
ALL_STATUSES = "forecasted|posted|closed|archived"


def _listings(hit: dict) -> tuple[str, ...]:
    """Real responses name the list `cfdaList`; the official sample names it `alnist`: accept both."""
    values = hit.get("cfdaList") or hit.get("alnist") or hit.get("alnList") or []
    if isinstance(values, str):
        values = values.split(",")
    return tuple(str(v).strip() for v in values if str(v).strip())


def parse_search(payload: dict) -> tuple[list[dict], int]:
    """The oppHits and total hitCount of a search2 response; raises ValueError when the API reports an error."""
    if payload.get("errorcode", 0) not in (0, "0"):
        raise ValueError(f"search2 errorcode {payload.get('errorcode')}: {payload.get('msg', '')}")
    data = payload.get("data") or {}
    hits = data.get("oppHits")
    if not isinstance(hits, list):
        raise ValueError("search2 response has no data.oppHits list")
    return hits, int(data.get("hitCount") or len(hits))


def opportunity_from_hit(hit: dict, fetched: Fetched) -> Opportunity:
    """An opportunity from a search hit alone (used when the detail call fails)."""
    return Opportunity(
        source=SOURCE,
        opportunity_id=str(hit.get("id", "")),
        number=str(hit.get("number", "")),
        title=str(hit.get("title", "")),
        agency=str(hit.get("agency") or hit.get("agencyName") or ""),
        agency_code=str(hit.get("agencyCode", "")),
        status=str(hit.get("oppStatus", "")),
        open_date=to_date(hit.get("openDate")),
        close_date=to_date(hit.get("closeDate")),
        assistance_listings=_listings(hit),
        award_ceiling=None,
        award_floor=None,
        estimated_funding=None,
        applicant_types=(),
        eligibility="",
        description="",
        url=fetched.url,
        fetched_at=fetched.fetched_at,
        sha256=fetched.sha256,
    )


def _html_text(html: str) -> str:
    return BeautifulSoup(html or "", "lxml").get_text(" ", strip=True)


def parse_detail(payload: dict, fetched: Fetched, hit: dict | None = None) -> Opportunity:
    """An opportunity from fetchOpportunity (`{"data": {...}}`) or the legacy details object (the same `data`)."""
    if payload.get("errorcode", 0) not in (0, "0"):
        raise ValueError(f"fetchOpportunity errorcode {payload.get('errorcode')}: {payload.get('msg', '')}")
    data = payload.get("data", payload)
    if not isinstance(data, dict) or not data.get("id"):
        raise ValueError("fetchOpportunity response has no opportunity id")
    synopsis = data.get("synopsis") or {}
    agency = (data.get("agencyDetails") or synopsis.get("agencyDetails") or {}).get("agencyName") or ""
    hit = hit or {}
    listings = tuple(str(c.get("cfdaNumber")) for c in data.get("cfdas") or [] if c.get("cfdaNumber")) or _listings(hit)
    return Opportunity(
        source=SOURCE,
        opportunity_id=str(data["id"]),
        number=str(data.get("opportunityNumber") or hit.get("number") or ""),
        title=str(data.get("opportunityTitle") or hit.get("title") or ""),
        agency=str(agency or hit.get("agency") or hit.get("agencyName") or ""),
        agency_code=str(data.get("owningAgencyCode") or hit.get("agencyCode") or ""),
        status=str(hit.get("oppStatus") or data.get("docType") or ""),
        open_date=to_date(synopsis.get("postingDateStr")) or to_date(synopsis.get("postingDate")) or to_date(hit.get("openDate")),
        close_date=to_date(synopsis.get("responseDateStr")) or to_date(synopsis.get("responseDate")) or to_date(hit.get("closeDate")),
        assistance_listings=listings,
        award_ceiling=to_amount(synopsis.get("awardCeiling")),
        award_floor=to_amount(synopsis.get("awardFloor")),
        estimated_funding=to_amount(synopsis.get("estimatedFunding")),
        applicant_types=tuple(str(t.get("description", "")) for t in synopsis.get("applicantTypes") or []),
        eligibility=str(synopsis.get("applicantEligibilityDesc") or ""),
        description=_html_text(str(synopsis.get("synopsisDesc") or "")),
        url=fetched.url,
        fetched_at=fetched.fetched_at,
        sha256=fetched.sha256,
    )


class GrantsGov:
    """Searches Grants.gov for each configured keyword and listing and reads every hit's details."""

    def __init__(self, http: Any, *, base_url: str = BASE_URL, rows: int = 25, max_pages: int = 10,
                 statuses: str = ALL_STATUSES):
        self.http = http
        self.base_url = base_url.rstrip("/") + "/"
        self.rows = rows
        self.max_pages = max_pages
        self.statuses = statuses

    def harvest(self, keywords: Iterable[str] = (), listings: Iterable[str] = ()) -> Harvest:
        """Every opportunity found by any query, each read once; failures become FetchError records."""
        result = Harvest()
        hits: dict[str, tuple[dict, Fetched]] = {}
        queries = [("keyword", k) for k in keywords] + [("aln", a) for a in listings]
        for field, value in queries:
            self._search(field, value, hits, result.errors)
        for opp_id, (hit, search_response) in hits.items():
            try:
                fetched = self.http.post_json(self.base_url + "fetchOpportunity", {"opportunityId": int(opp_id)})
                result.records.append(parse_detail(fetched.json(), fetched, hit))
            except (FetchFailed, ValueError) as exc:
                result.errors.append(_error(f"opportunity {opp_id}", self.base_url + "fetchOpportunity", exc))
                result.records.append(opportunity_from_hit(hit, search_response))
        return result

    def _search(self, field: str, value: str, hits: dict, errors: list[FetchError]) -> None:
        url = self.base_url + "search2"
        start = 0
        for _ in range(self.max_pages):
            body = {field: value, "oppStatuses": self.statuses, "rows": self.rows, "startRecordNum": start}
            try:
                fetched = self.http.post_json(url, body)
                page, total = parse_search(fetched.json())
            except (FetchFailed, ValueError) as exc:
                errors.append(_error(f"search2 {field}={value} from {start}", url, exc))
                return
            new = [h for h in page if h.get("id") and str(h["id"]) not in hits]
            for hit in new:
                hits[str(hit["id"])] = (hit, fetched)
            start += len(page)
            if not new or start >= total:
                return


def _error(item: str, url: str, exc: Exception) -> FetchError:
    reason = exc.reason if isinstance(exc, FetchFailed) else str(exc)
    return FetchError(source=SOURCE, item=item, url=getattr(exc, "url", url), reason=reason, jurisdiction="US",
                      occurred_at=datetime.now(timezone.utc))
