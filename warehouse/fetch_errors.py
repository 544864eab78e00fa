"""Record fetch errors once per item and cause, so a failure that recurs every run is one row, not one per run."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import pandas as pd

from warehouse.db import Warehouse
from warehouse.transaction import transaction

ERROR_COLUMNS = ["jurisdiction", "source", "item", "url", "reason"]
CAUSE = "e.jurisdiction = n.jurisdiction AND e.source = n.source AND e.item = n.item AND e.reason = n.reason"


def record_fetch_errors(
    warehouse: Warehouse, errors: pd.DataFrame, step: str, jurisdiction: str, sources: Collection[str],
    run_id: str, seen_at: datetime,
) -> int:
    """Count each error's cause again or add it, then resolve what this step's run for these sources no longer saw.

    `errors` has ERROR_COLUMNS; returns the causes seen for the first time.
    """
    incoming = errors[ERROR_COLUMNS].drop_duplicates(subset=["jurisdiction", "source", "item", "reason"]).assign(
        step=step, run_id=run_id, seen_at=seen_at
    )
    with warehouse.connect() as con:
        con.register("incoming_errors", incoming)
        try:
            with transaction(con):
                con.execute(
                    f"UPDATE core.fetch_errors e SET last_seen_at = n.seen_at, run_id = n.run_id, resolved_at = NULL, "
                    f"seen_runs = e.seen_runs + 1, url = n.url, step = n.step FROM incoming_errors n WHERE {CAUSE}"
                )
                added = con.execute(
                    f"INSERT INTO core.fetch_errors (jurisdiction, source, item, url, reason, occurred_at, run_id, step, "
                    f"last_seen_at, seen_runs) SELECT n.jurisdiction, n.source, n.item, n.url, n.reason, n.seen_at, n.run_id, "
                    f"n.step, n.seen_at, 1 FROM incoming_errors n "
                    f"WHERE NOT EXISTS (SELECT 1 FROM core.fetch_errors e WHERE {CAUSE})"
                ).fetchone()[0]
                con.execute(
                    "UPDATE core.fetch_errors SET resolved_at = ? WHERE step = ? AND jurisdiction = ? "
                    "AND list_contains(?, source) AND resolved_at IS NULL AND run_id <> ?",
                    [seen_at, step, jurisdiction, list(sources), run_id],
                )
        finally:
            con.unregister("incoming_errors")
    return int(added)
