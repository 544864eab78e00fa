"""Review checks: warn when the engine agrees less with analysts' recent reviews than the configured floor."""

from __future__ import annotations

import dagster as dg

from assets.serving import ServingConfig, marts
from warehouse.db import Warehouse
from warehouse.reviews import recent_agreement

RECENT_DAYS = 30


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


REVIEW_CHECKS = [review_agreement_holds]
