"""The funding assets' resource and shared plumbing: where responses come from, and how records reach the warehouse."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pandas as pd

from analysis.money.links import diversion_relevance
from analysis.money.recipients import normalize_name
from sources.announcements import WatchedPage
from sources.config_files import read_funding_config
from sources.funding_csv import read_funding_csv, source_name
from sources.funding_records import Harvest
from sources.funding_replay import ReplayClient
from sources.http import HttpClient
from sources.records import RawPayload, sha256_hex
from warehouse.db import Warehouse
from warehouse.fetch_errors import ERROR_COLUMNS, record_fetch_errors
from warehouse.payloads import PayloadStore
from warehouse.source_runs import record_source_runs

BUNDLED_RECORDS = Path(__file__).resolve().parent.parent / "demo" / "funding" / "records"


class FundingSources(dg.ConfigurableResource):
    """Where funding data comes from: bundled recorded real responses (default, offline) or the live APIs."""

    mode: str = "recorded"  # recorded | live
    config_path: str = "config/funding.toml"
    recorded_manifest: str = "demo/funding/manifest.toml"
    records_dir: str = str(BUNDLED_RECORDS)  # every *.csv here is loaded as funding records on each run; "" for none
    cache_path: str | None = "data/cache/funding_http.sqlite"
    grantsgov_url: str | None = None
    federalregister_url: str | None = None
    usaspending_url: str | None = None
    timeout: float = 20.0
    retries: int = 3
    backoff_factor: float = 0.5
    min_interval: float = 1.0

    @property
    def replayed(self) -> bool:
        """True when the data comes from the bundled recordings rather than the live APIs."""
        return self.mode == "recorded"

    def settings(self) -> dict:
        """config/funding.toml, read on each use so edits apply to the next run."""
        return read_funding_config(Path(self.config_path))

    def endpoint(self, name: str) -> str:
        """A source's base URL: the resource override (tests, mirrors) or the configured one."""
        override = getattr(self, f"{name}_url")
        return override or self.settings()[name]["endpoint"]

    def pages(self) -> list[WatchedPage]:
        """The watched state pages and feeds from the config."""
        return [WatchedPage(**page) for page in self.settings().get("announcements", {}).get("pages", [])]

    def client(self) -> HttpClient | ReplayClient:
        """A replay of the recordings, or a live client allowed only the configured endpoints' and pages' hosts."""
        if self.mode == "recorded":
            return ReplayClient(Path(self.recorded_manifest))
        if self.mode != "live":
            raise ValueError(f"unknown funding mode {self.mode!r}")
        urls = [self.endpoint(n) for n in ("grantsgov", "federalregister", "usaspending")] + [p.url for p in self.pages()]
        if self.cache_path:
            Path(self.cache_path).parent.mkdir(parents=True, exist_ok=True)
        return HttpClient(allowed_hosts={urlsplit(u).hostname for u in urls}, cache_path=self.cache_path,
                          timeout=self.timeout, retries=self.retries, backoff_factor=self.backoff_factor,
                          min_interval=self.min_interval)


def records_frame(records: list, **extra: object) -> pd.DataFrame:
    """Records as a DataFrame; tuples become lists so DuckDB stores them as LIST columns."""
    rows = [{k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(r).items()} for r in records]
    frame = pd.DataFrame(rows)
    for column, value in extra.items():
        frame[column] = value
    return frame


def with_relevance(frame: pd.DataFrame, settings: dict, *columns: str) -> pd.DataFrame:
    """Mark each row diversion-related or not from the named text columns, keeping the words that decided it."""
    rules = settings.get("relevance", {})
    text = frame[list(columns)].fillna("").astype(str).agg("\n".join, axis=1)
    found = [diversion_relevance(t, rules.get("keywords", []), rules.get("acronyms", [])) for t in text]
    return frame.assign(diversion_related=[r.related for r in found], relevance_evidence=[r.evidence for r in found])


def save(warehouse: Warehouse, table: str, frame: pd.DataFrame, where: dict, failed: bool) -> int:
    """Replace one source's rows; a source that failed outright keeps its previous rows for the next run to retry."""
    if frame.empty and failed:
        return 0
    return warehouse.replace_partition(table, frame, where)


def record_run(warehouse: Warehouse, context: dg.AssetExecutionContext, client: HttpClient | ReplayClient,
               source: str, harvest: Harvest, jurisdiction: str = "US") -> None:
    """Errors to core.fetch_errors and a health row to core.source_runs, under the source's name; bodies to the payload store.

    Give each source its own client, so the client's counters are that source's alone.
    """
    payloads = client.take_payloads()
    record_health(warehouse, context.run.run_id, source, harvest, jurisdiction, len(payloads), client.stats["not_modified"])
    PayloadStore.beside(warehouse).keep(warehouse, payloads, source)


def record_health(warehouse: Warehouse, run_id: str, source: str, harvest: Harvest, jurisdiction: str = "US",
                  downloaded: int = 0, not_modified: int = 0) -> None:
    """Errors to core.fetch_errors and a health row to core.source_runs, so the data-health page shows the source."""
    errors = pd.DataFrame([{"jurisdiction": jurisdiction, "source": source, "item": e.item, "url": e.url,
                            "reason": e.reason} for e in harvest.errors], columns=ERROR_COLUMNS)
    record_fetch_errors(warehouse, errors, source, jurisdiction, [source], run_id, now())
    where = {"source": source, "run_id": run_id, "jurisdiction": jurisdiction}
    health = pd.DataFrame([{**where, "finished_at": now(), "items_ok": len(harvest.records),
                            "items_failed": len(harvest.errors), "downloaded": downloaded,
                            "not_modified": not_modified}])
    record_source_runs(warehouse, health)


def import_records(warehouse: Warehouse, path: Path, settings: dict, run_id: str) -> Harvest:
    """Load one records CSV as its own source: re-importing replaces its rows; a file that cannot be read keeps them."""
    harvest = read_funding_csv(path)
    source = source_name(path)
    frame = records_frame(harvest.records, loaded_at=now(), replayed=path.resolve().is_relative_to(BUNDLED_RECORDS))
    if not frame.empty:
        frame = with_relevance(frame, settings, "program", "description")
        frame["recipient_key"] = frame["recipient_name"].map(normalize_name)
    save(warehouse, "funding.awards", frame, {"source": source}, bool(harvest.errors))
    record_health(warehouse, run_id, source, harvest, downloaded=1)
    body = path.read_bytes()
    payload = RawPayload(path.resolve().as_uri(), datetime.now(timezone.utc), sha256_hex(body), "text/csv", body, source)
    PayloadStore.beside(warehouse).keep(warehouse, [payload], source)
    return harvest


def result(counts: dict[str, int], preview: pd.DataFrame) -> dg.MaterializeResult:
    """Counts as integer metadata plus a markdown preview of the first rows."""
    metadata: dict[str, object] = {k: dg.MetadataValue.int(int(v)) for k, v in counts.items()}
    metadata["preview"] = dg.MetadataValue.md(preview.head(10).to_markdown(index=False) if not preview.empty else "_none_")
    return dg.MaterializeResult(metadata=metadata)


def now() -> datetime:
    """UTC now without a zone, as DuckDB TIMESTAMP columns store it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def as_tuple(value: object) -> tuple:
    """A LIST cell from DuckDB as a tuple; NULL (None, NaN or NA) becomes empty."""
    return tuple(value) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else ()
