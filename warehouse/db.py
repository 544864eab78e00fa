"""The Warehouse resource: one DuckDB file, migrated on open, written only through idempotent loaders."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa

from warehouse.migrations import apply_migrations
from warehouse.transaction import transaction

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


class WarehouseBusy(duckdb.IOException):
    """Raised when another process keeps the warehouse file locked for longer than we wait."""


def open_duckdb(
    path: str, read_only: bool, wait_seconds: float, sleep: Callable[[float], None] = time.sleep
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, retrying briefly while another process holds its lock, then failing clearly."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path} is held open by another process ({exc}); waited {wait_seconds:g} s. Close that "
                    "process (dashboards and notebooks should read the published serving copy) and run again."
                ) from exc
            sleep(delay)
            delay = min(delay * 2, 2.0)


def _checked_table(table: str) -> str:
    """Table names come from code, never from data; reject anything that is not a plain identifier."""
    if not _IDENTIFIER.match(table):
        raise ValueError(f"not a table identifier: {table!r}")
    return table


class Warehouse(dg.ConfigurableResource):
    """DuckDB warehouse at `path`; every write replaces a whole partition inside one transaction."""

    path: str = "data/warehouse.duckdb"
    lock_wait_seconds: float = 30.0

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the file (migrating it first when writable) and always close it."""
        if not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = open_duckdb(self.path, read_only, self.lock_wait_seconds)
        try:
            if not read_only:
                apply_migrations(con)
            yield con
        finally:
            con.close()

    def query_df(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        """Run a parameterized read query and return a DataFrame."""
        with self.connect() as con:
            return con.execute(sql, list(params)).df()

    def replace_partition(self, table: str, frame: pd.DataFrame, where: Mapping[str, object]) -> int:
        """Delete the rows matching `where` and insert `frame`, atomically; returns rows inserted."""
        with self.connect() as con:
            return replace_partition(con, table, frame, where)

    def insert_new(self, table: str, frame: pd.DataFrame, key: list[str]) -> int:
        """Append the rows whose key is not already stored (append-only tables); returns rows added."""
        with self.connect() as con:
            return insert_new(con, table, frame, key)

    def upsert(self, table: str, frame: pd.DataFrame) -> int:
        """Insert or replace rows by the table's primary key, in one statement."""
        with self.connect() as con:
            return upsert(con, table, frame)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, _, name = table.rpartition(".")
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema or "main", name],
    ).fetchall()
    if not rows:
        raise ValueError(f"unknown table: {table}")
    return [row[0] for row in rows]


def declared_schema(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str] | None = None) -> pa.Schema:
    """The table's declared types of these columns (all of them by default); ValueError for a column it lacks."""
    allowed = _columns(con, table)
    unknown = sorted(set(columns) - set(allowed)) if columns is not None else []
    if unknown:
        raise ValueError(f"{table} has no columns {unknown}")
    quoted = ", ".join('"' + str(c).replace('"', '""') + '"' for c in (allowed if columns is None else columns))
    return con.sql(f"SELECT {quoted} FROM {table} LIMIT 0").to_arrow_table().schema


def _declared(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> pa.Table:
    """The frame converted to the table's declared column types, so no type is guessed from its first rows."""
    return pa.Table.from_pandas(frame, schema=declared_schema(con, table, list(frame.columns)), preserve_index=False)


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> Iterator[None]:
    """Expose `frame`, typed as `table` declares, to SQL as `incoming_frame` for the duration of one write."""
    con.register("incoming_frame", _declared(con, table, frame))
    try:
        yield
    finally:
        con.unregister("incoming_frame")


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    if frame.empty:
        return 0
    with _registered(con, table, frame):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_frame")
    return len(frame)


def replace_partition(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, where: Mapping[str, object]
) -> int:
    """Delete-then-insert one partition in a single transaction, so readers never see half of it."""
    table = _checked_table(table)
    allowed = set(_columns(con, table))
    if not where or any(col not in allowed for col in where):
        raise ValueError(f"partition columns {list(where)} not all in {table}")
    predicate = " AND ".join(f"{col} = ?" for col in where)
    with transaction(con):
        con.execute(f"DELETE FROM {table} WHERE {predicate}", list(where.values()))
        return _insert_frame(con, table, frame)


def insert_new(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, key: list[str]) -> int:
    """Insert only rows whose key is absent, in one transaction: re-running never duplicates."""
    table = _checked_table(table)
    if frame.empty:
        return 0
    allowed = set(_columns(con, table))
    if any(col not in allowed for col in key):
        raise ValueError(f"key {key} not all in {table}")
    join = " AND ".join(f"t.{col} IS NOT DISTINCT FROM n.{col}" for col in key)
    with _registered(con, table, frame.drop_duplicates(subset=key)), transaction(con):
        before = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT n.* FROM incoming_frame n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {join})"
        )
        after = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return after - before


def upsert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Insert or replace rows by primary key: keeps rows this frame does not mention."""
    table = _checked_table(table)
    if frame.empty:
        return 0
    with _registered(con, table, frame):
        con.execute(f"INSERT OR REPLACE INTO {table} BY NAME SELECT * FROM incoming_frame")
    return len(frame)
