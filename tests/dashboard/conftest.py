"""The dashboard tests read what `divwatch run` published from the bundled demo (copied, so tests may write)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.serving.demo_run import shared_demo_run
from warehouse.db import Warehouse

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture(scope="session")
def dashboard_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The dashboard tests' own copy of the real run's warehouse (tests copy it again before writing)."""
    wh = Warehouse(path=str(tmp_path_factory.mktemp("dashboard") / "warehouse.duckdb"))
    shutil.copy(shared_demo_run(tmp_path_factory.getbasetemp()).warehouse, wh.path)
    return wh


@pytest.fixture(scope="session")
def serving_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The serving copy the real run published, exactly as `divwatch dashboard` would open it."""
    path = tmp_path_factory.mktemp("published") / "serving.duckdb"
    shutil.copy(shared_demo_run(tmp_path_factory.getbasetemp()).serving, path)
    return path
