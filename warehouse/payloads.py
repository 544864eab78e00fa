"""Raw response bodies as content-addressed files beside the warehouse, so DuckDB and its published copy hold no bodies."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

import pandas as pd

from warehouse.db import Warehouse

DEFAULT_RETENTION_DAYS = 90


class Payload(Protocol):
    """What a fetched body carries (sources.records.RawPayload has this shape)."""

    url: str
    fetched_at: datetime
    sha256: str
    content_type: str
    body: bytes
    source: str
    path: str


class PayloadStore:
    """Files named by their SHA-256 under `root`, written once each; bodies not fetched for `retention_days` are pruned."""

    def __init__(self, root: Path, retention_days: int = DEFAULT_RETENTION_DAYS):
        self.root = Path(root)
        self.retention_days = retention_days

    @classmethod
    def beside(cls, warehouse: Warehouse) -> PayloadStore:
        """The store next to the warehouse file, or at DIVWATCH_PAYLOAD_DIR, kept DIVWATCH_PAYLOAD_RETENTION_DAYS days."""
        root = os.environ.get("DIVWATCH_PAYLOAD_DIR") or Path(warehouse.path).parent / "payloads"
        days = int(os.environ.get("DIVWATCH_PAYLOAD_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
        return cls(Path(root), days)

    def relative_path(self, sha256: str) -> str:
        return f"{sha256[:2]}/{sha256}"

    def put(self, payload: Payload) -> int:
        """Write the body (or link or copy the downloaded file) unless a file with its hash exists; returns its size."""
        target = self.root / self.relative_path(payload.sha256)
        if target.exists():
            return target.stat().st_size
        target.parent.mkdir(parents=True, exist_ok=True)
        if payload.path and _linked(Path(payload.path), target):
            return target.stat().st_size
        handle, partial = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            if payload.path:
                with open(payload.path, "rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
            else:
                out.write(payload.body)
        os.replace(partial, target)
        return target.stat().st_size

    def keep(self, warehouse: Warehouse, payloads: Iterable[Payload], source: str | None = None) -> int:
        """Store each distinct body once, record it (a body seen again moves its last fetch time), prune; returns new rows."""
        rows = {}
        for payload in payloads:
            fetched = _naive(payload.fetched_at)
            rows[payload.sha256] = {
                "sha256": payload.sha256, "url": payload.url, "source": source or payload.source,
                "content_type": payload.content_type, "fetched_at": fetched, "size_bytes": self.put(payload),
                "last_fetched_at": fetched, "path": self.relative_path(payload.sha256),
            }
        if not rows:
            return 0
        frame = pd.DataFrame(list(rows.values()))
        with warehouse.connect() as con:
            before = con.execute("SELECT count(*) FROM core.raw_payloads").fetchall()[0][0]
            con.register("seen_payloads", frame)
            con.execute("INSERT INTO core.raw_payloads BY NAME SELECT * FROM seen_payloads ON CONFLICT (sha256) "
                        "DO UPDATE SET last_fetched_at = excluded.last_fetched_at, path = excluded.path").fetchall()
            con.unregister("seen_payloads")
            added = con.execute("SELECT count(*) FROM core.raw_payloads").fetchall()[0][0] - before
        self.prune(warehouse)
        return added

    def prune(self, warehouse: Warehouse, now: datetime | None = None) -> int:
        """Delete the files and rows of bodies not fetched within the retention period; returns bodies removed."""
        cutoff = _naive(now or datetime.now(timezone.utc)) - timedelta(days=self.retention_days)
        old = warehouse.query_df("SELECT sha256, path FROM core.raw_payloads WHERE last_fetched_at < ?", [cutoff])
        for path in old["path"].dropna():
            (self.root / path).unlink(missing_ok=True)
        with warehouse.connect() as con:
            con.execute("DELETE FROM core.raw_payloads WHERE last_fetched_at < ?", [cutoff])
        return len(old)


def _linked(source: Path, target: Path) -> bool:
    """Hard-link a downloaded file into the store (no second copy on disk); False when the file system cannot."""
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def _naive(moment: datetime) -> datetime:
    """UTC without a zone, as DuckDB TIMESTAMP columns store it."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
