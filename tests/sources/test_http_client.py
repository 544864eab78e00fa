"""The shared HTTP client against a real local server: retries, limits, bad bodies, allowlist and revalidation."""

from __future__ import annotations

import json
import time

import pytest
from werkzeug import Request, Response

from sources.extract import pdf_to_text
from sources.http import FetchFailed
from tests.sources.source_helpers import fixture_bytes, make_pdf


def test_429_with_retry_after_is_waited_out_then_succeeds(httpserver, make_client):
    httpserver.expect_oneshot_request("/bills").respond_with_data("slow down", status=429, headers={"Retry-After": "1"})
    httpserver.expect_request("/bills").respond_with_json({"ok": True})
    client = make_client()
    started = time.monotonic()
    fetched = client.get(httpserver.url_for("/bills"), expect="json")
    assert fetched.json() == {"ok": True}
    assert len(httpserver.log) == 2
    assert time.monotonic() - started >= 0.9  # the server asked for one second; backoff alone is ~1 ms


def test_post_is_retried_on_503(httpserver, make_client):
    httpserver.expect_oneshot_request("/search", method="POST").respond_with_data("busy", status=503)
    httpserver.expect_request("/search", method="POST").respond_with_json({"hits": 1})
    fetched = make_client().post_json(httpserver.url_for("/search"), {"keyword": "diversion"})
    assert fetched.json() == {"hits": 1}
    assert [json.loads(req.data) for req, _ in httpserver.log] == [{"keyword": "diversion"}] * 2


def test_persistent_500_fails_after_all_attempts(httpserver, make_client):
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    client = make_client(retries=2)
    with pytest.raises(FetchFailed) as failure:
        client.get(httpserver.url_for("/broken"))
    assert failure.value.reason == "HTTP 500 after 3 attempts"
    assert failure.value.status == 500
    assert len(httpserver.log) == 3
    assert client.stats["errors"] == 1 and client.stats["downloaded"] == 0


def test_timeout_is_reported(httpserver, make_client):
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(FetchFailed) as failure:
        make_client(timeout=0.2, retries=0).get(httpserver.url_for("/slow"))
    assert failure.value.reason == "timeout after 0.2s"


def test_truncated_body_is_detected(httpserver, make_client):
    httpserver.expect_request("/cut").respond_with_response(
        Response(iter([b"x" * 120]), headers={"Content-Length": "500"})
    )
    client = make_client(retries=0)
    with pytest.raises(FetchFailed) as failure:
        client.get(httpserver.url_for("/cut"))
    assert failure.value.reason.startswith("truncated body: got 120 of 500 bytes")
    assert client.take_payloads() == []


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_body_over_size_limit_is_refused(httpserver, make_client, declared):
    body = b"a" * 5000
    response = Response(body) if declared else Response(iter([body[:2500], body[2500:]]))
    httpserver.expect_request("/big").respond_with_response(response)
    client = make_client(max_bytes=1000)
    with pytest.raises(FetchFailed) as failure:
        client.get(httpserver.url_for("/big"))
    assert failure.value.reason == "body over 1000 bytes"
    assert client.take_payloads() == []


def test_html_where_pdf_expected(httpserver, make_client):
    page = b"<html><head><title>Download Bill PDF</title></head><body><form id='downloadForm'></form></body></html>"
    httpserver.expect_request("/billPdf.xhtml").respond_with_data(page, content_type="text/html;charset=UTF-8")
    client = make_client()
    with pytest.raises(FetchFailed) as failure:
        client.get(httpserver.url_for("/billPdf.xhtml"), expect="pdf")
    assert failure.value.reason == "expected pdf, got text/html"
    assert client.stats["errors"] == 1
    with pytest.raises(FetchFailed, match="expected pdf"):
        pdf_to_text(page)


def test_real_pdf_passes_the_pdf_check(httpserver, make_client):
    httpserver.expect_request("/bill.pdf").respond_with_data(make_pdf(["AN ACT relating to diversion."]),
                                                              content_type="application/pdf")
    fetched = make_client().get(httpserver.url_for("/bill.pdf"), expect="pdf")
    assert "relating to diversion" in pdf_to_text(fetched.body)[0]


