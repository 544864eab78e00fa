"""California bills from the Legislative Counsel's keyless pubinfo dump, which holds every version's CAML XML."""

from __future__ import annotations

import collections
import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from sources.download import download_to_disk
from sources.extract import SearchTerms, element_to_text, normalize_bill_id
from sources.http import FetchFailed, HttpClient
from sources.records import Bill, BillVersion, FetchError, sha256_hex

VERSION_COLUMNS = (
    "BILL_VERSION_ID", "BILL_ID", "VERSION_NUM", "BILL_VERSION_ACTION_DATE", "BILL_VERSION_ACTION", "REQUEST_NUM",
    "SUBJECT", "VOTE_REQUIRED", "APPROPRIATION", "FISCAL_COMMITTEE", "LOCAL_PROGRAM", "SUBSTANTIVE_CHANGES",
    "URGENCY", "TAXLEVY", "BILL_XML", "ACTIVE_FLG", "TRANS_UID", "TRANS_UPDATE",
)
BILL_ID_PATTERN = re.compile(r"^(\d{4})(\d{4})(\d)([A-Z]+)(\d+)$")
DAILY_ARCHIVE = re.compile(r"pubinfo_daily_\w+\.zip$", re.IGNORECASE)
METADATA_ELEMENTS = frozenset(
    {"Id", "VersionNum", "History", "LegislativeInfo", "Authors", "RelatingClause", "GeneralSubject",
     "DigestKey", "MeasureIndicators"}
)
LEGINFO = "https://leginfo.legislature.ca.gov/faces"


