"""Washington connector against the web-service XML shapes and bill documents on a real local server."""

from __future__ import annotations

from datetime import date

import pytest

from sources.extract import SearchTerms
from sources.records import Bill, BillVersion, FetchError
from sources.washington import WashingtonSource, encode_document_url
from tests.sources.source_helpers import fixture_bytes

DOCS = "/biennium/2025-26/Htm/Bills/House Bills"


@pytest.fixture
def wa_server(httpserver):
    base = httpserver.url_for("").rstrip("/")
    xml = "text/xml; charset=utf-8"
    httpserver.expect_request("/LegislationService.asmx/GetLegislationIntroducedSince",
                              query_string="sinceDate=2025-01-01").respond_with_data(
        fixture_bytes("wa/legislation_since_2025.xml"), content_type=xml)
    httpserver.expect_request("/LegislationService.asmx/GetLegislation",
                              query_string="biennium=2025-26&billNumber=6137").respond_with_data(
        fixture_bytes("wa/legislation_6137.xml"), content_type=xml)
    httpserver.expect_request("/LegislativeDocumentService.asmx/GetDocumentsByClass",
                              query_string="biennium=2025-26&documentClass=Bills&namedLike=2402").respond_with_data(
        fixture_bytes("wa/documents_2402.xml", base), content_type=xml)
    httpserver.expect_request(f"{DOCS}/2402.htm").respond_with_data(fixture_bytes("wa/2402.htm"), content_type="text/html")
    httpserver.expect_request(f"{DOCS}/2402-S.htm").respond_with_data(fixture_bytes("wa/2402-S.htm"), content_type="text/html")
    return httpserver


def source_for(server, client, **kwargs) -> WashingtonSource:
    return WashingtonSource(client, SearchTerms(("phthalates",)), base_url=server.url_for(""), **kwargs)


def test_search_matches_descriptions_and_adds_tracked_bills(wa_server, make_client):
    found = list(source_for(wa_server, make_client(), bills=["SB 6137"]).search("WA"))
    assert [(b.session, b.bill_id) for b in found] == [("2025-2026", "HB 2402"), ("2025-2026", "SB 6137")]
    assert found[0].title == "Concerning phthalates in medical equipment used for intravenous purposes."
    assert found[0].url == "https://app.leg.wa.gov/billsummary?BillNumber=2402&Year=2025&Initiative=false"


def test_versions_in_order_with_markup_and_a_disallowed_link_as_error(wa_server, make_client):
    source = source_for(wa_server, make_client())
    [bill] = list(source.search("WA"))
    records = list(source.versions(bill))
    versions = [r for r in records if isinstance(r, BillVersion)]
    errors = [r for r in records if isinstance(r, FetchError)]
    assert [(v.version_label, v.version_date) for v in versions] == [
        ("House Bill 2402", date(2026, 1, 9)), ("Substitute House Bill 2402", date(2026, 2, 3))]
    original, substitute = versions
    assert "as an alternative to arrest" in original.text and original.markup == ()
    assert [(s.kind, substitute.text[s.start:s.end]) for s in substitute.markup] == [
        ("delete", "is authorized and encouraged to"), ("insert", "shall")]
    assert substitute.url.endswith("/House%20Bills/2402-S.htm")
    assert len(errors) == 1
    assert errors[0].reason == "host not allowed: lawfiles-mirror.example"
    assert "Substitute House Bill 2402 (passed legislature)" in errors[0].item
    assert not any("24020" in r.url for r in records)  # namedLike is a prefix match; other bills are filtered


def test_broken_document_is_an_error_and_the_rest_still_comes_out(wa_server, make_client):
    wa_server.clear_all_handlers()
    base = wa_server.url_for("").rstrip("/")
    wa_server.expect_request("/LegislativeDocumentService.asmx/GetDocumentsByClass").respond_with_data(
        fixture_bytes("wa/documents_2402.xml", base), content_type="text/xml")
    wa_server.expect_request(f"{DOCS}/2402.htm").respond_with_data("server error", status=500)
    wa_server.expect_request(f"{DOCS}/2402-S.htm").respond_with_data(fixture_bytes("wa/2402-S.htm"), content_type="text/html")
    bill = Bill("WA", "2025-2026", "HB 2402", "", "", "washington")
    records = list(source_for(wa_server, make_client()).versions(bill))
    assert isinstance(records[0], FetchError) and records[0].reason == "HTTP 500 after 3 attempts"
    assert records[0].item == "WA 2025-2026 HB 2402 House Bill 2402"
    assert isinstance(records[1], BillVersion) and records[1].version_label == "Substitute House Bill 2402"


def test_malformed_service_xml_is_an_error_and_tracked_bills_still_come_out(httpserver, make_client):
    httpserver.expect_request("/LegislationService.asmx/GetLegislationIntroducedSince").respond_with_data(
        b"<?xml version='1.0'?><ArrayOfLegislation><Legislation><BillId>HB 1", content_type="text/xml")
    httpserver.expect_request("/LegislationService.asmx/GetLegislation").respond_with_data(
        fixture_bytes("wa/legislation_6137.xml"), content_type="text/xml")
    found = list(source_for(httpserver, make_client(), bills=["SB 6137"]).search("WA"))
    assert isinstance(found[0], FetchError) and found[0].reason.startswith("malformed XML")
    assert found[0].item == "WA 2025-26 legislation list"
    assert [b.bill_id for b in found[1:]] == ["SB 6137"]


def test_document_urls_with_raw_spaces_are_encoded():
    url = "http://lawfilesext.leg.wa.gov/biennium/2025-26/Htm/Bills/House Bills/2402-S.htm"
    assert encode_document_url(url) == "http://lawfilesext.leg.wa.gov/biennium/2025-26/Htm/Bills/House%20Bills/2402-S.htm"


def _since_2023_server(httpserver):
    httpserver.expect_request("/LegislationService.asmx/GetLegislationIntroducedSince",
                              query_string="sinceDate=2023-01-01").respond_with_data(
        fixture_bytes("wa/legislation_since_2023.xml"), content_type="text/xml")
    httpserver.expect_request("/LegislationService.asmx/GetLegislationIntroducedSince",
                              query_string="sinceDate=2025-01-01").respond_with_data(
        fixture_bytes("wa/legislation_since_2023.xml"), content_type="text/xml")
    return httpserver


def test_each_element_keeps_its_own_biennium(httpserver, make_client):
    server = _since_2023_server(httpserver)
    terms = SearchTerms(("law enforcement assisted diversion",))
    older_only = WashingtonSource(make_client(), terms, sessions=("2023-24",), base_url=server.url_for(""))
    assert list(older_only.search("WA")) == []  # a later biennium's LEAD bill is not the 2023-24 fishing bill
    both = WashingtonSource(make_client(), terms, sessions=("2023-24", "2025-26"), base_url=server.url_for(""))
    assert [(b.session, b.bill_id, b.title) for b in both.search("WA")] == [
        ("2025-2026", "HB 1016", "Concerning law enforcement assisted diversion programs.")]