def test_malformed_xml_and_json(httpserver, make_client):
    httpserver.expect_request("/leg.xml").respond_with_data(b"<ArrayOfLegislation><Legislation>", content_type="text/xml")
    httpserver.expect_request("/bills.json").respond_with_data(b'{"results": [', content_type="application/json")
    client = make_client()
    with pytest.raises(FetchFailed, match="malformed XML"):
        client.get(httpserver.url_for("/leg.xml"), expect="xml").xml()
    with pytest.raises(FetchFailed, match="malformed JSON"):
        client.get(httpserver.url_for("/bills.json"), expect="json").json()


def test_non_utf8_bytes_are_decoded_not_crashed(httpserver, make_client):
    phrase = "The Governor\u2019s message \u2014 prostitution diversion for the court\u2019s consideration."
    httpserver.expect_request("/declared").respond_with_data(phrase.encode("cp1252"), content_type="text/html; charset=windows-1252")
    httpserver.expect_request("/undeclared").respond_with_data(phrase.encode("cp1252") * 3, content_type="text/plain")
    httpserver.expect_request("/garbage").respond_with_data(bytes(range(256)) * 4, content_type="text/plain")
    client = make_client()
    assert client.get(httpserver.url_for("/declared")).text() == phrase
    assert "prostitution diversion" in client.get(httpserver.url_for("/undeclared")).text()
    assert isinstance(client.get(httpserver.url_for("/garbage")).text(), str)


def test_hosts_outside_the_allowlist_are_never_contacted(httpserver, make_client):
    httpserver.expect_request("/hop").respond_with_data("", status=302, headers={"Location": "http://evil.example/steal"})
    client = make_client()
    with pytest.raises(FetchFailed) as direct:
        client.get("http://evil.example/bill.pdf")
    assert direct.value.reason == "host not allowed: evil.example"
    with pytest.raises(FetchFailed) as redirected:
        client.get(httpserver.url_for("/hop"))
    assert redirected.value.reason == "host not allowed: evil.example"
    with pytest.raises(FetchFailed, match="host not allowed"):
        client.get("ftp://localhost/bills/86R/HB01391I.htm")
    assert len(httpserver.log) == 1  # only the redirecting request reached a server


def _validating_handler(header: str, validator: str, body: bytes):
    def handle(request: Request) -> Response:
        if request.headers.get(header) == validator:
            return Response(status=304)
        name = "ETag" if header == "If-None-Match" else "Last-Modified"
        return Response(body, headers={name: validator}, content_type="text/html")

    return handle


@pytest.mark.parametrize(
    "header, validator",
    [("If-None-Match", '"v1-2402"'), ("If-Modified-Since", "Tue, 03 Feb 2026 10:00:00 GMT")],
)
def test_unchanged_resource_is_revalidated_not_downloaded(httpserver, make_client, header, validator):
    body = fixture_bytes("wa/2402.htm")
    httpserver.expect_request("/2402.htm").respond_with_handler(_validating_handler(header, validator, body))
    url = httpserver.url_for("/2402.htm")
    first = make_client()
    assert first.get(url).from_cache is False
    assert len(first.take_payloads()) == 1
    second = make_client()  # a new run: same persistent cache file
    again = second.get(url)
    assert httpserver.log[-1][0].headers.get(header) == validator
    assert httpserver.log[-1][1].status_code == 304
    assert again.from_cache is True and again.body == body
    assert second.stats["not_modified"] == 1 and second.stats["downloaded"] == 0
    assert second.take_payloads() == []


def test_payloads_are_handed_over_once_and_keys_are_redacted(httpserver, make_client):
    httpserver.expect_request("/api").respond_with_json({"status": "OK"})
    client = make_client()
    fetched = client.get(httpserver.url_for("/api"), params={"key": "0123456789abcdef0123456789abcdef", "op": "getBill"})
    assert "0123456789abcdef" not in fetched.url and "key=REDACTED" in fetched.url
    payloads = client.take_payloads()
    assert [p.sha256 for p in payloads] == [fetched.sha256]
    assert "0123456789abcdef" not in payloads[0].url
    assert client.take_payloads() == []
    assert client.stats["requests"] == 1 and client.stats["downloaded"] == 1


def test_requests_to_one_host_are_spaced_by_min_interval(httpserver, make_client):
    httpserver.expect_request("/page").respond_with_data("ok")
    client = make_client(min_interval=0.3)
    started = time.monotonic()
    for _ in range(3):
        client.get(httpserver.url_for("/page"))
    assert time.monotonic() - started >= 0.6  # two waits between three requests
    assert client.stats["requests"] == 3