def read_dat(data: bytes, columns: Sequence[str]) -> Iterator[dict[str, str | None]]:
    """Rows of a pubinfo .dat file: tab-separated, backtick-quoted, NULL for missing values."""
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace")), delimiter="\t", quotechar="`")
    for values in reader:
        if values:
            yield {name: (None if value == "NULL" else value) for name, value in zip(columns, values)}


def session_label(bill_id: str) -> str:
    """"202520261SB2" -> "2025-2026 1st Extraordinary Session"; regular sessions are just the years."""
    match = BILL_ID_PATTERN.match(bill_id)
    if not match:
        return ""
    years = f"{match.group(1)}-{match.group(2)}"
    number = int(match.group(3))
    if number == 0:
        return years
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number, "th")
    return f"{years} {number}{suffix} Extraordinary Session"


def caml_to_text(root: etree._Element) -> tuple[str, tuple]:
    """Text of a CAML bill version (title, digest, bill sections) without its bookkeeping metadata."""
    for element in list(root.iter()):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.rsplit("}", 1)[-1] in METADATA_ELEMENTS and element.getparent() is not None:
            element.getparent().remove(element)
    return element_to_text(root)


@dataclass(frozen=True)
class _VersionRow:
    version_id: str
    bill_id: str
    version_num: int
    action_date: date | None
    action: str
    subject: str
    lob_name: str


class CaliforniaSource:
    """Reads the newest pubinfo archive from disk once per run and serves every version of matching bills from it."""

    name = "california"

    def __init__(self, client: HttpClient, terms: SearchTerms, *, sessions: Sequence[str] = (),
                 bills: Sequence[str] = (), base_url: str = "https://downloads.leginfo.legislature.ca.gov",
                 archive: str = "", max_archive_bytes: int = 1_500_000_000):
        self.client = client
        self.terms = terms
        self.sessions = tuple(sessions)
        self.tracked = {normalize_bill_id(b) for b in bills}
        self.base_url = base_url.rstrip("/")
        self.archive = archive
        self.max_archive_bytes = max_archive_bytes
        self.hosts = (urlsplit(self.base_url).hostname or "",)
        self.stats: collections.Counter = collections.Counter()
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._archive_url = ""
        self._rows: dict[tuple[str, str, str], list[_VersionRow]] = {}

    def _archive_name(self) -> str:
        if self.archive:
            return self.archive
        listing = self.client.get(f"{self.base_url}/", expect="html")
        newest: tuple[datetime, str] | None = None
        for row in lxml.html.fromstring(listing.body).iter("tr"):
            cells = row.findall("td")
            links = [a.get("href", "") for cell in cells for a in cell.iter("a")]
            names = [link for link in links if DAILY_ARCHIVE.search(link)]
            stamps = [_parse_stamp(cell.text_content()) for cell in cells]
            stamp = next((s for s in stamps if s), None)
            if names and stamp and (newest is None or stamp > newest[0]):
                newest = (stamp, names[0].rsplit("/", 1)[-1])
        if newest is None:
            raise FetchFailed(listing.url, "no pubinfo_daily archive in the download listing")
        return newest[1]

    def _load(self) -> zipfile.ZipFile:
        """Download the archive to disk (revalidated, not re-downloaded when unchanged) and index its members once."""
        if self._zip is None:
            self._archive_url = f"{self.base_url}/{self._archive_name()}"
            downloaded = download_to_disk(self.client, self._archive_url, max_bytes=self.max_archive_bytes,
                                          slot=f"{self.base_url}/pubinfo archive")
            self.stats["full_downloads"] += not downloaded.from_cache
            try:
                self._zip = zipfile.ZipFile(downloaded.path)
            except zipfile.BadZipFile as exc:
                raise FetchFailed(downloaded.url, "not a zip archive") from exc
            self._members = {PurePosixPath(info.filename).name.lower(): info for info in self._zip.infolist()}
        return self._zip

    def _member(self, archive: zipfile.ZipFile, basename: str) -> bytes:
        info = self._members.get(basename.lower())
        if info is None:
            raise FetchFailed(self._archive_url, f"{basename} missing from archive")
        return archive.read(info)

    def search(self, jurisdiction: str) -> Iterator[Bill | FetchError]:
        """Bills whose subject or any version's text matches the tracking terms (or that are tracked by number)."""
        if jurisdiction.upper() != "CA":
            return
        try:
            archive = self._load()
            table = self._member(archive, "BILL_VERSION_TBL.dat")
        except (FetchFailed, zipfile.BadZipFile) as exc:
            reason = exc.reason if isinstance(exc, FetchFailed) else f"unreadable archive: {exc}"
            yield FetchError(self.name, "CA pubinfo archive", self._archive_url or self.base_url, reason, "CA")
            return
        rows = []
        for raw in read_dat(table, VERSION_COLUMNS):
            try:
                rows.append(_version_row(raw))
            except ValueError as exc:
                item = f"CA BILL_VERSION_TBL row {raw.get('BILL_VERSION_ID')}"
                yield FetchError(self.name, item, self._archive_url, f"bad row: {exc}", "CA")
        by_bill: dict[str, list[_VersionRow]] = collections.defaultdict(list)
        for row in rows:
            if row.bill_id and session_label(row.bill_id):
                by_bill[row.bill_id].append(row)
        for bill_id, versions in sorted(by_bill.items()):
            session = session_label(bill_id)
            match = BILL_ID_PATTERN.match(bill_id)
            number = normalize_bill_id(f"{match.group(4)}{match.group(5)}")
            if self.sessions and not any(session.startswith(s) for s in self.sessions):
                continue
            if number not in self.tracked and not self._matches(archive, versions):
                continue
            versions.sort(key=lambda r: (r.action_date or date.min, -r.version_num))
            self._rows[("CA", session, number)] = versions
            self.stats["bills"] += 1
            yield Bill("CA", session, number, versions[-1].subject, f"{LEGINFO}/billNavClient.xhtml?bill_id={bill_id}", self.name)

    def _matches(self, archive: zipfile.ZipFile, versions: list[_VersionRow]) -> bool:
        if any(self.terms.matches(row.subject) for row in versions):
            return True
        for row in versions:
            try:
                if row.lob_name and self.terms.matches(self._member(archive, row.lob_name).decode("utf-8", "replace")):
                    return True
            except FetchFailed:
                continue
        return False

    def versions(self, bill: Bill) -> Iterator[BillVersion | FetchError]:
        """Every version of a bill found by search, oldest first, with amendment markup from the CAML."""
        for row in self._rows.get((bill.jurisdiction, bill.session, bill.bill_id), []):
            url = f"{LEGINFO}/billPdf.xhtml?bill_id={row.bill_id}&version={row.version_id}"
            item = f"CA {bill.session} {bill.bill_id} {row.action} ({row.version_id})"
            try:
                if not row.lob_name:
                    raise FetchFailed(url, "version has no bill XML in the archive")
                body = self._member(self._load(), row.lob_name)
                text, markup = caml_to_text(_parse_xml(body, url))
            except FetchFailed as exc:
                self.stats["errors"] += 1
                yield FetchError(self.name, item, url, exc.reason, "CA")
                continue
            self.stats["versions"] += 1
            yield BillVersion("CA", bill.session, bill.bill_id, row.action, row.action_date, url, self.name,
                              text, markup, "xml", sha256_hex(body))


def _parse_xml(body: bytes, url: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FetchFailed(url, f"malformed XML: {exc}") from exc


def _parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        return None


def _version_row(raw: dict[str, str | None]) -> _VersionRow:
    stamp = raw.get("BILL_VERSION_ACTION_DATE") or ""
    return _VersionRow(
        version_id=raw.get("BILL_VERSION_ID") or "",
        bill_id=raw.get("BILL_ID") or "",
        version_num=int(raw.get("VERSION_NUM") or 0),
        action_date=date.fromisoformat(stamp[:10]) if stamp[:10] else None,
        action=raw.get("BILL_VERSION_ACTION") or "",
        subject=raw.get("SUBJECT") or "",
        lob_name=(raw.get("BILL_XML") or "").strip(),
    )
