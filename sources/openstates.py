"""Bills in any state through the Open States v3 API (key required), with every listed version's text."""

from __future__ import annotations

import collections
from collections.abc import Iterator, Sequence
from datetime import date
from urllib.parse import quote, urlsplit

from sources.extract import SearchTerms, html_to_text, normalize_bill_id, pdf_to_text
from sources.http import FetchFailed, HttpClient, sniff_type
from sources.links import official_url
from sources.records import Bill, BillVersion, FetchError

LINK_PREFERENCE = ("text/html", "application/pdf")
MAX_PER_PAGE = 20


def fuzzy_date(value: str) -> date | None:
    """Open States dates are "YYYY", "YYYY-MM", "YYYY-MM-DD" or ""; only a full date becomes a date."""
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None


def remote_queries(terms: SearchTerms) -> list[str]:
    """Phrases quoted for websearch-style engines; word groups left as AND-ed words."""
    return [f'"{phrase}"' for phrase in terms.phrases] + [" ".join(group) for group in terms.all_of]


class OpenStatesSource:
    """Full-text search per jurisdiction (optionally only bills updated since a date), then each version's document."""

    name = "openstates"

    def __init__(self, client: HttpClient, api_key: str, terms: SearchTerms, *, sessions: Sequence[str] = (),
                 updated_since: str | None = None, base_url: str = "https://v3.openstates.org", max_pages: int = 25):
        self.client = client
        self.headers = {"X-API-KEY": api_key}
        self.terms = terms
        self.sessions = tuple(sessions)
        self.updated_since = updated_since
        self.base_url = base_url.rstrip("/")
        self.max_pages = max_pages
        self.hosts = (urlsplit(self.base_url).hostname or "",)
        self.stats: collections.Counter = collections.Counter()
        self._versions: dict[tuple[str, str, str], list[dict]] = {}

    def search(self, jurisdiction: str) -> Iterator[Bill | FetchError]:
        """Every bill matching any tracking query, each once, with its version list remembered for versions()."""
        seen: set[tuple[str, str, str]] = set()
        for query in remote_queries(self.terms):
            for session in self.sessions or (None,):
                for record in self._pages(jurisdiction, query, session):
                    if isinstance(record, FetchError):
                        yield record
                        continue
                    bill = self._bill(jurisdiction, record)
                    key = (bill.jurisdiction, bill.session, bill.bill_id)
                    if key not in seen:
                        seen.add(key)
                        self.stats["bills"] += 1
                        yield bill

    def _pages(self, jurisdiction: str, query: str, session: str | None) -> Iterator[dict | FetchError]:
        params = {"jurisdiction": jurisdiction.lower(), "q": query, "include": "versions", "sort": "updated_asc",
                  "per_page": MAX_PER_PAGE}
        if session:
            params["session"] = session
        if self.updated_since:
            params["updated_since"] = self.updated_since
        page, last_page = 1, 1
        while page <= min(last_page, self.max_pages):
            try:
                data = self.client.get(f"{self.base_url}/bills", params={**params, "page": page},
                                       headers=self.headers, expect="json").json()
                results = data["results"]
                last_page = int(data.get("pagination", {}).get("max_page", page))
            except FetchFailed as exc:
                yield FetchError(self.name, f"{jurisdiction.upper()} search {query} page {page}", exc.url, exc.reason,
                                 jurisdiction.upper())
                return
            except (KeyError, TypeError, ValueError) as exc:
                yield FetchError(self.name, f"{jurisdiction.upper()} search {query} page {page}", f"{self.base_url}/bills",
                                 f"unexpected response shape: {exc!r}", jurisdiction.upper())
                return
            yield from results
            page += 1

    def _bill(self, jurisdiction: str, record: dict) -> Bill:
        code = jurisdiction.upper()
        bill = Bill(code, str(record.get("session", "")), normalize_bill_id(str(record.get("identifier", ""))),
                    str(record.get("title", "")), str(record.get("openstates_url", "")), self.name)
        if "versions" in record:
            self._versions[(code, bill.session, bill.bill_id)] = list(record["versions"])
        return bill

    def versions(self, bill: Bill) -> Iterator[BillVersion | FetchError]:
        """Every listed version, HTML link before PDF; with `updated_since`, bills the search skipped are unchanged."""
        key = (bill.jurisdiction, bill.session, bill.bill_id)
        if key not in self._versions and self.updated_since:
            self.stats["not_updated"] += 1  # outside the updated_since window: nothing changed upstream
            return
        if key not in self._versions:
            detail = f"{self.base_url}/bills/{bill.jurisdiction.lower()}/{quote(bill.session)}/{quote(bill.bill_id)}"
            try:
                record = self.client.get(detail, params={"include": "versions"}, headers=self.headers, expect="json").json()
                self._versions[key] = list(record.get("versions", []))
            except (FetchFailed, AttributeError) as exc:
                reason = exc.reason if isinstance(exc, FetchFailed) else "unexpected response shape"
                yield FetchError(self.name, f"{bill.jurisdiction} {bill.session} {bill.bill_id} versions", detail, reason,
                                 bill.jurisdiction)
                return
        for version in self._versions[key]:  # API order; dates are often blank or partial, so not sortable
            yield self._version(bill, version)

    def _version(self, bill: Bill, version: dict) -> BillVersion | FetchError:
        label = str(version.get("note") or "version")
        links = sorted(version.get("links") or [], key=lambda link: _rank(link.get("media_type", "")))
        item = f"{bill.jurisdiction} {bill.session} {bill.bill_id} {label}"
        failures: list[FetchFailed] = []
        for link in links:
            url = official_url(str(link.get("url", "")))
            try:
                fetched = self.client.get(url)
                found = sniff_type(fetched.body, fetched.content_type)
                wanted = "pdf" if "pdf" in link.get("media_type", "") else found
                text, markup = pdf_to_text(fetched.body, fetched.url) if wanted == "pdf" else html_to_text(fetched.body)
            except FetchFailed as exc:
                failures.append(exc)
                continue
            self.stats["versions"] += 1
            self.stats["full_downloads"] += not fetched.from_cache
            return BillVersion(bill.jurisdiction, bill.session, bill.bill_id, label,
                               fuzzy_date(str(version.get("date") or "")), url, self.name, text, markup,
                               "pdf" if wanted == "pdf" else "html", fetched.sha256)
        self.stats["errors"] += 1
        if not failures:
            return FetchError(self.name, item, "", "version has no document link", bill.jurisdiction)
        reasons = "; ".join(exc.reason for exc in failures)
        return FetchError(self.name, item, failures[0].url, reasons, bill.jurisdiction)


def _rank(media_type: str) -> int:
    return LINK_PREFERENCE.index(media_type) if media_type in LINK_PREFERENCE else len(LINK_PREFERENCE)
