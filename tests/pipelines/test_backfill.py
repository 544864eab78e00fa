"""The distributed path on a real Dask local cluster: same warehouse as the serial asset run, and a resumed
backfill recomputes only the partitions a crash left unfinished."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dask.distributed import Client, LocalCluster

from assets.analysis import ANALYSIS_ASSETS
from assets.bills import BILL_ASSETS
from assets.partition_analysis import analyse_partition, export_inputs, session_versions, stale_partitions
from assets.resources import BillSources
from pipelines.backfill import balanced_chunks, load_partitions_job, run_backfill
from pipelines.cli import main
from warehouse.db import Warehouse
from warehouse.partition_files import PARTITION_TABLES, PartitionStore, table_fingerprints

REPO = Path(__file__).resolve().parents[2]
STATES = ["AZ", "TX"]  # four (jurisdiction, session) partitions of the bundled real texts


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the bundled versions of AZ and TX, not yet analysed."""
    path = tmp_path_factory.mktemp("seed") / "warehouse.duckdb"
    sources = BillSources(mode="folder", folder=str(REPO / "demo" / "texts"),
                          tracking_path=str(REPO / "config" / "tracking.toml"))
    for state in STATES:
        dg.materialize(BILL_ASSETS, partition_key=state,
                       resources={"warehouse": Warehouse(path=str(path)), "bill_sources": sources})
    return path


@pytest.fixture(scope="module")
def serial_fingerprints(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Row counts and content hashes after the serial, in-process asset run that `divwatch run` does."""
    path = Path(shutil.copy(seeded, tmp_path_factory.mktemp("serial") / "warehouse.duckdb"))
    for state in STATES:
        dg.materialize(ANALYSIS_ASSETS, partition_key=state, resources={"warehouse": Warehouse(path=str(path))})
    with duckdb.connect(str(path), read_only=True) as con:
        return table_fingerprints(con)


def _copy(seeded: Path, tmp_path: Path) -> Warehouse:
    return Warehouse(path=str(shutil.copy(seeded, tmp_path / "warehouse.duckdb")))


def _instance(tmp_path: Path) -> dg.DagsterInstance:
    """A persistent instance in the test's folder: Dask workers reach its run storage by reference."""
    (tmp_path / "dagster").mkdir(exist_ok=True)
    return dg.DagsterInstance.local_temp(str(tmp_path / "dagster"))


def _fingerprints(warehouse: Warehouse) -> dict:
    with duckdb.connect(warehouse.path, read_only=True) as con:
        return table_fingerprints(con)


def test_four_partitions_on_two_dask_workers_match_the_serial_run(seeded, serial_fingerprints, tmp_path) -> None:
    warehouse, store = _copy(seeded, tmp_path), PartitionStore(str(tmp_path / "partitions"))
    instance = _instance(tmp_path)

    result = run_backfill(instance, warehouse, store, STATES, executor="dask", workers=2)

    assert result.success
    assert len(result.computed) == 4 and sorted(result.loaded) == sorted(result.computed)
    assert _fingerprints(warehouse) == serial_fingerprints
    assert serial_fingerprints["analysis.clauses"][0] > 0 and serial_fingerprints["analysis.amendments"][0] > 0
    runs = instance.get_runs(filters=dg.RunsFilter(job_name="partition_analysis_job"))
    assert len(runs) == 1 and runs[0].status == dg.DagsterRunStatus.SUCCESS
    steps = instance.get_records_for_run(runs[0].run_id, of_type=dg.DagsterEventType.STEP_SUCCESS).records
    assert len(steps) == 2 and len(result.worker_cpu) == 2  # one step per worker, both workers used
    assert {"export", "cluster_wait", "analyse", "load"} <= set(result.phases)
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("Dask Worker")]  # cluster stopped


def test_a_crashed_backfill_resumes_and_recomputes_only_unfinished_partitions(
        seeded, serial_fingerprints, tmp_path) -> None:
    warehouse, store = _copy(seeded, tmp_path), PartitionStore(str(tmp_path / "partitions"))
    inputs = session_versions(warehouse, STATES, None)
    partitions = stale_partitions(store, inputs)
    export_inputs(store, inputs)
    # The crash: two partitions finished, one killed between its table files and its manifest, one never started.
    finished = partitions[:2]
    for partition in finished:
        analyse_partition(store, partition, run_id="crashed-run")
    analyse_partition(store, partitions[2], run_id="crashed-run")
    store.fs.rm(f"{store.base}/{partitions[2].folder}/_manifest.json")

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as scheduler:
        resumed = run_backfill(_instance(tmp_path), warehouse, store, STATES, executor="dask",
                               address=scheduler.scheduler_address)  # an existing scheduler, as on many machines
        with Client(scheduler) as client:
            assert len(client.nthreads()) == 2  # the backfill left the scheduler it was given running

    assert resumed.success
    assert sorted(resumed.computed) == sorted(p.key for p in partitions[2:])
    assert all(store.manifest(p)["run_id"] == "crashed-run" for p in finished)
    assert _fingerprints(warehouse) == serial_fingerprints


