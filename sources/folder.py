"""Bill source over a folder of documents with hand-written metadata sidecars, for offline demos and states without an API."""

from __future__ import annotations

import collections
import tomllib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sources.extract import document_to_text, normalize_bill_id
from sources.http import FetchFailed
from sources.records import Bill, BillVersion, FetchError, RawPayload, sha256_hex

SIDECAR_SUFFIX = ".meta.toml"
FORMATS = {".txt": "text", ".html": "html", ".htm": "html", ".pdf": "pdf", ".xml": "xml"}
REQUIRED_FIELDS = ("jurisdiction", "session", "bill_id", "version_label")


@dataclass(frozen=True)
class FolderDocument:
    """One document file and what its sidecar says about it."""

    path: Path
    jurisdiction: str
    session: str
    bill_id: str
    title: str
    version_label: str
    version_date: date | None
    url: str
    sequence: int = 0
    complete: bool | None = None

    @property
    def bill_key(self) -> tuple[str, str, str]:
        return (self.jurisdiction, self.session, self.bill_id)


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip())
    return None


def _as_sequence(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"sequence must be an integer, got {value!r}")
    return value


def _as_complete(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"complete must be true or false, got {value!r}")


def read_sidecar(sidecar: Path) -> FolderDocument:
    """Parse one `<document>.meta.toml`; raises ValueError naming what is wrong."""
    document = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])
    try:
        meta = tomllib.loads(sidecar.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"unreadable metadata: {exc}") from exc
    missing = [name for name in REQUIRED_FIELDS if not str(meta.get(name, "")).strip()]
    if missing:
        raise ValueError(f"metadata missing {', '.join(missing)}")
    if not document.is_file():
        raise ValueError(f"document file missing: {document.name}")
    if document.suffix.lower() not in FORMATS:
        raise ValueError(f"unsupported document type: {document.suffix}")
    try:
        version_date = _as_date(meta.get("version_date"))
    except ValueError as exc:
        raise ValueError(f"bad version_date: {meta.get('version_date')!r}") from exc
    sequence = _as_sequence(meta.get("sequence", 0))
    complete = _as_complete(meta.get("complete"))
    return FolderDocument(
        path=document,
        jurisdiction=str(meta["jurisdiction"]).strip().upper(),
        session=str(meta["session"]).strip(),
        bill_id=normalize_bill_id(str(meta["bill_id"])),
        title=str(meta.get("title", "")).strip(),
        version_label=str(meta["version_label"]).strip(),
        version_date=version_date,
        url=str(meta.get("url", "")).strip() or document.resolve().as_uri(),
        sequence=sequence,
        complete=complete,
    )


class FolderSource:
    """Reads every sidecar under `root`; a bill is a unique (jurisdiction, session, bill_id)."""

    name = "folder"

    def __init__(self, root: Path, known_hashes: Collection[str] = ()):
        self.root = Path(root)
        self.known_hashes = frozenset(known_hashes)
        self.stats: collections.Counter = collections.Counter()
        self._payloads: list[RawPayload] = []
        self._documents: list[FolderDocument] | None = None
        self._problems: list[FetchError] = []
        self._reported_loose_problems = False

    def jurisdictions(self) -> list[str]:
        """Jurisdictions present in the folder, so folder mode covers whatever the user put there."""
        documents = self._scan()
        return sorted({doc.jurisdiction for doc in documents} | {p.jurisdiction for p in self._problems if p.jurisdiction})

    def _scan(self) -> list[FolderDocument]:
        if self._documents is None:
            self._documents = []
            for sidecar in sorted(self.root.rglob(f"*{SIDECAR_SUFFIX}")):
                try:
                    self._documents.append(read_sidecar(sidecar))
                except ValueError as exc:
                    jurisdiction = sidecar.relative_to(self.root).parts[0].upper() if sidecar.parent != self.root else ""
                    self._problems.append(
                        FetchError(self.name, str(sidecar.relative_to(self.root)), sidecar.resolve().as_uri(), str(exc), jurisdiction)
                    )
        return self._documents

    def search(self, jurisdiction: str) -> Iterator[Bill | FetchError]:
        """Every bill with a document in the folder for this jurisdiction (the folder is the tracked set)."""
        documents = self._scan()
        wanted = jurisdiction.upper()
        yield from (problem for problem in self._problems if problem.jurisdiction == wanted)
        if not self._reported_loose_problems:  # sidecars outside a state folder are reported once
            self._reported_loose_problems = True
            yield from (problem for problem in self._problems if not problem.jurisdiction)
        seen: dict[tuple[str, str, str], Bill] = {}
        for doc in documents:
            if doc.jurisdiction != wanted:
                continue
            known = seen.get(doc.bill_key)
            if known is None or (not known.title and doc.title):
                seen[doc.bill_key] = Bill(doc.jurisdiction, doc.session, doc.bill_id, doc.title, doc.url, self.name)
        yield from seen.values()

    def versions(self, bill: Bill) -> Iterator[BillVersion | FetchError]:
        """Each document of the bill in legislative order (sidecar `sequence`, then date); known hashes are skipped."""
        documents = [doc for doc in self._scan() if doc.bill_key == (bill.jurisdiction, bill.session, bill.bill_id)]
        documents.sort(key=lambda doc: (doc.sequence, doc.version_date or date.max, doc.path.name))
        for doc in documents:
            item = f"{doc.jurisdiction} {doc.session} {doc.bill_id} {doc.version_label}"
            try:
                body = doc.path.read_bytes()
            except OSError as exc:
                self.stats["errors"] += 1
                yield FetchError(self.name, item, doc.url, f"unreadable file: {exc.strerror}", doc.jurisdiction)
                continue
            self.stats["files_read"] += 1
            digest = sha256_hex(body)
            if digest in self.known_hashes:
                self.stats["unchanged"] += 1
                continue
            document_format = FORMATS[doc.path.suffix.lower()]
            try:
                text, markup = document_to_text(body, document_format, doc.url)
            except FetchFailed as exc:
                self.stats["errors"] += 1
                yield FetchError(self.name, item, doc.url, exc.reason, doc.jurisdiction)
                continue
            self._payloads.append(
                RawPayload(doc.url, datetime.now(timezone.utc), digest, f"{document_format}/file", body, self.name)
            )
            yield BillVersion(
                doc.jurisdiction, doc.session, doc.bill_id, doc.version_label, doc.version_date, doc.url,
                self.name, text, markup, document_format, digest, doc.complete,
            )

    def take_payloads(self) -> list[RawPayload]:
        """Files read in full since the last call, for provenance (mirrors HttpClient)."""
        taken, self._payloads = self._payloads, []
        return taken
