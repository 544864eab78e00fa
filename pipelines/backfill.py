"""The distributed path: partitions analysed in parallel on Dagster's Dask executor, then loaded in one short run.

Chosen by configuration: DIVWATCH_EXECUTOR=dask (default for backfills; a LocalCluster unless
DIVWATCH_DASK_ADDRESS names an existing scheduler) or in_process (serial, the reference). `divwatch run`
never comes here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import dagster as dg
from dagster_dask import dask_executor

from assets.partition_analysis import (WAREHOUSE_WRITE_TAG, PartitionFiles, analyse_op, export_pending,
                                       load_partition_files, session_versions)
from pipelines.settings import REPO, setting
from warehouse.db import Warehouse
from warehouse.partition_files import Partition, PartitionStore

EXECUTORS = {"dask": dask_executor, "in_process": dg.in_process_executor}
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def partition_root() -> str:
    return setting("PARTITIONS", str(REPO / "data" / "partitions"))


def balanced_chunks(pending: list[Partition], inputs: dict, count: int) -> tuple[tuple[str, ...], ...]:
    """Pending partitions dealt into `count` chunks of about equal text, largest first: an executor step costs
    about half a second of Dagster bookkeeping, far more than a small partition's analysis, so steps carry several."""
    chunks: list[list[str]] = [[] for _ in range(max(1, min(count, len(pending))))]
    loads = [0] * len(chunks)
    for partition in sorted(pending, key=lambda p: (-int(inputs[p]["text"].str.len().sum()), p.key)):
        lightest = loads.index(min(loads))
        chunks[lightest].append(partition.key)
        loads[lightest] += int(inputs[partition]["text"].str.len().sum()) + 1
    return tuple(tuple(chunk) for chunk in chunks if chunk)


def build_analysis_job(chunks: tuple[tuple[str, ...], ...], executor: str) -> dg.JobDefinition:
    """One op per chunk of pending partitions, no op touching the warehouse: workers only read and write files."""
    ops = [analyse_op([Partition.from_key(k) for k in chunk], f"analyse_chunk_{i:04d}") for i, chunk in enumerate(chunks)]

    @dg.job(name="partition_analysis_job", executor_def=EXECUTORS[executor],
            resource_defs={"partition_files": PartitionFiles(root=partition_root())},
            description="Analyse (jurisdiction, session) partitions into partition files, in parallel.")
    def partition_analysis_job():
        for op in ops:
            op()

    return partition_analysis_job


load_partitions_job = dg.GraphDefinition(name="load_partitions_job", node_defs=[load_partition_files]).to_job(
    tags={WAREHOUSE_WRITE_TAG: "load"},
    executor_def=dg.in_process_executor,
    description="Bring finished partition files into the warehouse (serialized by the warehouse-write tag).",
)


def executor_config(executor: str, workers: int, address: str | None) -> dict:
    """Run config for the chosen executor: an existing Dask scheduler, or a local cluster of `workers` processes."""
    if executor != "dask":
        return {}
    if address:
        return {"execution": {"config": {"cluster": {"existing": {"address": address}}}}}
    local = {"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    return {"execution": {"config": {"cluster": {"local": local}}}}


@dataclass
class BackfillResult:
    """What a backfill did: partitions selected, those it (re)computed, those it loaded, and whether it all ran."""

    selected: list[str]
    computed: list[str]
    loaded: list[str] = field(default_factory=list)
    success: bool = True


def run_backfill(instance: dg.DagsterInstance, warehouse: Warehouse, store: PartitionStore, states: list[str],
                 sessions: list[str] | None = None, executor: str = "dask", workers: int = 2,
                 address: str | None = None, chunks_per_worker: int = 4, on_start: Callable[[list[Partition], dict], None] | None = None,
                 tags: dict[str, str] | None = None,
                 warehouse_lock: Callable[[], AbstractContextManager] = nullcontext) -> BackfillResult:
    """Export pending partitions, analyse them on the executor, then load every finished partition once.

    Only the export and the load hold `warehouse_lock`; the analysis runs without it."""
    with warehouse_lock():
        inputs = session_versions(warehouse, states, sessions)
        pending = export_pending(store, inputs)
    result = BackfillResult([p.key for p in inputs], [p.key for p in pending])
    if on_start:
        on_start(pending, inputs)
    run_config = {"resources": {"partition_files": {"config": {"root": store.root}}}} | executor_config(
        executor, workers, address) | QUIET
    if pending:
        chunks = balanced_chunks(pending, inputs, chunks_per_worker * workers)
        recon = dg.build_reconstructable_job("pipelines.backfill", "build_analysis_job",
                                             reconstructable_args=(chunks, executor))
        with dg.execute_job(recon, instance=instance, run_config=run_config, tags=tags,
                            raise_on_error=False) as computed:
            result.success = computed.success
    with warehouse_lock():
        loaded = load_partitions_job.execute_in_process(
            run_config={"ops": {"load_partition_files": {"config": {"partition_keys": result.selected}}}} | QUIET,
            resources={"warehouse": warehouse, "partition_files": PartitionFiles(root=store.root)},
            instance=instance, tags=tags, raise_on_error=False)
    result.success = result.success and loaded.success
    if loaded.success:
        result.loaded = loaded.output_for_node("load_partition_files")
    return result


class Progress:
    """A progress bar fed by the manifests workers write: partitions done, MB of text per second, ETA."""

    def __init__(self, store: PartitionStore, every: float = 1.0) -> None:
        self.store, self.every = store, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, pending: list[Partition], inputs: dict) -> None:
        if not pending:
            return
        total_bytes = sum(int(inputs[p]["text"].str.len().sum()) for p in pending)
        self._thread = threading.Thread(target=self._watch, args=(pending, total_bytes), daemon=True)
        self._thread.start()

    def _watch(self, pending: list[Partition], total_bytes: int) -> None:
        from tqdm import tqdm

        started, done, done_bytes = time.monotonic(), set(), 0
        with tqdm(total=len(pending), unit="partition", desc="backfill", dynamic_ncols=True) as bar:
            while len(done) < len(pending):
                for partition in (p for p in pending if p not in done):
                    if (manifest := self.store.manifest(partition)) is not None:
                        done.add(partition)
                        done_bytes += manifest["text_bytes"]
                        bar.update(1)
                rate = done_bytes / 1e6 / max(time.monotonic() - started, 1e-9)
                bar.set_postfix_str(f"{rate:.2f} MB/s of {total_bytes / 1e6:.1f} MB")
                if self._stop.wait(self.every):
                    break

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
