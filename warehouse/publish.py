"""Publish a read-only serving copy atomically, so dashboards never hold a lock the pipeline needs."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

_ALIAS = "serving_publish"
MARTS_SCHEMA = "marts"
# Marts whose values depend on the clock stay views in the copy, so freshness is computed when read.
LIVE_MARTS = frozenset({"data_health"})


@dataclass(frozen=True)
class PublishResult:
    """What one publish wrote: where, how big, how long it took."""

    path: Path
    size_bytes: int
    seconds: float


def _quoted_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quoted_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _materialize_marts(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Replace the copy's mart views by tables of their current rows, carrying every comment over.

    Dashboards then scan small tables instead of re-running joins and window functions on each read.
    Names and comments come from the catalog, never from data; DDL takes no parameters, so they are quoted.
    """
    views = con.execute(
        "SELECT view_name, coalesce(comment, '') FROM duckdb_views() WHERE database_name = ? AND schema_name = ? "
        "AND NOT internal ORDER BY view_name",
        [source, MARTS_SCHEMA],
    ).fetchall()
    done = []
    for name, comment in views:
        if name in LIVE_MARTS:
            continue
        columns = con.execute(
            "SELECT column_name, coalesce(comment, '') FROM duckdb_columns() WHERE database_name = ? "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [source, MARTS_SCHEMA, name],
        ).fetchall()
        target = f"{_ALIAS}.{MARTS_SCHEMA}.{_quoted_identifier(name)}"
        staged = f"{_ALIAS}.{MARTS_SCHEMA}.{_quoted_identifier(name + '__materialized')}"
        con.execute(f"CREATE TABLE {staged} AS SELECT * FROM {_quoted_identifier(source)}.{MARTS_SCHEMA}."
                    f"{_quoted_identifier(name)}")
        done.append((name, comment, columns, target, staged))
    for name, comment, columns, target, staged in done:
        con.execute(f"DROP VIEW {target}")
        con.execute(f"ALTER TABLE {staged} RENAME TO {_quoted_identifier(name)}")
        con.execute(f"COMMENT ON TABLE {target} IS {_quoted_literal(comment)}")
        for column, text in columns:
            con.execute(f"COMMENT ON COLUMN {target}.{_quoted_identifier(column)} IS {_quoted_literal(text)}")


def _remove(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """True while a process with this id exists (on this host), so its files and runs are left alone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned_copies(serving_path: str | Path) -> list[Path]:
    """Delete temp copies left beside `serving_path` by publishes whose process died (a crash, kill -9)."""
    target = Path(serving_path).resolve()
    removed = []
    for temp in target.parent.glob(f".{target.name}.*.tmp"):
        owner = temp.name[len(target.name) + 2:].split(".", 1)[0]
        if not (owner.isdigit() and process_alive(int(owner))):
            _remove(temp)
            removed.append(temp)
    return removed


def publish_snapshot(con: duckdb.DuckDBPyConnection, serving_path: str | Path) -> PublishResult:
    """Copy the connection's whole database to a temp file beside `serving_path`, then swap it in with os.replace.

    The temp file's name carries our pid, so a later publish removes it if this process dies mid-copy.
    In the copy the marts are materialized as tables (see `_materialize_marts`), except LIVE_MARTS.
    Readers that hold the old file keep their consistent snapshot (the old inode stays alive until they
    close it); readers that open the path afterwards see the new copy. On any failure the old copy stays.
    """
    started = time.perf_counter()
    target = Path(serving_path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned_copies(target)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    source = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"ATTACH ? AS {_ALIAS}", [str(temp)])
    try:
        # COPY FROM DATABASE takes no parameters; the name is the catalog's own, quoted as an identifier.
        con.execute(f"COPY FROM DATABASE {_quoted_identifier(source)} TO {_ALIAS}")
        _materialize_marts(con, source)
        con.execute(f"CHECKPOINT {_ALIAS}")
        con.execute(f"DETACH {_ALIAS}")
        if temp.with_name(temp.name + ".wal").exists():
            raise RuntimeError(f"publish left a write-ahead log beside {temp}")
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        os.replace(temp, target)
    except BaseException:
        if _ALIAS in {row[0] for row in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}:
            con.execute(f"DETACH {_ALIAS}")
        _remove(temp)
        raise
    return PublishResult(path=target, size_bytes=target.stat().st_size, seconds=time.perf_counter() - started)
