"""Live mode through the real assets: legislatures replayed by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pytest

from assets.bills import BILL_ASSETS, BILL_CHECKS
from assets.resources import BillSources
from tests.sources.source_helpers import fixture_bytes
from warehouse.db import Warehouse

DOCS = "/biennium/2025-26/Htm/Bills/House Bills"
XML = "text/xml; charset=utf-8"


def tracking_file(tmp_path: Path, base: str) -> Path:
    """A tracking config that follows Washington only, at the local server, with no waiting between requests."""
    host = urlsplit(base).hostname
    path = tmp_path / "tracking.toml"
    path.write_text(f"""
[search]
phrases = ["phthalates"]

[http]
allowed_hosts = ["{host}"]
timeout = 5.0
retries = 1
backoff_factor = 0.0
min_interval = 0.0

[jurisdictions.WA]
sources = ["washington"]
sessions = ["2025-26"]

[sources.washington]
base_url = "{base}"
""", encoding="utf-8")
    return path


def serve_washington(server, document_status: int) -> None:
    """The web services and two bill documents; the original bill's document answers `document_status`."""
    server.clear_all_handlers()
    base = server.url_for("").rstrip("/")
    server.expect_request("/LegislationService.asmx/GetLegislationIntroducedSince").respond_with_data(
        fixture_bytes("wa/legislation_since_2025.xml"), content_type=XML)
    server.expect_request("/LegislativeDocumentService.asmx/GetDocumentsByClass").respond_with_data(
        fixture_bytes("wa/documents_2402.xml", base), content_type=XML)
    if document_status == 200:
        server.expect_request(f"{DOCS}/2402.htm").respond_with_data(fixture_bytes("wa/2402.htm"), content_type="text/html")
    else:
        server.expect_request(f"{DOCS}/2402.htm").respond_with_data("upstream down", status=document_status)
    server.expect_request(f"{DOCS}/2402-S.htm").respond_with_data(fixture_bytes("wa/2402-S.htm"), content_type="text/html")


@pytest.fixture
def live_sources(httpserver, tmp_path: Path):
    def build() -> BillSources:
        return BillSources(mode="live", tracking_path=str(tracking_file(tmp_path, httpserver.url_for("").rstrip("/"))),
                           cache_path=str(tmp_path / "http_cache.sqlite"))
    return build


def run(warehouse: Warehouse, sources: BillSources) -> dg.ExecuteInProcessResult:
    return dg.materialize([*BILL_ASSETS, *BILL_CHECKS], partition_key="WA",
                          resources={"warehouse": warehouse, "bill_sources": sources})


def test_a_failing_document_is_recorded_the_rest_loads_and_the_next_run_retries(
    httpserver, live_sources, warehouse: Warehouse
) -> None:
    serve_washington(httpserver, document_status=500)
    assert run(warehouse, live_sources()).success
    errors = warehouse.query_df("SELECT item, reason, source FROM core.fetch_errors ORDER BY item")
    assert any("House Bill 2402" in item and reason.startswith("HTTP 500") for item, reason in zip(errors["item"], errors["reason"]))
    assert any(reason == f"host not allowed: lawfiles-mirror.example" for reason in errors["reason"])
    loaded = warehouse.query_df("SELECT version_label, text FROM core.bill_versions")
    assert loaded["version_label"].tolist() == ["Substitute House Bill 2402"]
    assert "shall" in loaded["text"].iloc[0]

    serve_washington(httpserver, document_status=200)
    assert run(warehouse, live_sources()).success
    labels = sorted(warehouse.query_df("SELECT version_label FROM core.bill_versions")["version_label"])
    assert labels == ["House Bill 2402", "Substitute House Bill 2402"]
    health = warehouse.query_df("SELECT items_ok, items_failed FROM core.source_runs ORDER BY finished_at")
    assert health.values.tolist()[-1] == [1, 1]  # the retried version loaded; only the disallowed link still fails


def test_raw_payloads_are_content_addressed_files_not_database_bodies(httpserver, live_sources, warehouse: Warehouse) -> None:
    serve_washington(httpserver, document_status=200)
    run(warehouse, live_sources())
    payloads = warehouse.query_df("SELECT * FROM core.raw_payloads")
    assert "body" not in payloads.columns
    assert any(url.endswith("2402-S.htm") for url in payloads["url"])
    store = Path(warehouse.path).parent / "payloads"
    for row in payloads.itertuples():
        stored = store / row.path
        assert stored.name == row.sha256 and stored.stat().st_size == row.size_bytes > 0
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == row.sha256
