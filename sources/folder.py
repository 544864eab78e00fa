"""Bill source over a folder of documents (metadata from sidecars, else from the path), for offline demos and states without an API."""

from __future__ import annotations

import collections
import re
import stat
import tomllib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sources.extract import document_to_text, normalize_bill_id
from sources.http import FetchFailed
from sources.records import Bill, BillVersion, FetchError, RawPayload, sha256_hex

SIDECAR_SUFFIX = ".meta.toml"
FORMATS = {".txt": "text", ".html": "html", ".htm": "html", ".pdf": "pdf", ".xml": "xml"}
REQUIRED_FIELDS = ("jurisdiction", "session", "bill_id", "version_label")
MAX_BYTES = 20_000_000  # the HTTP client's default cap, so no source reads more than any other
EARLIEST_YEAR = 1776
DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})[_\- ]*(.*)$")


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
    """A sidecar date, or None when absent; anything else that is not a plausible date is an error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, str):
        value = date.fromisoformat(value.strip())
    elif not isinstance(value, date):
        raise ValueError("write it as a date, like 2025-02-01")
    if not EARLIEST_YEAR <= value.year <= date.today().year + 1:
        raise ValueError("not a plausible date")
    return value


def _as_sequence(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"sequence must be an integer, got {value!r}")
    return value


def _as_complete(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"complete must be true or false, got {value!r}")


def safe_file(path: Path, root: Path, max_bytes: int) -> Path:
    """The regular file `path` names inside `root`; raises ValueError for links out, pipes, folders and huge files."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ValueError(f"{path.name} links outside the folder; links are not followed")
    try:
        info = resolved.stat()  # never opens the file, so a named pipe cannot block here
    except OSError as exc:
        raise ValueError(f"unreadable file: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{path.name} is not a regular file")
    if info.st_size > max_bytes:
        raise ValueError(f"file over {max_bytes} bytes")
    return resolved


