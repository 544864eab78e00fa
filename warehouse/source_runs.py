"""Record what each source did in a run, one row per change of outcome, so a re-run that finds nothing new adds no row."""

from __future__ import annotations

import pandas as pd

from warehouse.db import Warehouse
from warehouse.transaction import transaction

# The source's latest row that an incoming run only confirms: nothing new and nothing downloaded in full, with the
# same number of failures as that row (the errors themselves are counted per cause in core.fetch_errors), or exactly
# the latest run's outcome again (a source replayed in full).
CONFIRMED = """
SELECT l.*, n.run_id AS confirming_run_id, n.finished_at AS confirmed_at
FROM incoming_runs n
JOIN (SELECT * FROM core.source_runs
      QUALIFY row_number() OVER (PARTITION BY jurisdiction, source ORDER BY finished_at DESC, run_id DESC) = 1) l
    USING (jurisdiction, source)
WHERE n.run_id <> l.run_id AND (
    (n.items_ok = 0 AND n.downloaded = 0 AND n.items_failed = l.items_failed)
    OR (n.items_ok = l.items_ok AND n.items_failed = l.items_failed AND n.downloaded = l.downloaded
        AND n.not_modified = l.not_modified))
"""


def record_source_runs(warehouse: Warehouse, runs: pd.DataFrame) -> int:
    """Add each source's run, or, when it only confirms the source's latest row, hand that row to this run: its run id
    and finished_at move forward (freshness, known gaps and Open States' `updated_since` read them); returns rows added."""
    if runs.empty:
        return 0
    with warehouse.connect() as con:
        con.register("incoming_runs", runs)
        try:
            with transaction(con):
                con.execute(f"CREATE TEMP TABLE confirmed_runs AS {CONFIRMED}")
                con.execute("DELETE FROM core.source_runs s USING confirmed_runs c "
                            "WHERE s.run_id = c.run_id AND s.jurisdiction = c.jurisdiction AND s.source = c.source")
                con.execute("INSERT INTO core.source_runs BY NAME SELECT * EXCLUDE (run_id, finished_at, confirming_run_id, "
                            "confirmed_at), confirming_run_id AS run_id, confirmed_at AS finished_at FROM confirmed_runs")
                added = con.execute(
                    "INSERT OR REPLACE INTO core.source_runs BY NAME SELECT * FROM incoming_runs n WHERE NOT EXISTS "
                    "(SELECT 1 FROM confirmed_runs c WHERE c.jurisdiction = n.jurisdiction AND c.source = n.source)"
                ).fetchone()[0]
                con.execute("DROP TABLE confirmed_runs")
        finally:
            con.unregister("incoming_runs")
    return added
