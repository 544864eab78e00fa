"""Ways out of the warehouse for other tools: a read-only SQLAlchemy URL and Parquet files of the marts."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from warehouse.publish import MARTS_SCHEMA


def serving_url(serving_path: str | Path) -> str:
    """SQLAlchemy URL (duckdb-engine) that opens the published copy read-only, for BI tools and pandas."""
    url = sa.URL.create("duckdb", database=str(Path(serving_path).resolve()), query={"access_mode": "read_only"})
    return url.render_as_string(hide_password=False)


def serving_engine(serving_path: str | Path) -> sa.Engine:
    """Engine without a pool, so every checkout opens the newest published copy instead of a stale one."""
    return sa.create_engine(serving_url(serving_path), poolclass=NullPool)


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every mart, sorted: views in the warehouse, mostly tables in the published copy; the catalog names them."""
    rows = con.execute(
        "SELECT view_name AS name FROM duckdb_views() WHERE schema_name = ? AND NOT internal "
        "AND database_name = current_database() "
        "UNION SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND database_name = current_database() "
        "ORDER BY name",
        [MARTS_SCHEMA, MARTS_SCHEMA],
    ).fetchall()
    return [row[0] for row in rows]


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every mart; querying each view also proves it still binds to its tables."""
    return {name: con.table(f"{MARTS_SCHEMA}.{name}").count("*").fetchall()[0][0] for name in mart_names(con)}


def export_marts_parquet(serving_path: str | Path, out_dir: str | Path) -> dict[str, Path]:
    """Write one Parquet file per mart from the published copy; each file appears whole or not at all."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    with duckdb.connect(str(serving_path), read_only=True) as con:
        for name in mart_names(con):
            final = out / f"{name}.parquet"
            temp = out / f".{name}.parquet.tmp"
            con.table(f"{MARTS_SCHEMA}.{name}").write_parquet(str(temp))
            os.replace(temp, final)
            written[name] = final
    return written


def published_row_counts(serving_path: str | Path) -> dict[str, int]:
    """Mart row counts as a reader of the published copy sees them."""
    with duckdb.connect(str(serving_path), read_only=True) as con:
        return mart_row_counts(con)
