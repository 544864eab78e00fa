"""Funding figures: recipient typing speed and a full recorded run of the funding assets, first and repeated.

Run: .venv/bin/python benchmarks/bench_funding.py
Prints figures only.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from pathlib import Path

import dagster as dg

from analysis.money.recipients import classify
from assets.funding import FUNDING_ASSETS, FUNDING_CHECKS
from assets.funding_support import FundingSources
from warehouse.db import Warehouse

ROOT = Path(__file__).parents[1]
LABELED = ROOT / "tests" / "fixtures" / "funding"


def typing_rate(rounds: int = 200) -> tuple[float, float]:
    """Names typed per second, and accuracy on the labeled plus held-out real recipients."""
    rows = [row for name in ("recipients_labeled.csv", "recipients_heldout.csv")
            for row in csv.DictReader((LABELED / name).open(encoding="utf-8"))]
    started = time.perf_counter()
    for _ in range(rounds):
        for row in rows:
            classify(row["name"])
    rate = rounds * len(rows) / (time.perf_counter() - started)
    accuracy = sum(classify(r["name"]).type == r["expected_type"] for r in rows) / len(rows)
    return rate, accuracy


def recorded_runs() -> tuple[float, float, int]:
    """Seconds for the first and a repeated recorded run, and rows added by the repeat (should be 0)."""
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Warehouse(path=str(Path(folder) / "warehouse.duckdb"))
        funding = FundingSources(config_path=str(ROOT / "config/funding.toml"),
                                 recorded_manifest=str(ROOT / "demo/funding/manifest.toml"), cache_path=None)
        count = "SELECT (SELECT count(*) FROM funding.awards) + (SELECT count(*) FROM funding.opportunities)"
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            dg.materialize([*FUNDING_ASSETS, *FUNDING_CHECKS], resources={"warehouse": warehouse, "funding": funding})
            timings.append(time.perf_counter() - started)
            rows = int(warehouse.query_df(count).iloc[0, 0])
            if len(timings) == 1:
                first_rows = rows
        return timings[0], timings[1], rows - first_rows


def main() -> None:
    rate, accuracy = typing_rate()
    print(f"recipient typing: {rate:,.0f} names/s, accuracy {accuracy:.3f} on labeled + held-out real names")
    first, second, added = recorded_runs()
    print(f"recorded funding run: first {first:.2f}s, repeat {second:.2f}s, rows added by repeat {added}")


if __name__ == "__main__":
    main()
