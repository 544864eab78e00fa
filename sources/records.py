"""Typed records every connector returns, so assets never parse source-specific shapes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime


def sha256_hex(data: bytes | str) -> str:
    """Content hash used for provenance and change detection."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class RawPayload:
    """One response body exactly as fetched, kept for provenance."""

    url: str
    fetched_at: datetime
    sha256: str
    content_type: str
    body: bytes
    source: str
    path: str = ""  # set instead of `body` for a large download streamed to disk


@dataclass(frozen=True)
class MarkupSpan:
    """A run of text an amendment inserts or deletes, as offsets into the version text."""

    kind: str  # "insert" | "delete"
    start: int
    end: int


@dataclass(frozen=True)
class Bill:
    """A tracked bill (or statute section) in one jurisdiction and session."""

    jurisdiction: str  # two-letter state code, upper case
    session: str
    bill_id: str  # as the legislature writes it, e.g. "SB 1110"
    title: str
    url: str
    source: str


@dataclass(frozen=True)
class BillVersion:
    """One version of a bill with its full text (None when the fetch failed)."""

    jurisdiction: str
    session: str
    bill_id: str
    version_label: str
    version_date: date | None
    url: str
    source: str
    text: str | None
    markup: tuple[MarkupSpan, ...] = ()
    document_format: str = "text"  # text | html | pdf | xml
    payload_sha256: str | None = None
    complete: bool | None = None  # False for an excerpt; None when the source does not say
    sequence: int | None = None  # legislative position the source states (e.g. a sidecar), None when it states none

    @property
    def text_sha256(self) -> str | None:
        return None if self.text is None else sha256_hex(self.text)


@dataclass(frozen=True)
class FetchError:
    """A recorded failure for one item; the run goes on and the next run retries it."""

    source: str
    item: str  # what was being fetched, e.g. "CA 2015-16 SB 1110 introduced"
    url: str
    reason: str
    jurisdiction: str = ""
    occurred_at: datetime = field(default_factory=datetime.now)
