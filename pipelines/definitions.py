"""The one composition root: every asset, check, job, schedule, sensor and resource of Diversion Watch."""

from __future__ import annotations

import dagster as dg

from assets.alerts import ALERT_ASSETS
from assets.analysis import ANALYSIS_ASSETS
from assets.bills import BILL_ASSETS, BILL_CHECKS
from assets.funding import FUNDING_ASSETS, FUNDING_CHECKS
from assets.funding_support import FundingSources
from assets.resources import BillSources
from assets.serving import SERVING_ASSETS, SERVING_CHECKS, ServingConfig
from assets.reviews import REVIEW_ASSETS, REVIEW_CHECKS
from pipelines.alerts.deliver import AlertSettings
from pipelines.schedules import nightly_bill_refresh
from pipelines.sensors import ALERT_JOBS, ALERT_SCHEDULES, ALERT_SENSORS
from pipelines.settings import REPO, reviews_inbox, setting, warehouse_path
from warehouse.db import Warehouse

bills_job = dg.define_asset_job(
    "bills_job",
    selection=dg.AssetSelection.assets(*BILL_ASSETS, *ANALYSIS_ASSETS, *ALERT_ASSETS),
    description="Fetch every version of the tracked bills in one jurisdiction, analyse them and queue alerts.",
)

funding_job = dg.define_asset_job(
    "funding_job",
    selection=dg.AssetSelection.assets(*FUNDING_ASSETS),
    description="Fetch grant opportunities, awards and sub-awards, type recipients, link money to bills.",
)

serving_job = dg.define_asset_job(
    "serving_job",
    selection=dg.AssetSelection.assets(*REVIEW_ASSETS, *SERVING_ASSETS),
    description="Check the documented marts and publish the read-only serving copy for dashboards.",
)

# `divwatch run` runs bills_job per jurisdiction, then these once, in order (publishing last).
FOLLOW_UP_JOBS = ("funding_job", "deliver_alerts_job", "serving_job")


def resources() -> dict[str, dg.ConfigurableResource]:
    """Resources for local runs; paths and modes come from DIVWATCH_* variables."""
    return {
        "warehouse": Warehouse(path=warehouse_path(), lock_wait_seconds=float(setting("LOCK_WAIT_SECONDS", "30"))),
        "bill_sources": BillSources(
            mode=setting("SOURCE", "folder"),
            folder=setting("FOLDER", str(REPO / "demo" / "texts")),
            tracking_path=setting("TRACKING", str(REPO / "config" / "tracking.toml")),
            cache_path=setting("HTTP_CACHE", str(REPO / "data" / "http_cache.sqlite")),
        ),
        "alert_settings": AlertSettings(
            config_path=setting("ALERTS_CONFIG", str(REPO / "config" / "subscriptions.toml")),
            feed_path=setting("ALERTS_FEED", str(REPO / "data" / "alerts.atom")),
        ),
        "serving": ServingConfig(
            serving_path=setting("SERVING", str(REPO / "data" / "serving.duckdb")),
            parquet_dir=setting("PARQUET_DIR", ""),
            review_agreement_floor=float(setting("REVIEW_AGREEMENT_FLOOR", "0.8")),
            reviews_inbox=str(reviews_inbox()),
        ),
        "funding": FundingSources(
            mode=setting("FUNDING_MODE", "live" if setting("SOURCE", "folder") == "live" else "recorded"),
            config_path=str(REPO / "config" / "funding.toml"),
            recorded_manifest=str(REPO / "demo" / "funding" / "manifest.toml"),
            cache_path=setting("FUNDING_HTTP_CACHE", str(REPO / "data" / "http_cache_funding.sqlite")),
        ),
    }


defs = dg.Definitions(
    assets=[*BILL_ASSETS, *ANALYSIS_ASSETS, *ALERT_ASSETS, *FUNDING_ASSETS, *REVIEW_ASSETS, *SERVING_ASSETS],
    asset_checks=[*BILL_CHECKS, *FUNDING_CHECKS, *SERVING_CHECKS, *REVIEW_CHECKS],
    jobs=[bills_job, funding_job, serving_job, *ALERT_JOBS],
    sensors=[*ALERT_SENSORS],
    schedules=[nightly_bill_refresh, *ALERT_SCHEDULES],
    resources=resources(),
    executor=dg.in_process_executor,
)
