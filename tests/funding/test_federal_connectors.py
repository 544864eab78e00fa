"""Grants.gov, Federal Register and USAspending connectors against real recorded payloads on a local HTTP server."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import dagster as dg

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from assets.funding import FUNDING_ASSETS
from assets.funding_support import FundingSources
from pipelines.definitions import resources
from sources.federalregister import FederalRegister, is_funding_notice
from sources.grantsgov import GrantsGov, opportunity_from_hit, parse_detail, parse_search
from sources.http import Fetched
from sources.usaspending import UsaSpending
from tests.funding.helpers import payload
from warehouse.db import Warehouse


def _fetched(body: bytes) -> Fetched:
    return Fetched("https://api.grants.gov/v1/api/fetchOpportunity", 200, "application/json", body,
                   datetime(2026, 1, 1), "0" * 64, False)


def test_grantsgov_accepts_real_and_documented_field_names() -> None:
    hit = json.loads(payload("grantsgov_search2_oppHit_BJA_O-BJA-2026-172662.json"))
    hits, total = parse_search({"errorcode": 0, "data": {"hitCount": 1, "oppHits": [hit]}})
    assert total == 1 and hits[0]["agencyCode"] == "USDOJ-OJP-BJA"
    documented = {k: v for k, v in hit.items() if k not in ("cfdaList", "agency")}
    documented.update(alnist=hit["cfdaList"], agencyName=hit["agency"])  # the spelling of the official doc sample
    for variant in (hit, documented):
        opportunity = opportunity_from_hit(variant, _fetched(b"{}"))
        assert opportunity.agency == "Bureau of Justice Assistance"
        assert "16.710" in opportunity.assistance_listings and opportunity.close_date.isoformat() == "2026-10-15"


def test_grantsgov_legacy_details_object_parses_amounts_and_eligibility() -> None:
    body = payload("grantsgov_opportunity_details_358302_composer-docs.json")
    opportunity = parse_detail(json.loads(body), _fetched(body))
    assert (opportunity.number, opportunity.assistance_listings) == ("DE-FOA-0003450", ("81.049",))
    assert (opportunity.award_ceiling, opportunity.award_floor, opportunity.estimated_funding) == (2750000, 875000, 136000000)
    assert opportunity.close_date.isoformat() == "2025-04-22" and opportunity.agency == "Office of Science"
    assert "<p>" not in opportunity.description and opportunity.applicant_types[0].startswith("Others")


def test_grantsgov_search_and_details_with_bad_items(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/v1/api/search2", method="POST", json={
        "keyword": "diversion", "oppStatuses": "forecasted|posted|closed|archived", "rows": 25, "startRecordNum": 0,
    }).respond_with_data(payload("grantsgov_search2_trimmed-real_fundingCategoriesT_2026-07-18.json"),
                         content_type="application/json")
    httpserver.expect_request("/v1/api/search2", method="POST", json={
        "aln": "93.213", "oppStatuses": "forecasted|posted|closed|archived", "rows": 25, "startRecordNum": 0,
    }).respond_with_data(payload("grantsgov_search2_trimmed-real_rows1_PAR-25-274.json"), content_type="application/json")
    httpserver.expect_request("/v1/api/search2", method="POST").respond_with_data("rate limited", status=429)
    httpserver.expect_request("/v1/api/fetchOpportunity", json={"opportunityId": 357305}).respond_with_data(
        payload("grantsgov_fetchOpportunity_trimmed-real_357305.json"), content_type="application/json")
    httpserver.expect_request("/v1/api/fetchOpportunity", json={"opportunityId": 362478}).respond_with_data(
        payload("grantsgov_fetchOpportunity_trimmed-real_357305.json")[:-40], content_type="application/json")
    httpserver.expect_request("/v1/api/fetchOpportunity", json={"opportunityId": 363122}).respond_with_data("boom", status=500)

    harvest = GrantsGov(client, base_url=httpserver.url_for("/v1/api/")).harvest(["diversion", "deflection"], ["93.213"])

    by_id = {o.opportunity_id: o for o in harvest.records}
    assert set(by_id) == {"362478", "363122", "357305"}
    assert "feasibility trials" in by_id["357305"].description  # detail loaded
    assert by_id["363122"].title.startswith("FY 2026 Notice of Funding Opportunity") and by_id["363122"].description == ""
    reasons = sorted(e.reason for e in harvest.errors)
    assert any("HTTP 429" in r for r in reasons)  # the 'deflection' search
    assert any("HTTP 500" in r for r in reasons) and any("malformed JSON" in r for r in reasons)
    assert all(e.source == "grantsgov" for e in harvest.errors)


def test_federalregister_keeps_funding_notices_and_refuses_offsite_next_page(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v1/documents.json").respond_with_data(
        payload("federalregister_documents_2024_page1_TRIMMED_to_NOFO_notices.json"), content_type="application/json")
    harvest = FederalRegister(client, base_url=httpserver.url_for("/api/v1/")).harvest(["funding opportunity"])
    assert [o.opportunity_id for o in harvest.records] == ["2023-27901", "2024-00713"]
    first = harvest.records[0]
    assert first.close_date.isoformat() == "2024-03-04" and first.agency.endswith("Rural Utilities Service")
    assert len(harvest.errors) == 1 and "host not allowed: www.federalregister.gov" in harvest.errors[0].reason
    request = httpserver.log[0][0]
    assert request.args.getlist("conditions[type][]") == ["NOTICE"]
    assert not is_funding_notice({"action": "Notice of information collection.", "title": "Grant reporting"})


def test_usaspending_awards_details_and_failures(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v2/search/spending_by_award/", method="POST").respond_with_data(
        payload("usaspending_spending_by_award_grants_usaspending-orm.json"), content_type="application/json")
    httpserver.expect_request("/api/v2/awards/ASST_NON_NNM11AA01A_080/").respond_with_data(
        payload("usaspending_award_detail_grant_usaspending-orm.json"), content_type="application/json")
    httpserver.expect_request("/api/v2/awards/ASST_NON_NNX12AD05A_080/").respond_with_data("busy", status=429)

    def slow(_: Request) -> Response:
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/api/v2/awards/ASST_NON_NNX16AO69A_080/").respond_with_handler(slow)
    harvest = UsaSpending(client, base_url=httpserver.url_for("/")).harvest_awards(program_numbers=["43.008"])

    assert len(harvest.records) == 3  # the same page came back for page 2, so paging stopped
    enriched = next(a for a in harvest.records if a.award_id == "ASST_NON_NNM11AA01A_080")
    assert enriched.recipient_categories == ("Nonprofit Organization",) and enriched.subaward_count == 99
    assert enriched.state == "AL" and enriched.fiscal_year == 2011 and enriched.amount == 156725919.62
    reasons = " | ".join(e.reason for e in harvest.errors)
    assert "HTTP 429" in reasons and "timeout" in reasons and len(harvest.errors) == 2


def test_usaspending_subawards_read_a_real_record(httpserver: HTTPServer, client) -> None:
    record = json.loads(payload("usaspending_subaward_record_quoted.json"))
    envelope = {"results": [record], "page_metadata": {"page": 1, "next": None, "previous": None, "hasNext": False,
                                                       "hasPrevious": False}}
    httpserver.expect_request("/api/v2/subawards/", method="POST", json={
        "award_id": "CONT_AWD_X", "page": 1, "limit": 100, "sort": "amount", "order": "desc",
    }).respond_with_json(envelope)
    harvest = UsaSpending(client, base_url=httpserver.url_for("/")).harvest_subawards(["CONT_AWD_X"])
    [subaward] = harvest.records
    assert (subaward.subaward_id, subaward.subaward_number, subaward.prime_award_id) == ("380064", "4100090097", "CONT_AWD_X")
    assert subaward.amount == 499395618.0 and subaward.action_date.isoformat() == "2020-05-14"
    assert subaward.recipient_name == "MARINETTE MARINE CORPORATION" and harvest.errors == []


def test_usaspending_subawards_failure_keeps_nothing_partial(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v2/subawards/", method="POST").respond_with_data("{not json", content_type="application/json")
    harvest = UsaSpending(client, base_url=httpserver.url_for("/")).harvest_subawards(["ASST_NON_NNM11AA01A_080"])
    assert harvest.records == [] and "malformed JSON" in harvest.errors[0].reason


def test_live_bill_runs_use_live_funding_sources(monkeypatch) -> None:
    monkeypatch.delenv("DIVWATCH_FUNDING_MODE", raising=False)
    monkeypatch.setenv("DIVWATCH_SOURCE", "live")
    assert resources()["funding"].mode == "live"
    monkeypatch.setenv("DIVWATCH_SOURCE", "folder")
    assert resources()["funding"].mode == "recorded"


def test_replayed_money_is_marked_in_the_marts(warehouse: Warehouse) -> None:
    root = Path(__file__).parents[2]
    recorded = FundingSources(config_path=str(root / "config/funding.toml"),
                              recorded_manifest=str(root / "demo/funding/manifest.toml"), cache_path=None)
    assert dg.materialize(FUNDING_ASSETS, resources={"warehouse": warehouse, "funding": recorded}).success
    shares = warehouse.query_df("SELECT state, year, replayed FROM marts.funding_shares")
    by_type = warehouse.query_df("SELECT DISTINCT replayed FROM marts.funding_by_recipient_type")
    awards = warehouse.query_df("SELECT DISTINCT replayed FROM funding.awards")
    assert len(shares) >= 1 and shares["replayed"].all()
    assert by_type["replayed"].tolist() == [True] and awards["replayed"].tolist() == [True]
