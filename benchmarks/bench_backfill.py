"""Backfill of >= 200 (jurisdiction, session) partitions: serial reference, Dask with 1 and 2 workers, and a run
killed in the middle then resumed. Every partition is a REPLICA of one of the 18 bundled real-text partitions
(demo/texts, 36 versions): the texts are real, the partition count is synthetic (session renamed "[replica NN]",
version ids re-keyed), so per-partition work is real but repeats.

Figures: wall seconds (disturbed by whatever else runs on the machine), CPU seconds of the analysis summed over
partitions from each partition's manifest (time.process_time inside the worker), and contents as row counts and
order-free content hashes per table.

    python benchmarks/bench_backfill.py                 # 11 replicas -> 216 partitions
    python benchmarks/bench_backfill.py --replicas 2    # quick
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
    folder = work / name
    folder.mkdir()
    warehouse = Warehouse(path=str(shutil.copy(seeded, folder / "warehouse.duckdb")))
    store = PartitionStore(str(folder / "partitions"))
    (folder / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(str(folder / "dagster"))
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run_backfill(instance, warehouse, store, states, executor=executor, workers=workers)
    wall = time.perf_counter() - started
    done = store.manifests()
    with duckdb.connect(warehouse.path, read_only=True) as con:
        contents = table_fingerprints(con)
    return {"name": name, "success": result.success, "partitions": len(result.computed), "wall_s": round(wall, 1),
            "driver_cpu_s": round(time.process_time() - cpu_started, 1),
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
    parser.add_argument("--replicas", type=int, default=11)
    parser.add_argument("--kill-after", type=float, default=0.4, help="share of partitions done before the kill")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_backfill_") as tmp:
        work = Path(tmp)
        seeded = work / "seed.duckdb"
        states = seed(seeded, args.replicas)
        runs = [timed_backfill(work, seeded, states, "serial (in_process)", "in_process", 1),
                timed_backfill(work, seeded, states, "dask 1 worker", "dask", 1),
                timed_backfill(work, seeded, states, "dask 2 workers", "dask", 2),
                crash_and_resume(work, seeded, states, args.kill_after)]
    reference = runs[0]["contents"]
    print(f"{runs[0]['partitions']} partitions ({args.replicas} replicas of the 18 bundled real-text partitions), "
          f"{runs[0]['text_mb']} MB of text; {os.cpu_count()} cores, shared with other processes")
    for run in runs:
        facts = {k: v for k, v in run.items() if k not in ("contents", "name")}
        print(f"{run['name']:>22}: {facts} identical_to_serial={run['contents'] == reference}")
    one, two = runs[1]["wall_s"], runs[2]["wall_s"]
    per_partition = runs[0]["analysis_cpu_s"] / max(runs[0]["partitions"], 1)
    print(f"speed-up 2 vs 1 worker (wall): {one / two:.2f}x; analysis CPU per partition {per_partition:.3f} s, "
          f"{runs[0]['text_mb'] / max(runs[0]['analysis_cpu_s'], 1e-9):.4f} MB of text per CPU-second")


if __name__ == "__main__":
    main()
