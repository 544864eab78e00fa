"""Federal Register connector: notices whose `action` says they offer funding, since the API has no NOFO type."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sources.funding_records import Harvest, Opportunity
from sources.funding_values import to_date
from sources.http import FetchFailed, Fetched
from sources.records import FetchError

SOURCE = "federalregister"
BASE_URL = "https://www.federalregister.gov/api/v1/"
FIELDS = ("document_number", "title", "type", "action", "abstract", "agencies", "agency_names", "html_url",
          "publication_date", "dates", "docket_ids", "citation", "json_url")
FUNDING_ACTION = re.compile(
    r"notice of funding (opportunity|availability)|\bNOFOs?\b|\bNOFA\b|funding opportunity|solicitation of applications|"
    r"request for (grant )?applications|inviting applications",
    re.IGNORECASE,
)
_DEADLINE = re.compile(
    r"(January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},\s+\d{4}"
)


def is_funding_notice(document: dict) -> bool:
    """True for notices that announce money: the `action` line (or, lacking one, the title) names a funding offer."""
    action = str(document.get("action") or "")
    return bool(FUNDING_ACTION.search(action or str(document.get("title") or "")))


def parse_documents(payload: dict) -> tuple[list[dict], str | None]:
    """The results of one documents.json page and the next page's URL; ValueError when the shape is wrong."""
    results = payload.get("results")
    if results is None and payload.get("count") == 0:
        return [], None
    if not isinstance(results, list):
        raise ValueError("documents response has no results list")
    return results, payload.get("next_page_url")


def opportunity_from_document(document: dict, fetched: Fetched) -> Opportunity:
    """A funding notice as an opportunity; the closing date is the first date its DATES paragraph names."""
    agencies = document.get("agencies") or []
    named = [a.get("name") or a.get("raw_name") or "" for a in agencies] or list(document.get("agency_names") or [])
    slugs = [a.get("slug") or "" for a in agencies]
    deadline = _DEADLINE.search(str(document.get("dates") or ""))
    return Opportunity(
        source=SOURCE,
        opportunity_id=str(document.get("document_number", "")),
        number=str(document.get("citation") or document.get("document_number") or ""),
        title=str(document.get("title") or ""),
        agency=" / ".join(n for n in named if n),
        agency_code=slugs[-1] if slugs else "",
        status="published",
        open_date=to_date(document.get("publication_date")),
        close_date=to_date(deadline.group(0)) if deadline else None,
        assistance_listings=tuple(re.findall(r"\b\d{2}\.\d{3}\b", str(document.get("abstract") or ""))),
        award_ceiling=None,
        award_floor=None,
        estimated_funding=None,
        applicant_types=(),
        eligibility="",
        description=str(document.get("abstract") or ""),
        url=str(document.get("html_url") or fetched.url),
        fetched_at=fetched.fetched_at,
        sha256=fetched.sha256,
    )


class FederalRegister:
    """Searches notices by term (optionally by agency and date) and keeps those that offer funding."""

    def __init__(self, http: Any, *, base_url: str = BASE_URL, per_page: int = 100, max_pages: int = 5,
                 since: str = "2016-01-01", agencies: Iterable[str] = ()):
        self.http = http
        self.base_url = base_url.rstrip("/") + "/"
        self.per_page = per_page
        self.max_pages = max_pages
        self.since = since
        self.agencies = tuple(agencies)

    def harvest(self, terms: Iterable[str]) -> Harvest:
        """Funding notices matching any term, each kept once; failed pages become FetchError records."""
        result = Harvest()
        seen: set[str] = set()
        for term in terms:
            url: str | None = self.base_url + "documents.json"
            params: list[tuple[str, str]] | None = self._params(term)
            for _ in range(self.max_pages):
                if url is None:
                    break
                try:
                    fetched = self.http.get(url, params=params, expect="json")
                    documents, url = parse_documents(fetched.json())
                except (FetchFailed, ValueError) as exc:
                    result.errors.append(_error(f"documents term={term}", url, exc))
                    break
                params = None  # the next page URL already carries every condition
                fresh = [d for d in documents if d.get("document_number") and str(d["document_number"]) not in seen]
                seen.update(str(d["document_number"]) for d in fresh)
                result.records += [opportunity_from_document(d, fetched) for d in fresh if is_funding_notice(d)]
                if not fresh:
                    break
        return result

    def _params(self, term: str) -> list[tuple[str, str]]:
        params = [("conditions[term]", term), ("conditions[type][]", "NOTICE"),
                  ("conditions[publication_date][gte]", self.since), ("order", "newest"),
                  ("per_page", str(self.per_page))]
        params += [("conditions[agencies][]", slug) for slug in self.agencies]
        params += [("fields[]", name) for name in FIELDS]
        return params


def _error(item: str, url: str | None, exc: Exception) -> FetchError:
    reason = exc.reason if isinstance(exc, FetchFailed) else str(exc)
    return FetchError(source=SOURCE, item=item, url=getattr(exc, "url", url or ""), reason=reason, jurisdiction="US",
                      occurred_at=datetime.now(timezone.utc))
