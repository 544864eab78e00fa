"""p95 latency of every mart and of the dashboard's own queries on the published copy (target < 100 ms).

    python benchmarks/scale_warehouse.py            # once: 50 states x 10 years
    python benchmarks/bench_marts.py                # publishes data/bench/serving.duckdb, then measures
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from warehouse.access import mart_names  # noqa: E402
from warehouse.db import Warehouse  # noqa: E402
from warehouse.publish import publish_snapshot  # noqa: E402

TARGET_MS = 100.0


def dashboard_queries(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, list]]:
    """The parameterized reads the dashboard issues, bound to a real bill, amendment and state of the copy."""
    state, session, bill_id = con.execute(
        "SELECT jurisdiction, session, bill_id FROM marts.bill_latest ORDER BY version_count DESC, bill_id LIMIT 1"
    ).fetchone()
    old_id, new_id = con.execute(
        "SELECT old_version_id, new_version_id FROM marts.amendment_changes GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    return {
        "dashboard: bills": ("SELECT * FROM marts.bill_latest ORDER BY latest_version_date DESC NULLS LAST", []),
        "dashboard: timeline of a bill": ("SELECT * FROM marts.version_timeline WHERE jurisdiction = ? AND session = ? "
                                          "AND bill_id = ? ORDER BY version_no", [state, session, bill_id]),
        "dashboard: redlines of an amendment": ("SELECT * FROM marts.amendment_changes WHERE old_version_id = ? "
                                                "AND new_version_id = ? ORDER BY change_no", [old_id, new_id]),
        "dashboard: signals of an amendment": ("SELECT * FROM marts.amendment_signals WHERE old_version_id = ? "
                                               "AND new_version_id = ?", [old_id, new_id]),
        "dashboard: drift by year (state)": ("SELECT * FROM marts.drift_by_state_year WHERE jurisdiction = ?", [state]),
        "dashboard: clause counts (state)": ("SELECT * FROM marts.clause_counts WHERE jurisdiction = ?", [state]),
        "dashboard: alerts (latest 200)": ("SELECT * FROM marts.alerts_feed ORDER BY created_at DESC LIMIT 200", []),
    }


def measure(path: Path, sql: str, params: list, runs: int, fresh_connection: bool) -> list[float]:
    """Milliseconds per run, fetching into pandas as the dashboard does."""
    timings = []
    shared = None if fresh_connection else duckdb.connect(str(path), read_only=True)
    for _ in range(runs + 2):
        started = time.perf_counter()
        con = duckdb.connect(str(path), read_only=True) if fresh_connection else shared
        con.execute(sql, params).df()
        if fresh_connection:
            con.close()
        timings.append((time.perf_counter() - started) * 1000)
    if shared is not None:
        shared.close()
    return timings[2:]  # the first two warm the OS cache


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=REPO / "data" / "bench" / "warehouse.duckdb")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if not args.warehouse.exists():
        raise SystemExit(f"{args.warehouse} missing: run python benchmarks/scale_warehouse.py first")
    serving = args.warehouse.with_name("serving.duckdb")
    with Warehouse(path=str(args.warehouse)).connect() as con:
        result = publish_snapshot(con, serving)
    print(f"published {serving} ({result.size_bytes / 1e6:.1f} MB) in {result.seconds * 1000:.0f} ms")
    with duckdb.connect(str(serving), read_only=True) as con:
        queries = {f"mart: {name}": (f"SELECT * FROM marts.{name}", []) for name in mart_names(con)}
        queries.update(dashboard_queries(con))
        rows = {label: len(con.execute(sql, params).df()) for label, (sql, params) in queries.items()}
    print(f"{'query':40} {'rows':>8} {'p50 ms':>8} {'p95 ms':>8} {'p95 new conn':>13}")
    worst_warm = worst_fresh = 0.0
    for label, (sql, params) in queries.items():
        warm = measure(serving, sql, params, args.runs, fresh_connection=False)
        fresh = measure(serving, sql, params, args.runs, fresh_connection=True)
        worst_warm, worst_fresh = max(worst_warm, p95(warm)), max(worst_fresh, p95(fresh))
        print(f"{label:40} {rows[label]:>8,} {statistics.median(warm):>8.1f} {p95(warm):>8.1f} {p95(fresh):>13.1f}")
    for pattern, worst in (("open connection (the dashboard)", worst_warm),
                           ("new connection per query (BI tools via the SQLAlchemy URL)", worst_fresh)):
        print(f"worst p95, {pattern}: {worst:.1f} ms; target < {TARGET_MS:.0f} ms: "
              f"{'met' if worst < TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
