"""A published serving copy of the corpus warehouse for the dashboard tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.serving.corpus_warehouse import shared_corpus_warehouse
from warehouse.db import Warehouse
from warehouse.publish import publish_snapshot

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture(scope="session")
def dashboard_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The dashboard tests' own copy of the corpus warehouse (tests copy it again before writing)."""
    wh = Warehouse(path=str(tmp_path_factory.mktemp("dashboard") / "warehouse.duckdb"))
    shutil.copy(shared_corpus_warehouse(tmp_path_factory.getbasetemp())[0], wh.path)
    return wh


@pytest.fixture(scope="session")
def serving_copy(dashboard_warehouse: Warehouse) -> Path:
    path = Path(dashboard_warehouse.path).with_name("serving.duckdb")
    with dashboard_warehouse.connect() as con:
        publish_snapshot(con, path)
    return path
