"""Data dictionary generated from the schema's own comments, so the docs cannot drift from the tables."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.migrations import apply_migrations

DOCUMENTED_SCHEMAS = ("core", "analysis", "funding", "alerts", "marts")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "data_dictionary.md"


@dataclass(frozen=True)
class ColumnDoc:
    """One column with its type and comment (empty when undocumented)."""

    name: str
    data_type: str
    comment: str


@dataclass(frozen=True)
class RelationDoc:
    """One table or view with its comment and columns in declared order."""

    schema: str
    name: str
    kind: str  # table | view
    comment: str
    columns: tuple[ColumnDoc, ...]

    @property
    def undocumented(self) -> list[str]:
        return [c.name for c in self.columns if not c.comment]


def describe(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = DOCUMENTED_SCHEMAS) -> list[RelationDoc]:
    """Read tables, views and column comments of `schemas` from DuckDB's catalog."""
    relations = con.execute(
        "SELECT schema_name, table_name, 'table', coalesce(comment, '') FROM duckdb_tables() "
        "WHERE schema_name IN (SELECT unnest(?)) AND NOT internal AND database_name = current_database() "
        "UNION ALL SELECT schema_name, view_name, 'view', coalesce(comment, '') FROM duckdb_views() "
        "WHERE schema_name IN (SELECT unnest(?)) AND NOT internal AND database_name = current_database()",
        [list(schemas), list(schemas)],
    ).fetchall()
    columns: dict[tuple[str, str], list[ColumnDoc]] = {}
    for schema, table, name, data_type, comment in con.execute(
        "SELECT schema_name, table_name, column_name, data_type, coalesce(comment, '') FROM duckdb_columns() "
        "WHERE schema_name IN (SELECT unnest(?)) AND database_name = current_database() "
        "ORDER BY schema_name, table_name, column_index",
        [list(schemas)],
    ).fetchall():
        columns.setdefault((schema, table), []).append(ColumnDoc(name, data_type, comment))
    order = {schema: i for i, schema in enumerate(schemas)}
    docs = [RelationDoc(s, n, k, c, tuple(columns.get((s, n), []))) for s, n, k, c in relations]
    return sorted(docs, key=lambda d: (order[d.schema], d.name))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def render_markdown(docs: list[RelationDoc]) -> str:
    """Markdown with one section per schema and one table of columns per relation."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from the warehouse schema's comments by `python -m warehouse.dictionary`; do not edit by hand.",
        "Dashboards and BI tools should read the `marts` views: their columns are a stable contract.",
    ]
    schema = None
    for doc in docs:
        if doc.schema != schema:
            schema = doc.schema
            lines += ["", f"## Schema `{schema}`"]
        lines += ["", f"### `{doc.schema}.{doc.name}` ({doc.kind})", "", _cell(doc.comment), "",
                  "| column | type | description |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {_cell(c.data_type)} | {_cell(c.comment)} |" for c in doc.columns]
    return "\n".join(lines) + "\n"


def schema_dictionary() -> str:
    """The dictionary of a freshly migrated empty database: exactly what the migrations declare."""
    with duckdb.connect(":memory:") as con:
        apply_migrations(con)
        return render_markdown(describe(con))


def write_dictionary(out_path: str | Path = DEFAULT_OUTPUT) -> Path:
    """Regenerate the dictionary file from the migrations."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(schema_dictionary(), encoding="utf-8")
    return out


if __name__ == "__main__":
    print(write_dictionary(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTPUT))
