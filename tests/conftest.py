"""Fixtures every layer's tests share: a real DuckDB warehouse in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warehouse.db import Warehouse

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """A fresh, migrated warehouse file that lives only for one test."""
    wh = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    with wh.connect():
        pass
    return wh
