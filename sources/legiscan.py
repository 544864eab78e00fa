"""Bills in any state through the LegiScan API (key required), skipping bills whose change_hash is already known."""

from __future__ import annotations

import base64
import binascii
import collections
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from urllib.parse import urlsplit

from sources.extract import SearchTerms, decode_bytes, html_to_text, normalize_bill_id, pdf_to_text
from sources.http import FetchFailed, HttpClient
from sources.links import official_url
from sources.records import Bill, BillVersion, FetchError, sha256_hex


def numbered_entries(container: Mapping) -> list[dict]:
    """LegiScan lists are objects keyed "0", "1", ... next to metadata keys such as "session" or "summary"."""
    return [value for key, value in container.items() if key.isdigit() and isinstance(value, dict)]


def session_name(session: Mapping) -> str:
    """"2025-2026" for regular sessions; special sessions keep LegiScan's own name."""
    start, end = session.get("year_start"), session.get("year_end")
    if session.get("special"):
        return str(session.get("session_name") or f"{start}-{end} special")
    return f"{start}-{end}" if start and end else str(session.get("session_name", ""))


def legiscan_date(value: str) -> date | None:
    """LegiScan writes unknown dates as "0000-00-00"."""
    try:
        return date.fromisoformat(value) if value and not value.startswith("0000") else None
    except ValueError:
        return None


def text_marker(entry: Mapping) -> str:
    """Sync-state key of one bill text, stored beside the bills' change hashes."""
    return f"doc:{entry.get('doc_id')}"


