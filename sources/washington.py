"""Washington bills from the Legislature's keyless XML web services, with each version's text from lawfilesext."""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator, Sequence
from datetime import date
from urllib.parse import quote, urlsplit, urlunsplit

from lxml import etree

from sources.extract import SearchTerms, html_to_text, normalize_bill_id, pdf_to_text
from sources.http import FetchFailed, HttpClient
from sources.records import Bill, BillVersion, FetchError

DESCRIPTION_FIELDS = ("ShortDescription", "LongDescription", "LegalTitle")


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _field(element: etree._Element, name: str) -> str:
    found = _children(element, name)
    return (found[0].text or "").strip() if found else ""


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def biennium_session(biennium: str) -> str:
    """"2025-26" -> "2025-2026", the session spelling the other sources use."""
    match = re.match(r"^(\d{4})-(\d{2})$", biennium)
    return f"{match.group(1)}-{match.group(1)[:2]}{match.group(2)}" if match else biennium


def encode_document_url(url: str) -> str:
    """The services return lawfilesext URLs with raw spaces; percent-encode the path."""
    parts = urlsplit(url.strip())
    return urlunsplit(parts._replace(path=quote(parts.path, safe="/%")))


class WashingtonSource:
    """Searches bill descriptions per biennium and fetches every document of the Bills class for a match."""

    name = "washington"

    def __init__(self, client: HttpClient, terms: SearchTerms, *, sessions: Sequence[str] = ("2025-26",),
                 bills: Sequence[str] = (), base_url: str = "https://wslwebservices.leg.wa.gov"):
        self.client = client
        self.terms = terms
        self.bienniums = tuple(sessions)
        self.tracked = {normalize_bill_id(b) for b in bills}
        self.base_url = base_url.rstrip("/")
        self.hosts = (urlsplit(self.base_url).hostname or "",)
        self.stats: collections.Counter = collections.Counter()
        self._biennium_of: dict[tuple[str, str], str] = {}

    def _service(self, path: str, **params: str) -> etree._Element:
        return self.client.get(f"{self.base_url}/{path}", params=params, expect="xml").xml()

    def search(self, jurisdiction: str) -> Iterator[Bill | FetchError]:
        """Bills whose short or long description or legal title matches, plus bills tracked by number."""
        if jurisdiction.upper() != "WA":
            return
        for biennium in self.bienniums:
            since = f"{biennium[:4]}-01-01"
            try:
                root = self._service("LegislationService.asmx/GetLegislationIntroducedSince", sinceDate=since)
            except FetchFailed as exc:
                yield FetchError(self.name, f"WA {biennium} legislation list", exc.url, exc.reason, "WA")
            else:
                yield from self._matching_bills(root, biennium)
            for number in sorted(self.tracked):
                yield from self._tracked_bill(biennium, number)

    def _matching_bills(self, root: etree._Element, biennium: str) -> Iterator[Bill]:
        """Only this biennium's elements, grouped by bill number: the "since" query also returns later bienniums."""
        grouped: dict[str, list[etree._Element]] = collections.defaultdict(list)
        for legislation in root:
            if not isinstance(legislation.tag, str) or not _field(legislation, "BillNumber"):
                continue
            if (_field(legislation, "Biennium") or biennium) == biennium:
                grouped[_field(legislation, "BillNumber")].append(legislation)
        for number, elements in grouped.items():
            text = " ".join(_field(e, name) for e in elements for name in DESCRIPTION_FIELDS)
            bill = self._bill(biennium, elements)
            if bill and bill.bill_id not in self.tracked and self.terms.matches(text):
                yield bill

    def _tracked_bill(self, biennium: str, bill_id: str) -> Iterator[Bill | FetchError]:
        number = bill_id.split()[-1]
        try:
            root = self._service("LegislationService.asmx/GetLegislation", biennium=biennium, billNumber=number)
        except FetchFailed as exc:
            yield FetchError(self.name, f"WA {biennium} {bill_id}", exc.url, exc.reason, "WA")
            return
        bill = self._bill(biennium, [e for e in root if isinstance(e.tag, str)
                                     and (_field(e, "Biennium") or biennium) == biennium])
        if bill:
            yield bill

    def _bill(self, biennium: str, elements: list[etree._Element]) -> Bill | None:
        if not elements:
            return None
        original = next((e for e in elements if _field(e, "SubstituteVersion") in ("", "0")
                         and _field(e, "EngrossedVersion") in ("", "0")), elements[0])
        bill_id = normalize_bill_id(_field(original, "BillId"))
        number = _field(original, "BillNumber")
        session = biennium_session(biennium)
        title = _field(original, "LongDescription") or _field(original, "ShortDescription")
        url = f"https://app.leg.wa.gov/billsummary?BillNumber={number}&Year={biennium[:4]}&Initiative=false"
        self._biennium_of[(session, bill_id)] = biennium
        self.stats["bills"] += 1
        return Bill("WA", session, bill_id, title, url, self.name)

    def versions(self, bill: Bill) -> Iterator[BillVersion | FetchError]:
        """Each document of the bill (original, substitutes, engrossed, passed legislature, session law)."""
        biennium = self._biennium_of.get((bill.session, bill.bill_id), _biennium_from_session(bill.session))
        number = bill.bill_id.split()[-1]
        try:
            root = self._service("LegislativeDocumentService.asmx/GetDocumentsByClass",
                                 biennium=biennium, documentClass="Bills", namedLike=number)
        except FetchFailed as exc:
            yield FetchError(self.name, f"WA {bill.session} {bill.bill_id} document list", exc.url, exc.reason, "WA")
            return
        own = re.compile(rf"^{re.escape(number)}(?:[-.\s]|$)")
        documents = [d for d in root if isinstance(d.tag, str) and own.match(_field(d, "Name"))]
        documents.sort(key=lambda d: (_field(d, "HtmCreateDate") or _field(d, "PdfCreateDate"), _field(d, "Name")))
        for document in documents:
            yield self._version(bill, document)

    def _version(self, bill: Bill, document: etree._Element) -> BillVersion | FetchError:
        label = _field(document, "LongFriendlyName") or _field(document, "ShortFriendlyName") or _field(document, "Name")
        htm, pdf = _field(document, "HtmUrl"), _field(document, "PdfUrl")
        url = encode_document_url(htm or pdf)
        item = f"WA {bill.session} {bill.bill_id} {label}"
        try:
            if not url:
                raise FetchFailed("", "document has no HTM or PDF link")
            fetched = self.client.get(url, expect="html" if htm else "pdf")
            text, markup = html_to_text(fetched.body) if htm else pdf_to_text(fetched.body, fetched.url)
        except FetchFailed as exc:
            self.stats["errors"] += 1
            return FetchError(self.name, item, exc.url or url, exc.reason, "WA")
        self.stats["versions"] += 1
        self.stats["full_downloads"] += not fetched.from_cache
        created = _date(_field(document, "HtmCreateDate") or _field(document, "PdfCreateDate"))
        return BillVersion("WA", bill.session, bill.bill_id, label, created, fetched.url, self.name,
                           text, markup, "html" if htm else "pdf", fetched.sha256)


def _biennium_from_session(session: str) -> str:
    match = re.match(r"^(\d{4})-\d{2}(\d{2})$", session)
    return f"{match.group(1)}-{match.group(2)}" if match else session
