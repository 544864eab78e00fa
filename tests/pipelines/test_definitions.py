"""The composition root loads, and its shape (assets, checks, jobs, sensors, schedules) is reviewed as a snapshot."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs

SNAPSHOT = Path(__file__).parent / "definitions_snapshot.json"


def shape() -> dict[str, list[str]]:
    repo = defs.get_repository_def()
    return {
        "assets": sorted(key.to_user_string() for key in repo.asset_graph.get_all_asset_keys()),
        "checks": sorted(key.to_user_string() for key in repo.asset_graph.asset_check_keys),
        "jobs": sorted(job.name for job in repo.get_all_jobs() if not job.name.startswith("__")),
        "sensors": sorted(sensor.name for sensor in repo.sensor_defs),
        "schedules": sorted(schedule.name for schedule in repo.schedule_defs),
    }


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)


def test_definitions_match_the_reviewed_snapshot() -> None:
    current = shape()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=2) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())
