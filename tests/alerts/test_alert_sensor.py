"""The new-version sensor asks for each jurisdiction's run once; a restart, with or without its cursor, re-sends nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import dagster as dg
from alert_seed import T0, Amendment, add_first_version, add_new_version, sb1110

from assets.alerts import alerts
from pipelines.alerts.deliver import AlertSettings
from pipelines.sensors import (
    ALERT_JOBS,
    ALERT_SCHEDULES,
    ALERT_SENSORS,
    deliver_after_alerts_sensor,
    deliver_alerts_job,
    new_bill_version_sensor,
)
from warehouse.db import Warehouse


def evaluate(
    warehouse: Warehouse, cursor: str | None, instance: dg.DagsterInstance | None = None
) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"warehouse": warehouse}, instance=instance or dg.DagsterInstance.ephemeral()
    )
    return new_bill_version_sensor(context)


def wa_bill() -> Amendment:
    return Amendment(jurisdiction="WA", bill_id="SB 5476", old_text="Sec. 1. Deflection.", new_text="Sec. 1. Deflection!",
                     changes=[("Deflection.", "Deflection!")], session="2021")


def outbox_rows(warehouse: Warehouse) -> int:
    with warehouse.connect() as con:
        return con.execute("SELECT count(*) FROM alerts.outbox").fetchone()[0]


def test_sensor_requests_each_jurisdiction_once_and_restarts_quietly(warehouse: Warehouse) -> None:
    add_first_version(warehouse, sb1110(), loaded_at=T0)
    add_new_version(warehouse, sb1110(), loaded_at=T0 + timedelta(minutes=1))
    add_first_version(warehouse, wa_bill(), loaded_at=T0 + timedelta(minutes=2))

    first = evaluate(warehouse, cursor=None)
    assert [(r.partition_key, r.tags["divwatch/new_versions"]) for r in first.run_requests] == [("CA", "2"), ("WA", "1")]
    assert len({r.run_key for r in first.run_requests}) == 2
    stored_cursor = first.cursor
    assert json.loads(stored_cursor)["loaded_at"] == (T0 + timedelta(minutes=2)).isoformat()

    for request in first.run_requests:  # what the daemon would launch
        assert dg.materialize([alerts], partition_key=request.partition_key, resources={"warehouse": warehouse}).success
    queued = outbox_rows(warehouse)
    assert queued == 3  # the feed: one row per version

    for cursor in (stored_cursor, None):  # restart: same cursor from DAGSTER_HOME, or a lost home
        again = evaluate(warehouse, cursor)
        assert isinstance(again, dg.SkipReason)
    assert outbox_rows(warehouse) == queued

    add_new_version(warehouse, wa_bill(), loaded_at=T0 + timedelta(hours=1))
    later = evaluate(warehouse, stored_cursor)
    assert [r.partition_key for r in later.run_requests] == ["WA"]
    assert later.run_requests[0].run_key not in {r.run_key for r in first.run_requests}


def test_a_jurisdiction_with_a_run_in_flight_waits_for_it(warehouse: Warehouse) -> None:
    add_first_version(warehouse, sb1110(), loaded_at=T0)
    add_first_version(warehouse, wa_bill(), loaded_at=T0 + timedelta(minutes=1))
    instance = dg.DagsterInstance.ephemeral()
    instance.add_run(dg.DagsterRun(job_name="bills_job", run_id="nightly-ca", status=dg.DagsterRunStatus.STARTED,
                                   tags={"dagster/partition": "CA"}))
    first = evaluate(warehouse, None, instance)
    assert [r.partition_key for r in first.run_requests] == ["WA"]
    assert json.loads(first.cursor)["loaded_at"] < T0.isoformat()  # CA's version stays ahead of the cursor
    instance.report_run_failed(instance.get_run_by_id("nightly-ca"))  # it ended without matching CA's version
    later = evaluate(warehouse, first.cursor, instance)
    assert [r.partition_key for r in later.run_requests] == ["CA", "WA"]
    assert later.run_requests[1].run_key == first.run_requests[0].run_key  # WA unchanged: Dagster dedupes the key


def test_sensor_skips_while_the_warehouse_is_locked_or_missing(tmp_path: Path, warehouse: Warehouse) -> None:
    add_first_version(warehouse, sb1110(), loaded_at=T0)
    with warehouse.connect():  # a writer holds the file
        busy = evaluate(warehouse, cursor=None)
    assert isinstance(busy, dg.SkipReason) and "not readable" in busy.skip_message
    missing = evaluate(Warehouse(path=str(tmp_path / "absent.duckdb")), cursor=None)
    assert isinstance(missing, dg.SkipReason)
    assert [r.partition_key for r in evaluate(warehouse, cursor=None).run_requests] == ["CA"]


def test_delivery_starts_after_each_alerts_materialization(tmp_path: Path, warehouse: Warehouse) -> None:
    instance = dg.DagsterInstance.ephemeral()
    add_first_version(warehouse, sb1110(), loaded_at=T0)
    settings = AlertSettings(config_path=str(tmp_path / "none.toml"), feed_path=str(tmp_path / "alerts.atom"))
    defs = dg.Definitions(
        assets=[alerts], jobs=[deliver_alerts_job], sensors=[deliver_after_alerts_sensor],
        resources={"warehouse": warehouse, "alert_settings": settings},
    )
    context = dg.build_sensor_context(instance=instance, definitions=defs)
    assert all(isinstance(r, dg.SkipReason) for r in deliver_after_alerts_sensor(context))
    dg.materialize([alerts], partition_key="CA", instance=instance, resources={"warehouse": warehouse})
    (request,) = deliver_after_alerts_sensor(context)
    assert request.run_key.startswith("alerts-materialized:")
    assert all(isinstance(r, dg.SkipReason) for r in deliver_after_alerts_sensor(context))  # cursor moved on
    assert deliver_alerts_job.execute_in_process(
        resources={"warehouse": warehouse, "alert_settings": settings}, instance=instance
    ).success
    assert Path(settings.feed_path).exists()


def test_exports_are_what_definitions_expect() -> None:
    assert {job.name for job in ALERT_JOBS} == {"new_version_alerts_job", "deliver_alerts_job"}
    assert {sensor.name for sensor in ALERT_SENSORS} == {"new_bill_version_sensor", "deliver_after_alerts_sensor"}
    assert [schedule.cron_schedule for schedule in ALERT_SCHEDULES] == ["*/15 * * * *"]
