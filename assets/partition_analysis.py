"""Analysis as partition files: export each (jurisdiction, session)'s versions, analyse them anywhere, load them once."""

import time

import dagster as dg
import pandas as pd

from analysis.clauses.learned import shipped_model
from assets.analysis import VERSION_COLUMNS, VERSION_ORDER
from assets.analysis_input import input_hash
from assets.analysis_rows import analyse_versions
from warehouse.db import Warehouse
from warehouse.partition_files import Partition, PartitionStore, load_partitions

WAREHOUSE_WRITE_TAG = "divwatch/warehouse-write"


class PartitionFiles(dg.ConfigurableResource):
    """Where partition files live: a local folder (default) or an fsspec URL every worker can reach."""

    root: str = "data/partitions"

    def store(self) -> PartitionStore:
        return PartitionStore(self.root)


def session_versions(warehouse: Warehouse, states: list[str], sessions: list[str] | None) -> dict[Partition, pd.DataFrame]:
    """The stored versions of the chosen states (and sessions), one frame per partition, in analysis order."""
    where, params = "jurisdiction IN (SELECT unnest(?))", [states]
    if sessions:
        where, params = f"{where} AND session IN (SELECT unnest(?))", [states, sessions]
    frame = warehouse.query_df(
        f"SELECT jurisdiction, text_sha256, {VERSION_COLUMNS} FROM core.bill_versions WHERE {where} "
        f"ORDER BY jurisdiction, {VERSION_ORDER}", params)
    return {Partition(j, s): group.reset_index(drop=True)
            for (j, s), group in frame.groupby(["jurisdiction", "session"], sort=False)}


def stale_partitions(store: PartitionStore, partitions: dict[Partition, pd.DataFrame]) -> list[Partition]:
    """The partitions whose finished files do not match their versions and engine: a partition with a manifest
    for the same input hash is done, whichever run or machine wrote it."""
    return [partition for partition, versions in partitions.items()
            if (manifest := store.manifest(partition)) is None or manifest["input_hash"] != input_hash(versions)]


def export_inputs(store: PartitionStore, partitions: dict[Partition, pd.DataFrame]) -> None:
    """Write the versions each partition's worker analyses (its earlier results stop counting)."""
    for partition, versions in partitions.items():
        store.write_input(partition, versions)


def analyse_partition(store: PartitionStore, partition: Partition, run_id: str) -> dict:
    """The heavy step: analyse one partition's versions and write its table files; returns the manifest."""
    started = time.process_time()
    versions = store.read_input(partition)
    frames = analyse_versions(versions.drop(columns=["jurisdiction", "text_sha256"]), partition.jurisdiction,
                              shipped_model())
    text_bytes = int(versions["text"].str.len().sum()) if not versions.empty else 0
    return store.write_results(partition, frames, input_hash(versions), run_id,
                               {"text_bytes": text_bytes, "cpu_seconds": round(time.process_time() - started, 4)})


def analyse_op(partitions: list[Partition], name: str) -> dg.OpDefinition:
    """One op per chunk of partitions, so the executor spreads chunks over its workers; each partition's files
    are finished (manifest written) as soon as it is done, so a crash loses at most the partition under way."""

    @dg.op(name=name, description=f"Analyse {len(partitions)} partition(s) into partition files.",
           out=dg.Out(dg.Nothing))
    def analyse(context: dg.OpExecutionContext, partition_files: PartitionFiles) -> None:
        store = partition_files.store()
        rows = sum(sum(analyse_partition(store, p, context.run_id)["rows"].values()) for p in partitions)
        context.log.info(f"{len(partitions)} partition(s), {rows} rows")  # once per step: each event is a storage write

    return analyse


@dg.op(tags={WAREHOUSE_WRITE_TAG: "load"}, config_schema={"partition_keys": [str]})
def load_partition_files(context: dg.OpExecutionContext, warehouse: Warehouse,
                         partition_files: PartitionFiles) -> dg.Output:
    """The one serialized step: finished partitions into DuckDB in one transaction, unchanged ones skipped."""
    partitions = [Partition.from_key(k) for k in context.op_config["partition_keys"]]
    with warehouse.connect() as con:
        loaded = load_partitions(con, partition_files.store(), partitions, context.run_id)
    return dg.Output(loaded, metadata={"loaded": len(loaded), "skipped_unchanged": len(partitions) - len(loaded)})
