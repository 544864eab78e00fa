"""Schemas of config/tracking.toml and config/funding.toml, so a misspelled key is a clear error naming key and file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

LiveSource = Literal["california", "washington", "openstates", "legiscan"]
Model = TypeVar("Model", bound=BaseModel)


class ConfigError(ValueError):
    """A config file cannot be used; the message names the file and each offending key."""


class Strict(BaseModel):
    """Unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Search(Strict):
    phrases: list[str] = []
    all_of: list[list[str]] = []


class Http(Strict):
    allowed_hosts: list[str] = []
    timeout: float = 20.0
    max_bytes: int = 20_000_000
    retries: int = 3
    backoff_factor: float = 0.5
    min_interval: float = 1.0
    host_intervals: dict[str, float] = {}


class Jurisdiction(Strict):
    sources: list[LiveSource] = []
    sessions: list[str] = []
    bills: list[str] = []


class CaliforniaSettings(Strict):
    base_url: str | None = None
    archive: str = ""
    max_archive_bytes: int = 1_500_000_000


class WashingtonSettings(Strict):
    base_url: str | None = None


class OpenStatesSettings(Strict):
    base_url: str | None = None
    api_key_env: str | None = None
    max_pages: int = 25


class LegiScanSettings(Strict):
    base_url: str | None = None
    api_key_env: str | None = None
    year: int = 2
    max_pages: int = 20


class SourceSettings(Strict):
    california: CaliforniaSettings = CaliforniaSettings()
    washington: WashingtonSettings = WashingtonSettings()
    openstates: OpenStatesSettings = OpenStatesSettings()
    legiscan: LegiScanSettings = LegiScanSettings()


class TrackingFile(Strict):
    """config/tracking.toml."""

    search: Search = Search()
    http: Http = Http()
    jurisdictions: dict[str, Jurisdiction] = {}
    sources: SourceSettings = SourceSettings()


class Relevance(Strict):
    keywords: list[str] = []
    acronyms: list[str] = []


class GrantsGovSettings(Strict):
    endpoint: str
    keywords: list[str] = []
    assistance_listings: list[str] = []
    rows: int = 25
    max_pages: int = 4


class FederalRegisterSettings(Strict):
    endpoint: str
    terms: list[str] = []
    since: str = "2016-01-01"
    max_pages: int = 3


class UsaSpendingSettings(Strict):
    endpoint: str
    keywords: list[str] = []
    program_numbers: list[str] = []
    start_date: str = "2007-10-01"
    end_date: str = "2026-09-30"
    max_pages: int = 3


class Page(Strict):
    name: str
    agency: str
    jurisdiction: str
    url: str
    kind: Literal["page", "feed"] = "page"
    year: int | None = None
    follow_links: bool = False


class Announcements(Strict):
    applicant_terms: list[str] = []
    feed_keywords: list[str] = []
    programs: dict[str, list[str]] = {}
    pages: list[Page] = []


class Program(Strict):
    id: str
    name: str
    jurisdiction: str
    aliases: list[str] = []
    listings: list[str] = []
    statutes: list[str] = []
    bills: list[str] = []
    years: list[int] = []


class FundingFile(Strict):
    """config/funding.toml."""

    relevance: Relevance = Relevance()
    grantsgov: GrantsGovSettings
    federalregister: FederalRegisterSettings
    usaspending: UsaSpendingSettings
    announcements: Announcements = Announcements()
    programs: list[Program] = []


def read_config(path: Path, model: type[Model]) -> Model:
    """Parse a TOML file and validate it against `model`; every problem is reported as file: key: message."""
    try:
        return model.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: {problems}") from None


def read_funding_config(path: Path) -> dict:
    """config/funding.toml validated, as the plain mapping the funding assets read (only the keys the file sets)."""
    return read_config(path, FundingFile).model_dump(exclude_unset=True)