def read_sidecar(sidecar: Path, root: Path, max_bytes: int = MAX_BYTES) -> FolderDocument:
    """Parse one `<document>.meta.toml`; raises ValueError naming what is wrong."""
    document = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])
    try:
        meta = tomllib.loads(safe_file(sidecar, root, max_bytes).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ValueError(f"unreadable metadata: {exc}") from exc
    missing = [name for name in REQUIRED_FIELDS if not str(meta.get(name, "")).strip()]
    if missing:
        raise ValueError(f"metadata missing {', '.join(missing)}")
    if not document.exists() and not document.is_symlink():
        raise ValueError(f"document file missing: {document.name}")
    if document.suffix.lower() not in FORMATS:
        raise ValueError(f"unsupported document type: {document.suffix}")
    safe_file(document, root, max_bytes)
    try:
        version_date = _as_date(meta.get("version_date"))
    except ValueError as exc:
        raise ValueError(f"bad version_date: {meta.get('version_date')!r} ({exc})") from exc
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


def infer_document(document: Path, root: Path, max_bytes: int = MAX_BYTES) -> FolderDocument:
    """Metadata for a document without a sidecar, from the layout STATE/BILL_SESSION/[DATE_]LABEL.ext."""
    parts = document.relative_to(root).parts
    if len(parts) != 3 or len(parts[0]) != 2 or not parts[0].isalpha():
        raise ValueError("no sidecar, and the path is not STATE/BILL_SESSION/LABEL.ext: add a .meta.toml sidecar")
    safe_file(document, root, max_bytes)
    bill, _, session = parts[1].partition("_")
    dated = DATED_NAME.match(Path(parts[2]).stem)
    version_date = _as_date(dated.group(1)) if dated else None
    label = (dated.group(2) if dated else Path(parts[2]).stem).replace("_", " ").strip() or "text"
    return FolderDocument(
        path=document, jurisdiction=parts[0].upper(), session=session or "unspecified",
        bill_id=normalize_bill_id(bill), title="", version_label=label, version_date=version_date,
        url=document.resolve().as_uri(),
    )


class FolderSource:
    """Reads every document under `root` (sidecar metadata, else inferred); a bill is a unique (jurisdiction, session, bill_id).

    Anything unusable (bad metadata, an unknown jurisdiction, links out of the folder, huge, binary or
    too deeply nested files) becomes a FetchError, so one bad file never stops the others.
    """

    name = "folder"

    def __init__(self, root: Path, known_hashes: Collection[str] = (),
                 known_jurisdictions: Collection[str] | None = None, max_bytes: int = MAX_BYTES):
        self.root = Path(root)
        self.known_hashes = frozenset(known_hashes)
        self.known_jurisdictions = frozenset(known_jurisdictions) if known_jurisdictions is not None else None
        self.max_bytes = max_bytes
        self.inferred: list[str] = []
        self.stats: collections.Counter = collections.Counter()
        self._payloads: list[RawPayload] = []
        self._documents: list[FolderDocument] | None = None
        self._problems: list[FetchError] = []

    def jurisdictions(self) -> list[str]:
        """Jurisdictions present in the folder, so folder mode covers whatever the user put there."""
        documents = self._scan()
        return sorted({doc.jurisdiction for doc in documents} | {p.jurisdiction for p in self._problems if p.jurisdiction})

    def _scan(self) -> list[FolderDocument]:
        if self._documents is None:
            self._documents = []
            for path in sorted(self.root.rglob("*")):
                if path.name.endswith(SIDECAR_SUFFIX):
                    self._add(path, lambda: read_sidecar(path, self.root, self.max_bytes))
                elif (path.suffix.lower() in FORMATS and not path.is_dir()
                      and not path.with_name(path.name + SIDECAR_SUFFIX).exists()):
                    self._add(path, lambda: infer_document(path, self.root, self.max_bytes), inferred=True)
        return self._documents

    def _add(self, path: Path, read: Callable[[], FolderDocument], inferred: bool = False) -> None:
        """Keep the document `read` returns, or record why it cannot be used under the state folder it sits in."""
        relative = path.relative_to(self.root)
        try:
            document = read()
            if not self._known(document.jurisdiction):
                raise ValueError(f"unknown jurisdiction {document.jurisdiction!r}")
        except ValueError as exc:
            folder = relative.parts[0].upper() if len(relative.parts) > 1 else ""
            self._problems.append(FetchError(self.name, str(relative), path.absolute().as_uri(), str(exc),
                                             folder if self._known(folder) else ""))
            return
        self._documents.append(document)
        if inferred:
            self.inferred.append(str(relative))

    def _known(self, jurisdiction: str) -> bool:
        return bool(jurisdiction) and (self.known_jurisdictions is None or jurisdiction in self.known_jurisdictions)

    @property
    def problems(self) -> list[FetchError]:
        """Files that could not be used at all, found while scanning the folder."""
        self._scan()
        return list(self._problems)

    def search(self, jurisdiction: str) -> Iterator[Bill | FetchError]:
        """Every bill with a document in the folder for this jurisdiction (the folder is the tracked set)."""
        documents = self._scan()
        wanted = jurisdiction.upper()
        yield from (problem for problem in self._problems if problem.jurisdiction == wanted)
        if wanted == min(self.jurisdictions(), default=""):  # files outside a state folder go with the first state
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
                body = safe_file(doc.path, self.root, self.max_bytes).read_bytes()
            except ValueError as exc:
                self.stats["errors"] += 1
                yield FetchError(self.name, item, doc.url, str(exc), doc.jurisdiction)
                continue
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
                self.name, text, markup, document_format, digest, doc.complete, sequence=doc.sequence or None,
            )

    def take_payloads(self) -> list[RawPayload]:
        """Files read in full since the last call, for provenance (mirrors HttpClient)."""
        taken, self._payloads = self._payloads, []
        return taken
