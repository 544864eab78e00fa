"""California connector over a pubinfo archive served by a real local server."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from werkzeug import Request, Response

from sources.california import CaliforniaSource, read_dat, session_label
from sources.records import Bill, BillVersion, FetchError
from sources.registry import load_tracking
from tests.sources.source_helpers import FIXTURES, fixture_bytes, make_zip

LOBS = ["BILL_VERSION_TBL_1.lob", "BILL_VERSION_TBL_2.lob", "BILL_VERSION_TBL_3.lob", "BILL_VERSION_TBL_4.lob"]


@pytest.fixture
def pubinfo(httpserver):
    """Serve the download listing and a daily archive holding the version table and its LOB files."""
    members = {f"pubinfo/{name}": (FIXTURES / "ca" / name).read_bytes() for name in ["BILL_VERSION_TBL.dat", *LOBS]}
    httpserver.expect_request("/").respond_with_data(fixture_bytes("ca/listing.html"), content_type="text/html")
    httpserver.expect_request("/pubinfo_daily_Sun.zip").respond_with_data(make_zip(members), content_type="application/zip")
    return httpserver


def collect(source, jurisdiction="CA"):
    found = list(source.search(jurisdiction))
    bills = [b for b in found if isinstance(b, Bill)]
    return bills, [e for e in found if isinstance(e, FetchError)]


def test_dat_rows_and_session_labels():
    rows = list(read_dat((FIXTURES / "ca/BILL_VERSION_TBL.dat").read_bytes(), ["ID", "BILL", "NUM"]))
    assert rows[0] == {"ID": "20250AB221799INT", "BILL": "202520260AB2217", "NUM": "99"}
    veto = (FIXTURES / "samples/ca_pubinfo_VETO_MESSAGE_TBL_1.lob").read_text()
    assert "Senate Bill X1 2" in veto
    assert session_label("202520261SB2") == "2025-2026 1st Extraordinary Session"
    assert session_label("201520160SB1110") == "2015-2016"


def test_search_finds_matching_bills_from_newest_daily_archive(pubinfo, make_client):
    source = CaliforniaSource(make_client(), load_tracking().terms, base_url=pubinfo.url_for(""))
    bills, errors = collect(source)
    assert errors == []
    assert [(b.session, b.bill_id, b.title) for b in bills] == [
        ("2025-2026", "AB 2217", "Criminal procedure: alternatives to arrest."),
        ("2025-2026", "AB 2582", "Crimes: prostitution."),
    ]
    assert bills[0].url.endswith("billNavClient.xhtml?bill_id=202520260AB2217")
    assert [req.path for req, _ in pubinfo.log] == ["/", "/pubinfo_daily_Sun.zip"]
    assert list(source.search("WA")) == []


def test_every_version_with_markup_and_bad_versions_as_errors(pubinfo, make_client):
    source = CaliforniaSource(make_client(), load_tracking().terms, base_url=pubinfo.url_for(""))
    bills, _ = collect(source)
    ab2217 = list(source.versions(bills[0]))
    assert [(v.version_label, v.version_date) for v in ab2217] == [
        ("Introduced", date(2026, 2, 19)), ("Amended Assembly", date(2026, 3, 16))]
    introduced, amended = ab2217
    assert "Law Enforcement Assisted Diversion (LEAD) pilot program" in introduced.text
    assert "20250AB__221799INT" not in introduced.text  # bookkeeping metadata is not bill text
    assert introduced.markup == ()
    assert [amended.text[s.start:s.end][:20] for s in amended.markup] == ["while reducing costs", "by diverting people "]
    assert amended.url.endswith("billPdf.xhtml?bill_id=202520260AB2217&version=20250AB221798AMD")
    assert introduced.payload_sha256 != amended.payload_sha256
    ab2582 = list(source.versions(bills[1]))
    assert all(isinstance(e, FetchError) for e in ab2582)
    assert "malformed XML" in ab2582[0].reason and "20250AB258299INT" in ab2582[0].item
    assert ab2582[1].reason == "BILL_VERSION_TBL_9.lob missing from archive" and "20250AB258298AMD" in ab2582[1].item


def test_tracked_bill_numbers_and_session_filter(pubinfo, make_client):
    source = CaliforniaSource(make_client(), load_tracking().terms, base_url=pubinfo.url_for(""),
                              archive="pubinfo_daily_Sun.zip", bills=["SB 2"], sessions=["2025-2026"])
    bills, _ = collect(source)
    assert ("2025-2026 1st Extraordinary Session", "SB 2") in [(b.session, b.bill_id) for b in bills]
    [version] = source.versions(next(b for b in bills if b.bill_id == "SB 2"))
    assert isinstance(version, BillVersion) and "legal services programs" in version.text
    other = CaliforniaSource(make_client(), load_tracking().terms, base_url=pubinfo.url_for(""), sessions=["2023-2024"])
    assert collect(other) == ([], [])


def test_missing_archive_is_one_recorded_error(httpserver, make_client):
    httpserver.expect_request("/").respond_with_data(fixture_bytes("ca/listing.html"), content_type="text/html")
    httpserver.expect_request("/pubinfo_daily_Sun.zip").respond_with_data("gone", status=404)
    bills, errors = collect(CaliforniaSource(make_client(), load_tracking().terms, base_url=httpserver.url_for("")))
    assert bills == [] and len(errors) == 1
    assert errors[0].reason == "HTTP 404 after 1 attempt" and errors[0].item == "CA pubinfo archive"


def test_archive_is_streamed_to_disk_indexed_once_and_revalidated(httpserver, make_client, tmp_path):
    """The archive lives in a file (not memory, not the HTTP cache); an unchanged archive answers 304."""
    members = {f"pubinfo/{name}": (FIXTURES / "ca" / name).read_bytes() for name in ["BILL_VERSION_TBL.dat", *LOBS]}
    archive = make_zip(members)

    def handle(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(archive, content_type="application/zip", headers={"ETag": '"v1"'})

    httpserver.expect_request("/pubinfo_daily_Sun.zip").respond_with_handler(handle)
    client = make_client()
    first = CaliforniaSource(client, load_tracking().terms, base_url=httpserver.url_for(""), archive="pubinfo_daily_Sun.zip")
    bills, _ = collect(first)
    assert len(bills) == 2 and first.stats["full_downloads"] == 1
    assert Path(first._zip.filename).read_bytes() == archive and len(first._members) == len(members)
    assert archive not in (tmp_path / "http-cache.sqlite").read_bytes()
    again = CaliforniaSource(make_client(), load_tracking().terms, base_url=httpserver.url_for(""), archive="pubinfo_daily_Sun.zip")
    assert [b.bill_id for b in collect(again)[0]] == ["AB 2217", "AB 2582"]
    assert again.stats["full_downloads"] == 0
    assert [v.version_label for v in again.versions(bills[0])] == ["Introduced", "Amended Assembly"]


def test_each_new_daily_archive_replaces_the_previous_file(httpserver, make_client, tmp_path):
    members = {f"pubinfo/{name}": (FIXTURES / "ca" / name).read_bytes() for name in ["BILL_VERSION_TBL.dat", *LOBS]}
    for day in ("Sat", "Sun"):
        httpserver.expect_request(f"/pubinfo_daily_{day}.zip").respond_with_data(
            make_zip({**members, f"pubinfo/{day}.txt": day.encode()}), content_type="application/zip")
    for day in ("Sat", "Sun"):
        source = CaliforniaSource(make_client(), load_tracking().terms, base_url=httpserver.url_for(""),
                                  archive=f"pubinfo_daily_{day}.zip")
        assert len(collect(source)[0]) == 2 and source.stats["full_downloads"] == 1
    kept = [p for p in (tmp_path / "downloads").iterdir() if p.suffix != ".json"]
    assert len(kept) == 1 and b"pubinfo/Sun.txt" in kept[0].read_bytes()
