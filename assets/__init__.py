"""Thin Dagster assets: call sources, then analysis, then the warehouse, and return metadata."""
