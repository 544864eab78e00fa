"""A fingerprint of the facts in the warehouse, so a run that changed none of them does not publish again."""

from __future__ import annotations

import hashlib

import duckdb

# The run log, and the columns that only say which run or how many runs saw a row, change on every run by design.
RUN_LOG_TABLES = {("core", "source_runs")}
RUN_COLUMNS = {"run_id", "last_run_id", "seen_runs"}
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fact(column: str, data_type: str) -> str:
    """What of a column's value counts: a timestamp only as set or not, a float to 9 decimals (a recomputed sum may
    differ in its last bits from one process to the next), anything else as stored."""
    if data_type.startswith("TIMESTAMP"):
        return f"{column} IS NULL"
    if data_type in FLOAT_TYPES:
        return f"round({column}, 9)"
    return column


def facts_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Row counts and an order-free hash of every table's rows, so refreshing fetch times, the run log and run
    counters leaves it unchanged while a resolved error or a sent alert changes it."""
    columns = con.execute(
        "SELECT c.table_schema, c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
        "WHERE t.table_type = 'BASE TABLE' AND c.table_catalog = current_database() "
        "ORDER BY c.table_schema, c.table_name, c.ordinal_position"
    ).fetchall()
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, data_type in columns:
        if (schema, table) in RUN_LOG_TABLES:
            continue
        parts = tables.setdefault((schema, table), [])
        if column in RUN_COLUMNS:
            continue
        parts.append(_fact(_quoted(column), data_type))
    digest = hashlib.sha256()
    for (schema, table), parts in tables.items():
        rows, hashed = con.execute(
            f"SELECT count(*), coalesce(sum(hash({', '.join(parts) or 'NULL'})), 0)::VARCHAR "
            f"FROM {_quoted(schema)}.{_quoted(table)}"
        ).fetchone()
        digest.update(f"{schema}.{table}:{rows}:{hashed};".encode())
    return digest.hexdigest()