def test_chunks_are_one_per_worker_slot_of_about_equal_text(seeded) -> None:
    inputs = session_versions(Warehouse(path=str(seeded)), STATES, None)
    pending = list(inputs)
    sizes = {p.key: int(inputs[p]["text"].str.len().sum()) for p in pending}

    chunks = balanced_chunks(pending, inputs, 2)
    totals = [sum(sizes[k] for k in chunk) for chunk in chunks]

    assert len(chunks) == 2 and sorted(k for chunk in chunks for k in chunk) == sorted(sizes)
    assert max(totals) - min(totals) <= max(sizes.values()) + len(pending)  # greedy: within about one partition
    assert all(list(chunk) == sorted(chunk, key=lambda k: -sizes[k]) for chunk in chunks)  # longest first
    assert len(balanced_chunks(pending, inputs, 10)) == len(pending)


def test_a_second_backfill_skips_what_is_loaded_and_a_changed_engine_input_recomputes(seeded, tmp_path) -> None:
    warehouse, store = _copy(seeded, tmp_path), PartitionStore(str(tmp_path / "partitions"))
    instance = _instance(tmp_path)
    first = run_backfill(instance, warehouse, store, ["TX"], executor="in_process")
    again = run_backfill(instance, warehouse, store, ["TX"], executor="in_process")
    with warehouse.connect() as con:
        con.execute("UPDATE core.bill_versions SET text = text || ' ', text_sha256 = 'edited' "
                    "WHERE version_id = (SELECT min(version_id) FROM core.bill_versions WHERE jurisdiction = 'TX')")
    edited = run_backfill(instance, warehouse, store, ["TX"], executor="in_process")

    assert len(first.computed) == 3 and len(first.loaded) == 3
    assert again.computed == [] and again.loaded == []
    assert len(edited.computed) == 1 and edited.loaded == edited.computed
    loads = warehouse.query_df("SELECT count(*) AS n FROM core.partition_loads")["n"].iloc[0]
    assert loads == 3


def test_partition_files_load_from_an_fsspec_url(seeded, tmp_path) -> None:
    """Any fsspec filesystem works as the shared location (memory:// here; s3:// with s3fs installed)."""
    warehouse, store = _copy(seeded, tmp_path), PartitionStore("memory://divwatch-test/partitions")
    (tmp_path / "local").mkdir()
    local = _copy(seeded, tmp_path / "local")
    instance = _instance(tmp_path)

    remote = run_backfill(instance, warehouse, store, ["AZ"], executor="in_process")
    run_backfill(instance, local, PartitionStore(str(tmp_path / "partitions")), ["AZ"], executor="in_process")

    assert remote.success and len(remote.loaded) == 1
    assert _fingerprints(warehouse) == _fingerprints(local)
    assert _fingerprints(warehouse)["analysis.clauses"][0] > 0
    assert set(PARTITION_TABLES) <= {p.rsplit("/", 1)[-1].removesuffix(".parquet")
                                     for p in store.fs.find(store.base)}


def test_the_distributed_instance_serializes_only_warehouse_writes(tmp_path) -> None:
    shutil.copy(REPO / "config" / "dagster_distributed.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert limits == [{"key": "divwatch/warehouse-write", "limit": 1}]
    assert load_partitions_job.tags["divwatch/warehouse-write"] == "load"


def test_the_backfill_command_resumes_and_says_what_it_did(seeded, tmp_path, monkeypatch, capsys) -> None:
    warehouse = _copy(seeded, tmp_path)
    monkeypatch.setenv("DIVWATCH_WAREHOUSE", warehouse.path)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    command = ["backfill", "--states", "AZ", "--executor", "in_process", "--partitions", str(tmp_path / "files")]

    assert main(command) == 0
    first = capsys.readouterr().out
    assert main(command) == 0
    second = capsys.readouterr().out
    assert main(["backfill", "--states", "AZ", "--workers", "0"]) == 2

    assert "1 partitions selected, 0 already finished, 1 to compute" in first and "computed 1, loaded 1" in first
    assert "1 already finished, 0 to compute" in second and "computed 0, loaded 0" in second
    assert "seconds: export" in first and "analyse" in first and "analyse" not in second.split("seconds:")[1]
