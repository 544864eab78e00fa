"""Partition files: analysis results written as Parquet per (jurisdiction, session), loaded into DuckDB in one go.

Workers on any machine write to a shared location (a local folder or any fsspec URL such as s3://); only the load
step opens the warehouse, so many partitions compute at once and only the short load is serialized.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import duckdb
import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.db import declared_schema, upsert
from warehouse.migrations import apply_migrations
from warehouse.transaction import transaction

MANIFEST = "_manifest.json"
INPUT = "_versions.parquet"
# Each table a partition writes, and the column naming the partition's versions in it.
PARTITION_TABLES = {
    "analysis.bill_sections": "version_id", "analysis.clauses": "version_id", "analysis.clause_labels": "version_id",
    "analysis.provision_status": "version_id", "analysis.version_fidelity": "version_id",
    "analysis.amendments": "new_version_id", "analysis.version_changes": "new_version_id",
    "analysis.drift_signals": "new_version_id",
}


def _slug(name: str) -> str:
    """A folder name safe on every filesystem and object store, still unique for distinct names."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:60]
    return f"{readable}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Partition:
    """One unit of parallel work: the versions of one legislative session in one jurisdiction."""

    jurisdiction: str
    session: str

    @property
    def key(self) -> str:
        return f"{self.jurisdiction}|{self.session}"

    @property
    def folder(self) -> str:
        return f"jurisdiction={_slug(self.jurisdiction)}/session={_slug(self.session)}"

    @classmethod
    def from_key(cls, key: str) -> Partition:
        jurisdiction, _, session = key.partition("|")
        return cls(jurisdiction, session)


@cache
def schema_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with every migration applied: the declared column types, without the real file."""
    con = duckdb.connect(":memory:")
    apply_migrations(con)
    return con


@cache
def _schema(table: str, columns: tuple[str, ...] | None) -> pa.Schema:
    """Declared types (all columns for None), asked once per process: no migration runs on the in-memory schema."""
    return declared_schema(schema_connection(), table, columns)


def _parquet_bytes(table: str, frame: pd.DataFrame) -> bytes:
    """The frame as Parquet in the table's declared types (an empty frame still carries the schema)."""
    if frame.empty:
        arrow = _schema(table, None).empty_table()
    else:
        arrow = pa.Table.from_pandas(frame, schema=_schema(table, tuple(frame.columns)), preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(arrow, sink)
    return sink.getvalue()


def content_hash(blobs: Mapping[str, bytes]) -> str:
    """One hash over every table file of a partition, in table order."""
    digest = hashlib.sha256()
    for table in sorted(blobs):
        digest.update(table.encode() + b"\0" + hashlib.sha256(blobs[table]).digest())
    return digest.hexdigest()


class PartitionStore:
    """The partition location: `root` is a local folder or an fsspec URL (s3:// needs s3fs installed)."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        self.fs, self.base = fsspec.core.url_to_fs(self.root)
        protocol = self.fs.protocol if isinstance(self.fs.protocol, str) else self.fs.protocol[0]
        self.remote = protocol not in ("file", "local")
        self.protocol = protocol

    def _path(self, partition: Partition, name: str) -> str:
        return f"{self.base}/{partition.folder}/{name}"

    def url(self, partition: Partition, name: str) -> str:
        """A path DuckDB's read_parquet opens: local, or the URL a registered fsspec filesystem serves."""
        path = self._path(partition, name)
        return f"{self.protocol}://{path}" if self.remote else path

    def _write(self, path: str, data: bytes) -> None:
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            handle.write(data)

    def write_input(self, partition: Partition, versions: pd.DataFrame) -> None:
        """The versions a worker analyses, so no worker ever opens the warehouse file; earlier results stop counting."""
        self._forget(partition)
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(versions, preserve_index=False), sink)
        self._write(self._path(partition, INPUT), sink.getvalue())

    def _forget(self, partition: Partition) -> None:
        if self.fs.exists(self._path(partition, MANIFEST)):
            self.fs.rm(self._path(partition, MANIFEST))

    def read_input(self, partition: Partition) -> pd.DataFrame:
        with self.fs.open(self._path(partition, INPUT), "rb") as handle:
            return pq.read_table(handle).to_pandas()

    def write_results(self, partition: Partition, frames: Mapping[str, pd.DataFrame], input_hash: str,
                      run_id: str, effort: Mapping[str, float]) -> dict:
        """Replace this partition's table files, then its manifest last: a manifest means every file is whole.

        `effort` (text bytes, CPU seconds) goes into the manifest for progress bars and capacity figures."""
        self._forget(partition)
        blobs = {table: _parquet_bytes(table, frames[table]) for table in PARTITION_TABLES}
        for table, blob in blobs.items():
            self._write(self._path(partition, f"{table}.parquet"), blob)
        manifest = {"partition_key": partition.key, "input_hash": input_hash, "content_hash": content_hash(blobs),
                    "run_id": run_id, **effort, "rows": {t: len(frames[t]) for t in PARTITION_TABLES},
                    "written_at": datetime.now().isoformat(timespec="seconds")}
        written = self._path(partition, f"{MANIFEST}.partial")
        self._write(written, json.dumps(manifest, indent=1).encode())
        self.fs.mv(written, self._path(partition, MANIFEST))  # a reader sees no manifest or a whole one
        return manifest

    def manifest(self, partition: Partition) -> dict | None:
        """The finished partition's manifest, or None while it is missing or half written."""
        return self._read_manifest(self._path(partition, MANIFEST))

    def _read_manifest(self, path: str) -> dict | None:
        try:
            return json.loads(self.fs.cat(path))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def manifests(self) -> list[dict]:
        """Every finished partition's manifest at this location, whichever run wrote it."""
        found = (self._read_manifest(path) for path in self.fs.glob(f"{self.base}/*/*/{MANIFEST}"))
        return [manifest for manifest in found if manifest is not None]

    def register(self, con: duckdb.DuckDBPyConnection) -> None:
        """Let DuckDB read a remote location through the same fsspec filesystem the workers wrote with."""
        if self.remote:
            con.register_filesystem(self.fs)


