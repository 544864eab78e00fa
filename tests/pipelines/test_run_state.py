"""Two runs at once, a first run on a fresh Dagster home and a killed run never leave the installation stuck."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.cli import main
from pipelines.runstate import fail_abandoned_runs, open_instance, run_tags
from pipelines.sensors import _has_active_run

REPO = Path(__file__).resolve().parents[2]
OPEN_WHEN_TOLD = """
import sys, time
from pathlib import Path
from pipelines.runstate import open_instance
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.01)
print(open_instance().get_runs_count())
"""
HOLD_RUN_LOCK = """
import sys
from pipelines.runstate import run_lock
with run_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""
DIE_MID_RUN = """
import os, signal
import dagster as dg
from pipelines.runstate import open_instance, run_tags

@dg.op
def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)

@dg.job
def doomed() -> None:
    die()

doomed.execute_in_process(instance=open_instance(), tags={**run_tags(), "dagster/partition": "NM"})
"""


def python(script: str, *args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_first_runs_at_once_on_a_fresh_home_create_the_instance_once(tmp_path: Path) -> None:
    home, go = tmp_path / "home", tmp_path / "go"
    starters = [python(OPEN_WHEN_TOLD, str(go), env={"DAGSTER_HOME": str(home)}) for _ in range(3)]
    go.touch()
    outcomes = [(p.wait(timeout=240), p.stdout.read().strip(), p.stderr.read()) for p in starters]
    assert [(code, out) for code, out, _ in outcomes] == [(0, "0")] * 3, [err[-500:] for _, _, err in outcomes]
    with sqlite3.connect(home / "history" / "runs.db") as db:
        assert len(db.execute("SELECT version_num FROM alembic_version").fetchall()) == 1
    assert "telemetry" in (home / "dagster.yaml").read_text(encoding="utf-8")


def test_a_second_run_is_refused_saying_since_when_the_first_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    for name, value in {"DIVWATCH_WAREHOUSE": warehouse, "DAGSTER_HOME": tmp_path / "home",
                        "DIVWATCH_SOURCE": "folder"}.items():
        monkeypatch.setenv(name, str(value))
    first = python(HOLD_RUN_LOCK, str(warehouse), env={}, stdin=subprocess.PIPE)
    try:
        assert first.stdout.readline().strip() == "held"
        assert main(["run"]) == 2
        message = capsys.readouterr().err
        assert "another run is in progress since 20" in message and f"(pid {first.pid})" in message
        assert not warehouse.exists()  # refused before touching anything
    finally:
        first.kill()
        first.wait()


def test_a_killed_run_is_marked_failed_on_the_next_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    killed = python(DIE_MID_RUN, env={})
    assert killed.wait(timeout=240) == -9, killed.stderr.read()[-500:]
    instance = open_instance()
    [run] = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.STARTED and _has_active_run(instance, "NM")
    assert fail_abandoned_runs(instance) == [run.run_id]
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert not _has_active_run(instance, "NM")  # the new-version sensor asks for NM again
    assert fail_abandoned_runs(instance) == []


def test_live_runs_of_this_process_are_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    instance = open_instance()
    seen = []

    @dg.op
    def sweep_while_running() -> None:
        seen.extend(fail_abandoned_runs(instance))

    @dg.job
    def alive() -> None:
        sweep_while_running()

    assert alive.execute_in_process(instance=instance, tags=run_tags()).success
    assert seen == []
