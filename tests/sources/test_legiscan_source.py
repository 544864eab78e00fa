"""LegiScan connector on the real getBill payload: change_hash skipping, base64 documents, API errors."""

from __future__ import annotations

import base64
import json

import pytest
from werkzeug import Request, Response

from sources.extract import SearchTerms
from sources.legiscan import LegiScanSource, legiscan_date, numbered_entries
from sources.records import BillVersion, FetchError
from tests.sources.source_helpers import FIXTURES, fixture_bytes, make_pdf

KEY = "0123456789abcdef0123456789abcdef"
HB2402 = json.loads((FIXTURES / "samples/legiscan_dataset_WA_2025-2026_bill_HB2402.json").read_text())
SB6137 = json.loads((FIXTURES / "samples/legiscan_dataset_WA_2025-2026_bill_SB6137.EXCERPT.json").read_text())
TERMS = SearchTerms(("phthalates",))


def bill_text(doc_id: int, mime: str, body: bytes | str) -> dict:
    doc = body if isinstance(body, str) else base64.b64encode(body).decode()
    return {"status": "OK", "text": {"doc_id": doc_id, "bill_id": HB2402["bill"]["bill_id"], "date": "0000-00-00",
                                     "type": "Introduced", "mime": mime, "doc": doc}}


@pytest.fixture
def api(httpserver):
    """A LegiScan-shaped API: routes on ?op=, checks the key, answers errors with HTTP 200 as LegiScan does."""
    answers = {
        ("getSearch", None): json.loads(fixture_bytes("legiscan/search_wa.json")),
        ("getMasterList", None): json.loads(fixture_bytes("legiscan/masterlist_wa.json")),
        ("getBill", str(HB2402["bill"]["bill_id"])): {"status": "OK", **HB2402},
        ("getBill", str(SB6137["bill"]["bill_id"])): {"status": "ERROR", "alert": {"message": "Unknown bill id"}},
        ("getBillText", "3306876"): bill_text(3306876, "application/pdf", make_pdf(
            ["AN ACT Relating to phthalates in medical equipment used for", "intravenous purposes."])),
        ("getBillText", "3350289"): bill_text(3350289, "application/pdf", "%%% not base64 %%%"),
    }

    def handle(request: Request) -> Response:
        if request.args.get("key") != KEY:
            body = {"status": "ERROR", "alert": {"message": "Invalid API key"}}
        else:
            body = answers.get((request.args["op"], request.args.get("id")), {"status": "ERROR", "alert": {"message": "no"}})
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/").respond_with_handler(handle)
    return httpserver


def test_search_fetches_changed_bills_and_records_errors(api, make_client):
    source = LegiScanSource(make_client(), KEY, TERMS, base_url=api.url_for("/"))
    found = list(source.search("WA"))
    bill, error = found
    assert (bill.jurisdiction, bill.session, bill.bill_id) == ("WA", "2025-2026", "HB 2402")
    assert bill.url == HB2402["bill"]["state_link"]
    assert isinstance(error, FetchError) and error.reason == "LegiScan getBill error: Unknown bill id"
    assert KEY not in error.url
    assert source.change_hashes == {str(HB2402["bill"]["bill_id"]): HB2402["bill"]["change_hash"]}  # SB 6137 is retried


def test_known_change_hashes_skip_unchanged_bills(api, make_client):
    known = {str(b["bill"]["bill_id"]): b["bill"]["change_hash"] for b in (HB2402, SB6137)}
    source = LegiScanSource(make_client(), KEY, TERMS, base_url=api.url_for("/"), known_change_hashes=known)
    assert list(source.search("WA")) == []
    assert source.stats["unchanged"] == 2
    assert [req.args["op"] for req, _ in api.log] == ["getSearch"]


def test_versions_decode_base64_documents_and_bad_ones_become_errors(api, make_client):
    source = LegiScanSource(make_client(), KEY, TERMS, base_url=api.url_for("/"))
    bill = next(b for b in source.search("WA") if not isinstance(b, FetchError))
    introduced, substitute = list(source.versions(bill))
    assert isinstance(introduced, BillVersion) and introduced.version_label == "Introduced"
    assert "phthalates in medical equipment" in introduced.text and introduced.version_date is None
    assert introduced.url == "https://lawfilesext.leg.wa.gov/biennium/2025-26/Pdf/Bills/House%20Bills/2402.pdf"
    assert isinstance(substitute, FetchError) and substitute.reason.startswith("malformed base64 document")
    assert "doc 3350289" in substitute.item
    assert str(HB2402["bill"]["bill_id"]) not in source.change_hashes  # a failed version means: fetch again next run


def test_tracked_numbers_use_the_master_list(api, make_client):
    source = LegiScanSource(make_client(), KEY, SearchTerms(()), bills=["HB 2402"], base_url=api.url_for("/"))
    [bill] = list(source.search("WA"))
    assert bill.bill_id == "HB 2402"
    assert [req.args["op"] for req, _ in api.log] == ["getMasterList", "getBill"]


def test_invalid_key_is_a_recorded_error(api, make_client):
    source = LegiScanSource(make_client(), "f" * 32, TERMS, base_url=api.url_for("/"))
    [error] = list(source.search("WA"))
    assert error.reason == "LegiScan getSearch error: Invalid API key" and "f" * 32 not in error.url


def test_helpers_read_legiscan_shapes():
    master = json.loads(fixture_bytes("legiscan/masterlist_wa.json"))["masterlist"]
    assert [e["number"] for e in numbered_entries(master)] == ["HB2402", "SB6137"]
    assert legiscan_date("0000-00-00") is None and str(legiscan_date("2026-03-30")) == "2026-03-30"


def test_a_changed_bill_downloads_only_texts_not_stored_with_the_same_hash(api, make_client):
    introduced = HB2402["bill"]["texts"][0]
    known = {str(HB2402["bill"]["bill_id"]): "an older change_hash",
             f"doc:{introduced['doc_id']}": introduced["text_hash"]}
    source = LegiScanSource(make_client(), KEY, TERMS, base_url=api.url_for("/"), known_change_hashes=known)
    bill = next(b for b in source.search("WA") if not isinstance(b, FetchError))
    records = list(source.versions(bill))
    fetched = [req.args["id"] for req, _ in api.log if req.args["op"] == "getBillText"]
    assert str(introduced["doc_id"]) not in fetched and len(fetched) == len(HB2402["bill"]["texts"]) - 1
    assert source.stats["unchanged_texts"] == 1 and len(records) == len(fetched)
    assert source.change_hashes[f"doc:{introduced['doc_id']}"] == introduced["text_hash"]  # carried to the next run
