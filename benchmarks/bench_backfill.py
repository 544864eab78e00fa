"""Backfill of >= 200 (jurisdiction, session) partitions: serial reference, Dask with 1 and 2 workers (each
repeated, medians reported), and a run killed in the middle then resumed. Every partition is a REPLICA of one of
the 18 bundled real-text partitions (demo/texts, 36 versions): the texts are real, the partition count is
synthetic (session renamed "[replica NN]", version ids re-keyed), so per-partition work is real but repeats.

Figures: wall seconds per phase (disturbed by whatever else runs on the machine: the load average is printed
before and after every run), CPU seconds of the driver process and of every Dask worker process
(time.process_time, summed over the run), and contents as row counts and order-free content hashes per table.
The CPU-based speed-up is what a quiet machine would give: each run's driver CPU (export, orchestration, the
scheduler, load; counted as serial) plus its busiest worker's CPU (imports, warm-up, its chunk).

    python benchmarks/bench_backfill.py                            # 1,008 partitions, 3 repeats, crash test
    python benchmarks/bench_backfill.py --replicas 11              # 216 partitions: fixed costs weigh more
    python benchmarks/bench_backfill.py --replicas 2 --repeats 1   # quick

The default is 55 replicas (1,008 partitions, 17 MB of text): each run pays about 5 s that one worker cannot
share with another (export, cluster start-up, load), so a backfill must hold a minute or more of work before
the speed-up shows what the workers do rather than those fixed seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import dagster as dg
import duckdb

from assets.bills import BILL_ASSETS
from assets.partition_analysis import session_versions
from assets.resources import BillSources
from pipelines.backfill import run_backfill
from warehouse.db import Warehouse
from warehouse.partition_files import PartitionStore, table_fingerprints

REPO = Path(__file__).resolve().parents[1]


def seed(path: Path, replicas: int) -> list[str]:
    """The bundled versions, then `replicas` renamed copies of every session; returns the jurisdictions."""
    sources = BillSources(mode="folder", folder=str(REPO / "demo" / "texts"),
                          tracking_path=str(REPO / "config" / "tracking.toml"))
    states = sorted(sources.open()[0])
    for state in states:
        dg.materialize(BILL_ASSETS, partition_key=state,
                       resources={"warehouse": Warehouse(path=str(path)), "bill_sources": sources})
    with duckdb.connect(str(path)) as con:
        for replica in range(1, replicas + 1):
            con.execute(
                "INSERT INTO core.bill_versions SELECT * REPLACE ("
                "left(sha256(version_id || ?), 20) AS version_id, session || ? AS session) "
                "FROM core.bill_versions WHERE session NOT LIKE '%[replica%'",
                [f"|replica{replica}", f" [replica {replica:02d}]"])
    return states


def timed_backfill(work: Path, seeded: Path, states: list[str], name: str, executor: str, workers: int) -> dict:
    """One full backfill on a fresh copy of the seeded warehouse and an empty partition location."""
    folder = work / name.replace(" ", "_")
    folder.mkdir()
    warehouse = Warehouse(path=str(shutil.copy(seeded, folder / "warehouse.duckdb")))
    store = PartitionStore(str(folder / "partitions"))
    (folder / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(str(folder / "dagster"))
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run_backfill(instance, warehouse, store, states, executor=executor, workers=workers)
    wall, driver_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    done = store.manifests()
    with duckdb.connect(warehouse.path, read_only=True) as con:
        contents = table_fingerprints(con)
    busiest = max(result.worker_cpu.values(), default=0.0)
    return {"name": name, "success": result.success, "partitions": len(result.computed), "wall_s": round(wall, 1),
            "load_avg": (round(load_before, 1), round(os.getloadavg()[0], 1)), "phases (wall s/driver CPU s)": " ".join(
                f"{name} {p['wall_s']:.1f}/{p['driver_cpu_s']:.1f}" for name, p in result.phases.items()),
            "driver_cpu_s": round(driver_cpu, 1),
            "worker_cpu_s": sorted(round(cpu, 1) for cpu in result.worker_cpu.values()),
            "cpu_bound_s": round(driver_cpu + busiest, 1),
            "analysis_cpu_s": round(sum(m["cpu_seconds"] for m in done), 1),
            "text_mb": round(sum(m["text_bytes"] for m in done) / 1e6, 2), "contents": contents}


def crash_and_resume(work: Path, seeded: Path, states: list[str], kill_after: float) -> dict:
    """`divwatch backfill` with 2 workers, killed (its whole process group) once a share of partitions is done,
    then the same backfill again: it must compute only what the killed run had not finished."""
    folder = work / "crash"
    folder.mkdir()
    warehouse_path = str(shutil.copy(seeded, folder / "warehouse.duckdb"))
    store = PartitionStore(str(folder / "partitions"))
    env = {**os.environ, "DIVWATCH_WAREHOUSE": warehouse_path, "DIVWATCH_PARTITIONS": store.root,
           "DAGSTER_HOME": str(folder / "dagster")}
    total = len(session_versions(Warehouse(path=warehouse_path), states, None))
    command = [sys.executable, "-m", "pipelines.cli", "backfill", "--states", *states, "--workers", "2"]
    killed = subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while len(store.manifests()) < kill_after * total and killed.poll() is None:
        time.sleep(0.5)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    finished_before = len(store.manifests())
    resumed = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    computed = next((line for line in resumed.stdout.splitlines() if line.startswith("computed")), resumed.stderr[-400:])
    with duckdb.connect(warehouse_path, read_only=True) as con:
        contents = table_fingerprints(con)
    return {"name": "killed then resumed", "partitions": total, "finished_before_kill": finished_before,
            "resumed_says": computed, "exit": resumed.returncode, "contents": contents}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=55)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each worker count; medians are reported")
    parser.add_argument("--kill-after", type=float, default=0.4, help="share of partitions done before the kill")
    parser.add_argument("--no-crash", action="store_true", help="skip the killed-then-resumed run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_backfill_") as tmp:
        work = Path(tmp)
        seeded = work / "seed.duckdb"
        states = seed(seeded, args.replicas)
        serial = timed_backfill(work, seeded, states, "serial (in_process)", "in_process", 1)
        dask_runs = {1: [], 2: []}
        for repeat in range(1, args.repeats + 1):  # interleaved, so a busy spell on the machine hits both
            for workers in dask_runs:
                dask_runs[workers].append(timed_backfill(work, seeded, states, f"dask {workers} worker(s) #{repeat}",
                                                         "dask", workers))
        crash = [] if args.no_crash else [crash_and_resume(work, seeded, states, args.kill_after)]
    reference = serial["contents"]
    print(f"{serial['partitions']} partitions ({args.replicas} replicas of the 18 bundled real-text partitions), "
          f"{serial['text_mb']} MB of text; {os.cpu_count()} cores, shared with other processes")
    for run in [serial, *dask_runs[1], *dask_runs[2], *crash]:
        facts = {k: v for k, v in run.items() if k not in ("contents", "name")}
        print(f"{run['name']:>22}: {facts} identical_to_serial={run['contents'] == reference}")
    per_partition = serial["analysis_cpu_s"] / max(serial["partitions"], 1)
    print(f"serial reference: analysis CPU {per_partition:.3f} s per partition, "
          f"{serial['text_mb'] / max(serial['analysis_cpu_s'], 1e-9):.4f} MB of text per CPU-second")
    wall = {w: median(r["wall_s"] for r in runs) for w, runs in dask_runs.items()}
    bound = {w: median(r["cpu_bound_s"] for r in runs) for w, runs in dask_runs.items()}
    print(f"median wall: 1 worker {wall[1]:.1f} s, 2 workers {wall[2]:.1f} s")
    print(f"speed-up 2 vs 1 worker, wall (medians of {args.repeats}, disturbed by the machine's load): "
          f"{wall[1] / wall[2]:.2f}x")
    print(f"speed-up 2 vs 1 worker, from CPU (driver + busiest worker; what a quiet machine would give): "
          f"{bound[1] / bound[2]:.2f}x")


if __name__ == "__main__":
    main()
