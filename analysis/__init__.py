"""Pure text work: normalize, segment, classify, score fidelity, diff versions (no Dagster, DuckDB or network)."""
