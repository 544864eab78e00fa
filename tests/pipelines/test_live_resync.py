"""A second live run with nothing changed upstream downloads nothing in full, for every bill source."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pytest
from werkzeug import Request, Response

from assets.bills import BILL_ASSETS
from assets.resources import BillSources
from tests.sources.source_helpers import FIXTURES, fixture_bytes, make_pdf, make_zip
from warehouse.db import Warehouse

OS_KEY, LS_KEY = "test-openstates-key", "0123456789abcdef0123456789abcdef"
HB2402 = json.loads((FIXTURES / "samples/legiscan_dataset_WA_2025-2026_bill_HB2402.json").read_text())
# The recorded LegiScan payloads are Washington's; they are served for the IL partition so that LegiScan and the
# Washington web services each own one partition (two sources finding the same bill would share its versions).
PARTITIONS = {"CA": "california", "WA": "washington", "TX": "openstates", "IL": "legiscan"}


def recorded_site(base: str) -> dict[str, tuple[bytes, str]]:
    """Path -> (body, content type) of every recorded response the four sources ask for."""
    lobs = ["BILL_VERSION_TBL.dat", *(f"BILL_VERSION_TBL_{n}.lob" for n in range(1, 5))]
    docs = "/biennium/2025-26/Htm/Bills/House Bills"
    xml, html = "text/xml; charset=utf-8", "text/html"
    site = {
        "/LegislationService.asmx/GetLegislationIntroducedSince": (fixture_bytes("wa/legislation_since_2025.xml"), xml),
        "/LegislativeDocumentService.asmx/GetDocumentsByClass": (fixture_bytes("wa/documents_2402.xml", base), xml),
        f"{docs}/2402.htm": (fixture_bytes("wa/2402.htm"), html),
        f"{docs}/2402-S.htm": (fixture_bytes("wa/2402-S.htm"), html),
        "/ca/": (fixture_bytes("ca/listing.html"), html),
        "/ca/pubinfo_daily_Sun.zip": (make_zip({f"pubinfo/{n}": (FIXTURES / "ca" / n).read_bytes() for n in lobs}),
                                      "application/zip"),
        "/os/bills?page=1": (fixture_bytes("openstates/bills_tx_page1.json", f"{base}/os"), "application/json"),
        "/os/bills?page=2": (fixture_bytes("openstates/bills_tx_page2.json", f"{base}/os"), "application/json"),
        "/os/tlodocs/84R/billtext/pdf/SB00536F.pdf": (make_pdf((FIXTURES / "openstates/SB00536F.txt").read_text().splitlines()),
                                                      "application/pdf"),
        "/ls/getSearch": (json.dumps({"status": "OK", **json.loads(fixture_bytes("legiscan/search_wa.json"))}).encode(),
                          "application/json"),
        f"/ls/getBill/{HB2402['bill']['bill_id']}": (json.dumps({"status": "OK", **HB2402}).encode(), "application/json"),
    }
    for name, folder in [("HB01994I.htm", "82R"), ("HB01994F.htm", "82R"), ("SB00536I.htm", "84R")]:
        site[f"/os/tlodocs/{folder}/billtext/html/{name}"] = (fixture_bytes(f"openstates/{name}"), html)
    for text in HB2402["bill"]["texts"]:
        pdf = make_pdf([f"AN ACT Relating to phthalates ({text['type']})."])
        document = {"doc_id": text["doc_id"], "mime": "application/pdf", "doc": base64.b64encode(pdf).decode()}
        site[f"/ls/getBillText/{text['doc_id']}"] = (json.dumps({"status": "OK", "text": document}).encode(), "application/json")
    return site


def serve(httpserver) -> list[str]:
    """Replay the site with ETags, answering 304 to a matching If-None-Match as the real servers do; lists full answers."""
    base = httpserver.url_for("").rstrip("/")
    site, full = recorded_site(base), []

    def handle(request: Request) -> Response:
        path = request.path
        if path == "/os/bills":
            path += f"?page={request.args.get('page', '1')}"
        elif path == "/ls/":
            path = "/".join(filter(None, ["/ls", request.args.get("op"), request.args.get("id")]))
        if path not in site:
            return Response(json.dumps({"status": "ERROR", "alert": {"message": "not recorded"}}), status=404)
        body, content_type = site[path]
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        full.append(path)
        return Response(body, content_type=content_type, headers={"ETag": etag})

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handle)
    return full


def tracking_file(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "tracking.toml"
    jurisdictions = "\n".join(f'[jurisdictions.{code}]\nsources = ["{name}"]\n' for code, name in PARTITIONS.items())
    path.write_text(f"""
[search]
phrases = ["phthalates", "alternatives to arrest", "prostitution prevention program"]
all_of = [["prostitution", "diversion"]]

[http]
allowed_hosts = ["{urlsplit(base).hostname}"]
timeout = 5.0
retries = 0
min_interval = 0.0

{jurisdictions}
[sources.california]
base_url = "{base}/ca"
[sources.washington]
base_url = "{base}"
[sources.openstates]
base_url = "{base}/os"
[sources.legiscan]
base_url = "{base}/ls/"
""", encoding="utf-8")
    return path


def run_all(warehouse: Warehouse, tracking: Path, cache: Path) -> dict[str, dict]:
    """One materialization of the bill assets per partition; each partition's bill_versions metadata."""
    found = {}
    for code in PARTITIONS:
        sources = BillSources(mode="live", tracking_path=str(tracking), cache_path=str(cache))
        result = dg.materialize(BILL_ASSETS, partition_key=code, resources={"warehouse": warehouse, "bill_sources": sources})
        assert result.success
        found[code] = {k: v.value for k, v in result.asset_materializations_for_node("bill_versions")[-1].metadata.items()}
    return found


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("OPENSTATES_API_KEY", OS_KEY)
    monkeypatch.setenv("LEGISCAN_API_KEY", LS_KEY)


def test_a_second_run_with_no_upstream_change_downloads_nothing_in_full(httpserver, keys, tmp_path, warehouse):
    served = serve(httpserver)
    tracking = tracking_file(tmp_path, httpserver.url_for("").rstrip("/"))
    cache = tmp_path / "cache" / "http_cache.sqlite"
    first = run_all(warehouse, tracking, cache)
    assert {code: meta["full_downloads"] > 0 and meta["new_versions"] > 0 for code, meta in first.items()} == \
        dict.fromkeys(PARTITIONS, True)
    served.clear()
    second = run_all(warehouse, tracking, cache)
    assert {code: (meta["full_downloads"], meta["new_versions"]) for code, meta in second.items()} == \
        dict.fromkeys(PARTITIONS, (0, 0))
    assert [path for path in served if "getBillText" in path or path.endswith((".htm", ".pdf", ".zip"))] == []
