"""Content-addressed payload files: one file per distinct body, metadata in DuckDB, expired bodies pruned."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

from sources.records import RawPayload
from warehouse.db import Warehouse
from warehouse.payloads import PayloadStore


def payload(body: bytes, url: str, when: datetime, path: str = "") -> RawPayload:
    return RawPayload(url, when, hashlib.sha256(body).hexdigest(), "text/html", b"" if path else body, "example", path)


def test_same_body_is_stored_once_and_its_last_fetch_moves(warehouse: Warehouse, tmp_path: Path):
    store = PayloadStore(tmp_path / "payloads", retention_days=30)
    later = datetime.now().replace(microsecond=0)
    first = later - timedelta(days=20)
    assert store.keep(warehouse, [payload(b"<p>same</p>", "http://a/1", first)]) == 1
    assert store.keep(warehouse, [payload(b"<p>same</p>", "http://a/2", later)]) == 0
    row = warehouse.query_df("SELECT * FROM core.raw_payloads").iloc[0]
    assert (row.fetched_at, row.last_fetched_at, row.size_bytes) == (first, later, 11)
    assert (store.root / row.path).read_bytes() == b"<p>same</p>"
    assert len([p for p in store.root.rglob("*") if p.is_file()]) == 1


def test_a_file_downloaded_to_disk_is_copied_in_and_expired_bodies_are_pruned(warehouse: Warehouse, tmp_path: Path):
    download = tmp_path / "archive.zip"
    download.write_bytes(b"PK" + b"\0" * 4096)
    store = PayloadStore(tmp_path / "payloads", retention_days=30)
    now = datetime.now()
    store.keep(warehouse, [payload(download.read_bytes(), "http://a/archive.zip", now, str(download)),
                           payload(b"old", "http://a/old", now - timedelta(days=31))])
    kept = warehouse.query_df("SELECT url, size_bytes, path FROM core.raw_payloads")
    assert kept["url"].tolist() == ["http://a/archive.zip"] and kept["size_bytes"].tolist() == [4098]
    assert (store.root / kept["path"][0]).read_bytes() == download.read_bytes()
    assert not (store.root / store.relative_path(hashlib.sha256(b"old").hexdigest())).exists()
