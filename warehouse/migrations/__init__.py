"""Versioned schema migrations: numbered SQL files applied once each, in order, inside a transaction."""

from __future__ import annotations

from importlib import resources

import duckdb

from warehouse.transaction import transaction


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every `NNN_name.sql` shipped in this package, in order."""
    found = []
    for entry in resources.files(__package__).iterdir():
        stem, dot, ext = entry.name.partition(".")
        if ext == "sql" and stem[:3].isdigit():
            found.append((int(stem[:3]), stem, entry.read_text(encoding="utf-8")))
    return sorted(found)


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this file has not seen yet; returns their names."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS main.schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM main.schema_migrations").fetchall()}
    applied = []
    for version, name, sql in migration_files():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO main.schema_migrations (version, name) VALUES (?, ?)", [version, name])
        applied.append(name)
    return applied
