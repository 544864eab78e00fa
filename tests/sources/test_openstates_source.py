"""Open States connector: paginated search with key header, incremental filter, versions from HTML and PDF links."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug import Request, Response

from sources.extract import SearchTerms
from sources.openstates import OpenStatesSource, fuzzy_date
from sources.records import Bill, BillVersion, FetchError
from tests.sources.source_helpers import FIXTURES, fixture_bytes, make_pdf

KEY = "test-openstates-key"
TERMS = SearchTerms(("prostitution prevention program",), (("prostitution", "diversion"),))


@pytest.fixture
def os_server(httpserver):
    base = httpserver.url_for("").rstrip("/")

    def bills(request: Request) -> Response:
        if request.headers.get("X-API-KEY") != KEY:
            return Response('{"detail": "Must provide API Key"}', status=403, content_type="application/json")
        page = request.args.get("page", "1")
        return Response(fixture_bytes(f"openstates/bills_tx_page{page}.json", base), content_type="application/json")

    httpserver.expect_request("/bills").respond_with_handler(bills)
    for name in ["HB01994I.htm", "HB01994F.htm"]:
        httpserver.expect_request(f"/tlodocs/82R/billtext/html/{name}").respond_with_data(
            fixture_bytes(f"openstates/{name}"), content_type="text/html")
    httpserver.expect_request("/tlodocs/84R/billtext/html/SB00536I.htm").respond_with_data(
        fixture_bytes("openstates/SB00536I.htm"), content_type="text/html")
    enrolled = (FIXTURES / "openstates/SB00536F.txt").read_text().splitlines()
    httpserver.expect_request("/tlodocs/84R/billtext/pdf/SB00536F.pdf").respond_with_data(
        make_pdf(enrolled), content_type="application/pdf")
    return httpserver


def test_search_pages_dedupes_and_sends_key_and_updated_since(os_server, make_client):
    source = OpenStatesSource(make_client(), KEY, TERMS, base_url=os_server.url_for(""), updated_since="2021-01-01")
    found = list(source.search("TX"))
    assert [(b.session, b.bill_id) for b in found] == [("82", "HB 1994"), ("84", "SB 536")]
    searches = [req for req, _ in os_server.log if req.path == "/bills"]
    assert len(searches) == 4  # two queries x two pages, each bill yielded once
    assert {req.args["q"] for req in searches} == {'"prostitution prevention program"', "prostitution diversion"}
    assert all(req.args["updated_since"] == "2021-01-01" and req.args["include"] == "versions"
               and req.args["jurisdiction"] == "tx" and req.args["per_page"] == "20" for req in searches)


def test_versions_from_html_and_pdf_with_disallowed_link_as_error(os_server, make_client):
    source = OpenStatesSource(make_client(), KEY, TERMS, base_url=os_server.url_for(""))
    hb1994, sb536 = list(source.search("TX"))
    records = list(source.versions(hb1994))
    assert [type(r).__name__ for r in records] == ["BillVersion", "FetchError", "BillVersion"]
    assert records[0].version_label == "Introduced" and records[0].version_date == date(2011, 2, 28)
    assert "first offender prostitution" in records[0].text
    assert records[1].reason == "host not allowed: app.legiplex.com"
    assert records[1].item == "TX 82 HB 1994 Senate Committee Report"
    introduced, enrolled = list(source.versions(sb536))
    assert enrolled.document_format == "pdf" and enrolled.version_date is None
    assert "commercially sexually exploited persons court" in enrolled.text
    assert introduced.document_format == "html" and introduced.version_date is None  # "2015" is only a year


def test_pdf_link_serving_html_is_an_error(os_server, make_client):
    os_server.clear_all_handlers()
    base = os_server.url_for("").rstrip("/")
    os_server.expect_request("/bills").respond_with_data(fixture_bytes("openstates/bills_tx_page2.json", base),
                                                         content_type="application/json")
    os_server.expect_request("/tlodocs/84R/billtext/html/SB00536I.htm").respond_with_data(
        fixture_bytes("openstates/SB00536I.htm"), content_type="text/html")
    os_server.expect_request("/tlodocs/84R/billtext/pdf/SB00536F.pdf").respond_with_data(
        "<html><title>Download Bill PDF</title></html>", content_type="text/html")
    source = OpenStatesSource(make_client(), KEY, SearchTerms(("prostitution",)), base_url=os_server.url_for(""))
    [bill] = list(source.search("TX"))
    introduced, enrolled = list(source.versions(bill))
    assert isinstance(introduced, BillVersion)
    assert isinstance(enrolled, FetchError) and enrolled.reason == "expected pdf, got text/html"


def test_bad_key_and_unknown_bill_become_errors(os_server, make_client):
    source = OpenStatesSource(make_client(), "wrong", TERMS, base_url=os_server.url_for(""))
    errors = list(source.search("TX"))
    assert [e.reason for e in errors] == ["HTTP 403 after 1 attempt"] * 2
    assert errors[0].item == 'TX search "prostitution prevention program" page 1'
    missing = Bill("TX", "89", "HB 9999", "", "", "openstates")
    os_server.expect_request("/bills/tx/89/HB 9999").respond_with_json({"detail": "No such Bill."}, status=404)
    [error] = list(source.versions(missing))
    assert isinstance(error, FetchError) and error.reason == "HTTP 404 after 1 attempt"


def test_fuzzy_dates():
    assert fuzzy_date("2011-05-21") == date(2011, 5, 21)
    assert fuzzy_date("2011-05") is None and fuzzy_date("") is None


def test_tracked_bills_outside_the_updated_since_window_are_not_fetched_again(httpserver, make_client):
    httpserver.expect_request("/bills").respond_with_json({"results": [], "pagination": {"max_page": 1}})
    source = OpenStatesSource(make_client(), KEY, TERMS, base_url=httpserver.url_for(""), updated_since="2026-12-01T00:00:00")
    assert list(source.search("TX")) == []
    tracked = Bill("TX", "84", "SB 536", "", "", "openstates")
    assert list(source.versions(tracked)) == []
    assert {req.path for req, _ in httpserver.log} == {"/bills"} and source.stats["not_updated"] == 1
