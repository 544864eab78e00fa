"""Review tests write verdicts into a private copy of the warehouse `divwatch run` builds from the bundled demo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.serving.demo_run import shared_demo_run
from warehouse.db import Warehouse


@pytest.fixture
def reviewed_warehouse(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch) -> Warehouse:
    """A copy of the real run's warehouse that `divwatch review` (run in this process) writes to."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(shared_demo_run(tmp_path_factory.getbasetemp()).warehouse, path)
    monkeypatch.setenv("DIVWATCH_WAREHOUSE", str(path))
    monkeypatch.setenv("DIVWATCH_REVIEWS_INBOX", str(tmp_path / "inbox"))
    monkeypatch.setenv("DIVWATCH_REVIEWS_GOLD", str(tmp_path / "gold"))
    return Warehouse(path=str(path))
