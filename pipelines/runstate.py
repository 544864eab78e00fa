"""What keeps `divwatch run`s apart: the Dagster instance created once, one run per warehouse, no run left "started" by a dead process."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg
from filelock import FileLock, Timeout

from pipelines.settings import REPO, ensure_dagster_home
from warehouse.publish import process_alive

PID_TAG = "divwatch/pid"
HOST_TAG = "divwatch/host"
UNFINISHED = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


class RunInProgress(RuntimeError):
    """Raised when another `divwatch run` already works on the same warehouse."""


def open_instance() -> dg.DagsterInstance:
    """The Dagster instance, created under a lock so two first runs never both create its storage.

    A new DAGSTER_HOME gets the repo's instance settings (telemetry off, one run at a time, run monitoring).
    """
    home = ensure_dagster_home()
    with FileLock(home / ".instance-init.lock"):
        if not (home / "dagster.yaml").exists():
            shutil.copyfile(REPO / ".dagster" / "dagster.yaml", home / "dagster.yaml")
        instance = dg.DagsterInstance.get()
        instance.get_runs_count()  # creates and stamps the run storage now, while we hold the lock
    return instance


@contextmanager
def run_lock(warehouse_path: str) -> Iterator[None]:
    """Hold the warehouse's run lock for the whole run; the OS drops it if the process dies."""
    lock = FileLock(f"{warehouse_path}.run.lock")
    since = Path(f"{warehouse_path}.run.since")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        started = since.read_text(encoding="utf-8").strip() if since.exists() else "a moment ago"
        raise RunInProgress(
            f"another run is in progress since {started} on {warehouse_path}; wait for it to finish"
        ) from None
    try:
        since.write_text(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC (pid {os.getpid()})", encoding="utf-8")
        yield
    finally:
        since.unlink(missing_ok=True)
        lock.release()


def run_tags() -> dict[str, str]:
    """Tags that let a later run tell whether the process behind a run is still alive."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every unfinished run whose `divwatch run` process on this host has died; returns their ids.

    Dagster's own run monitoring covers runs the daemon launched; in-process runs need this sweep, or a
    killed run stays "started" and the new-version sensor never asks for that jurisdiction again.
    """
    host = socket.gethostname()
    failed = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED)):
        pid = run.tags.get(PID_TAG, "")
        if run.tags.get(HOST_TAG) == host and pid.isdigit() and not process_alive(int(pid)):
            instance.report_run_failed(run, message=f"the divwatch process (pid {pid}) died before the run finished")
            failed.append(run.run_id)
    return failed
