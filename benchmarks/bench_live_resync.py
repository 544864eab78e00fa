"""Live connectors replayed from recorded payloads on 127.0.0.1: a first run, a no-change re-run, and where bodies end up.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_live_resync.py [--archive-mb 200]
(from the repo root; it reuses the test recordings)
Prints, per run, CPU seconds of this process (the Dagster runs execute in it), full downloads and new versions,
then the sizes of the warehouse, the published copy and the payload folder. CPU time includes Dagster start-up,
which is the same for both runs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.pipelines import test_live_resync as recorded
from warehouse.db import Warehouse
from warehouse.publish import publish_snapshot


def pad_archive(megabytes: int) -> None:
    """Grow the recorded pubinfo archive by an incompressible member, as large as a real daily archive if asked."""
    plain = recorded.make_zip
    filler = os.urandom(megabytes << 20)
    recorded.make_zip = lambda members: plain({**members, "pubinfo/BILL_TBL.dat": filler})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archive-mb", type=int, default=0, help="pad the California archive to about this size")
    pad_archive(parser.parse_args().archive_mb)
    os.environ.setdefault("OPENSTATES_API_KEY", recorded.OS_KEY)
    os.environ.setdefault("LEGISCAN_API_KEY", recorded.LS_KEY)
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            recorded.serve(server)
            tracking = recorded.tracking_file(root, server.url_for("").rstrip("/"))
            warehouse = Warehouse(path=str(root / "warehouse.duckdb"))
            for label in ("first run", "re-run"):
                started = time.process_time()
                found = recorded.run_all(warehouse, tracking, root / "cache" / "http_cache.sqlite")
                spent = time.process_time() - started
                downloads = sum(meta["full_downloads"] for meta in found.values())
                added = sum(meta["new_versions"] for meta in found.values())
                print(f"{label}: {spent:.2f} s CPU, {downloads} full downloads, {added} new versions")
            with warehouse.connect() as con:
                con.execute("CHECKPOINT")
                published = publish_snapshot(con, root / "serving.duckdb")
            payloads = root / "payloads"
            body_bytes = sum(p.stat().st_size for p in payloads.rglob("*") if p.is_file()) if payloads.exists() else 0
            print(f"warehouse {(root / 'warehouse.duckdb').stat().st_size:,} B, published {published.size_bytes:,} B, "
                  f"payload files {body_bytes:,} B")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