def load_partitions(con: duckdb.DuckDBPyConnection, store: PartitionStore, partitions: list[Partition],
                    run_id: str) -> list[str]:
    """Bring finished partitions into the warehouse in one transaction, skipping those loaded with the same
    content hash; returns the keys loaded."""
    loaded = dict(con.execute("SELECT partition_key, content_hash FROM core.partition_loads").fetchall())
    manifests = [(p, m) for p in partitions if (m := store.manifest(p)) is not None]
    fresh = [(p, m) for p, m in manifests if loaded.get(p.key) != m["content_hash"]]
    if not fresh:
        return []
    store.register(con)
    inputs = [store.url(p, INPUT) for p, _ in fresh]
    with transaction(con):
        con.execute("CREATE OR REPLACE TEMP TABLE loading_versions AS "
                    "SELECT version_id FROM read_parquet(?, hive_partitioning = false)", [inputs])
        for table, column in PARTITION_TABLES.items():
            con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT version_id FROM loading_versions)")
            files = [store.url(p, f"{table}.parquet") for p, _ in fresh]
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?, hive_partitioning = false)", [files])
        upsert(con, "core.partition_loads", pd.DataFrame(  # one statement: executemany took 2 s per 1,000 rows
            [{"partition_key": p.key, "jurisdiction": p.jurisdiction, "session": p.session, "content_hash": m["content_hash"],
              "input_hash": m["input_hash"], "run_id": run_id, "loaded_at": datetime.now()} for p, m in fresh]))
        con.execute("DROP TABLE loading_versions")
    return [p.key for p, _ in fresh]


def table_fingerprints(con: duckdb.DuckDBPyConnection, tables: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """(row count, order-free content hash) per table: two warehouses hold the same rows when these match."""
    found = {}
    for table in tables or list(PARTITION_TABLES):
        count, digest = con.execute(f"SELECT count(*), coalesce(sum(hash(t::VARCHAR)), 0) FROM {table} t").fetchone()
        found[table] = (int(count), int(digest))
    return found
