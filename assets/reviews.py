"""Reviews in the pipeline: record what the dashboard dropped in the inbox, warn when agreement with reviews falls."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from analysis.clauses.rules import load_rules
from assets.serving import ServingConfig, marts
from warehouse.db import Warehouse
from warehouse.reviews import import_inbox, recent_agreement

RECENT_DAYS = 30
DASHBOARD_REVIEWER = "dashboard"  # for a dropped row that names no reviewer


@dg.asset(group_name="serving", kinds={"duckdb"})
def label_reviews(warehouse: Warehouse, serving: ServingConfig) -> dg.MaterializeResult:
    """Reviews dropped in the inbox (by the dashboard) recorded before the marts are published, so they show there."""
    with warehouse.connect() as con:
        results = import_inbox(con, Path(serving.reviews_inbox), list(load_rules().categories), DASHBOARD_REVIEWER)
        total = con.execute("SELECT count(*) FROM analysis.label_reviews").fetchone()[0]
    errors = [error for _, _, file_errors in results for error in file_errors]
    return dg.MaterializeResult(metadata={
        "files_imported": len(results), "reviews_added": sum(added for _, added, _ in results),
        "rows_refused": dg.MetadataValue.json(errors), "reviews_total": total})


@dg.asset_check(asset=marts, description=f"Labels reviewed in the last {RECENT_DAYS} days were right at least as often "
                                         "as the configured floor, so a fall in quality on new bills shows up.")
def review_agreement_holds(warehouse: Warehouse, serving: ServingConfig) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        agreed, reviews = recent_agreement(con, RECENT_DAYS)
    share = agreed / reviews if reviews else None
    return dg.AssetCheckResult(
        passed=share is None or share >= serving.review_agreement_floor,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"reviews": reviews, "agreed": agreed, "agreement": share if share is not None else "no reviews",
                  "floor": serving.review_agreement_floor, "days": RECENT_DAYS},
    )


REVIEW_ASSETS = [label_reviews]
REVIEW_CHECKS = [review_agreement_holds]
