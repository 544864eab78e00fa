"""Funding assets run for real (dg.materialize) into a temporary warehouse, from recorded and locally served responses."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from assets.funding import FUNDING_ASSETS, FUNDING_CHECKS, recipients
from assets.funding_support import FundingSources
from tests.funding.helpers import BSCC, payload
from warehouse.db import Warehouse

ROOT = Path(__file__).parents[2]


def _run(warehouse: Warehouse, funding: FundingSources, assets=None) -> dict[str, dict]:
    result = dg.materialize([*(assets or FUNDING_ASSETS), *([] if assets else FUNDING_CHECKS)],
                            resources={"warehouse": warehouse, "funding": funding})
    assert result.success
    return {".".join(e.materialization.asset_key.path): {k: v.value for k, v in e.materialization.metadata.items()}
            for e in result.get_asset_materialization_events()}


def _recorded() -> FundingSources:
    """The recorded API responses alone (the bundled records CSV has its own tests in test_records_import.py)."""
    return FundingSources(config_path=str(ROOT / "config/funding.toml"),
                          recorded_manifest=str(ROOT / "demo/funding/manifest.toml"), cache_path=None, records_dir="")


def _seed_clause(warehouse: Warehouse) -> None:
    """One real funding clause (Penal Code 1001.86 (b), added by SB 843) as the clauses asset would store it."""
    text = ("The board shall award grants, on a competitive basis, to up to three jurisdictions as authorized by this "
            "chapter. ... the applicant's willingness and ability to implement the LEAD program as described in this chapter.")
    clause = pd.DataFrame([{"version_id": "CA-PEN-1001.86-2016", "jurisdiction": "CA", "clause_no": 2, "section": "(b)",
                            "start_offset": 0, "end_offset": len(text), "text": text, "markup": "unchanged",
                            "fiscal_years": ["2016-17"]}])
    label = pd.DataFrame([{"version_id": "CA-PEN-1001.86-2016", "jurisdiction": "CA", "clause_no": 2,
                           "category": "funding_other", "rule": "grant_program", "evidence_start": 10, "evidence_end": 29}])
    warehouse.replace_partition("analysis.clauses", clause, {"jurisdiction": "CA"})
    warehouse.replace_partition("analysis.clause_labels", label, {"jurisdiction": "CA"})


def test_definitions_load_with_the_external_clauses_dependency() -> None:
    defs = dg.Definitions(assets=FUNDING_ASSETS, asset_checks=FUNDING_CHECKS,
                          resources={"warehouse": Warehouse(path="unused.duckdb"), "funding": _recorded()})
    dg.Definitions.validate_loadable(defs)
    assert dg.AssetKey("clauses") in defs.resolve_asset_graph().get(dg.AssetKey("funding_links")).parent_keys


def test_recorded_demo_materializes_idempotently_and_answers_the_question(warehouse: Warehouse) -> None:
    _seed_clause(warehouse)
    first = _run(warehouse, _recorded())
    assert first["funding_opportunities"]["grantsgov_opportunities"] == 1
    assert first["funding_opportunities"]["federalregister_opportunities"] == 2
    assert first["funding_opportunities"]["announcements"] == 4
    assert first["awards"]["usaspending_awards"] == 3 and first["awards"]["announced_awards"] == 1
    assert "|" in first["awards"]["preview"]
    counts = "SELECT (SELECT count(*) FROM funding.awards), (SELECT count(*) FROM funding.recipients), " \
             "(SELECT count(*) FROM funding.links), (SELECT count(*) FROM core.raw_payloads)"
    before = warehouse.query_df(counts).values.tolist()
    _run(warehouse, _recorded())
    assert warehouse.query_df(counts).values.tolist() == before  # delete-then-insert: a re-run adds nothing

    shares = warehouse.query_df("SELECT * FROM marts.funding_shares")
    # only the BSCC LEAD award is diversion money in the recorded data; the NASA grants are not
    assert shares[["state", "year", "total_amount"]].values.tolist() == [["CA", 2017, 5_900_000.0]]
    related = warehouse.query_df("SELECT source, diversion_related FROM funding.awards ORDER BY source")
    assert related.groupby("source")["diversion_related"].sum().to_dict() == {"announcement": 1, "usaspending": 0}
    links = warehouse.query_df("SELECT target_id FROM funding.links WHERE item_kind = 'award' ORDER BY 1")
    assert links["target_id"].tolist() == ["CA-LEAD-pilot", "CA-PEN-1001.86-2016#2"]
    assert first["funding_links"]["clauses_considered"] == 1
    errors = warehouse.query_df("SELECT DISTINCT source FROM core.fetch_errors")["source"].tolist()
    assert "usaspending" in errors  # award details with no recording are recorded errors, not crashes


def test_mart_follows_subawards_to_final_recipients(warehouse: Warehouse) -> None:
    """LA County's BSCC LEAD award and the Long Beach share of it (figures from Long Beach council file 17-0491)."""
    stamp = pd.Timestamp("2026-11-22")
    base = {"fetched_at": stamp, "loaded_at": stamp, "sha256": "f" * 64, "url": "https://www.bscc.ca.gov/s_cppleadgrant/"}
    award = pd.DataFrame([{**base, "source": "announcement", "award_id": "la-lead", "amount": 5_900_000.0,
                           "recipient_name": "Los Angeles County Office of Diversion and Reentry",
                           "recipient_key": "los angeles county office of diversion and reentry", "state": "CA",
                           "fiscal_year": 2017, "diversion_related": True}])
    subs = pd.DataFrame([{**base, "source": "announcement", "prime_source": "announcement", "prime_award_id": "la-lead",
                          "subaward_id": sid, "subaward_number": number, "recipient_name": name,
                          "recipient_key": name.lower(), "amount": amount}
                         for sid, number, name, amount in (
                             ("1", "lb-pd", "Long Beach Police Department", 500_000.0),
                             ("2", "lb-pd", "Long Beach Police Department", 500_000.0),  # same sub-award reported twice
                             ("3", "lb-cp", "Long Beach City Prosecutor", 200_000.0))])
    warehouse.replace_partition("funding.awards", award, {"source": "announcement"})
    warehouse.replace_partition("funding.subawards", subs, {"source": "announcement"})
    _run(warehouse, _recorded(), assets=[recipients])

    row = warehouse.query_df("SELECT * FROM marts.funding_shares").iloc[0]
    assert (row["law_enforcement_amount"], row["prosecution_amount"]) == (500_000.0, 200_000.0)
    assert row["services_amount"] == 5_200_000.0 and row["total_amount"] == 5_900_000.0
    assert row["enforcement_share"] == pytest.approx(700_000 / 5_900_000)
    assert row["subawards_followed"] == 2 and row["prime_awards"] == 1


