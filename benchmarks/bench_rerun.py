"""The main job (`divwatch run`) cold, then again with nothing changed: CPU and wall time, rows added, full downloads.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_rerun.py [--source live|folder] [--reruns 2]
(from the repo root). live (default): the four bill sources replayed from recorded payloads on 127.0.0.1
(tests/pipelines/test_live_resync.py); folder: the bundled demo texts. Funding replays the recorded demo responses in
both. Each run is its own process, as a user starts it; CPU is that process's user + system time. The floor is
measured the same way: a process that only imports the composition root, and the CPU one no-op Dagster run costs.
Last, one more no-change re-run inside this process says where its CPU goes: imports, then each Dagster run.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
from pytest_httpserver import HTTPServer

from tests.pipelines import test_live_resync as recorded
from tests.pipelines.test_rerun import REPO, divwatch_env, divwatch_run, table_rows

NOOP_RUNS = """
import time
import dagster as dg
from pipelines.runstate import open_instance

@dg.op
def nothing() -> None:
    pass

@dg.job
def noop() -> None:
    nothing()

instance = open_instance()
noop.execute_in_process(instance=instance)
started = time.process_time()
for _ in range(5):
    noop.execute_in_process(instance=instance)
print((time.process_time() - started) / 5)
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(action):
    """(result, CPU seconds of the child processes it ran, wall seconds)."""
    cpu, wall = children_cpu(), time.perf_counter()
    result = action()
    return result, children_cpu() - cpu, time.perf_counter() - wall


def python(code: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True, capture_output=True,
                          text=True).stdout


def job_seconds(home: Path, since: float) -> dict[str, float]:
    """Wall seconds per job name over the runs that started after `since` (from Dagster's run records)."""
    spent: dict[str, float] = {}
    for record in dg.DagsterInstance.from_config(str(home)).get_run_records():
        if record.start_time and record.end_time and record.start_time >= since:
            spent[record.dagster_run.job_name] = spent.get(record.dagster_run.job_name, 0.0) + record.end_time - record.start_time
    return spent


def breakdown(folder: Path, tracking: Path | None, source: str) -> str:
    """A no-change re-run in this process: CPU of the imports and of each Dagster run it launches, by job."""
    os.environ.update(divwatch_env(folder, tracking))
    started = time.process_time()
    import pipelines.definitions  # noqa: F401  (what `divwatch run` imports first; assets were imported above)
    from pipelines.cli import main as divwatch
    imports = time.process_time() - started
    spent: dict[str, float] = {}
    launch = dg.JobDefinition.execute_in_process

    def timed_launch(job, *args, **kwargs):
        began = time.process_time()
        try:
            return launch(job, *args, **kwargs)
        finally:
            spent[job.name] = spent.get(job.name, 0.0) + time.process_time() - began

    dg.JobDefinition.execute_in_process = timed_launch
    try:
        assert divwatch(["run", "--source", source]) == 0
    finally:
        dg.JobDefinition.execute_in_process = launch
    total = time.process_time() - started
    runs = ", ".join(f"{name} {seconds:.2f}" for name, seconds in sorted(spent.items()))
    return (f"in-process no-change re-run: {total:.2f} s CPU = composition root imports {imports:.2f} + {runs} + the rest "
            f"{total - imports - sum(spent.values()):.2f} (instance, checks, summary)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", choices=["live", "folder"], default="live")
    parser.add_argument("--reruns", type=int, default=2)
    args = parser.parse_args()
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            served = recorded.serve(server)
            tracking = recorded.tracking_file(root, server.url_for("").rstrip("/")) if args.source == "live" else None
            first_cpu = None
            for run in range(args.reruns + 1):
                label = "cold first run" if run == 0 else f"no-change re-run {run}"
                before = table_rows(root / "warehouse.duckdb") if run else {}
                served.clear()
                started = time.time()
                output, cpu, wall = timed(lambda: divwatch_run(root, tracking, args.source))
                added = sum(n - before.get(t, 0) for t, n in table_rows(root / "warehouse.duckdb").items())
                first_cpu = first_cpu or cpu
                skipped = output.count("analysis current, skipped")
                jobs = ", ".join(f"{name} {s:.1f}" for name, s in sorted(job_seconds(root / "dagster", started).items()))
                print(f"{label}: {cpu:.2f} s CPU ({cpu / first_cpu:.0%} of the first), {wall:.2f} s wall, "
                      f"{added} rows added, {len(served)} full downloads, {skipped} partitions' analysis skipped; "
                      f"wall per job: {jobs}")
            _, bare, _ = timed(lambda: python("pass"))
            _, imports, _ = timed(lambda: python("import pipelines.definitions"))
            per_run = float(python(NOOP_RUNS, env={"DAGSTER_HOME": str(root / "noop-home"), "PATH": ""}))
            print(f"floor: interpreter {bare:.2f} s CPU, interpreter + imports of the composition root {imports:.2f} s, "
                  f"one no-op Dagster run {per_run:.3f} s")
            print(breakdown(root, tracking, args.source))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
