"""A small real warehouse (corpus texts, gold clauses, run records, alerts, awards), built once, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.serving.corpus_warehouse import CorpusVersion, shared_corpus_warehouse
from warehouse.db import Warehouse


@pytest.fixture
def corpus_warehouse(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Warehouse:
    """A private copy of the corpus warehouse that a test may write to."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(shared_corpus_warehouse(tmp_path_factory.getbasetemp())[0], path)
    return Warehouse(path=str(path))


@pytest.fixture
def corpus_versions(tmp_path_factory: pytest.TempPathFactory) -> list[CorpusVersion]:
    return list(shared_corpus_warehouse(tmp_path_factory.getbasetemp())[1])