class LegiScanSource:
    """getSearch (terms) and getMasterList (tracked numbers) find bills; getBill and getBillText fetch their versions."""

    name = "legiscan"

    def __init__(self, client: HttpClient, api_key: str, terms: SearchTerms, *, sessions: Sequence[str] = (),
                 bills: Sequence[str] = (), known_change_hashes: Mapping[str, str] | None = None,
                 base_url: str = "https://api.legiscan.com/", year: int = 2, max_pages: int = 20):
        self.client = client
        self.api_key = api_key
        self.terms = terms
        self.sessions = tuple(sessions)
        self.tracked = {normalize_bill_id(b) for b in bills}
        self.known_change_hashes = dict(known_change_hashes or {})
        # LegiScan bill_id -> change_hash, and "doc:<doc_id>" -> text_hash, seen this run; persisted for the next
        self.change_hashes: dict[str, str] = {}
        self.base_url = base_url
        self.year = year
        self.max_pages = max_pages
        self.hosts = (urlsplit(base_url).hostname or "",)
        self.stats: collections.Counter = collections.Counter()
        self._texts: dict[tuple[str, str, str], list[dict]] = {}
        self._ids: dict[tuple[str, str, str], str] = {}

    def _call(self, operation: str, **params) -> dict:
        data = self.client.get(self.base_url, params={"key": self.api_key, "op": operation, **params}, expect="json").json()
        if not isinstance(data, dict) or data.get("status") != "OK":
            alert = data.get("alert", {}) if isinstance(data, dict) else {}
            message = alert.get("message", "no status") if isinstance(alert, dict) else str(alert)
            raise FetchFailed(self.base_url, f"LegiScan {operation} error: {message}")
        return data

    def search(self, jurisdiction: str) -> Iterator[Bill | FetchError]:
        """Changed bills that match the terms or are tracked by number; unchanged ones are counted and skipped."""
        code = jurisdiction.upper()
        candidates: dict[str, str] = {}
        for query in [f'"{p}"' for p in self.terms.phrases] + [" AND ".join(g) for g in self.terms.all_of]:
            yield from self._search_pages(code, query, candidates)
        if self.tracked:
            try:
                master = self._call("getMasterList", state=code)["masterlist"]
                for entry in numbered_entries(master):
                    if normalize_bill_id(str(entry.get("number", ""))) in self.tracked:
                        candidates[str(entry["bill_id"])] = str(entry.get("change_hash", ""))
            except (FetchFailed, KeyError, AttributeError) as exc:
                reason = exc.reason if isinstance(exc, FetchFailed) else f"unexpected response shape: {exc!r}"
                yield FetchError(self.name, f"{code} master list", self.base_url, reason, code)
        for bill_id, change_hash in candidates.items():
            self.change_hashes[bill_id] = change_hash
            if self.known_change_hashes.get(bill_id) == change_hash:
                self.stats["unchanged"] += 1
                continue
            found = self._get_bill(code, bill_id)
            if isinstance(found, Bill) and self.sessions and found.session not in self.sessions:
                self.stats["other_session"] += 1
                continue
            yield found

    def _search_pages(self, code: str, query: str, candidates: dict[str, str]) -> Iterator[FetchError]:
        page, last_page = 1, 1
        while page <= min(last_page, self.max_pages):
            try:
                result = self._call("getSearch", state=code, query=query, year=self.year, page=page)["searchresult"]
                last_page = int(result.get("summary", {}).get("page_total", page))
                for entry in numbered_entries(result):
                    candidates[str(entry["bill_id"])] = str(entry.get("change_hash", ""))
            except (FetchFailed, KeyError, AttributeError, ValueError) as exc:
                reason = exc.reason if isinstance(exc, FetchFailed) else f"unexpected response shape: {exc!r}"
                yield FetchError(self.name, f"{code} search {query} page {page}", self.base_url, reason, code)
                return
            page += 1

    def _get_bill(self, code: str, legiscan_id: str) -> Bill | FetchError:
        try:
            record = self._call("getBill", id=legiscan_id)["bill"]
            bill = Bill(code, session_name(record.get("session", {})), normalize_bill_id(str(record["bill_number"])),
                        str(record.get("title", "")), str(record.get("state_link") or record.get("url", "")), self.name)
        except (FetchFailed, KeyError, AttributeError) as exc:
            self.change_hashes.pop(legiscan_id, None)  # not stored, so the next run retries it
            reason = exc.reason if isinstance(exc, FetchFailed) else f"unexpected response shape: {exc!r}"
            return FetchError(self.name, f"{code} LegiScan bill {legiscan_id}", self.base_url, reason, code)
        self._ids[(code, bill.session, bill.bill_id)] = legiscan_id
        self._texts[(code, bill.session, bill.bill_id)] = list(record.get("texts") or [])
        self.stats["bills"] += 1
        return bill

    def versions(self, bill: Bill) -> Iterator[BillVersion | FetchError]:
        """Each text of the bill in document order; a doc_id already stored with the same text_hash is not downloaded."""
        texts = self._texts.get((bill.jurisdiction, bill.session, bill.bill_id), [])
        for entry in sorted(texts, key=lambda t: int(t.get("doc_id", 0))):
            marker, text_hash = text_marker(entry), str(entry.get("text_hash") or "")
            if text_hash and self.known_change_hashes.get(marker) == text_hash:
                self.change_hashes[marker] = text_hash
                self.stats["unchanged_texts"] += 1
                continue
            version = self._version(bill, entry)
            if isinstance(version, BillVersion) and text_hash:
                self.change_hashes[marker] = text_hash
            yield version

    def _version(self, bill: Bill, entry: dict) -> BillVersion | FetchError:
        label = str(entry.get("type") or "text")
        url = official_url(str(entry.get("state_link") or entry.get("url") or ""))
        item = f"{bill.jurisdiction} {bill.session} {bill.bill_id} {label} (doc {entry.get('doc_id')})"
        try:
            document = self._call("getBillText", id=entry.get("doc_id"))["text"]
            body = base64.b64decode(document["doc"], validate=True)
            mime = str(document.get("mime") or entry.get("mime") or "")
            if "pdf" in mime:
                text, markup, fmt = *pdf_to_text(body, url), "pdf"
            elif "html" in mime:
                text, markup, fmt = *html_to_text(body), "html"
            else:
                text, markup, fmt = decode_bytes(body), (), "text"
        except (binascii.Error, ValueError) as exc:
            return self._failed(item, url, f"malformed base64 document: {exc}", bill)
        except (KeyError, TypeError) as exc:
            return self._failed(item, url, f"unexpected response shape: {exc!r}", bill)
        except FetchFailed as exc:
            return self._failed(item, url, exc.reason, bill)
        self.stats["versions"] += 1
        self.stats["full_downloads"] += 1
        return BillVersion(bill.jurisdiction, bill.session, bill.bill_id, label, legiscan_date(str(entry.get("date", ""))),
                           url, self.name, text, markup, fmt, sha256_hex(body))

    def _failed(self, item: str, url: str, reason: str, bill: Bill) -> FetchError:
        """Record the failure and forget the bill's change_hash so the next run fetches it again."""
        self.stats["errors"] += 1
        self.change_hashes.pop(self._ids.get((bill.jurisdiction, bill.session, bill.bill_id), ""), None)
        return FetchError(self.name, item, url, reason, bill.jurisdiction)
