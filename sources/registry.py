"""Reads what to track and builds the bill sources for a run, so assets never construct connectors themselves."""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from sources.california import CaliforniaSource
from sources.config_files import TrackingFile, read_config
from sources.extract import SearchTerms
from sources.folder import FolderSource
from sources.http import FetchFailed, HttpClient
from sources.legiscan import LegiScanSource
from sources.openstates import OpenStatesSource
from sources.records import Bill, BillVersion, FetchError
from sources.washington import WashingtonSource

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRACKING = PROJECT_ROOT / "config" / "tracking.toml"
DEMO_FOLDER = PROJECT_ROOT / "demo" / "texts"
LIVE_SOURCES = ("california", "washington", "openstates", "legiscan")


class BillSource(Protocol):
    """What every connector offers: find bills in a jurisdiction, then list each bill's versions."""

    name: str

    def search(self, jurisdiction: str) -> Iterator[Bill | FetchError]: ...

    def versions(self, bill: Bill) -> Iterator[BillVersion | FetchError]: ...


class SourceUnreachable(RuntimeError):
    """Raised before a live run starts when a source host cannot be reached at all."""


@dataclass(frozen=True)
class JurisdictionConfig:
    """Sources, sessions and explicitly tracked bill numbers for one state."""

    code: str
    sources: tuple[str, ...]
    sessions: tuple[str, ...] = ()
    bills: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrackingConfig:
    """Everything config/tracking.toml says, typed."""

    terms: SearchTerms
    jurisdictions: dict[str, JurisdictionConfig]
    source_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    http: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed_hosts(self) -> set[str]:
        """Hosts listed under [http] plus every configured source's base host."""
        hosts = {h.lower() for h in self.http.get("allowed_hosts", [])}
        for settings in self.source_settings.values():
            if settings.get("base_url"):
                hosts.add((urlsplit(settings["base_url"]).hostname or "").lower())
        return hosts - {""}


def load_tracking(path: Path | None = None) -> TrackingConfig:
    """Parse and validate the tracking file; errors name the file and the offending key."""
    data = read_config(Path(path) if path else DEFAULT_TRACKING, TrackingFile)
    terms = SearchTerms(phrases=tuple(data.search.phrases), all_of=tuple(tuple(g) for g in data.search.all_of))
    jurisdictions = {
        code.upper(): JurisdictionConfig(code.upper(), tuple(j.sources), tuple(j.sessions), tuple(j.bills))
        for code, j in data.jurisdictions.items()
    }
    sources = {name: settings.model_dump(exclude_none=True) for name, settings in data.sources}
    return TrackingConfig(terms, jurisdictions, sources, data.http.model_dump())


def build_client(tracking: TrackingConfig, cache_path: Path | None = None) -> HttpClient:
    """The shared HTTP client configured from [http] (allowlist, limits, per-host intervals)."""
    settings = tracking.http
    return HttpClient(
        allowed_hosts=tracking.allowed_hosts,
        cache_path=cache_path,
        timeout=float(settings.get("timeout", 20.0)),
        max_bytes=int(settings.get("max_bytes", 20_000_000)),
        retries=int(settings.get("retries", 3)),
        backoff_factor=float(settings.get("backoff_factor", 0.5)),
        min_interval=float(settings.get("min_interval", 1.0)),
        host_intervals={k: float(v) for k, v in settings.get("host_intervals", {}).items()},
    )


def build_sources(mode: str, tracking: TrackingConfig, client: HttpClient | None, folder: Path | None, *,
                  known_hashes: Collection[str] = (), known_change_hashes: Mapping[str, str] | None = None,
                  updated_since: str | None = None,
                  known_jurisdictions: Collection[str] | None = None) -> dict[str, list[BillSource]]:
    """Map each jurisdiction to its sources: the folder's own states in "folder" mode, tracking.toml's in "live"."""
    if mode == "folder":
        source = FolderSource(Path(folder) if folder else DEMO_FOLDER, known_hashes=known_hashes,
                              known_jurisdictions=known_jurisdictions,
                              max_bytes=int(tracking.http.get("max_bytes", 20_000_000)))
        return {code: [source] for code in source.jurisdictions()}
    if mode != "live":
        raise ValueError(f"unknown source mode {mode!r}; use 'folder' or 'live'")
    if client is None:
        raise ValueError("live mode needs an HttpClient")
    built: dict[str, list[BillSource]] = {}
    for code, config in tracking.jurisdictions.items():
        sources = [s for name in config.sources
                   if (s := _live_source(name, config, tracking, client, known_change_hashes, updated_since))]
        if sources:
            built[code] = sources
    return built


def _live_source(name: str, config: JurisdictionConfig, tracking: TrackingConfig, client: HttpClient,
                 known_change_hashes: Mapping[str, str] | None, updated_since: str | None) -> BillSource | None:
    settings = dict(tracking.source_settings.get(name, {}))
    base = {"base_url": settings["base_url"]} if settings.get("base_url") else {}
    if name == "california":
        return CaliforniaSource(client, tracking.terms, sessions=config.sessions, bills=config.bills, **base,
                                archive=str(settings.get("archive", "")),
                                max_archive_bytes=int(settings.get("max_archive_bytes", 1_500_000_000)))
    if name == "washington":
        return WashingtonSource(client, tracking.terms, sessions=config.sessions or ("2025-26",), bills=config.bills,
                                **base)
    key_env = str(settings.get("api_key_env", f"{name.upper()}_API_KEY"))
    key = os.environ.get(key_env, "").strip()
    if not key:
        log.warning("%s skipped for %s: set %s to use it", name, config.code, key_env)
        return None
    if name == "openstates":
        return OpenStatesSource(client, key, tracking.terms, sessions=config.sessions, updated_since=updated_since,
                                max_pages=int(settings.get("max_pages", 25)), **base)
    return LegiScanSource(client, key, tracking.terms, sessions=config.sessions, bills=config.bills,
                          known_change_hashes=known_change_hashes, year=int(settings.get("year", 2)),
                          max_pages=int(settings.get("max_pages", 20)), **base)


def check_reachable(sources: Mapping[str, Iterable[BillSource]] | Iterable[BillSource], client: HttpClient | None) -> None:
    """Probe each live source host once and stop early, pointing at the offline folder, if one cannot be reached."""
    flat = [s for group in sources.values() for s in group] if isinstance(sources, Mapping) else list(sources)
    roots = sorted({f"{parts.scheme}://{parts.netloc}/" for source in flat
                    if (parts := urlsplit(getattr(source, "base_url", "") or "")).netloc})
    if not roots or client is None:
        return
    for root in roots:
        host = urlsplit(root).hostname
        try:
            client.get(root)
        except FetchFailed as exc:
            if exc.status is None:
                raise SourceUnreachable(
                    f"Cannot reach {host} ({exc.reason}). Check the network or proxy, or run offline on the "
                    f"bundled folder of real bill texts: `divwatch run --source folder`."
                ) from exc
