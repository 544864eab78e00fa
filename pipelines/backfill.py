"""The distributed path: partitions analysed in parallel on Dagster's Dask executor, then loaded in one short run.

Chosen by configuration: DIVWATCH_EXECUTOR=dask (default for backfills; a LocalCluster unless
DIVWATCH_DASK_ADDRESS names an existing scheduler) or in_process (serial, the reference). `divwatch run`
never comes here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field

import dagster as dg
import dask
from dagster_dask import dask_executor
from dask.distributed import Client, LocalCluster

from analysis.clauses.learned import shipped_model
from assets.analysis_input import engine_fingerprint
from assets.partition_analysis import (WAREHOUSE_WRITE_TAG, PartitionFiles, analyse_op,
                                       export_inputs, load_partition_files, session_versions, stale_partitions)
from pipelines.settings import REPO, setting
from warehouse.db import Warehouse
from warehouse.partition_files import Partition, PartitionStore, schema_connection

EXECUTORS = {"dask": dask_executor, "in_process": dg.in_process_executor}
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# Dask hands out Dagster steps eagerly (each step is its own task group, so none is queued at the scheduler);
# with more steps than worker slots, steps waited behind a busy worker while another sat idle for seconds. One
# step per slot, of about equal text, with stealing off, gives every slot exactly one.
SCHEDULER_CONFIG = {"distributed.scheduler.work-stealing": False}


def partition_root() -> str:
    return setting("PARTITIONS", str(REPO / "data" / "partitions"))


def balanced_chunks(pending: list[Partition], inputs: dict, count: int) -> tuple[tuple[str, ...], ...]:
    """Pending partitions dealt into `count` chunks of about equal text, largest first to the lightest chunk, so
    that chunks run on separate worker slots finish together."""
    chunks: list[list[str]] = [[] for _ in range(max(1, min(count, len(pending))))]
    loads = [0] * len(chunks)
    for partition in sorted(pending, key=lambda p: (-_text_bytes(inputs[p]), p.key)):
        lightest = loads.index(min(loads))
        chunks[lightest].append(partition.key)
        loads[lightest] += _text_bytes(inputs[partition]) + 1
    return tuple(tuple(chunk) for chunk in chunks if chunk)


def _text_bytes(versions) -> int:
    return int(versions["text"].str.len().sum())


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


def executor_config(executor: str, address: str | None) -> dict:
    """Run config for the chosen executor: the Dask executor joins the scheduler at `address` (started here or
    given by the user)."""
    if executor != "dask":
        return {}
    return {"execution": {"config": {"cluster": {"existing": {"address": address}}}}}


def warm_worker() -> None:
    """A worker's one-time costs (imports, clause model, engine fingerprint, typed schemas) paid once, before its
    first step and while the driver exports, instead of inside the first step."""
    shipped_model()
    engine_fingerprint()
    schema_connection()


class DaskCluster:
    """The Dask cluster a backfill computes on: a LocalCluster started in the background (so its start-up and the
    workers' warm-up overlap the export, and its shutdown overlaps the load), or an existing scheduler."""

    def __init__(self, workers: int, address: str | None) -> None:
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dask-cluster")
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None
        self._closed: Future | None = None
        self._ready: Future = self._background.submit(self._start, workers, address)

    def _start(self, workers: int, address: str | None) -> tuple[str, int]:
        if address is None:
            with dask.config.set(SCHEDULER_CONFIG):
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
            address = self._cluster.scheduler_address
        self._client = Client(address)
        self._client.run(warm_worker)
        return address, sum(self._client.nthreads().values())

    def address(self) -> str:
        """The scheduler's address once every worker is warm."""
        return self._ready.result()[0]

    def slots(self) -> int:
        """How many steps the cluster runs at once (worker threads)."""
        return self._ready.result()[1]

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds each worker process has used since it started (imports, warm-up, steps)."""
        self._ready.result()
        return self._client.run(time.process_time)

    def close(self) -> Future:
        """Stop a cluster this backfill started, in the background; an existing scheduler is left running."""
        if self._closed is None:
            self._closed = self._background.submit(self._stop)
            self._background.shutdown(wait=False)
        return self._closed

    def _stop(self) -> None:
        self._ready.exception()
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


@contextmanager
def analysis_cluster(executor: str, workers: int, address: str | None) -> Iterator[DaskCluster | None]:
    """The cluster for the analysis job (None for the in-process executor); stopped on the way out, even after
    an error, unless `close()` already started stopping it."""
    cluster = DaskCluster(workers, address) if executor == "dask" else None
    try:
        yield cluster
    finally:
        if cluster is not None:
            cluster.close().result()


@contextmanager
def timed(phases: dict[str, dict[str, float]], name: str) -> Iterator[None]:
    """Record a phase's wall seconds and this (driver) process's CPU seconds, which include the Dask scheduler's."""
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        phases[name] = {"wall_s": round(time.perf_counter() - started, 2),
                        "driver_cpu_s": round(time.process_time() - cpu_started, 2)}


@dataclass
class BackfillResult:
    """What a backfill did: partitions selected, those it (re)computed, those it loaded, whether it all ran, the
    wall seconds of each phase and the CPU seconds each Dask worker process used."""

    selected: list[str]
    computed: list[str]
    loaded: list[str] = field(default_factory=list)
    success: bool = True
    phases: dict[str, dict[str, float]] = field(default_factory=dict)
    worker_cpu: dict[str, float] = field(default_factory=dict)


def run_backfill(instance: dg.DagsterInstance, warehouse: Warehouse, store: PartitionStore, states: list[str],
                 sessions: list[str] | None = None, executor: str = "dask", workers: int = 2,
                 address: str | None = None,
                 on_start: Callable[[list[Partition], dict], None] | None = None, tags: dict[str, str] | None = None,
                 warehouse_lock: Callable[[], AbstractContextManager] = nullcontext) -> BackfillResult:
    """Export pending partitions, analyse them on the executor, then load every finished partition once.

    Only the export and the load hold `warehouse_lock`; the analysis runs without it. The cluster starts as soon
    as there is work, while the inputs are written, and stops while the load runs."""
    phases: dict[str, dict[str, float]] = {}
    with ExitStack() as stack:
        with timed(phases, "export"), warehouse_lock():
            inputs = session_versions(warehouse, states, sessions)
            pending = stale_partitions(store, inputs)
            cluster = stack.enter_context(analysis_cluster(executor if pending else "in_process", workers, address))
            export_inputs(store, {p: inputs[p] for p in pending})
        result = BackfillResult([p.key for p in inputs], [p.key for p in pending], phases=phases)
        if on_start:
            on_start(pending, inputs)
        if pending:
            with timed(phases, "cluster_wait"):
                scheduler, slots = (cluster.address(), cluster.slots()) if cluster else (None, 1)
            with timed(phases, "analyse"):
                result.success = _analyse(instance, store, pending, inputs, executor, scheduler, slots, tags)
            if cluster:
                result.worker_cpu = cluster.cpu_seconds()
                cluster.close()
        with timed(phases, "load"), warehouse_lock():
            loaded = load_partitions_job.execute_in_process(
                run_config={"ops": {"load_partition_files": {"config": {"partition_keys": result.selected}}}} | QUIET,
                resources={"warehouse": warehouse, "partition_files": PartitionFiles(root=store.root)},
                instance=instance, tags=tags, raise_on_error=False)
        with timed(phases, "cluster_stop"):
            stack.close()
    result.success = result.success and loaded.success
    if loaded.success:
        result.loaded = loaded.output_for_node("load_partition_files")
    return result


def _analyse(instance: dg.DagsterInstance, store: PartitionStore, pending: list[Partition], inputs: dict,
             executor: str, scheduler: str | None, chunk_count: int, tags: dict[str, str] | None) -> bool:
    """One run of the analysis job over the pending partitions, one chunk of about equal text per slot."""
    recon = dg.build_reconstructable_job("pipelines.backfill", "build_analysis_job",
                                         reconstructable_args=(balanced_chunks(pending, inputs, chunk_count), executor))
    run_config = {"resources": {"partition_files": {"config": {"root": store.root}}}} | executor_config(
        executor, scheduler) | QUIET
    with dg.execute_job(recon, instance=instance, run_config=run_config, tags=tags, raise_on_error=False) as computed:
        return computed.success


class Progress:
    """A progress bar fed by the manifests workers write: partitions done, MB of text per second, ETA."""

    def __init__(self, store: PartitionStore, every: float = 1.0) -> None:
        self.store, self.every = store, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, pending: list[Partition], inputs: dict) -> None:
        if not pending:
            return
        total_bytes = sum(_text_bytes(inputs[p]) for p in pending)
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