def test_live_mode_against_local_server_records_errors_and_keeps_going(
        warehouse: Warehouse, httpserver: HTTPServer, tmp_path: Path) -> None:
    config = (ROOT / "config/funding.toml").read_text(encoding="utf-8")
    (tmp_path / "funding.toml").write_text(config.replace("https://www.bscc.ca.gov", httpserver.url_for("").rstrip("/")))
    json_type = "application/json"
    httpserver.expect_request("/gg/search2", method="POST").respond_with_data(
        payload("grantsgov_search2_trimmed-real_rows1_PAR-25-274.json"), content_type=json_type)
    httpserver.expect_request("/gg/fetchOpportunity", method="POST").respond_with_data("overloaded", status=500)
    httpserver.expect_request("/fr/documents.json").respond_with_data(
        payload("federalregister_documents_2024_page1_TRIMMED_to_NOFO_notices.json"), content_type=json_type)
    httpserver.expect_request("/us/api/v2/search/spending_by_award/", method="POST").respond_with_data("{", content_type=json_type)
    for path in ("/news/bscc-seeks-esc-for-innovative-diversion-program/", "/s_cppleadgrant/"):
        name = "2016-07-11_news_bscc-seeks-esc-for-lead.txt" if "news" in path else "current_lead-grant-program-page.txt"
        httpserver.expect_request(path).respond_with_data((BSCC / name).read_bytes(), content_type="text/plain")
    funding = FundingSources(mode="live", config_path=str(tmp_path / "funding.toml"), cache_path=None, records_dir="",
                             grantsgov_url=httpserver.url_for("/gg/"), federalregister_url=httpserver.url_for("/fr/"),
                             usaspending_url=httpserver.url_for("/us/"), retries=0, backoff_factor=0.0, min_interval=0.0,
                             timeout=2.0)
    metadata = _run(warehouse, funding)

    assert metadata["funding_opportunities"]["grantsgov_opportunities"] == 1  # kept from the search hit
    assert metadata["funding_opportunities"]["announcements"] == 2  # two of the four watched pages are served
    assert metadata["awards"]["announced_awards"] == 1 and metadata["awards"]["usaspending_awards"] == 0
    errors = warehouse.query_df("SELECT source, reason FROM core.fetch_errors")
    by_source = errors.groupby("source")["reason"].apply(" | ".join).to_dict()
    assert "HTTP 500" in by_source["grantsgov"] and "malformed JSON" in by_source["usaspending"]
    assert "host not allowed: www.federalregister.gov" in by_source["federalregister"]
    assert by_source["announcements"].count("HTTP 500") == 2  # unserved paths
    assert warehouse.query_df("SELECT total_amount FROM marts.funding_shares")["total_amount"].tolist() == [5_900_000.0]
