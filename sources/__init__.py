"""Outside world -> typed records: HTTP client and one module per source (no Dagster, no DuckDB)."""
