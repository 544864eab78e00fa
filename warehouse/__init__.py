"""DuckDB warehouse: schema and migrations, the Warehouse resource, idempotent loaders, marts and publishing."""
