"""Data health that helps: an error is recorded once per cause, resolved ones show as resolved, demo gaps as known gaps."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from assets.funding import FUNDING_ASSETS
from assets.funding_support import FundingSources
from tests.pipelines.test_bill_pipeline import REPO, run_partition
from warehouse.db import Warehouse
from warehouse.fetch_errors import record_fetch_errors
from warehouse.migrations import migration_files

BROKEN_DATE = 'version_date = "the seventeenth of February"'


def _issues(warehouse: Warehouse, source: str) -> list[tuple]:
    return [tuple(row) for row in warehouse.query_df(
        "SELECT item, status, seen_runs FROM marts.fetch_issues WHERE source = ? ORDER BY item", [source]
    ).itertuples(index=False)]


def _health(warehouse: Warehouse, source: str):
    return warehouse.query_df("SELECT * FROM marts.data_health WHERE source = ?", [source]).iloc[0]


def test_recorded_demo_gaps_are_counted_once_and_labelled_as_known_gaps(warehouse: Warehouse) -> None:
    """The recorded demo holds no answer for two USAspending award details: two known gaps, however many runs."""
    funding = FundingSources(config_path=str(REPO / "config/funding.toml"),
                             recorded_manifest=str(REPO / "demo/funding/manifest.toml"), cache_path=None)
    for _ in range(2):
        assert dg.materialize(FUNDING_ASSETS, resources={"warehouse": warehouse, "funding": funding}).success
    issues = _issues(warehouse, "usaspending")
    assert len(issues) == 2 and {(status, runs) for _, status, runs in issues} == {("known-gap", 2)}
    health = _health(warehouse, "usaspending")
    # the second run had the first one's outcome again, so it extended that run's row instead of adding one
    assert (health.runs, health.items_failed) == (1, 2) and health.known_gaps == 2 and health.open_errors == 0
    assert health.error_rate == 0 and health.last_run_error_rate == 0  # was 0.4: gaps of the recording, not the source


def test_a_failing_item_is_one_row_until_fixed_then_resolved(warehouse: Warehouse, tmp_path: Path) -> None:
    folder = Path(shutil.copytree(REPO / "demo" / "texts" / "CA" / "SB1110_2015-2016", tmp_path / "texts" / "CA" / "SB1110"))
    sidecar = folder / "2016-02-17_introduced.txt.meta.toml"
    good = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(good.replace("version_date = 2016-02-17", BROKEN_DATE), encoding="utf-8")
    for _ in range(2):
        assert run_partition(warehouse, tmp_path / "texts", "CA").success
    assert _issues(warehouse, "folder") == [("CA/SB1110/2016-02-17_introduced.txt.meta.toml", "open", 2)]
    assert _health(warehouse, "folder").open_errors == 1

    sidecar.write_text(good, encoding="utf-8")
    assert run_partition(warehouse, tmp_path / "texts", "CA").success
    assert _issues(warehouse, "folder") == [("CA/SB1110/2016-02-17_introduced.txt.meta.toml", "resolved", 2)]
    health = _health(warehouse, "folder")
    assert health.open_errors == 0 and health.resolved_errors == 1


def test_upgrading_collapses_errors_that_earlier_runs_re_added(tmp_path: Path) -> None:
    """A warehouse written before migration 007 held one row per run for the same failure; it keeps one per cause."""
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE main.schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                    "applied_at TIMESTAMP DEFAULT current_timestamp)")
        for version, name, sql in migration_files():
            if version <= 5:
                con.execute(sql)
                con.execute("INSERT INTO main.schema_migrations (version, name) VALUES (?, ?)", [version, name])
        for run in ("run-1", "run-2", "run-3"):
            con.execute("INSERT INTO core.fetch_errors VALUES ('US', 'usaspending', 'award detail X', 'https://api.usaspending.gov/x', "
                        "'no recorded response for GET api.usaspending.gov/x', TIMESTAMP '2026-01-01' + to_days(?), ?)",
                        [int(run[-1]), run])
    upgraded = Warehouse(path=str(path))
    issues = upgraded.query_df("SELECT status, seen_runs, first_seen_at, last_run_id FROM marts.fetch_issues")
    assert issues.values.tolist() == [["known-gap", 3, pd.Timestamp("2026-01-02"), "run-3"]]
    again = upgraded.query_df("SELECT jurisdiction, source, item, url, reason FROM core.fetch_errors")
    record_fetch_errors(upgraded, again, "usaspending", "US", ["usaspending"], "run-4", datetime(2026, 1, 5))
    issues = upgraded.query_df("SELECT status, seen_runs, step FROM marts.fetch_issues")
    assert issues.values.tolist() == [["known-gap", 4, "usaspending"]]  # the same cause, now under its step
