"""Typed funding records every money connector returns, each carrying where and when it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sources.records import FetchError


@dataclass(frozen=True)
class Provenance:
    """The exact response a record was read from, so any figure can be traced back."""

    url: str
    fetched_at: datetime
    sha256: str


@dataclass(frozen=True)
class Opportunity:
    """A notice of funding opportunity (Grants.gov synopsis or Federal Register notice)."""

    source: str  # grantsgov | federalregister
    opportunity_id: str
    number: str
    title: str
    agency: str
    agency_code: str
    status: str
    open_date: date | None
    close_date: date | None
    assistance_listings: tuple[str, ...]
    award_ceiling: float | None
    award_floor: float | None
    estimated_funding: float | None
    applicant_types: tuple[str, ...]
    eligibility: str
    description: str
    url: str
    fetched_at: datetime
    sha256: str


@dataclass(frozen=True)
class Award:
    """A prime award of money to one recipient (federal award or state grant announced on a page)."""

    source: str  # usaspending | announcement
    award_id: str
    recipient_name: str
    amount: float | None
    state: str
    fiscal_year: int | None
    awarding_agency: str
    assistance_listings: tuple[str, ...]
    description: str
    start_date: date | None
    end_date: date | None
    recipient_categories: tuple[str, ...]
    subaward_count: int | None
    opportunity_number: str
    url: str
    fetched_at: datetime
    sha256: str
    amount_kind: str = "award"  # what the amount means; see sources/funding_csv.py AMOUNT_KINDS
    program: str = ""
    recipient_kind_stated: str = ""
    authorizing_law: str = ""
    note: str = ""


@dataclass(frozen=True)
class Subaward:
    """Money a prime recipient passed on to another organisation."""

    source: str
    subaward_id: str
    subaward_number: str
    prime_award_id: str
    recipient_name: str
    amount: float | None
    action_date: date | None
    description: str
    url: str
    fetched_at: datetime
    sha256: str


@dataclass(frozen=True)
class AnnouncedAward:
    """One 'recipient gets amount' statement found on an agency page."""

    recipient: str
    amount: float
    evidence: str


@dataclass(frozen=True)
class Announcement:
    """What a watched state page or feed item says about a grant program."""

    source: str  # the watched page's configured name
    agency: str
    jurisdiction: str
    title: str
    program: str
    published: date | None
    fiscal_year: int | None
    amounts: tuple[float, ...]
    deadlines: tuple[date, ...]
    eligible_applicants: tuple[str, ...]
    awards: tuple[AnnouncedAward, ...]
    text: str
    link: str  # the page a reader should open (a feed item's own link)
    url: str
    fetched_at: datetime
    sha256: str


@dataclass
class Harvest:
    """What one connector run produced: the records that loaded and an error record for each item that did not."""

    records: list = field(default_factory=list)
    errors: list[FetchError] = field(default_factory=list)
