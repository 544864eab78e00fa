"""Alert automation: a sensor that analyses new versions as they land, and delivery right after and every 15 minutes."""

import hashlib
import json
from collections import defaultdict
from datetime import datetime, timedelta

import dagster as dg
import duckdb

from assets.alerts import ALERT_ASSETS
from assets.partitions import jurisdictions
from pipelines.alerts.deliver import AlertSettings, sync_and_deliver
from pipelines.alerts.subscriptions import ConfigError
from warehouse.db import Warehouse
from warehouse.outbox import outbox_counts

new_version_alerts_job = dg.define_asset_job(
    "new_version_alerts_job",
    selection=dg.AssetSelection.assets("alerts").upstream() - dg.AssetSelection.assets("bill_versions").upstream(),
    description="Analyse one jurisdiction's stored versions and queue alerts for the new ones.",
)


@dg.op(out=dg.Out(int, description="Alerts given up (dead) in this pass: each one is an alert somebody lost."))
def deliver_alerts(context: dg.OpExecutionContext, warehouse: Warehouse, alert_settings: AlertSettings) -> int:
    """Store the configured subscriptions, then send every due outbox row (new alerts and retries)."""
    try:
        synced, report = sync_and_deliver(warehouse, alert_settings)
    except ConfigError as exc:
        raise dg.Failure(description=f"alerts not delivered: {exc}") from None
    for warning in report.warnings:
        context.log.warning(warning)
    for error in report.errors:
        context.log.warning(error)
    if report.rows_dead:
        context.log.error(f"{report.rows_dead} alerts were given up; alerts.outbox rows with status 'dead' say why")
    with warehouse.connect() as con:
        outbox = outbox_counts(con)
    context.add_output_metadata(
        {
            "subscriptions": synced.subscriptions,
            "messages_sent": report.messages_sent,
            "rows_sent": report.rows_sent,
            "rows_retrying": report.rows_retrying,
            "rows_deferred": report.rows_deferred,
            "rows_dead": report.rows_dead,
            "delivery_status": "alerts lost (dead)" if report.rows_dead else "ok",
            "outbox": dg.MetadataValue.json(outbox),
        }
    )
    return report.rows_dead


@dg.job(description="Deliver due alerts over email, webhooks, chat and the Atom feed.")
def deliver_alerts_job() -> None:
    deliver_alerts()


def alerts_given_up(result: dg.ExecuteInProcessResult) -> int:
    """How many alerts a successful delivery run gave up, so `divwatch run` can say so in its exit status."""
    return result.output_for_node("deliver_alerts")


def _cursor_time(cursor: str | None) -> datetime:
    return datetime.fromisoformat(json.loads(cursor)["loaded_at"]) if cursor else datetime.min


def _unseen(con: duckdb.DuckDBPyConnection, after: datetime) -> list[tuple[str, str, datetime]]:
    """Versions loaded after the cursor that the alerts step has not matched yet (works before migration 004 too)."""
    has_seen_table = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'alerts' AND table_name = 'seen_versions'"
    ).fetchone()[0]
    not_seen = (
        " AND NOT EXISTS (SELECT 1 FROM alerts.seen_versions s WHERE s.version_id = v.version_id)" if has_seen_table else ""
    )
    return con.execute(
        "SELECT jurisdiction, version_id, loaded_at FROM core.bill_versions v WHERE loaded_at > ?" + not_seen
        + " ORDER BY loaded_at, version_id",
        [after],
    ).fetchall()


@dg.sensor(
    job=new_version_alerts_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Start analysis and alerts for each jurisdiction with bill versions not yet matched to subscriptions.",
)
def new_bill_version_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    """Cursor = newest load time handled; run keys hash the version ids, and matched versions are never requested again."""
    after = _cursor_time(context.cursor)
    try:
        with warehouse.connect(read_only=True) as con:
            rows = _unseen(con, after)
    except duckdb.Error as exc:  # locked by a writer, not created yet, or not migrated yet
        return dg.SkipReason(f"warehouse not readable right now ({type(exc).__name__}); will look again")
    if not rows:
        return dg.SkipReason("no new bill versions")
    known = set(jurisdictions.get_partition_keys())
    by_place: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for place, version_id, loaded_at in rows:
        if place in known:
            by_place[place].append((version_id, loaded_at))
        else:
            context.log.warning(f"version {version_id} has jurisdiction {place!r}, which is not a partition")
    busy = {place for place in by_place if _has_active_run(context.instance, place)}
    requests = [
        dg.RunRequest(
            run_key=f"new-versions:{place}:{hashlib.sha256(' '.join(sorted(v for v, _ in found)).encode()).hexdigest()[:16]}",
            partition_key=place,
            tags={"divwatch/new_versions": str(len(found))},
        )
        for place, found in sorted(by_place.items())
        if place not in busy
    ]
    # A jurisdiction with a run in flight (a nightly refresh, say) is asked again later; the cursor stays before it.
    held_back = [loaded_at for place in busy for _, loaded_at in by_place[place]]
    newest = min(held_back) - timedelta(microseconds=1) if held_back else max(loaded_at for _, _, loaded_at in rows)
    cursor = json.dumps({"loaded_at": max(newest, after).isoformat()})
    if not requests:
        return dg.SensorResult(skip_reason=f"runs already in progress for {sorted(busy)}", cursor=cursor)
    return dg.SensorResult(run_requests=requests, cursor=cursor)


def _has_active_run(instance: dg.DagsterInstance, place: str) -> bool:
    """True if any run for this jurisdiction partition is queued or running (it will match its versions itself)."""
    active = [
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
    ]
    return instance.get_runs_count(filters=dg.RunsFilter(statuses=active, tags={"dagster/partition": place})) > 0


@dg.asset_sensor(
    asset_key=dg.AssetKey("alerts"),
    job=deliver_alerts_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Deliver as soon as alerts were queued, so organizers hear within the run's minute.",
)
def deliver_after_alerts_sensor(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    """One delivery run per alerts materialization (a run materializes one partition once)."""
    partition = asset_event.dagster_event.partition if asset_event.dagster_event else None
    return dg.RunRequest(run_key=f"alerts-materialized:{asset_event.run_id}:{partition or '-'}")


deliver_alerts_schedule = dg.ScheduleDefinition(
    name="deliver_alerts_schedule",
    job=deliver_alerts_job,
    cron_schedule="*/15 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Retry failed deliveries and send daily digests when they fall due.",
)

ALERT_JOBS = [new_version_alerts_job, deliver_alerts_job]
ALERT_SENSORS = [new_bill_version_sensor, deliver_after_alerts_sensor]
ALERT_SCHEDULES = [deliver_alerts_schedule]
__all__ = ["ALERT_ASSETS", "alerts_given_up", "ALERT_JOBS", "ALERT_SENSORS", "ALERT_SCHEDULES", "AlertSettings"]
