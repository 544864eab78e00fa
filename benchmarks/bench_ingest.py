"""Ingest cost: a full run of the bill assets over a folder of real texts, then a re-run with no upstream change.

Run: .venv/bin/python benchmarks/bench_ingest.py [--folder demo/texts]
Prints wall time, rows and reads for both runs (target: the re-run adds 0 rows, downloads nothing in full,
and costs < 10% of a full run's fetch-and-load work).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import dagster as dg

from assets.bills import BILL_ASSETS
from assets.resources import BillSources
from warehouse.db import Warehouse

REPO = Path(__file__).resolve().parents[1]


QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def run_all(warehouse: Warehouse, folder: str, partitions: list[str]) -> tuple[float, int, int]:
    """Seconds, new versions and full downloads over every partition, with fresh connectors."""
    started, added, downloads = time.perf_counter(), 0, 0
    for partition in partitions:
        sources = BillSources(mode="folder", folder=folder, tracking_path=str(REPO / "config" / "tracking.toml"))
        result = dg.materialize(BILL_ASSETS, partition_key=partition, run_config=QUIET,
                                resources={"warehouse": warehouse, "bill_sources": sources})
        event = result.asset_materializations_for_node("bill_versions")[-1]
        added += event.metadata["new_versions"].value
        downloads += event.metadata["full_downloads"].value
    return time.perf_counter() - started, added, downloads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", default=str(REPO / "demo" / "texts"))
    args = parser.parse_args()
    sources = BillSources(mode="folder", folder=args.folder, tracking_path=str(REPO / "config" / "tracking.toml"))
    partitions = sorted(sources.open()[0])
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Warehouse(path=str(Path(tmp) / "bench.duckdb"))
        full = run_all(warehouse, args.folder, partitions)
        again = run_all(warehouse, args.folder, partitions)
    print(f"partitions: {len(partitions)}")
    print(f"full run:  {full[0]:.2f} s, {full[1]} new versions, {full[2]} full downloads")
    print(f"re-run:    {again[0]:.2f} s, {again[1]} new versions, {again[2]} full downloads "
          f"({again[0] / full[0]:.0%} of the full run's wall time, Dagster overhead included)")


if __name__ == "__main__":
    main()
